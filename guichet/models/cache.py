"""Local caches: derived data a site keeps to answer fast, never synced (it can be rebuilt at any time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guichet.models.base import Base


class StatsCache(Base):
    """The statistics of one closed part of a period (a month, or a week), for one commune's set of sites.

    ``fingerprint`` is what the part was made from: on a site, the counts of its tickets and contacts (and the
    queues' target waits); on the central database, the per-(site, day) stamps its triggers renew
    (guichet.services.stats_stamps). When a late synchronisation moves them, the part is computed again. ``payload`` is the part's aggregates as JSON.
    """

    __tablename__ = "stats_cache"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime]
