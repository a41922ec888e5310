"""Demo queues of the demo town's sites, their counters' configuration, and a few past days of tickets."""

from __future__ import annotations

import heapq
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from guichet.db import Database
from guichet.domain import PriorityReason, TicketEventKind, TicketStatus
from guichet.models import (
    Agent,
    Counter,
    CounterQueue,
    CounterSession,
    Queue,
    Site,
    SiteQueueSettings,
    Theme,
    Ticket,
    TicketEvent,
    new_id,
)
from guichet.services.clock import PARIS, local_day
from guichet.services.clock import now as system_now
from guichet.services.queue_policy import Candidate, PastCall, QueueSettings, choose_next, dump_hours, parse_hours

_WEEK = ("mon", "tue", "wed", "thu", "fri")
_HDV_DAY = ["08:30-12:00", "13:30-16:45"]


def _days(days: tuple[str, ...], ranges: list[str], **extra: list[str]) -> str:
    return dump_hours({**{d: ranges for d in days}, **extra})


@dataclass(frozen=True)
class QueueSpec:
    letter: str
    name: str
    theme_code: str
    icon: str
    hours: str
    daily_cap: int | None
    target_wait_min: int
    mean_service_min: float  # for the simulated history only


# site code -> queues
QUEUES: dict[str, list[QueueSpec]] = {
    "HDV": [
        QueueSpec("A", "État civil et titres d'identité", "etat_civil", "etat-civil",
                  _days(_WEEK, ["08:30-16:45"], sat=["09:00-11:45"]), 150, 20, 7),
        QueueSpec("B", "Social (CCAS)", "ccas", "social", _days(_WEEK, _HDV_DAY), 60, 30, 14),
        QueueSpec("C", "Scolaire et petite enfance", "scolaire", "ecole",
                  _days(_WEEK, _HDV_DAY, wed=["08:30-16:45"]), 80, 20, 8),
        QueueSpec("D", "Urbanisme", "urbanisme", "urbanisme",
                  _days(("tue", "thu"), ["08:30-12:00", "13:30-16:30"]), 30, 30, 18),
        QueueSpec("E", "Accueil général", "autres", "accueil",
                  _days(_WEEK, ["08:30-17:00"], sat=["09:00-12:00"]), None, 10, 4),
    ],
    "MAV": [
        QueueSpec("A", "État civil et titres d'identité", "etat_civil", "etat-civil",
                  _days(("mon", "tue", "thu"), ["09:00-12:00", "13:30-16:45"]), 40, 20, 8),
        QueueSpec("B", "Social (CCAS)", "ccas", "social",
                  _days(("tue", "thu"), ["09:00-12:00", "13:30-16:45"]), 20, 30, 14),
        QueueSpec("E", "Accueil général", "autres", "accueil",
                  _days(("mon", "tue", "thu"), ["09:00-12:00", "13:30-17:00"]), None, 10, 4),
    ],
}  # fmt: skip

# site code -> counter number -> {queue letter: weight}
COUNTER_QUEUES: dict[str, dict[int, dict[str, int]]] = {
    "HDV": {
        1: {"A": 3, "E": 1},
        2: {"A": 2, "C": 2, "E": 1},
        3: {"B": 3, "E": 1},
        4: {"C": 2, "D": 2, "A": 1},
        5: {"E": 3, "A": 1, "B": 1},
    },
    "MAV": {1: {"A": 2, "E": 1}, 2: {"B": 2, "E": 2, "A": 1}},
}

# Share of the site's visitors by queue letter, for the simulated history.
_ARRIVAL_SHARE = {"A": 0.32, "B": 0.12, "C": 0.16, "D": 0.06, "E": 0.34}
_HOUR_WEIGHTS = {8: 12, 9: 16, 10: 12, 11: 13, 12: 6, 13: 8, 14: 11, 15: 9, 16: 7}
_PRIORITY_SHARE = 0.06
_NO_SHOW_SHARE = 0.05


@dataclass(frozen=True)
class QueueSeedSummary:
    queues: int
    counter_links: int


def seed_queues(db: Database, *, open_all_day: bool = False) -> QueueSeedSummary:
    """The demo sites' queues, call-policy settings and counters' queues; adds only what is missing.

    ``open_all_day`` leaves the queues' hours empty (tickets at any time), for a demo outside office hours.
    """
    created = links = 0
    with db.write() as s:
        themes = {t.code: t.id for t in s.scalars(select(Theme))}
        for site in s.scalars(select(Site).where(Site.code.in_(list(QUEUES)))):
            if s.scalar(select(SiteQueueSettings.id).where(SiteQueueSettings.site_id == site.id)) is None:
                s.add(SiteQueueSettings(site_id=site.id))
            queues = {q.letter: q for q in s.scalars(select(Queue).where(Queue.site_id == site.id))}
            for order, spec in enumerate(QUEUES[site.code], start=1):
                if spec.letter in queues:
                    continue
                queue = Queue(
                    site_id=site.id, letter=spec.letter, name=spec.name, theme_id=themes.get(spec.theme_code),
                    opening_hours="" if open_all_day else spec.hours, daily_cap=spec.daily_cap,
                    target_wait_min=spec.target_wait_min, icon=spec.icon, sort_order=order,
                )  # fmt: skip
                s.add(queue)
                queues[spec.letter] = queue
                created += 1
            s.flush()
            counters = {c.number: c for c in s.scalars(select(Counter).where(Counter.site_id == site.id))}
            existing = set(
                s.execute(
                    select(CounterQueue.counter_id, CounterQueue.queue_id)
                    .join(Counter, Counter.id == CounterQueue.counter_id)
                    .where(Counter.site_id == site.id)
                ).all()
            )
            for number, weights in COUNTER_QUEUES[site.code].items():
                counter = counters.get(number)
                if counter is None:
                    continue
                for letter, weight in weights.items():
                    queue = queues.get(letter)
                    if queue is not None and (counter.id, queue.id) not in existing:
                        s.add(CounterQueue(counter_id=counter.id, queue_id=queue.id, weight=weight))
                        links += 1
    return QueueSeedSummary(created, links)


def seed_ticket_history(
    db: Database, *, days: int = 5, seed: int = 2026, clock: Callable[[], datetime] = system_now
) -> int:
    """Simulated tickets and events of the past ``days`` days (before today) for statistics and estimates.

    Runs the real call policy on a simulated day per site; done only when the database has no ticket yet.
    Returns the number of tickets written.
    """
    rng = random.Random(seed)
    today = local_day(clock())
    total = 0
    with db.write() as s:
        if s.scalar(select(Ticket.id).limit(1)) is not None:
            return 0
        for site in s.scalars(select(Site).where(Site.code.in_(list(QUEUES)))).all():
            queues = {q.letter: q for q in s.scalars(select(Queue).where(Queue.site_id == site.id))}
            weights: dict[uuid.UUID, dict[uuid.UUID, int]] = {}
            for counter_id, queue_id, weight in s.execute(
                select(CounterQueue.counter_id, CounterQueue.queue_id, CounterQueue.weight)
                .join(Queue, Queue.id == CounterQueue.queue_id)
                .where(Queue.site_id == site.id)
            ):
                weights.setdefault(counter_id, {})[queue_id] = weight
            if not queues or not weights:
                continue
            specs = {spec.letter: spec for spec in QUEUES[site.code]}
            agents = list(s.scalars(select(Agent.id).where(Agent.site_id == site.id).order_by(Agent.login)))
            staff = {c: agents[i % len(agents)] if agents else None for i, c in enumerate(sorted(weights, key=str))}
            seq = s.scalar(select(func.max(TicketEvent.seq)).where(TicketEvent.site_id == site.id)) or 0
            volume = 150 if site.code == "HDV" else 40
            for back in range(days, 0, -1):
                day = today - timedelta(days=back)
                if day.weekday() >= 5:
                    continue
                tickets, events, sessions = _simulate_day(rng, site.id, day, queues, specs, weights, staff, volume)
                for e in events:
                    seq += 1
                    e["seq"] = seq
                if tickets:
                    s.execute(insert(Ticket), tickets)
                    s.execute(insert(TicketEvent), events)
                if sessions:
                    s.execute(insert(CounterSession), sessions)
                total += len(tickets)
    return total


def _simulate_day(
    rng: random.Random,
    site_id: uuid.UUID,
    day: date,
    queues: dict[str, Queue],
    specs: dict[str, QueueSpec],
    weights: dict[uuid.UUID, dict[uuid.UUID, int]],
    staff: dict[uuid.UUID, uuid.UUID | None],
    volume: int,
) -> tuple[list[dict], list[dict], list[dict]]:
    """One day of a site: Poisson-like arrivals during opening hours, counters calling with the real policy.

    Counters open and close as a desk does (``_shifts``): each shift is a counter session, and a counter calls
    only while it is open, so the statistics compare the counters open with those the arrivals needed.
    """
    settings = QueueSettings()
    by_id = {q.id: q for q in queues.values()}
    letter_of = {q.id: letter for letter, q in queues.items()}
    arrivals: list[tuple[datetime, uuid.UUID]] = []
    for letter, queue in queues.items():
        hours = parse_hours(queue.opening_hours)
        share = _ARRIVAL_SHARE.get(letter, 0.1)
        for _ in range(int(rng.gauss(volume * share, math.sqrt(volume * share)))):
            hour = rng.choices(list(_HOUR_WEIGHTS), weights=list(_HOUR_WEIGHTS.values()))[0]
            local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=PARIS)
            if hours is not None and not any(a <= local.time() < b for a, b in hours.get(day.weekday(), ())):
                continue
            arrivals.append((local, queue.id))
    arrivals.sort()
    tickets: list[dict] = []
    events: list[dict] = []
    counts: dict[uuid.UUID, int] = {}
    pending = []
    for at, queue_id in arrivals:
        queue = by_id[queue_id]
        if queue.daily_cap is not None and counts.get(queue_id, 0) >= queue.daily_cap:
            continue
        counts[queue_id] = counts.get(queue_id, 0) + 1
        priority = rng.random() < _PRIORITY_SHARE
        t = {
            "id": new_id(), "site_id": site_id, "queue_id": queue_id, "current_queue_id": queue_id,
            "service_day": day, "seq": counts[queue_id], "number": f"{queue.letter}{counts[queue_id]:03d}",
            "priority": priority, "priority_reason": PriorityReason.AGE if priority else None, "status": TicketStatus.WAITING,
            "issued_at": at, "called_at": None, "last_called_at": None, "started_at": None, "finished_at": None,
            "recall_count": 0, "counter_id": None, "agent_id": None, "close_reason": "",
        }  # fmt: skip
        tickets.append(t)
        pending.append(t)
        events.append(_event(site_id, t, TicketEventKind.ISSUED, at))
    # Counters become free when their shift opens, then after each visit; a free one calls under the real policy.
    closing = datetime.combine(day, time(17, 15), tzinfo=PARIS)
    shifts = {c: _shifts(day, i) for i, c in enumerate(sorted(weights, key=str))}
    sessions = [
        {"id": new_id(), "counter_id": c, "agent_id": staff[c], "opened_at": a, "closed_at": b}
        for c, windows in shifts.items() if staff[c] is not None for a, b in windows
    ]  # fmt: skip
    free = [(shifts[c][0][0], str(c), c) for c in weights if shifts[c]]
    heapq.heapify(free)
    history: dict[uuid.UUID, list[PastCall]] = {c: [] for c in weights}
    waiting = {t["id"]: t for t in pending}
    while free and waiting:
        at, _key, counter_id = heapq.heappop(free)
        window = next((w for w in shifts[counter_id] if at < w[1]), None)
        if window is None:
            continue  # this counter has closed for the day
        if at < window[0]:  # on a break: back when its next shift opens
            heapq.heappush(free, (window[0], _key, counter_id))
            continue
        arrived = [t for t in waiting.values() if t["issued_at"] <= at]
        if not arrived:
            nxt = min(t["issued_at"] for t in waiting.values())
            heapq.heappush(free, (max(nxt, at + timedelta(seconds=30)), _key, counter_id))
            continue
        choice = choose_next(
            waiting=[Candidate(t["id"], t["current_queue_id"], t["issued_at"], t["priority"]) for t in arrived],
            weights=weights[counter_id],
            history=history[counter_id][-5:],
            now=at,
            settings=settings,
        )
        if choice is None:
            heapq.heappush(free, (at + timedelta(minutes=2), _key, counter_id))
            continue
        t = waiting.pop(choice.ticket_id)
        history[counter_id].append(PastCall(choice.queue_id, t["priority"]))
        t.update(
            status=TicketStatus.CALLED,
            called_at=at,
            last_called_at=at,
            counter_id=counter_id,
            agent_id=staff[counter_id],
        )
        events.append(_event(site_id, t, TicketEventKind.CALLED, at, counter_id))
        if rng.random() < _NO_SHOW_SHARE:
            end = at + timedelta(seconds=rng.randint(60, 150))
            t.update(status=TicketStatus.NO_SHOW, finished_at=end)
            events.append(_event(site_id, t, TicketEventKind.NO_SHOW, end, counter_id))
        else:
            start = at + timedelta(seconds=rng.randint(15, 60))
            mean = specs[letter_of[t["current_queue_id"]]].mean_service_min * 60
            end = start + timedelta(seconds=max(60.0, rng.lognormvariate(math.log(mean) - 0.18, 0.6)))
            t.update(status=TicketStatus.DONE, started_at=start, finished_at=end)
            events.append(_event(site_id, t, TicketEventKind.STARTED, start, counter_id))
            events.append(_event(site_id, t, TicketEventKind.DONE, end, counter_id))
        heapq.heappush(free, (end + timedelta(seconds=rng.randint(20, 90)), _key, counter_id))
    for t in waiting.values():
        t.update(status=TicketStatus.CLOSED, finished_at=closing, close_reason="Fermeture de l'accueil")
        events.append(_event(site_id, t, TicketEventKind.CLOSED, closing, reason="Fermeture de l'accueil"))
    events.sort(key=lambda e: e["at"])
    return tickets, events, sessions


def _shifts(day: date, index: int) -> list[tuple[datetime, datetime]]:
    """When the ``index``-th counter of a site is open: the first two all day (lunch in turns), the third in
    the morning only, the others from 9 h with a lunch break."""

    def at(h: int, m: int = 0) -> datetime:
        return datetime.combine(day, time(h, m), tzinfo=PARIS)

    if index == 0:
        return [(at(8, 30), at(12, 0)), (at(12, 45), at(17, 15))]
    if index == 1:
        return [(at(8, 30), at(12, 45)), (at(13, 30), at(17, 15))]
    if index == 2:
        return [(at(8, 30), at(12, 30))]
    return [(at(9), at(12, 15)), (at(13, 45), at(16, 45))]


def _event(
    site_id: uuid.UUID,
    t: dict,
    kind: TicketEventKind,
    at: datetime,
    counter_id: uuid.UUID | None = None,
    reason: str = "",
) -> dict:
    agent_id = t["agent_id"] if counter_id is not None else None
    return {
        "id": new_id(), "site_id": site_id, "seq": 0, "ticket_id": t["id"], "kind": kind, "at": at,
        "queue_id": t["current_queue_id"], "from_queue_id": None, "counter_id": counter_id, "agent_id": agent_id,
        "reason": reason,
    }  # fmt: skip
