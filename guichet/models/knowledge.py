"""The catalogue of answers ("base de connaissance"): answer sheets and their versions.

A sheet (``answer_sheet``) is the stable thing agents name and contacts point to: its theme, its scope (a
commune, or every town of SITIV when ``commune_id`` is NULL), who owns it and when it must be reviewed. What it
says lives in its versions (``answer_sheet_version``): at most one draft, being written by a supervisor, and
the published versions, numbered 1, 2, 3... A published version is never edited: publishing a draft turns
that draft into version n + 1 and points the sheet's ``current_version_id`` at it; the older versions stay as
the history. Archiving a sheet takes it off the desks without erasing anything.

Why no foreign key from ``answer_sheet.current_version_id`` (nor from ``contact.sheet_id``): a sheet and its
versions would refer to each other (no parent-first order for the sync), and a batch applies contacts before
sheets (the order of the synced tables is fixed by the migrations). The services check these ids instead.

Sync (site migration 0009, central c0006): both tables are pulled by every site of their scope. A sheet of a
commune is written by the supervisors of any of its sites; a SITIV-wide sheet is written on the central only
(row-level security refuses it to every site), and reaches every site by the pull.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from guichet.domain import SheetStatus
from guichet.models.base import Base, Entity
from guichet.models.reference import enum_column


class AnswerSheet(Entity, Base):
    """One sheet of the catalogue: its theme, scope, owner and review date (not versioned: they apply at once)."""

    __tablename__ = "answer_sheet"

    commune_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("commune.id"), index=True)  # None: SITIV
    theme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("theme.id"), index=True)
    owner: Mapped[str] = mapped_column(String(150), default="")  # "Service État civil — Mme Roux"
    review_on: Mapped[date | None] = mapped_column(default=None)  # past it, the sheet is « à revoir »
    current_version_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)  # the published version
    archived_at: Mapped[datetime | None] = mapped_column(default=None)


class AnswerSheetVersion(Entity, Base):
    """What a sheet says, as written once: a draft (number 0) or a published version (1, 2, 3...)."""

    __tablename__ = "answer_sheet_version"
    __table_args__ = (Index("ix_answer_sheet_version_sheet", "sheet_id", "status"),)

    commune_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("commune.id"))  # the sheet's, for the sync
    sheet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("answer_sheet.id"))
    number: Mapped[int] = mapped_column(default=0)
    status: Mapped[SheetStatus] = mapped_column(enum_column(SheetStatus))
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")  # the validated answer
    documents: Mapped[str] = mapped_column(Text, default="")  # pièces justificatives, one per line
    in_charge: Mapped[str] = mapped_column(String(200), default="")  # the service in charge, as written
    where_when: Mapped[str] = mapped_column(Text, default="")  # where to go, opening hours, appointments
    fees: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")  # one per line: "label | https://..." or a bare address
    keywords: Mapped[str] = mapped_column(String(300), default="")  # the words citizens use: "cni", "papiers"
    # Where the agent orients the citizen from this sheet: a municipal service of the commune or an external body.
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipal_service.id"))
    body_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("external_body.id"))
    # Names, not agent ids: a SITIV-wide sheet is read in communes whose sites do not hold the author's row.
    author: Mapped[str] = mapped_column(String(150), default="")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    published_by: Mapped[str] = mapped_column(String(150), default="")
    # Folded words of the title, keywords and text; indexed by answer_sheet_version_fts (migration 0009).
    search_text: Mapped[str] = mapped_column(Text, default="")
