"""Statistics of follow-up requests, the mail register and appointments: answer delays, overdue share, mail
volumes, appointments kept and missed.

Requests and letters are aggregated per part with the tickets and contacts (``stats_sql.add_casework``, called
by ``stats_sql.aggregate``), grouped in the database on a few small keys (site, service, status, delay in days),
and cached with them. A request keeps changing long after its month (it is answered weeks later, maybe at another
site of the commune), so a part's fingerprint covers its requests and letters too: on a site the sum of their
update times (``stats_sql.casework_fingerprints``), on the central the day stamps its triggers give (c0010). The parts
hold the requests no longer owed an answer; those still owed one are few, and whether each is overdue depends
on the day of the report: every report reads them afresh (``owed_requests``). Appointments are few and move
until their day: they are read afresh by every report too.

Requests count when they were opened in the period, as they stand now; mail counts by the date on the letter
(received on, or sent on); appointments by their time (one missed today is marked at the close).

Delays are whole calendar days: from the day the town received the request (or the letter) to the UTC day of
the answer, which is the Paris day for anything done between 2 a.m. and midnight. "In time" compares that day
with the request's deadline (``due_on``, counted in working days when the request was opened).
"""

from __future__ import annotations

import uuid
from collections import Counter as Tally
from collections.abc import Callable, Iterable
from datetime import date
from operator import attrgetter

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from guichet.domain import AppointmentStatus, Channel, MailDirection, MailType, RequestStatus
from guichet.models import Appointment, AppointmentKind, FollowUpRequest
from guichet.services.stats_build import Labels
from guichet.services.stats_sql import Aggregates, as_text, as_uuid, utc_range
from guichet.services.stats_types import (
    AppointmentGroup,
    AppointmentStats,
    Days,
    MailGroup,
    MailStats,
    RequestGroup,
    RequestStats,
)


def _slot(groups: dict, key: object, kind: type):  # noqa: ANN202
    """``groups[key]``, made on first use (``setdefault`` would build a tally for every row)."""
    found = groups.get(key)
    if found is None:
        found = groups[key] = kind()
    return found


def _by_name(sites: list[uuid.UUID], labels: Labels) -> list[uuid.UUID]:
    return sorted(sites, key=lambda x: labels.sites[x].name)


def _every_site(per_site: dict, sites: list[uuid.UUID], labels: Labels, kind: type) -> tuple:
    """One group per site of the commune, by name, an empty one for a site without any (equal treatment)."""
    return tuple((per_site.get(x) or kind()).group(str(x), labels.sites[x].name) for x in _by_name(sites, labels))


def _largest_first(per: dict, label: Callable[[object], str], size: Callable[[object], int]) -> tuple:
    """One group per key, the largest first, then by name."""
    return tuple(sorted((t.group(str(k), label(k)) for k, t in per.items()), key=lambda g: (-size(g), g.label)))


# -- distributions --------------------------------------------------------------------------------------


def days(tally: Tally) -> Days:
    """Nearest-rank median and p90 of whole days given as {days: count} (negative delays count as 0)."""
    clean: Tally = Tally()
    for d, n in tally.items():
        clean[max(0, int(d))] += n
    total = sum(clean.values())
    if not total:
        return Days()
    ordered = sorted(clean)

    def rank(p: float) -> int:
        need = p * total
        seen = 0
        for d in ordered:
            seen += clean[d]
            if seen >= need:
                return d
        return ordered[-1]

    return Days(total, rank(0.5), rank(0.9), ordered[-1])


# -- requests and mail ---------------------------------------------------------------------------------


def owed_requests(
    s: Session, commune_id: uuid.UUID, sites: list[uuid.UUID], start: date, end: date, *, today: date
) -> list[tuple[uuid.UUID, object, str, bool, int]]:
    """Requests opened from ``start`` to ``end`` that still owe an answer: (site, service, channel, overdue on
    ``today``, count). Read afresh by every report: they are few (the index on (commune, open, deadline) finds
    them) and whether each is overdue depends on the day."""
    r = FollowUpRequest
    t0, t1 = utc_range(start, end)
    overdue = case((r.due_on < today, 1), else_=0)
    rows = s.execute(
        select(as_text(r.site_id), as_text(r.service_id), as_text(r.channel), overdue, func.count())
        .where(r.commune_id == commune_id, r.is_open == 1, r.site_id.in_(sites), r.opened_at >= t0,
               r.opened_at < t1, r.deleted_at.is_(None))
        .group_by(r.site_id, r.service_id, r.channel, overdue)
    ).all()  # fmt: skip
    return [(as_uuid(site), service, channel, bool(late), n) for site, service, channel, late, n in rows]


_NOTHING_OWED = frozenset(x.value for x in RequestStatus if not x.is_open)


class _RequestTally:
    def __init__(self) -> None:
        self.opened = self.answered = self.late = self.overdue = self.in_time = self.dropped = 0
        self.delays: Tally = Tally()

    def add(self, status: str, answered: bool, delay: int | None, late: bool, overdue: bool, n: int) -> None:
        self.opened += n
        if answered:
            self.answered += n
            self.late += n if late else 0
            if delay is not None:
                self.delays[delay] += n
        elif status in _NOTHING_OWED:  # sans suite (or closed with no answer recorded): no answer owed any more
            self.dropped += n
        elif overdue:
            self.overdue += n
        else:
            self.in_time += n

    def group(self, key: str, label: str) -> RequestGroup:
        return RequestGroup(key, label, self.opened, self.answered, self.late, self.overdue, self.in_time,
                            self.dropped, days(self.delays))  # fmt: skip


def request_stats(
    agg: Aggregates, owed: list[tuple], labels: Labels, site_ids: Iterable[uuid.UUID], scope: set[uuid.UUID]
) -> RequestStats:
    """The requests of ``agg`` (answered, closed, sans suite) and those still owed an answer (``owed_requests``,
    overdue or not on the day of the report): every site of ``site_ids`` side by side, totals, services and
    channels over the sites of ``scope``."""
    sites = list(site_ids)
    total, per_site, per_service, per_channel = _RequestTally(), {}, {}, {}
    for (site, service, status, is_answered, d, is_late), n in agg.requests.items():
        site_id = as_uuid(site)
        values = (status, bool(is_answered), d, bool(is_late), False, n)
        _slot(per_site, site_id, _RequestTally).add(*values)
        if site_id in scope:
            total.add(*values)
            _slot(per_service, as_uuid(service), _RequestTally).add(*values)
    for (site, channel, status, is_answered, d, is_late), n in agg.request_channels.items():
        if as_uuid(site) in scope:
            _slot(per_channel, channel, _RequestTally).add(status, bool(is_answered), d, bool(is_late), False, n)
    for site_id, service, channel, overdue, n in owed:
        values = ("", False, None, False, overdue, n)
        _slot(per_site, site_id, _RequestTally).add(*values)
        if site_id in scope:
            total.add(*values)
            _slot(per_service, as_uuid(service), _RequestTally).add(*values)
            _slot(per_channel, channel, _RequestTally).add(*values)
    opened = attrgetter("opened")
    return RequestStats(
        total.group("", "Toutes les demandes"),
        _largest_first(per_service, lambda k: labels.services.get(k, "Service supprimé"), opened),
        _every_site(per_site, sites, labels, _RequestTally),
        _largest_first(per_channel, lambda k: Channel(k).label, opened),
    )


class _MailTally:
    def __init__(self) -> None:
        self.count = self.registered = self.same_day = self.requests = 0
        self.registration: Tally = Tally()

    def add(self, kind: str, reg_delay: int | None, has_request: bool, n: int) -> None:
        self.count += n
        self.registered += n if kind == MailType.REGISTERED.value else 0
        if reg_delay is not None:
            self.registration[reg_delay] += n
            self.same_day += n if reg_delay <= 0 else 0
        self.requests += n if has_request else 0

    def group(self, key: str, label: str, direction: str) -> MailGroup:
        return MailGroup(key, label, direction, self.count, self.registered, self.same_day, days(self.registration),
                         self.requests)  # fmt: skip


def mail_stats(agg: Aggregates, labels: Labels, site_ids: Iterable[uuid.UUID], scope: set[uuid.UUID]) -> MailStats:
    """The letters of ``agg``: per site and direction for every site, totals and types over ``scope``."""
    sites = list(site_ids)
    incoming = MailDirection.INCOMING.value
    totals = {d.value: _MailTally() for d in MailDirection}
    per_site: dict[tuple[uuid.UUID, str], _MailTally] = {}
    types: dict[str, list[int]] = {}
    for (site, direction, kind, delay, with_request), n in agg.mail.items():
        site_id = as_uuid(site)
        values = (kind, delay, bool(with_request) and direction == incoming, n)
        _slot(per_site, (site_id, direction), _MailTally).add(*values)
        if site_id in scope:
            totals[direction].add(*values)
            types.setdefault(kind, [0, 0])[0 if direction == incoming else 1] += n
    by_site = tuple(
        (per_site.get((x, d.value)) or _MailTally()).group(f"{x}:{d.value}", labels.sites[x].name, d.value)
        for x in _by_name(sites, labels)
        for d in MailDirection
    )
    by_type = tuple((MailType(k).label, a, b) for k, (a, b) in sorted(types.items(), key=lambda kv: -sum(kv[1])))
    incoming_total, outgoing_total = (totals[d.value].group(d.value, d.label, d.value) for d in MailDirection)
    return MailStats(incoming_total, outgoing_total, by_type, by_site)


# -- appointments ---------------------------------------------------------------------------------------


class _AppointmentTally:
    def __init__(self) -> None:
        self.by: Tally = Tally()
        self.late = 0

    def add(self, status: str, late: bool, n: int) -> None:
        self.by[status] += n
        self.late += n if status == AppointmentStatus.CHECKED_IN.value and late else 0

    def group(self, key: str, label: str) -> AppointmentGroup:
        by = self.by
        cancelled = by[AppointmentStatus.CANCELLED.value]
        return AppointmentGroup(key, label, sum(by.values()) - cancelled, by[AppointmentStatus.CHECKED_IN.value],
                                self.late, by[AppointmentStatus.MISSED.value], cancelled,
                                by[AppointmentStatus.BOOKED.value])  # fmt: skip


def appointment_stats(
    s: Session,
    commune_id: uuid.UUID,
    labels: Labels,
    site_ids: Iterable[uuid.UUID],
    scope: set[uuid.UUID],
    start: date,
    end: date,
) -> AppointmentStats:
    """Appointments whose time falls from ``start`` to ``end`` at ``site_ids``; totals and kinds over ``scope``."""
    sites = list(site_ids)
    a = Appointment
    t0, t1 = utc_range(start, end)
    rows = s.execute(
        select(as_text(a.site_id), as_text(a.kind_id), as_text(a.status), a.arrived_late, func.count())
        .where(a.commune_id == commune_id, a.site_id.in_(sites), a.starts_at >= t0, a.starts_at < t1,
               a.deleted_at.is_(None))
        .group_by(a.site_id, a.kind_id, a.status, a.arrived_late)
    ).all()  # fmt: skip
    # A kind is an agenda's: two sites may name theirs alike, so the commune's report says whose it is.
    kinds = {
        kind_id: f"{name} ({labels.sites[site_id].code})" if len(scope) > 1 else name
        for kind_id, name, site_id in s.execute(
            select(AppointmentKind.id, AppointmentKind.name, AppointmentKind.site_id).where(
                AppointmentKind.site_id.in_(sites)
            )
        )
    }
    total, per_site, per_kind = _AppointmentTally(), {}, {}
    for site, kind, status, late, n in rows:
        site_id = as_uuid(site)
        _slot(per_site, site_id, _AppointmentTally).add(status, bool(late), n)
        if site_id in scope:
            total.add(status, bool(late), n)
            _slot(per_kind, as_uuid(kind), _AppointmentTally).add(status, bool(late), n)
    return AppointmentStats(
        total.group("", "Tous les rendez-vous"),
        _every_site(per_site, sites, labels, _AppointmentTally),
        _largest_first(per_kind, lambda k: kinds.get(k, "Type supprimé"), attrgetter("booked")),
    )
