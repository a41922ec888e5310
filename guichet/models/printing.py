"""Print jobs: what a thermal printer must print, kept until it is printed (or given up)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guichet.domain import PrintJobKind, PrintJobStatus
from guichet.models.base import Base, Entity
from guichet.models.reference import enum_column


class PrintJob(Entity, Base):
    """One thing to print on one printer. ``payload`` is the JSON the layout needs, never a citizen's data
    for a ticket. Written in the same transaction as what it prints (a ticket), so neither exists alone."""

    __tablename__ = "print_job"
    __table_args__ = (
        Index("ix_print_job_printer_status", "printer_key", "status", "created_at"),
        Index("ix_print_job_site_status", "site_id", "status", "created_at"),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    kind: Mapped[PrintJobKind] = mapped_column(enum_column(PrintJobKind))
    printer_key: Mapped[str] = mapped_column(String(50))  # the printer's name in the settings of the PC that has it
    label: Mapped[str] = mapped_column(String(80))  # "ticket A042", "récépissé VEN-HDV-…": what messages name
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[PrintJobStatus] = mapped_column(enum_column(PrintJobStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")  # French, as shown to the agent
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    printed_at: Mapped[datetime | None] = mapped_column(default=None)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact.id"), index=True)
