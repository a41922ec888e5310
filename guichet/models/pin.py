"""Short unlock codes (PIN) of agents on this PC: local, never synced."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from guichet.models.base import Base, Entity


class AgentPin(Entity, Base):
    """A salted scrypt hash of an agent's 4–6 digit code. It only unlocks a desk the agent opened with their
    password on this PC, so it stays in this PC's database (like print_job, it is not in the sync tables)."""

    __tablename__ = "agent_pin"

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
