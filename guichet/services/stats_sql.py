"""The statistics' queries: compact, additive aggregates read with SQLAlchemy Core, on SQLite and PostgreSQL.

Every query groups on a few small keys (site, queue, status, 30-second bin of a duration, day and hour)
so that the database returns thousands of rows, not one per ticket; medians and the 90th percentile are
then read from the bins in Python (``percentile``), exact to a few seconds. The aggregates only add up
(``Aggregates.add``), so a period can be computed as the sum of its months: the service caches closed
months and recomputes only the current one.

Dates and hours differ per dialect (SQLite stores naive UTC text, PostgreSQL timestamps): the few
expressions that depend on it are the constructs below, compiled for each dialect.

Follow-up requests and letters are aggregated here too, with each part (``add_casework``), and fingerprinted
with each month on a site (``casework_fingerprints``); ``stats_casework`` makes their figures.
"""

from __future__ import annotations

import uuid
from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import BigInteger, Connection, Date, Float, Integer, String, and_, case, func, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from guichet.domain import Outcome, TicketStatus
from guichet.models import Contact, Counter, CounterSession, FollowUpRequest, MailItem, Queue, Site, Ticket
from guichet.services.clock import PARIS, day_bounds

BIN_S = 30  # width of the duration bins
_US = timedelta(microseconds=1)
# The dimensions of the contacts' tallies (``Aggregates.contacts``).
CHANNEL, THEME, OUTCOME, SERVICE, BODY = "canal", "theme", "suite", "service", "organisme"
_CALLED_FINAL = (TicketStatus.DONE, TicketStatus.NO_SHOW)


# -- dialect-aware expressions ------------------------------------------------------------------------


class seconds_between(FunctionElement):  # noqa: N801 - reads as a SQL function
    """Seconds from the first timestamp to the second (NULL if either is NULL)."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"


@compiles(seconds_between)
def _seconds_default(element, compiler, **kw) -> str:  # noqa: ANN001
    start, end = list(element.clauses)
    # date_part gives a double precision; EXTRACT computes a numeric since PostgreSQL 14, several times slower.
    return f"date_part('epoch', {compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


class micros_between(FunctionElement):  # noqa: N801
    """Whole microseconds from the first timestamp to the second (NULL if either is NULL): durations added up as
    integers give the same sum in any order."""

    type = BigInteger()
    name = "micros_between"
    inherit_cache = True


@compiles(micros_between, "sqlite")
def _micros_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    start, end = list(element.clauses)
    return (
        f"CAST(round((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) "
        f"* 86400000000.0) AS INTEGER)"
    )


@compiles(micros_between)
def _micros_default(element, compiler, **kw) -> str:  # noqa: ANN001
    start, end = list(element.clauses)
    return (
        f"CAST(round(date_part('epoch', {compiler.process(end, **kw)} - {compiler.process(start, **kw)}) "
        f"* 1000000) AS BIGINT)"
    )


class utc_hour(FunctionElement):  # noqa: N801
    """Hour (0–23) of a stored UTC timestamp."""

    type = Integer()
    name = "utc_hour"
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _hour_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(strftime('%H', {compiler.process(list(element.clauses)[0], **kw)}) AS INTEGER)"


@compiles(utc_hour)
def _hour_default(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(date_part('hour', {compiler.process(list(element.clauses)[0], **kw)}) AS INTEGER)"


class bin_of(FunctionElement):  # noqa: N801
    """Index of the ``BIN_S``-second bin of a non-negative number of seconds (floor, not rounding)."""

    type = Integer()
    name = "bin_of"
    inherit_cache = True


@compiles(bin_of, "sqlite")
def _bin_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    # CAST truncates toward zero: the floor for the non-negative durations of the log.
    return f"CAST(({compiler.process(list(element.clauses)[0], **kw)}) / {BIN_S} AS INTEGER)"


@compiles(bin_of)
def _bin_default(element, compiler, **kw) -> str:  # noqa: ANN001
    # PostgreSQL's CAST rounds: take the floor first.
    return f"CAST(FLOOR(({compiler.process(list(element.clauses)[0], **kw)}) / {BIN_S}) AS INTEGER)"


class day_of(FunctionElement):  # noqa: N801
    """The (UTC) calendar day of a stored timestamp."""

    type = Date()
    name = "day_of"
    inherit_cache = True


@compiles(day_of, "sqlite")
def _day_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"date({compiler.process(list(element.clauses)[0], **kw)})"


@compiles(day_of)
def _day_default(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST({compiler.process(list(element.clauses)[0], **kw)} AS DATE)"


class days_between(FunctionElement):  # noqa: N801
    """Whole days from the first date to the second (NULL if either is NULL)."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    start, end = list(element.clauses)
    return (
        f"CAST(round(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) AS INTEGER)"
    )


@compiles(days_between)
def _days_default(element, compiler, **kw) -> str:  # noqa: ANN001
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


# -- aggregates ---------------------------------------------------------------------------------------


def _add_max(into: dict, other: dict) -> None:
    for k, v in other.items():
        if v is not None and (into.get(k) is None or v > into[k]):
            into[k] = v


@dataclass
class Aggregates:
    """What the report is made of, for a set of sites and a range of days. Every part adds up."""

    # (site, queue of arrival, status, wait bin or None when never called) -> tickets
    waits: Tally = field(default_factory=Tally)
    wait_max: dict = field(default_factory=dict)  # (site, queue) -> seconds
    # (site, queue served in, status done / no-show, bin of call -> end) -> tickets
    queue_service: Tally = field(default_factory=Tally)
    queue_service_max: dict = field(default_factory=dict)
    # (site, counter, status, bin) and (site, agent, status, bin) -> tickets
    counter_service: Tally = field(default_factory=Tally)
    agent_service: Tally = field(default_factory=Tally)
    counter_service_max: dict = field(default_factory=dict)  # (site, counter) -> seconds
    agent_service_max: dict = field(default_factory=dict)  # (site, agent) -> seconds
    # (site, weekday, local hour of issue) -> [issued, called, microseconds at the counter, called within target]
    slots: dict = field(default_factory=dict)
    # (site, weekday) -> days on which the site issued tickets; (None, weekday) -> days on which any site did
    ticket_days: Tally = field(default_factory=Tally)
    # (site, CHANNEL, channel), (site, THEME, theme), (site, OUTCOME, outcome), (site, SERVICE, service oriented to)
    # and (site, BODY, external body oriented to) -> contacts: each dimension apart (what the report shows), so
    # that a month holds a few hundred keys, not one per combination of the five dimensions.
    contacts: Tally = field(default_factory=Tally)
    # (site, weekday, local hour) -> counter-microseconds open, on the days the site issued tickets. Times are
    # added up as whole microseconds: a sum of integers does not depend on the order of its terms, so a period
    # added up from its months gives exactly the figures of the period read in one pass. Everything here is
    # folded day by day (a day is never cut between two parts), so a month holds a few hundred keys per site
    # whatever the length of the period.
    open_us: Tally = field(default_factory=Tally)
    counter_presence_us: Tally = field(default_factory=Tally)  # (site, counter) -> microseconds open
    agent_presence_us: Tally = field(default_factory=Tally)  # (site, agent) -> microseconds at a counter
    open_from_sessions: set = field(default_factory=set)  # sites with counter sessions on some day
    open_from_calls: set = field(default_factory=set)  # sites whose open counters are read from the calls some day
    site_keys: set = field(default_factory=set)  # the sites' ids as they appear in the keys above
    # Follow-up requests opened in the part and no longer owed an answer (see stats_casework; those still owed
    # one are read by every report): (site, service, status, answered 0/1, days from received to answered or
    # None, answered late 0/1) -> requests.
    requests: Tally = field(default_factory=Tally)
    # The same with the channel in place of the service (two small tallies, not one of every combination).
    request_channels: Tally = field(default_factory=Tally)
    # Mail dated in the part: (site, direction, type, days from the letter's date to its registration, opened a
    # request 0/1) -> letters.
    mail: Tally = field(default_factory=Tally)

    def add(self, other: Aggregates) -> None:
        for name in ("waits", "queue_service", "counter_service", "agent_service", "contacts", "ticket_days",
                     "open_us", "counter_presence_us", "agent_presence_us", "requests", "request_channels", "mail"):  # fmt: skip
            getattr(self, name).update(getattr(other, name))
        for name in ("wait_max", "queue_service_max", "counter_service_max", "agent_service_max"):
            _add_max(getattr(self, name), getattr(other, name))
        for k, v in other.slots.items():
            mine = self.slots.get(k)
            self.slots[k] = list(v) if mine is None else [a + b for a, b in zip(mine, v, strict=True)]
        self.open_from_sessions |= other.open_from_sessions
        self.open_from_calls |= other.open_from_calls
        self.site_keys |= other.site_keys

    def copy(self) -> Aggregates:
        """A copy that can be added to without touching this one (a cached part)."""
        return Aggregates(
            **{name: type(value)(value) for name, value in vars(self).items() if name != "slots"},
            slots={k: list(v) for k, v in self.slots.items()},
        )


def percentile(bins: dict[int, int], p: float) -> float | None:
    """The p-quantile (0 < p < 1) of durations given as {bin index: count}, interpolated within the bin."""
    total = sum(bins.values())
    if total == 0:
        return None
    rank = p * total
    seen = 0
    for b in sorted(bins):
        n = bins[b]
        if seen + n >= rank:
            return (b + (rank - seen) / n) * BIN_S
        seen += n
    return (max(bins) + 1) * BIN_S


def utc_range(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants [start of ``start``, end of ``end``) of Paris days."""
    return day_bounds(start)[0], day_bounds(end)[1]


def local_hour(day: date, hour_utc: int) -> int:
    """Paris hour of a UTC hour of a service day (the offset of that day at noon: office hours never see DST move)."""
    offset = datetime.combine(day, time(12), tzinfo=PARIS).utcoffset() or timedelta(0)
    return (hour_utc + int(offset.total_seconds() // 3600)) % 24


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class as_text(FunctionElement):  # noqa: N801
    """A column read as plain text: ids and enum values are only dictionary keys here (a StrEnum equals its
    value), hashed fast as strings; ``as_uuid`` turns an id back into a UUID once per distinct value."""

    type = String()
    name = "as_text"
    inherit_cache = True


@compiles(as_text, "sqlite")
def _text_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(list(element.clauses)[0], **kw)  # ids are stored as hex text already


@compiles(as_text)
def _text_default(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST({compiler.process(list(element.clauses)[0], **kw)} AS VARCHAR)"


def _raw(column):  # noqa: ANN001, ANN202
    """Select a column as text; group by the column itself (a server groups its native uuid faster)."""
    return as_text(column)


@lru_cache(maxsize=65_536)
def as_uuid(value: object) -> uuid.UUID | None:
    """An id as ``aggregate`` keys hold it (hex text, dashed text or uuid), as a UUID."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def aggregate(s: Session, site_ids: Iterable[uuid.UUID], start: date, end: date, *, now: datetime) -> Aggregates:
    """Everything the report needs about these sites from ``start`` to ``end`` (Paris days, included).

    Keys of the result hold ids as the driver returns them; see ``as_uuid``.
    """
    sites = list(site_ids)
    agg = Aggregates()
    if not sites or end < start:
        return agg
    conn = s.connection()
    in_range = and_(
        Ticket.site_id.in_(sites), Ticket.service_day >= start, Ticket.service_day <= end, Ticket.deleted_at.is_(None)
    )
    wait_s = seconds_between(Ticket.issued_at, Ticket.called_at)
    svc_s = seconds_between(Ticket.called_at, Ticket.finished_at)
    site, queue, current, status = (
        _raw(Ticket.site_id),
        _raw(Ticket.queue_id),
        _raw(Ticket.current_queue_id),
        _raw(Ticket.status),
    )

    wait_bin = bin_of(wait_s)
    waits, wait_max = agg.waits, agg.wait_max
    for site_id, queue_id, st, b, n, longest in conn.execute(
        select(site, queue, status, wait_bin, func.count(), func.max(wait_s))
        .where(in_range)
        .group_by(Ticket.site_id, Ticket.queue_id, Ticket.status, wait_bin)
    ):
        waits[(site_id, queue_id, st, None if b is None else max(0, b))] += n
        key = (site_id, queue_id)
        if longest is not None and (wait_max.get(key) is None or longest > wait_max[key]):
            wait_max[key] = longest

    served = and_(in_range, Ticket.status.in_(_CALLED_FINAL), Ticket.called_at.is_not(None),
                  Ticket.finished_at.is_not(None))  # fmt: skip
    svc_bin = bin_of(svc_s)
    done = TicketStatus.DONE.value
    for site_id, queue_id, st, b, n, longest in conn.execute(
        select(site, current, status, svc_bin, func.count(), func.max(svc_s))
        .where(served)
        .group_by(Ticket.site_id, Ticket.current_queue_id, Ticket.status, svc_bin)
    ):
        agg.queue_service[(site_id, queue_id, st, max(0, b))] += n
        key = (site_id, queue_id)
        if st == done and longest is not None and (agg.queue_service_max.get(key) is None
                                                    or longest > agg.queue_service_max[key]):  # fmt: skip
            agg.queue_service_max[key] = longest
    # One query for counters and agents (an agent works at a few counters); split here, once per part.
    counter, agent = _raw(Ticket.counter_id), _raw(Ticket.agent_id)
    for site_id, counter_id, agent_id, st, b, n, longest in conn.execute(
        select(site, counter, agent, status, svc_bin, func.count(), func.max(svc_s))
        .where(served)
        .group_by(Ticket.site_id, Ticket.counter_id, Ticket.agent_id, Ticket.status, svc_bin)
    ):
        b = max(0, b)
        agg.counter_service[(site_id, counter_id, st, b)] += n
        agg.agent_service[(site_id, agent_id, st, b)] += n
        if st == done and longest is not None:
            for maxima, key in ((agg.counter_service_max, (site_id, counter_id)),
                                (agg.agent_service_max, (site_id, agent_id))):  # fmt: skip
                if maxima.get(key) is None or longest > maxima[key]:
                    maxima[key] = longest

    hour = utc_hour(Ticket.issued_at)
    at_counter = case((Ticket.status.in_(_CALLED_FINAL), micros_between(Ticket.called_at, Ticket.finished_at)),
                      else_=None)  # fmt: skip
    in_target = case((wait_s <= Queue.target_wait_min * 60, 1), else_=0)
    ticket_days: dict[object, set[date]] = {}  # site -> days with tickets
    for site_id, day, h, issued, called, busy, within in conn.execute(
        select(site, Ticket.service_day, hour, func.count(), func.count(Ticket.called_at), func.sum(at_counter),
               func.sum(in_target))
        .join(Queue, Queue.id == Ticket.queue_id)
        .where(in_range)
        .group_by(Ticket.site_id, Ticket.service_day, hour)
    ):  # fmt: skip
        d = _day(day)
        key = (site_id, d.weekday(), local_hour(d, h))
        values = (issued, called, int(busy or 0), int(within or 0))
        mine = agg.slots.get(key)
        agg.slots[key] = list(values) if mine is None else [a + b for a, b in zip(mine, values, strict=True)]
        ticket_days.setdefault(site_id, set()).add(d)
        agg.site_keys.add(site_id)
    for site_id, days in ticket_days.items():
        agg.ticket_days.update((site_id, d.weekday()) for d in days)
    agg.ticket_days.update((None, d.weekday()) for d in set().union(*ticket_days.values()))

    t0, t1 = utc_range(start, end)
    c_site, channel, theme, outcome = (
        _raw(Contact.site_id),
        _raw(Contact.channel),
        _raw(Contact.theme_id),
        _raw(Contact.outcome),
    )
    service, body = _raw(Contact.oriented_service_id), _raw(Contact.oriented_body_id)
    contacts = agg.contacts
    oriented_service, oriented_external = Outcome.ORIENTED_SERVICE.value, Outcome.ORIENTED_EXTERNAL.value
    for site_id, ch, th, out, sv, bd, n in conn.execute(
        select(c_site, channel, theme, outcome, service, body, func.count())
        .where(Contact.site_id.in_(sites), Contact.started_at >= t0, Contact.started_at < t1,
               Contact.deleted_at.is_(None))
        .group_by(Contact.site_id, Contact.channel, Contact.theme_id, Contact.outcome, Contact.oriented_service_id,
                  Contact.oriented_body_id)
    ):  # fmt: skip
        contacts[(site_id, CHANNEL, ch)] += n
        contacts[(site_id, THEME, th)] += n
        contacts[(site_id, OUTCOME, out)] += n
        if out == oriented_service and sv is not None:
            contacts[(site_id, SERVICE, sv)] += n
        if out == oriented_external and bd is not None:
            contacts[(site_id, BODY, bd)] += n
        agg.site_keys.add(site_id)

    for (site_id, d, h), micros in _open_time(conn, agg, sites, start, end, now).items():
        if d in ticket_days.get(site_id, ()):
            agg.open_us[(site_id, d.weekday(), h)] += micros
    add_casework(conn, agg, sites, start, end)
    return agg


def _open_time(
    conn: Connection, agg: Aggregates, sites: list[uuid.UUID], start: date, end: date, now: datetime
) -> Tally:
    """Counter-microseconds open per (site, day, local hour), from the counter sessions; time open per counter and
    per agent (into ``agg``). On a day without any session at a site (history imported, or simulated), a counter
    that called tickets during an hour counts as open for that hour."""
    t0, t1 = utc_range(start, end)
    open_us: Tally = Tally()
    session_days: dict[uuid.UUID | None, set[date]] = {}
    for site, counter, agent, opened, closed in conn.execute(
        select(_raw(Counter.site_id), _raw(CounterSession.counter_id), _raw(CounterSession.agent_id),
               CounterSession.opened_at, CounterSession.closed_at)
        .join(Counter, Counter.id == CounterSession.counter_id)
        .where(Counter.site_id.in_(sites), CounterSession.deleted_at.is_(None), CounterSession.opened_at < t1,
               or_(CounterSession.closed_at.is_(None), CounterSession.closed_at > t0))
    ):  # fmt: skip
        a = max(opened, t0)
        b = min(closed or now, t1)
        if b <= a:
            continue
        agg.open_from_sessions.add(site)
        agg.site_keys.add(site)
        agg.counter_presence_us[(site, counter)] += (b - a) // _US
        agg.agent_presence_us[(site, agent)] += (b - a) // _US
        cursor = a.astimezone(PARIS)
        stop = b.astimezone(PARIS)
        while cursor < stop:
            slot_end = min(stop, (cursor + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0))
            open_us[(site, cursor.date(), cursor.hour)] += (slot_end - cursor) // _US
            session_days.setdefault(as_uuid(site), set()).add(cursor.date())
            cursor = slot_end
    every_day = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    whole = [x for x in sites if x not in session_days]  # not a single session in the part: one query for them
    queries = [Ticket.site_id.in_(whole)] if whole else []
    for x in sites:
        days = [d for d in every_day if d not in session_days.get(x, every_day)]
        if days:
            queries.append(and_(Ticket.site_id == x, Ticket.service_day.in_(days)))
    call_hour = utc_hour(Ticket.called_at)
    for where in queries:
        for site, day, h, _counter in conn.execute(
            select(_raw(Ticket.site_id), Ticket.service_day, call_hour, _raw(Ticket.counter_id))
            .where(where, Ticket.service_day >= start, Ticket.service_day <= end, Ticket.called_at.is_not(None),
                   Ticket.counter_id.is_not(None), Ticket.deleted_at.is_(None))
            .distinct()
        ):  # fmt: skip
            d = _day(day)
            open_us[(site, d, local_hour(d, h))] += 3600 * 1_000_000
            agg.open_from_calls.add(site)
    return open_us


def _communes_of(conn: Connection, sites: list[uuid.UUID]) -> list:
    """The sites' communes, as values: the (commune, day) indexes then serve (requests and mail belong to the
    commune; with a subquery there, SQLite walks every row of the site instead)."""
    return sorted(set(conn.execute(select(Site.commune_id).where(Site.id.in_(sites))).scalars()), key=str)


def add_casework(conn: Connection, agg: Aggregates, sites: list[uuid.UUID], start: date, end: date) -> None:
    """Requests opened and letters dated from ``start`` to ``end`` at ``sites``, into ``agg`` (see Aggregates)."""
    r = FollowUpRequest
    t0, t1 = utc_range(start, end)
    communes = _communes_of(conn, sites)
    answered_day = day_of(r.answered_at)
    answered = r.answered_at.is_not(None)
    delay = days_between(r.received_on, answered_day)
    late = case((and_(answered, answered_day > r.due_on), 1), else_=0)
    for site, service, status, channel, is_answered, d, is_late, n in conn.execute(
        select(as_text(r.site_id), as_text(r.service_id), as_text(r.status), as_text(r.channel),
               case((answered, 1), else_=0), delay, late, func.count())
        .where(r.commune_id.in_(communes), r.site_id.in_(sites), r.opened_at >= t0, r.opened_at < t1,
               r.is_open == 0, r.deleted_at.is_(None))
        .group_by(r.site_id, r.service_id, r.status, r.channel, answered, delay, late)
    ):  # fmt: skip
        agg.requests[(site, service, status, is_answered, d, is_late)] += n
        agg.request_channels[(site, channel, status, is_answered, d, is_late)] += n
        agg.site_keys.add(site)
    m = MailItem
    registration = days_between(m.mail_date, day_of(m.registered_at))
    with_request = case((m.request_id.is_not(None), 1), else_=0)
    for site, direction, kind, d, opened, n in conn.execute(
        select(as_text(m.site_id), as_text(m.direction), as_text(m.mail_type), registration, with_request,
               func.count())
        .where(m.commune_id.in_(communes), m.site_id.in_(sites), m.mail_date >= start, m.mail_date <= end,
               m.deleted_at.is_(None))
        .group_by(m.site_id, m.direction, m.mail_type, registration, with_request)
    ):  # fmt: skip
        agg.mail[(site, direction, kind, d, opened)] += n
        agg.site_keys.add(site)


def fingerprints(
    s: Session, site_ids: Iterable[uuid.UUID], months: Iterable[tuple[date, date]]
) -> dict[tuple[uuid.UUID, date], tuple]:
    """(tickets, contacts, requests, mail) per site and month, deleted rows included: a cached month whose counts
    moved (a late synchronisation) is computed again. Counting walks the (site, day) indexes only. Requests and
    letters also change after their month (a request answered weeks later, at any site of the commune): theirs
    are also fingerprinted by the sum of their update times, which grows with every change of a row."""
    keys = [(site, first, last) for site in site_ids for first, last in months]
    if not keys:
        return {}
    ticket_counts = [
        select(func.count())
        .where(Ticket.site_id == site, Ticket.service_day >= first, Ticket.service_day <= last)
        .scalar_subquery()
        for site, first, last in keys
    ]
    contact_counts = []
    for site, first, last in keys:
        t0, t1 = utc_range(first, last)
        contact_counts.append(
            select(func.count())
            .where(Contact.site_id == site, Contact.started_at >= t0, Contact.started_at < t1)
            .scalar_subquery()
        )
    tickets = s.execute(select(*ticket_counts)).one()
    contacts = s.execute(select(*contact_counts)).one()
    casework = casework_fingerprints(s, keys)
    return {
        (site, first): (t, c, *casework[(site, first)])
        for (site, first, _last), t, c in zip(keys, tickets, contacts, strict=True)
    }


def casework_fingerprints(s: Session, keys: list[tuple[uuid.UUID, date, date]]) -> dict[tuple, tuple[str, str]]:
    """On a site (SQLite): per (site, first day of the part), the count of its requests and letters and the sum of
    their update times in milliseconds, deleted rows included. A request answered, reassigned or deleted later
    (here or at another site of the commune, then synchronised) moves its row's update time, hence the sum.
    Read from the fingerprint indexes alone (site migration 0012), one statement for every part."""
    if not keys:
        return {}
    communes = dict(s.execute(select(Site.id, Site.commune_id).where(Site.id.in_({k[0] for k in keys}))).all())
    # Plain SQL in SQLite's own encoding of the values (ids as 32 hex digits, instants as naive UTC text): built
    # with SQLAlchemy constructs, a hundred subqueries cost more to make than to run.
    stamp = "count(*) || ':' || coalesce(sum(CAST((julianday(updated_at) - 2460000.5) * 86400000 AS INTEGER)), 0)"
    parts, params = [], {}
    for i, (site, first, last) in enumerate(keys):
        t0, t1 = (x.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
                  for x in utc_range(first, last))  # fmt: skip
        params.update({f"c{i}": communes.get(site, site).hex, f"s{i}": site.hex, f"a{i}": t0, f"b{i}": t1,
                       f"f{i}": first.isoformat(), f"l{i}": last.isoformat()})  # fmt: skip
        parts.append(f"(SELECT {stamp} FROM request WHERE commune_id = :c{i} AND opened_at >= :a{i} "
                     f"AND opened_at < :b{i} AND site_id = :s{i})")  # fmt: skip
        parts.append(f"(SELECT {stamp} FROM mail_item WHERE commune_id = :c{i} AND mail_date >= :f{i} "
                     f"AND mail_date <= :l{i} AND site_id = :s{i})")  # fmt: skip
    values = s.execute(text("SELECT " + ", ".join(parts)), params).one()
    return {(site, first): (values[2 * i], values[2 * i + 1]) for i, (site, first, _last) in enumerate(keys)}
