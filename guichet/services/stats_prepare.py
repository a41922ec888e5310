"""Filling the statistics cache ahead of the supervisors (``guichet stats prepare``, e.g. every night).

The first report over a year reads every event of the year (about 3 s for a large site); what it computes is
kept on disk (``stats_cache``). Run at night by the site's scheduled task, it leaves the morning's first
report as fast as the following ones.

On the central database, ``guichet central stats-prepare --url ...`` (``prepare_central``) does the same for
every commune over the last ten years: the first night computes every closed month (about 40 s for SITIV's
ten years on the bench: 7.5 million contacts, 2.2 million tickets), the following ones only the parts whose day
stamps moved (a second or two).
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


def prepare(db: Database, *, clock: Callable[[], datetime] = now, years: int = 1) -> list[Prepared]:
    """The usual periods of every commune of this database (the last 365 days, the current year, the last
    month; with ``years`` > 1, also the last ``years`` × 365 days), computed once so that their closed months are
    on disk. Only parts whose fingerprint moved since the last run are computed again."""
    today = local_day(clock())
    periods: tuple[tuple[date, date], ...] = (
        (today - timedelta(days=365), today),
        (date(today.year, 1, 1), today),
        (today - timedelta(days=30), today),
    )
    if years > 1:
        periods = ((today - timedelta(days=365 * years), today), *periods)
    with db.read() as s:
        readers = s.execute(
            select(Commune.name, Agent.id)
            .join(Site, Site.commune_id == Commune.id)
            .join(Agent, Agent.site_id == Site.id)
            .where(Agent.role.in_((Role.SUPERVISOR, Role.ADMIN)), Agent.active, Agent.deleted_at.is_(None))
            .order_by(Commune.name, Agent.login)
        ).all()
    one_per_commune = dict(reversed(readers))  # the commune's first supervisor or administrator, by login
    service = StatsService(db, clock=clock, fill=True)
    done = []
    for commune, agent_id in sorted(one_per_commune.items()):
        started = time.perf_counter()
        for start, end in periods:
            service.report(agent_id=agent_id, start=start, end=end)
        done.append(Prepared(commune, periods, time.perf_counter() - started))
    return done


def prepare_central(url: str, *, years: int = 10, clock: Callable[[], datetime] = now) -> list[Prepared]:
    """``prepare`` on the central PostgreSQL database (``url`` of its owner, password as ``guichet central``
    finds it), over the last ``years`` years."""
    import psycopg
    from sqlalchemy import create_engine

    from guichet.sync.admin import admin_conninfo

    conninfo = admin_conninfo(url)
    engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(conninfo))
    try:
        return prepare(Database(engine), clock=clock, years=years)
    finally:
        engine.dispose()
