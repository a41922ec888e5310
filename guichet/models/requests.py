"""Follow-up requests ("demandes"), their append-only history, the mail register and what went to citizens."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from guichet.domain import (
    Channel,
    DispatchStatus,
    MailDirection,
    MailType,
    PreferredChannel,
    RequestEventKind,
    RequestStatus,
)
from guichet.models.base import Base, Entity
from guichet.models.reference import enum_column


class FollowUpRequest(Entity, Base):
    """A question a municipal service must answer in writing by ``due_on``.

    ``reference`` ("VEN-HDV-2026-000123") is made on the site that opened it: commune, site, year and a
    number that only that site hands out, so two sites offline never make the same one.
    """

    __tablename__ = "request"
    __table_args__ = (
        UniqueConstraint("site_id", "year", "seq"),
        Index("ix_request_commune_open_due", "commune_id", "is_open", "due_on"),
        Index("ix_request_service_open_due", "service_id", "is_open", "due_on"),
        Index("ix_request_assignee_open_due", "assignee_id", "is_open", "due_on"),
        Index("ix_request_theme_opened", "theme_id", "opened_at"),
        Index("ix_request_commune_opened", "commune_id", "opened_at"),
        # The statistics' fingerprint of a month (count and update times of a site's requests): read from the
        # index alone.
        Index("ix_request_stats_fingerprint", "commune_id", "opened_at", "site_id", "updated_at"),
        Index("ix_request_contact_id", "contact_id"),
    )

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))  # how the request reached the town
    received_on: Mapped[date]  # the day the town received it: deadlines count from there
    opened_at: Mapped[datetime]
    opened_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizen.id"), index=True)
    theme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("theme.id"))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipal_service.id"))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    due_on: Mapped[date]
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus))
    # Denormalised from status (1 while an answer is owed) so the overdue view is one index range.
    is_open: Mapped[int] = mapped_column(Integer, default=1)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    # The contact it came from. No foreign key on purpose: contacts stay on their site (they are not pulled),
    # while a request is seen by every site of its commune.
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded reference, subject, citizen


class RequestEvent(Entity, Base):
    """One step of a request's life: never updated, never deleted."""

    __tablename__ = "request_event"
    __table_args__ = (Index("ix_request_event_request_at", "request_id", "at"),)

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("request.id"))
    at: Mapped[datetime]
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    kind: Mapped[RequestEventKind] = mapped_column(enum_column(RequestEventKind))
    from_status: Mapped[RequestStatus | None] = mapped_column(enum_column(RequestStatus), default=None)
    to_status: Mapped[RequestStatus | None] = mapped_column(enum_column(RequestStatus), default=None)
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipal_service.id"), default=None)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")


class MailItem(Entity, Base):
    """A letter in the register: arrivals get a chrono on entry, answers sent are registered as departures."""

    __tablename__ = "mail_item"
    __table_args__ = (
        UniqueConstraint("site_id", "direction", "year", "seq"),
        Index("ix_mail_item_commune_date", "commune_id", "mail_date"),
        Index("ix_mail_item_stats_fingerprint", "commune_id", "mail_date", "site_id", "updated_at"),
    )

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    direction: Mapped[MailDirection] = mapped_column(enum_column(MailDirection))
    chrono: Mapped[str] = mapped_column(String(30), unique=True)  # "VEN-HDV-A-2026-000042" (A arrivée, D départ)
    year: Mapped[int]
    seq: Mapped[int]
    mail_date: Mapped[date]  # received on (arrivée) or sent on (départ)
    registered_at: Mapped[datetime]
    registered_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    mail_type: Mapped[MailType] = mapped_column(enum_column(MailType))
    registered_number: Mapped[str] = mapped_column(String(30), default="")  # the recommandé's number
    # The correspondent (sender of an arrival, addressee of a departure): a citizen, an organisation of the
    # directory, or a name as written on the envelope.
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizen.id"), index=True)
    body_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("external_body.id"))
    correspondent: Mapped[str] = mapped_column(String(200), default="")  # as shown: name of whoever it is
    subject: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipal_service.id"))
    request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("request.id"), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded chrono, correspondent, subject


class Attachment(Entity, Base):
    """A scan or a document: the bytes live in the site's attachment store under their SHA-256."""

    __tablename__ = "attachment"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    mail_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("mail_item.id"), index=True)
    request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("request.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))


class Dispatch(Entity, Base):
    """The answer sent to the citizen on one channel: when, how, and whether it went ("re-bouclage")."""

    __tablename__ = "request_dispatch"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("request.id"), index=True)
    channel: Mapped[PreferredChannel] = mapped_column(enum_column(PreferredChannel))
    address: Mapped[str] = mapped_column(String(300))  # e-mail, phone, or the postal address it went to
    status: Mapped[DispatchStatus] = mapped_column(enum_column(DispatchStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")  # French, as shown to the agent
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    external_id: Mapped[str] = mapped_column(String(200), default="")  # Message-ID, SMS id
    mail_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("mail_item.id"))  # the departure
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    body: Mapped[str] = mapped_column(Text, default="")  # the text sent (e-mail, SMS)


class Letterhead(Entity, Base):
    """How a commune's letters look: set once per commune, shared by its sites."""

    __tablename__ = "letterhead"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"), unique=True)
    service_line: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")  # lines separated by newlines
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    logo_png: Mapped[str] = mapped_column(Text, default="")  # base64; "" = the bundled logo
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    footer: Mapped[str] = mapped_column(String(300), default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")  # "how to follow your request", on acknowledgements
    default_answer_days: Mapped[int] = mapped_column(default=15)  # working days, when the theme says nothing
