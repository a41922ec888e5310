"""The PCs paired with this site's hub (guichet hub): local to the hub, never synced."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guichet.models.base import Base, Entity


class HubDevice(Entity, Base):
    """A PC of the site that may use the hub: a desk, a kiosk or a call screen.

    An administrator pairs it once: the hub makes a one-time code (``pairing_hash``, valid until
    ``pairing_expires_at``), the PC trades it for its own token, of which the hub keeps only a hash
    (``token_hash``). ``revoked_at`` set: the PC gets nothing any more. Tokens are secrets of this hub and this
    LAN, so the table stays here, like print_job and agent_pin.
    """

    __tablename__ = "hub_device"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # poste | borne | ecran
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    pairing_hash: Mapped[str | None] = mapped_column(String(200))
    pairing_expires_at: Mapped[datetime | None]
    token_hash: Mapped[str | None] = mapped_column(String(200), index=True)
    paired_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # The agents logged in from this PC, comma-separated ids: a call naming another agent is refused, and a
    # restart of the hub does not log everybody out.
    agent_ids: Mapped[str] = mapped_column(Text, default="")
