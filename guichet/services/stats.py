"""Statistics for supervisors: contacts and queues over any period, sites side by side, staffing advice.

Only supervisors and administrators may read them, and only for the sites of their own commune: the
service checks it on every call (hiding a tab is not a permission). Figures come from the contacts and
the tickets (whose times the queue service keeps in step with the event log, in the same transaction).
The queries and their dialect-aware parts are in ``stats_sql``; the figures are made from them in
``stats_build``; the Erlang C model is in ``staffing``.

Closed parts of a period (whole months, else weeks) are cached per commune, and so is the sum of each whole
closed year (a late row of one month then costs that month, not a walk over every other month): a part is
computed once, when its last day is two days old, then reused as long as its fingerprint does not move (on a
site, its counts of tickets and contacts; on the central PostgreSQL database, the stamps its triggers give to
every changed day: see ``stats_stamps``; on both, the queues' target waits); the last days are read afresh each
time. The parts are also kept in the database (table stats_cache, see ``stats_cache``), so a new session reads
them instead of computing them again. ``clear_cache`` drops it all (the page's « Recalculer »).

On the central, a period with more than ``ONE_PASS_ABOVE`` closed parts not prepared yet is read in one pass
(cheaper than part by part) and nothing is kept: ``guichet central stats-prepare``, at night, prepares ten
years (``stats_prepare``). A PostgreSQL database without the day stamps (a central schema older than c0009)
always aggregates the whole period in one pass.
"""

from __future__ import annotations

import calendar
import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import Role
from guichet.models import Agent, Commune, Site, StatsCache
from guichet.services import stats_cache, stats_stamps
from guichet.services.clock import local_day
from guichet.services.clock import now as system_now
from guichet.services.errors import NotAllowedError, ValidationError
from guichet.services.stats_build import Labels, contact_stats, site_comparison, staffing_advice, ticket_stats
from guichet.services.stats_casework import appointment_stats, mail_stats, owed_requests, request_stats
from guichet.services.stats_sql import (
    Aggregates,
    aggregate,
    as_uuid,
    fingerprints,
)
from guichet.services.stats_types import (
    Period,
    SiteRef,
    StatsReport,
    StatsScope,
)

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]  # (step done, steps, what is being done), called from the worker thread

NOT_ALLOWED = "Les statistiques sont réservées aux superviseurs et aux administrateurs."
CACHED_PARTS = 240
ONE_PASS_ABOVE = 12  # on a server, missing closed parts beyond which a report reads its period in one pass
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")  # fmt: skip


def month_label(d: date) -> str:
    return f"{_MONTHS[d.month - 1]} {d.year}"


def blocks(start: date, end: date, today: date) -> list[tuple[date, date, bool]]:
    """The period cut into parts computed (and cached) apiece: whole months, else weeks within a month.

    A part is closed (cacheable) when its last day is at least two days old: the day has been closed at the
    counters and its contacts can no longer be corrected. The open days at the end form one part.
    """
    closed_until = today - timedelta(days=2)
    result: list[tuple[date, date, bool]] = []
    cursor = start
    while cursor <= end:
        month_last = cursor.replace(day=calendar.monthrange(cursor.year, cursor.month)[1])
        if cursor.day == 1 and month_last <= end:
            last = month_last
        else:
            last = min(cursor + timedelta(days=6 - cursor.weekday()), month_last, end)
        if cursor <= closed_until < last:
            result.append((cursor, closed_until, True))
            result.append((closed_until + timedelta(days=1), last, False))
        else:
            result.append((cursor, last, last <= closed_until))
        cursor = last + timedelta(days=1)
    merged: list[tuple[date, date, bool]] = []
    for part in result:
        if merged and not part[2] and not merged[-1][2]:
            merged[-1] = (merged[-1][0], part[1], False)
        else:
            merged.append(part)
    return merged


class StatsService:
    def __init__(
        self, db: Database, *, clock: Callable[[], datetime] = system_now, cached: bool = True, fill: bool = False
    ) -> None:
        """``cached=False``: every report aggregates its whole period in one pass, nothing read from nor written to
        the cache (the reference the cached figures are checked against). ``fill=True`` (the nightly preparation):
        every missing closed part is computed and kept, however many (see ``ONE_PASS_ABOVE``)."""
        self._db = db
        self._clock = clock
        self._cached_parts = cached
        self._fill = fill
        self._lock = threading.Lock()
        self._months: OrderedDict[tuple, tuple[tuple, Aggregates]] = OrderedDict()  # closed parts
        self._merged: tuple[tuple, Aggregates] | None = None  # the sum of the last report's closed parts

    # -- public ---------------------------------------------------------------------------------------

    def scope(self, *, agent_id: uuid.UUID) -> StatsScope:
        """The sites a supervisor may look at (those of their commune); NotAllowedError for an agent."""
        with self._db.read() as s:
            agent, site, commune = self._authorize(s, agent_id)
            sites = s.scalars(
                select(Site).where(Site.commune_id == commune.id, Site.deleted_at.is_(None)).order_by(Site.code)
            ).all()
            return StatsScope(commune.id, commune.name, tuple(SiteRef(x.id, x.code, x.name) for x in sites), site.id)

    def report(
        self,
        *,
        agent_id: uuid.UUID,
        start: date,
        end: date,
        site_id: uuid.UUID | None = None,
        target_share: float = 0.8,
        progress: Progress | None = None,
    ) -> StatsReport:
        """Contacts, queues, sites side by side and staffing advice of a site (or the whole commune) over a period."""
        now = self._clock()
        today = local_day(now)
        errors = {}
        if end < start:
            errors["period"] = "La date de fin doit suivre la date de début."
        elif end > today:
            errors["period"] = "La période ne peut pas finir après aujourd'hui."
        if not 0.5 <= target_share < 1:
            errors["target_share"] = "La part à servir dans l'objectif doit être comprise entre 50 et 99 %."
        if errors:
            raise ValidationError(errors)
        with self._db.read() as s:
            agent, _home, commune = self._authorize(s, agent_id)
            labels = Labels(s, commune.id)
            site_ids = sorted((x.id for x in labels.sites.values() if x.deleted_at is None), key=str)
            if site_id is not None and site_id not in site_ids:
                raise NotAllowedError("Ce site ne fait pas partie de votre commune.")
            agg = self._aggregate(s, commune.id, site_ids, start, end, today, now, progress)
            # Requests still owed an answer (overdue or not depends on the day) and appointments (they move until
            # their day): few, read afresh by every report, never cached.
            wanted = {site_id} if site_id is not None else set(site_ids)
            owed = owed_requests(s, commune.id, site_ids, start, end, today=today)
            appointments = appointment_stats(s, commune.id, labels, site_ids, wanted, start, end)
        if progress is not None:
            progress(1, 1, "Mise en forme")
        raw = {as_uuid(k): k for k in agg.site_keys}  # the sites' ids as the aggregates hold them
        scope = {raw[x] for x in ([site_id] if site_id is not None else site_ids) if x in raw}
        return StatsReport(
            scope_label=labels.sites[site_id].name if site_id else f"{commune.name} — tous les sites",
            commune_name=commune.name,
            site_id=site_id,
            period=Period(start, end),
            generated_at=now,
            generated_by=f"{agent.first_name} {agent.last_name}",
            contacts=contact_stats(agg, labels, scope),
            tickets=ticket_stats(agg, labels, scope, multi_site=site_id is None),
            sites=tuple(site_comparison(agg, labels, x, raw.get(x)) for x in site_ids),
            staffing=tuple(
                staffing_advice(agg, labels, key, target_share)
                for key in sorted(scope, key=lambda k: labels.site(k).code)
                if any(k[0] == key for k in agg.slots)
            ),
            requests=request_stats(agg, owed, labels, site_ids, wanted),
            mail=mail_stats(agg, labels, site_ids, wanted),
            appointments=appointments,
        )

    def clear_cache(self) -> None:
        """Forget the cached months, in memory and on disk (they are computed again on the next report)."""
        with self._lock:
            self._months.clear()
            self._merged = None
        with self._db.write() as w:
            w.execute(delete(StatsCache))

    # -- permission -----------------------------------------------------------------------------------

    @staticmethod
    def _authorize(s: Session, agent_id: uuid.UUID) -> tuple[Agent, Site, Commune]:
        row = s.execute(
            select(Agent, Site, Commune)
            .join(Site, Site.id == Agent.site_id)
            .join(Commune, Commune.id == Site.commune_id)
            .where(Agent.id == agent_id, Agent.deleted_at.is_(None))
        ).one_or_none()
        if row is None or not row[0].active or row[0].role not in (Role.SUPERVISOR, Role.ADMIN):
            raise NotAllowedError(NOT_ALLOWED)
        return row[0], row[1], row[2]

    # -- aggregates, month by month -------------------------------------------------------------------

    def _aggregate(
        self, s: Session, commune_id: uuid.UUID, sites: list[uuid.UUID], start: date, end: date, today: date,
        now: datetime, progress: Progress | None,
    ) -> Aggregates:  # fmt: skip
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            # These few statements are costly enough to trigger JIT compilation, which costs more than it saves.
            s.execute(text("SET LOCAL jit = off"))
        if not self._cached_parts or (
            dialect != "sqlite" and not (dialect == "postgresql" and stats_stamps.stamped(s))
        ):
            # No cache asked, or a server without day stamps (see stats_stamps): the whole period in one pass.
            if progress is not None:
                progress(0, 2, f"Calcul du {start:%d/%m/%Y} au {end:%d/%m/%Y}")
            return aggregate(s, sites, start, end, now=now)
        parts = blocks(start, end, today)
        closed = [(a, b) for a, b, done in parts if done]
        # The fingerprints are read before any row: a part is never kept under a fingerprint newer than its rows.
        if not closed:
            prints: dict = {}
        elif dialect == "sqlite":
            prints = fingerprints(s, sites, closed)
        else:
            prints = stats_stamps.day_fingerprints(s, sites, closed)
        config = stats_stamps.configuration(s, sites) if closed else ""
        scope = stats_cache.scope_text(commune_id, sites)  # a part of one site is not a part of the commune
        keys = {(a, b): ((scope, a, b), (config, *(prints.get((x, a)) for x in sites))) for a, b in closed}
        with self._lock:
            base_key = tuple(keys.values())
            base = self._merged[1] if self._merged is not None and self._merged[0] == base_key else None
        merged_key, merged_print = stats_cache.merged_text(scope, closed, base_key)
        if base is None and closed:  # the same period asked by an earlier session: its sum is on disk
            base = stats_cache.load(s, {merged_key: merged_print}).get(merged_key)
            if base is not None:
                with self._lock:
                    self._merged = (base_key, base)
        live = [(a, b) for a, b, done in parts if not done]
        if base is not None:
            return self._with_live(s, sites, base, live, 0, now, progress)
        # Whole closed years are kept summed up too (their fingerprint: their parts'): a late row of one month
        # reads the other years as one sum each, not month by month.
        years: dict[int, list[tuple[date, date]]] = {}
        for a, b in closed:
            years.setdefault(a.year, []).append((a, b))
        units: dict[tuple, tuple] = {}  # key of a year sum or a part -> (fingerprint, its parts)
        for year, members in years.items():
            if members[0][0] == date(year, 1, 1) and members[-1][1] == date(year, 12, 31):
                units[(scope, date(year, 1, 1), date(year, 12, 31))] = (tuple(keys[p][1] for p in members), members)
            else:
                units.update((keys[p][0], (keys[p][1], [p])) for p in members)
        found = self._lookup(s, {key: fingerprint for key, (fingerprint, _m) in units.items()})
        # The months of the years whose sum is not kept (a part alone is its own unit: already looked up).
        wanted = [p for key, (_f, members) in units.items() if key not in found for p in members if len(members) > 1]
        found.update(self._lookup(s, {keys[p][0]: keys[p][1] for p in wanted}))
        missing = [p for key, (_f, members) in units.items() if key not in found for p in members
                   if keys[p][0] not in found]  # fmt: skip
        if dialect != "sqlite" and not self._fill and len(missing) > ONE_PASS_ABOVE:
            # More than a year of closed months never prepared (``guichet central stats-prepare`` does it at night):
            # on a server one pass over the period costs less than computing them one by one. Nothing is kept.
            if progress is not None:
                progress(0, 2, f"Calcul du {start:%d/%m/%Y} au {end:%d/%m/%Y}")
            return aggregate(s, sites, start, end, now=now)
        todo = len(missing) + len(live) + 1
        computed: dict[str, tuple[str, Aggregates]] = {}

        def keep(key: tuple, fingerprint: tuple, part: Aggregates) -> None:
            with self._lock:
                self._months[key] = (fingerprint, part)
                while len(self._months) > CACHED_PARTS:
                    self._months.popitem(last=False)
            computed[stats_cache.key_text(key)] = (json.dumps(fingerprint), part)

        for i, (first, last) in enumerate(missing):
            if progress is not None:
                what = (
                    month_label(first)
                    if first.day == 1 and last.month != (last + timedelta(days=1)).month
                    else f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"
                )
                progress(i, todo, f"Calcul : {what}")
            found[keys[(first, last)][0]] = part = aggregate(s, sites, first, last, now=now)
            keep(*keys[(first, last)], part)
        base = Aggregates()
        for key, (fingerprint, members) in units.items():
            if key not in found:  # a year whose parts were just read or computed
                found[key] = year = Aggregates()
                for p in members:
                    year.add(found[keys[p][0]])
                keep(key, fingerprint, year)
            base.add(found[key])
        with self._lock:
            self._merged = (base_key, base)
        computed[merged_key] = (merged_print, base)
        self._keep(computed)
        return self._with_live(s, sites, base, live, len(missing), now, progress)

    def _with_live(
        self, s: Session, sites: list[uuid.UUID], base: Aggregates, live: list[tuple[date, date]], done: int,
        now: datetime, progress: Progress | None,
    ) -> Aggregates:  # fmt: skip
        """The closed parts' sum plus the open days, read afresh."""
        total = base.copy()
        for i, (first, last) in enumerate(live):
            if progress is not None:
                progress(done + i, done + len(live) + 1, "Calcul : derniers jours")
            total.add(aggregate(s, sites, first, last, now=now))
        return total

    def _lookup(self, s: Session, wanted: dict[tuple, tuple]) -> dict[tuple, Aggregates]:
        """The parts (or year sums) among ``wanted`` (key -> fingerprint) kept in memory or in the database."""
        with self._lock:
            found = {k: hit for k, fingerprint in wanted.items() if (hit := self._cached(k, fingerprint)) is not None}
        rest = {
            stats_cache.key_text(key): (key, fingerprint) for key, fingerprint in wanted.items() if key not in found
        }
        if rest:
            stored = stats_cache.load(s, {name: json.dumps(fingerprint) for name, (_k, fingerprint) in rest.items()})
            with self._lock:
                for name, part in stored.items():
                    key, fingerprint = rest[name]
                    self._months[key] = (fingerprint, part)
                    found[key] = part
        return found

    def _keep(self, computed: dict[str, tuple[str, Aggregates]]) -> None:
        """Write the parts just computed to disk, for the next sessions. A cache: failing to write it (the disk is
        full, another writer holds the database too long) only costs time later, so it never fails a report."""
        try:
            with self._db.write() as w:
                stats_cache.store(w, computed)
        except Exception:  # noqa: BLE001
            log.warning("statistiques : mise en cache des mois clos impossible", exc_info=True)

    def _cached(self, key: tuple, fingerprint: tuple) -> Aggregates | None:
        hit = self._months.get(key)
        if hit is None or hit[0] != fingerprint:
            return None
        self._months.move_to_end(key)
        return hit[1]
