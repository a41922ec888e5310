"""The audit log: who logged in, locked, switched, viewed or changed a personal record, and when."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from guichet.domain import AuditAction
from guichet.models.base import Base, Entity
from guichet.models.reference import enum_column


class AuditEntry(Entity, Base):
    """Append-only. ``login`` is what was typed at a login (the agent may not exist); ``subject_*`` name the
    record acted on (e.g. table "citizen" and its id)."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_commune_at", "commune_id", "at"),
        Index("ix_audit_entry_subject", "subject_id", "at"),
        Index("ix_audit_entry_login_at", "login", "at"),
    )

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    at: Mapped[datetime]
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"), default=None)
    login: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    subject_table: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    detail: Mapped[str] = mapped_column(Text, default="")
