"""Turning the aggregates of ``stats_sql`` into the report's dataclasses: pure Python, no database."""

from __future__ import annotations

import math
import uuid
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.domain import Channel, Outcome, TicketStatus
from guichet.models import Agent, Counter, ExternalBody, MunicipalService, Queue, Site, Theme
from guichet.services.staffing import counters_needed, service_level
from guichet.services.stats_sql import (
    BIN_S,
    BODY,
    CHANNEL,
    OUTCOME,
    SERVICE,
    THEME,
    Aggregates,
    as_uuid,
    percentile,
)
from guichet.services.stats_types import (
    ContactStats,
    Count,
    Durations,
    HistogramBin,
    SiteComparison,
    StaffingAdvice,
    StaffingSlot,
    TicketGroup,
    TicketStats,
)

TOP = 10  # orientations listed
MIN_SLOT_VISITS = 10  # below, a slot's time at the counter is the site's mean
US_PER_HOUR = 3_600_000_000
_HIST_EDGES_MIN = (0, 5, 10, 15, 20, 30, 45, 60, 90)


def durations(bins: dict[int, int], longest: float | None = None) -> Durations:
    count = sum(bins.values())
    if not count:
        return Durations()
    mean = sum((b + 0.5) * BIN_S * n for b, n in bins.items()) / count
    top = longest if longest is not None else (max(bins) + 1) * BIN_S
    return Durations(count, percentile(bins, 0.5), percentile(bins, 0.9), top, mean)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Labels:
    """Names of everything the aggregates refer to by id, read once per report."""

    def __init__(self, s: Session, commune_id: uuid.UUID) -> None:
        self.sites = {x.id: x for x in s.scalars(select(Site).where(Site.commune_id == commune_id))}
        ids = list(self.sites)
        self.queues = {q.id: q for q in s.scalars(select(Queue).where(Queue.site_id.in_(ids)))}
        self.counters = {c.id: c for c in s.scalars(select(Counter).where(Counter.site_id.in_(ids)))}
        self.agents = {a.id: f"{a.first_name} {a.last_name}" for a in s.scalars(select(Agent))}
        self.themes = {t.id: t for t in s.scalars(select(Theme))}
        self.services = {x.id: x.name for x in s.scalars(select(MunicipalService))}
        self.bodies = {x.id: x.name for x in s.scalars(select(ExternalBody))}

    # Lookups take ids as the aggregates hold them (see stats_sql.as_uuid).

    def site(self, key: object) -> Site:
        return self.sites[as_uuid(key)]

    def queue(self, key: object) -> Queue | None:
        return self.queues.get(as_uuid(key))

    def parent_theme(self, key: object) -> uuid.UUID | None:
        theme_id = as_uuid(key)
        theme = self.themes.get(theme_id)
        return theme.parent_id if theme is not None and theme.parent_id else theme_id

    def theme_label(self, theme_id: uuid.UUID | None) -> str:
        theme = self.themes.get(theme_id)
        return theme.label if theme is not None else "Thème supprimé"

    def counter_label(self, key: object) -> tuple[str, int]:
        counter = self.counters.get(as_uuid(key))
        return (counter.name, counter.number) if counter is not None else ("Guichet inconnu", 999)

    def agent_label(self, key: object) -> str:
        return self.agents.get(as_uuid(key), "Agent inconnu") if key is not None else "Agent inconnu"


# -- contacts -------------------------------------------------------------------------------------


def contact_stats(agg: Aggregates, labels: Labels, sites: set) -> ContactStats:
    channels: Tally = Tally()
    themes: Tally = Tally()
    outcomes: Tally = Tally()
    services: Tally = Tally()
    bodies: Tally = Tally()
    into = {CHANNEL: channels, THEME: themes, OUTCOME: outcomes, SERVICE: services, BODY: bodies}
    for (site, dimension, value), n in agg.contacts.items():
        if site in sites:
            into[dimension][as_uuid(value) if dimension in (SERVICE, BODY) else value] += n
    parents: Tally = Tally()
    for theme, n in themes.items():
        parents[labels.parent_theme(theme)] += n
    total = sum(channels.values())

    def service_label(k: object) -> str:
        return labels.services.get(k, "Service supprimé")

    def body_label(k: object) -> str:
        return labels.bodies.get(k, "Organisme supprimé")

    def counts(tally: Tally, label: Callable, whole: int, keys: list) -> tuple[Count, ...]:
        return tuple(Count(str(k), label(k), tally[k], tally[k] / whole if whole else 0.0) for k in keys)

    return ContactStats(
        total=total,
        by_channel=counts(channels, lambda c: Channel(c).label, total, list(Channel)),
        by_theme=counts(parents, labels.theme_label, total, _ranked(parents, labels.theme_label)),
        by_outcome=counts(outcomes, lambda o: Outcome(o).label, total, list(Outcome)),
        answered_first_share=_share(outcomes[Outcome.ANSWERED], total),
        oriented_services=counts(
            services, service_label, sum(services.values()), _ranked(services, service_label)[:TOP],
        ),
        oriented_bodies=counts(
            bodies, body_label, sum(bodies.values()), _ranked(bodies, body_label)[:TOP],
        ),
    )  # fmt: skip


def _ranked(tally: Tally, label: Callable) -> list:
    """Keys by count, most first; equal counts by label (then id): the same order however the counts were added."""
    return sorted(tally, key=lambda k: (-tally[k], label(k), str(k)))


# -- tickets --------------------------------------------------------------------------------------


def ticket_stats(agg: Aggregates, labels: Labels, sites: set, *, multi_site: bool) -> TicketStats:
    status, wait_bins, per_queue = waits(agg, sites)
    service_bins: Tally = Tally()
    queue_service: dict = defaultdict(Tally)
    for (site, queue, st, b), n in agg.queue_service.items():
        if site in sites and st == TicketStatus.DONE:
            service_bins[b] += n
            queue_service[queue][b] += n
    rows = []
    within = called = 0
    for queue_key, (q_status, q_bins) in per_queue.items():
        queue = labels.queue(queue_key)
        target = queue.target_wait_min if queue is not None else None
        q_called = sum(q_bins.values())
        q_within = sum(n for b, n in q_bins.items() if target is not None and b < 2 * target)
        within += q_within
        called += q_called
        name = f"{queue.letter} — {queue.name}" if queue is not None else "File supprimée"
        code = labels.sites[queue.site_id].code if queue is not None else ""
        rows.append(
            TicketGroup(
                key=str(as_uuid(queue_key)), label=f"{code} · {name}" if multi_site else name,
                issued=sum(q_status.values()), served=q_status[TicketStatus.DONE],
                no_show=q_status[TicketStatus.NO_SHOW], wait=durations(q_bins, _max(agg.wait_max, queue_key)),
                service=durations(queue_service[queue_key], _max(agg.queue_service_max, queue_key)),
                within_target=_share(q_within, q_called), target_wait_min=target,
            )
        )  # fmt: skip
    rows.sort(key=lambda r: r.label)
    arrivals = [[0] * 24 for _ in range(7)]
    for (site, weekday, hour), (issued, *_rest) in agg.slots.items():
        if site in sites:
            arrivals[weekday][hour] += issued
    # Days with tickets: of the site, or of any site of the commune (the only two scopes of a report).
    days_of = next(iter(sites)) if len(sites) == 1 else None
    open_days = [agg.ticket_days[(days_of, weekday)] if sites else 0 for weekday in range(7)]
    counters, agents = people(agg, labels, sites, multi_site)
    finished = (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED)
    return TicketStats(
        issued=sum(status.values()),
        served=status[TicketStatus.DONE],
        no_show=status[TicketStatus.NO_SHOW],
        cancelled=status[TicketStatus.CANCELLED],
        unserved=sum(n for st, n in status.items() if st not in finished),
        wait=durations(wait_bins, _max_of(agg.wait_max, sites)),
        service=durations(service_bins, _max_of(agg.queue_service_max, sites)),
        within_target=_share(within, called),
        arrivals=tuple(tuple(r) for r in arrivals),
        open_days=tuple(open_days),
        wait_histogram=_histogram(wait_bins),
        by_queue=tuple(rows),
        by_counter=counters,
        by_agent=agents,
    )


def waits(agg: Aggregates, sites: set) -> tuple[Tally, Tally, dict]:
    """Tickets by status, wait bins of the called ones, and both per queue of arrival."""
    status: Tally = Tally()
    wait_bins: Tally = Tally()
    per_queue: dict = {}
    for (site, queue, st, b), n in agg.waits.items():
        if site not in sites:
            continue
        status[st] += n
        if queue not in per_queue:
            per_queue[queue] = (Tally(), Tally())
        q_status, q_bins = per_queue[queue]
        q_status[st] += n
        if b is not None:
            wait_bins[b] += n
            q_bins[b] += n
    return status, wait_bins, per_queue


def people(
    agg: Aggregates, labels: Labels, sites: set, multi_site: bool
) -> tuple[tuple[TicketGroup, ...], tuple[TicketGroup, ...]]:
    result = []
    for kind, service, maxima, presence in (
        ("counter", agg.counter_service, agg.counter_service_max, agg.counter_presence_us),
        ("agent", agg.agent_service, agg.agent_service_max, agg.agent_presence_us),
    ):
        by: dict = {}  # (site, id) -> (bins of served tickets, tickets by status)
        for (site, ident, st, b), n in service.items():
            if site not in sites:
                continue
            entry = by.get((site, ident))
            if entry is None:
                entry = by[(site, ident)] = (Tally(), Tally())
            entry[1][st] += n
            if st == TicketStatus.DONE:
                entry[0][b] += n
        rows = []
        for (site, ident), (bins, status) in by.items():
            code = labels.site(site).code
            if kind == "counter":
                label, number = labels.counter_label(ident)
                order: tuple = (code, number)
            else:
                label = labels.agent_label(ident)
                order = (label, code)
            micros = presence.get((site, ident))
            rows.append((order, TicketGroup(
                key=str(as_uuid(ident)), label=f"{code} · {label}" if multi_site else label,
                issued=sum(status.values()), served=status[TicketStatus.DONE],
                no_show=status[TicketStatus.NO_SHOW], wait=Durations(),
                service=durations(bins, maxima.get((site, ident))), within_target=None,
                presence_h=micros / US_PER_HOUR if micros else None,
            )))  # fmt: skip
        rows.sort(key=lambda x: x[0])
        result.append(tuple(g for _o, g in rows))
    return result[0], result[1]


# -- sites side by side ---------------------------------------------------------------------------


def site_comparison(agg: Aggregates, labels: Labels, site_id: uuid.UUID, key: object) -> SiteComparison:
    site = labels.sites[site_id]
    one = {key} if key is not None else set()
    contacts = sum(n for k, n in agg.contacts.items() if k[0] in one and k[1] == CHANNEL)
    answered = sum(n for k, n in agg.contacts.items() if k[0] in one and k[1] == OUTCOME and k[2] == Outcome.ANSWERED)
    status, wait_bins, per_queue = waits(agg, one)
    service_bins: Tally = Tally()
    for (s, _q, st, b), n in agg.queue_service.items():
        if s in one and st == TicketStatus.DONE:
            service_bins[b] += n
    within = called = 0
    for queue_key, (_st, q_bins) in per_queue.items():
        queue = labels.queue(queue_key)
        called += sum(q_bins.values())
        if queue is not None:
            within += sum(n for b, n in q_bins.items() if b < 2 * queue.target_wait_min)
    served, no_show = status[TicketStatus.DONE], status[TicketStatus.NO_SHOW]
    return SiteComparison(
        site_id=site_id, code=site.code, name=site.name, contacts=contacts,
        answered_first_share=_share(answered, contacts), issued=sum(status.values()), served=served,
        wait=durations(wait_bins, _max_of(agg.wait_max, one)),
        service=durations(service_bins, _max_of(agg.queue_service_max, one)),
        within_target=_share(within, called), no_show_rate=_share(no_show, served + no_show),
    )  # fmt: skip


# -- staffing -------------------------------------------------------------------------------------


def staffing_advice(agg: Aggregates, labels: Labels, site_key: object, target_share: float) -> StaffingAdvice:
    slots = {(weekday, hour): values for (site, weekday, hour), values in agg.slots.items() if site == site_key}
    per_weekday = {weekday: agg.ticket_days[(site_key, weekday)] for weekday in range(7)}
    open_us = {(weekday, hour): v for (site, weekday, hour), v in agg.open_us.items() if site == site_key}
    known_open = site_key in agg.open_from_sessions or site_key in agg.open_from_calls
    # Target wait of the site: its queues' targets weighted by their arrivals.
    weights: Tally = Tally()
    for (site, queue_key, _st, _b), n in agg.waits.items():
        queue = labels.queue(queue_key) if site == site_key else None
        if queue is not None:
            weights[queue.target_wait_min] += n
    target_min = sum(t * n for t, n in weights.items()) / sum(weights.values()) if weights else 15.0
    total_called = sum(v[1] for v in slots.values())
    mean_s = sum(v[2] for v in slots.values()) / 1e6 / total_called if total_called else 360.0
    result = []
    for (weekday, hour), (issued, called, busy, within) in sorted(slots.items()):
        if not issued:
            continue
        n_days = per_weekday[weekday] or 1
        service_s = busy / 1e6 / called if called >= MIN_SLOT_VISITS and busy > 0 else mean_s
        rate = issued / n_days
        needed = counters_needed(rate, service_s, target_s=target_min * 60, target_share=target_share)
        load = rate * service_s / 3600
        opened = open_us.get((weekday, hour), 0) / US_PER_HOUR / n_days if known_open else None
        level = None
        if opened is not None:
            n_open = math.floor(opened + 0.5)
            level = service_level(n_open, load, target_s=target_min * 60, service_s=service_s) if n_open else 0.0
        result.append(
            StaffingSlot(
                weekday=weekday, hour=hour, days=n_days, arrivals_per_hour=rate, service_s=service_s,
                load_erlangs=load, needed=needed, open_mean=opened, within_target=_share(within, called),
                level_with_open=level,
            )
        )  # fmt: skip
    if not known_open:
        source = "Guichets ouverts : inconnus (aucune session de guichet enregistrée)."
    elif site_key not in agg.open_from_calls:
        source = "Guichets ouverts : moyenne des sessions de guichet sur les mêmes jours."
    elif site_key not in agg.open_from_sessions:
        source = "Guichets ouverts : déduits des appels (guichets ayant appelé au moins un ticket dans l'heure)."
    else:
        source = (
            "Guichets ouverts : moyenne des sessions de guichet sur les mêmes jours ; les jours sans session "
            "enregistrée, déduits des appels (guichets ayant appelé au moins un ticket dans l'heure)."
        )
    site = labels.site(site_key)
    return StaffingAdvice(
        site_id=site.id, site_name=site.name, target_wait_min=round(target_min, 1), target_share=target_share,
        open_source=source, slots=tuple(result),
    )  # fmt: skip


def _max(maxima: dict, key: object) -> float | None:
    values = [v for k, v in maxima.items() if k[-1] == key and v is not None]
    return max(values) if values else None


def _max_of(maxima: dict, sites: set) -> float | None:
    return max((v for k, v in maxima.items() if k[0] in sites and v is not None), default=None)


def _histogram(bins: Tally) -> tuple[HistogramBin, ...]:
    result = []
    edges = list(_HIST_EDGES_MIN)
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        lo_bin, hi_bin = low * 60 // BIN_S, None if high is None else high * 60 // BIN_S
        n = sum(c for b, c in bins.items() if b >= lo_bin and (hi_bin is None or b < hi_bin))
        label = f"{low}–{high} min" if high is not None else f"{low} min et plus"
        result.append(HistogramBin(label, low, high, n))
    return tuple(result)
