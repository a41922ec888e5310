"""Filling the statistics cache ahead of the supervisors (``guichet stats prepare``, e.g. every night).

The first report over a year reads every event of the year (about 3 s for a large site); what it computes is
kept on disk (``stats_cache``). Run at night by the site's scheduled task, it leaves the morning's first
report as fast as the following ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import Role
from guichet.models import Agent, Commune, Site
from guichet.services.clock import local_day, now
from guichet.services.stats import StatsService


@dataclass(frozen=True)
class Prepared:
    commune: str
    periods: tuple[tuple[date, date], ...]
    seconds: float


def prepare(db: Database, *, clock: Callable[[], datetime] = now) -> list[Prepared]:
    """The usual periods of every commune of this database (the last 365 days, the current year, the last
    month), computed once so that their closed months are on disk."""
    today = local_day(clock())
    periods = (
        (today - timedelta(days=365), today),
        (date(today.year, 1, 1), today),
        (today - timedelta(days=30), today),
    )
    with db.read() as s:
        readers = s.execute(
            select(Commune.name, Agent.id)
            .join(Site, Site.commune_id == Commune.id)
            .join(Agent, Agent.site_id == Site.id)
            .where(Agent.role.in_((Role.SUPERVISOR, Role.ADMIN)), Agent.active, Agent.deleted_at.is_(None))
            .order_by(Commune.name, Agent.login)
        ).all()
    one_per_commune = dict(reversed(readers))  # the commune's first supervisor or administrator, by login
    service = StatsService(db, clock=clock)
    done = []
    for commune, agent_id in sorted(one_per_commune.items()):
        started = time.perf_counter()
        for start, end in periods:
            service.report(agent_id=agent_id, start=start, end=end)
        done.append(Prepared(commune, periods, time.perf_counter() - started))
    return done
