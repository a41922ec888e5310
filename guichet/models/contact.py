"""Citizens (minimal record for now) and contacts, the journal of every exchange."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guichet.domain import Channel, Civility, Outcome, PreferredChannel
from guichet.models.base import Base, Entity
from guichet.models.reference import enum_column


class Citizen(Entity, Base):
    __tablename__ = "citizen"

    civility: Mapped[Civility] = mapped_column(enum_column(Civility, 5), default=Civility.UNSPECIFIED)
    last_name: Mapped[str] = mapped_column(String(100))  # nom d'usage
    first_names: Mapped[str] = mapped_column(String(150), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164, "+33612345678"
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    preferred_channel: Mapped[PreferredChannel | None] = mapped_column(enum_column(PreferredChannel), default=None)
    # Folded words of names, phone, e-mail and address; indexed by the citizen_fts table.
    search_text: Mapped[str] = mapped_column(Text, default="")


class Contact(Entity, Base):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_site_started", "site_id", "started_at"),
        Index("ix_contact_agent_started", "agent_id", "started_at"),
    )

    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    started_at: Mapped[datetime]
    duration_s: Mapped[int] = mapped_column(default=0)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizen.id"), index=True)
    theme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("theme.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    oriented_service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipal_service.id"))
    oriented_body_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("external_body.id"))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ticket.id"), index=True)  # the visit's ticket
