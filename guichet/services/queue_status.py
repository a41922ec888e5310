"""Read side of the queues: live status of queues and counters, the counter panel, the call screen feed."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.models import Agent, Counter, CounterQueue, CounterSession, Queue, Site, Ticket, TicketEvent
from guichet.models.queue import CALL_EVENT_KINDS, SiteQueueSettings, TicketStatus
from guichet.services.clock import PARIS, day_bounds, local_day
from guichet.services.errors import NotFoundError
from guichet.services.queue_policy import (
    Candidate,
    QueueSettings,
    call_order,
    call_rate,
    closes_at,
    counter_time_s,
    estimate_wait_s,
    is_open,
    minutes,
    next_opening,
    parse_hours,
    reopening_text,
    service_time_s,
)
from guichet.services.queue_types import (
    CallEvent,
    CallFeed,
    CounterPanel,
    CounterStatus,
    PanelQueue,
    QueueRef,
    QueueState,
    QueueStatus,
    SiteStatus,
    TicketInfo,
    WaitingTicket,
)

PANEL_LIMIT = 50  # waiting tickets listed per queue on the counter panel
_AT_COUNTER = (TicketStatus.CALLED, TicketStatus.IN_SERVICE)


def load_settings(s: Session, site_id: uuid.UUID) -> QueueSettings:
    row = s.scalar(select(SiteQueueSettings).where(SiteQueueSettings.site_id == site_id))
    if row is None or row.deleted_at is not None:
        return QueueSettings()
    return QueueSettings(
        max_wait_min=row.max_wait_min,
        priority_burst=row.priority_burst,
        default_service_s=row.default_service_s,
        recall_cooldown_s=row.recall_cooldown_s,
    )


@dataclass
class Load:
    """What the wait estimate of one queue needs, read at one instant."""

    service_s: float
    waiting: int = 0
    waiting_priority: int = 0
    oldest: datetime | None = None
    rate: float = 0.0  # calls per second of this queue by the open counters
    open_counters: int = 0
    idle_counters: int = 0

    def estimate_s(self, ahead: int) -> float | None:
        return estimate_wait_s(ahead=ahead, rate=self.rate, idle_counters=self.idle_counters)

    def estimate_min(self, ahead: int) -> int | None:
        return minutes(self.estimate_s(ahead))


def service_samples(s: Session, queue_id: uuid.UUID, now: datetime, settings: QueueSettings) -> list[float]:
    """Counter time of the queue's latest finished tickets, in seconds (see ``counter_time_s``)."""
    next_call = (
        select(func.min(TicketEvent.at))
        .where(
            TicketEvent.counter_id == Ticket.counter_id,
            TicketEvent.at >= Ticket.finished_at,
            TicketEvent.kind.in_(CALL_EVENT_KINDS),
        )
        .correlate(Ticket)
        .scalar_subquery()
    )
    rows = s.execute(
        select(Ticket.called_at, Ticket.finished_at, next_call)
        .where(
            Ticket.current_queue_id == queue_id,
            Ticket.status == TicketStatus.DONE,
            Ticket.finished_at >= now - timedelta(days=settings.service_history_days),
            Ticket.finished_at <= now,
        )
        .order_by(Ticket.finished_at.desc())
        .limit(settings.service_history)
    )
    return [counter_time_s(c, f, n) for c, f, n in rows if c is not None and f is not None]


class ServiceTimes:
    """Learned service time of each queue, read again at most once a minute: it moves slowly, and reading it
    costs a query per queue, on every ticket issued and every status refresh."""

    TTL = timedelta(seconds=60)

    def __init__(self) -> None:
        self._known: dict[uuid.UUID, tuple[datetime, float]] = {}

    def get(self, s: Session, queue_id: uuid.UUID, now: datetime, settings: QueueSettings) -> float:
        known = self._known.get(queue_id)
        if known is not None and timedelta(0) <= now - known[0] < self.TTL:
            return known[1]
        value = service_time_s(service_samples(s, queue_id, now, settings), settings.default_service_s)
        self._known[queue_id] = (now, value)
        return value


def loads(
    s: Session,
    site_id: uuid.UUID,
    day: date,
    now: datetime,
    settings: QueueSettings,
    queue_ids: Iterable[uuid.UUID],
    times: ServiceTimes,
) -> dict[uuid.UUID, Load]:
    """Waiting tickets, serving counters and service time of some queues of a site."""
    result = {q: Load(service_s=float(settings.default_service_s)) for q in queue_ids}
    queues_with_waiting: set[uuid.UUID] = set()
    for qid, priority, count, oldest in s.execute(
        select(Ticket.current_queue_id, Ticket.priority, func.count(), func.min(Ticket.issued_at))
        .where(Ticket.site_id == site_id, Ticket.service_day == day, Ticket.status == TicketStatus.WAITING)
        .group_by(Ticket.current_queue_id, Ticket.priority)
    ):
        queues_with_waiting.add(qid)
        load = result.get(qid)
        if load is None:
            continue
        load.waiting += count
        if priority:
            load.waiting_priority += count
        load.oldest = oldest if load.oldest is None else min(load.oldest, oldest)
    by_counter: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(dict)
    for counter_id, qid, weight in s.execute(
        select(CounterQueue.counter_id, CounterQueue.queue_id, CounterQueue.weight)
        .join(
            CounterSession,
            (CounterSession.counter_id == CounterQueue.counter_id) & CounterSession.closed_at.is_(None),
        )
        .join(Queue, Queue.id == CounterQueue.queue_id)
        .where(
            Queue.site_id == site_id,
            Queue.active.is_(True),
            Queue.deleted_at.is_(None),
            CounterQueue.deleted_at.is_(None),
        )
    ):
        by_counter[counter_id][qid] = weight
    busy = set(
        s.scalars(
            select(Ticket.counter_id).where(Ticket.counter_id.in_(list(by_counter)), Ticket.status.in_(_AT_COUNTER))
        )
    )

    def service_time(qid: uuid.UUID) -> float:
        return times.get(s, qid, now, settings)

    for qid, load in result.items():
        serving = [weights for c, weights in by_counter.items() if weights.get(qid, 0) > 0]
        load.open_counters = len(serving)
        load.idle_counters = sum(1 for c, w in by_counter.items() if w.get(qid, 0) > 0 and c not in busy)
        if serving:
            sharing = {q for w in serving for q, x in w.items() if x > 0 and (q in queues_with_waiting or q == qid)}
            load.service_s = service_time(qid)
            load.rate = call_rate(qid, serving, queues_with_waiting, {q: service_time(q) for q in sharing})
    return result


def active_statuses(s: Session, site_id: uuid.UUID, now: datetime, times: ServiceTimes) -> list[QueueStatus]:
    """Every queue in service at the site, in kiosk order, with its live status."""
    day = local_day(now)
    local = now.astimezone(PARIS)
    settings = load_settings(s, site_id)
    queues = s.scalars(
        select(Queue)
        .where(Queue.site_id == site_id, Queue.active.is_(True), Queue.deleted_at.is_(None))
        .order_by(Queue.sort_order, Queue.letter)
    ).all()
    issued = dict(
        s.execute(
            select(Ticket.queue_id, func.count())
            .where(Ticket.site_id == site_id, Ticket.service_day == day, Ticket.status != TicketStatus.CANCELLED)
            .group_by(Ticket.queue_id)
        ).all()
    )
    by_queue = loads(s, site_id, day, now, settings, [q.id for q in queues], times)
    statuses = []
    for q in queues:
        load = by_queue[q.id]
        try:
            hours = parse_hours(q.opening_hours)
        except ValueError:
            hours, bad_hours = {}, True
        else:
            bad_hours = False
        count = issued.get(q.id, 0)
        if bad_hours:
            state, message = QueueState.CLOSED, "Horaires à vérifier par un superviseur."
        elif not is_open(hours, local):
            state, message = QueueState.CLOSED, reopening_text(next_opening(hours, local), local)
        elif q.daily_cap is not None and count >= q.daily_cap:
            state, message = QueueState.FULL, "Plus de tickets aujourd'hui pour cette file."
        else:
            state, message = QueueState.OPEN, ""
        longest = None if load.oldest is None else max(0, int((now - load.oldest).total_seconds() // 60))
        statuses.append(
            QueueStatus(
                id=q.id, letter=q.letter, name=q.name, icon=q.icon, theme_id=q.theme_id, state=state, message=message,
                waiting=load.waiting, waiting_priority=load.waiting_priority, issued_today=count,
                daily_cap=q.daily_cap, target_wait_min=q.target_wait_min,
                estimated_wait_min=load.estimate_min(load.waiting), longest_wait_min=longest,
                open_counters=load.open_counters, closes_at=None if bad_hours else closes_at(hours, local),
            )
        )  # fmt: skip
    return statuses


class QueueReads:
    """Read-only views of the queue service (mixed into ``QueueService``)."""

    _db: Database
    _clock: Callable[[], datetime]
    _times: ServiceTimes

    def queue_statuses(self, *, site_id: uuid.UUID) -> tuple[QueueStatus, ...]:
        """The site's queues for the kiosk: open / fermée / plafond atteint, people waiting, estimated wait."""
        now = self._clock()
        with self._db.read() as s:
            return tuple(active_statuses(s, site_id, now, self._times))

    def site_status(self, *, site_id: uuid.UUID) -> SiteStatus:
        """Live status of every queue and counter of a site, for the desk's overview."""
        now = self._clock()
        with self._db.read() as s:
            queues = tuple(active_statuses(s, site_id, now, self._times))
            return SiteStatus(site_id, now, queues, tuple(self._counter_statuses(s, site_id, now)))

    def ticket(self, *, ticket_id: uuid.UUID) -> TicketInfo:
        """One ticket as it is now."""
        with self._db.read() as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None or ticket.deleted_at is not None:
                raise NotFoundError("Ce ticket n'existe pas.")
            return self._info(s, ticket)

    def counter_panel(self, *, counter_id: uuid.UUID) -> CounterPanel:
        """The agent's panel: current ticket, waiting tickets of each served queue in call order, parked ones."""
        now = self._clock()
        day = local_day(now)
        with self._db.read() as s:
            counter = s.get(Counter, counter_id)
            if counter is None or counter.deleted_at is not None:
                raise NotFoundError("Ce guichet n'existe pas.")
            status = self._counter_statuses(s, counter.site_id, now, only=counter.id)[0]
            current = s.get(Ticket, status.current_ticket_id) if status.current_ticket_id else None
            served = s.execute(
                select(Queue, CounterQueue.weight)
                .join(CounterQueue, CounterQueue.queue_id == Queue.id)
                .where(
                    CounterQueue.counter_id == counter.id,
                    CounterQueue.deleted_at.is_(None),
                    Queue.active.is_(True),
                    Queue.deleted_at.is_(None),
                )
                .order_by(Queue.sort_order, Queue.letter)
            ).all()
            waiting: dict[uuid.UUID, list] = defaultdict(list)
            for row in s.execute(
                select(Ticket.id, Ticket.number, Ticket.queue_id, Ticket.current_queue_id, Ticket.priority,
                       Ticket.priority_reason, Ticket.issued_at, Ticket.appointment_at)
                .where(
                    Ticket.site_id == counter.site_id,
                    Ticket.service_day == day,
                    Ticket.status == TicketStatus.WAITING,
                    Ticket.current_queue_id.in_([q.id for q, _w in served]),
                )
            ):  # fmt: skip
                waiting[row.current_queue_id].append(row)
            settings = load_settings(s, counter.site_id)
            by_queue = loads(s, counter.site_id, day, now, settings, [q.id for q, _ in served], self._times)
            queues = []
            for q, weight in served:
                rows = {r.id: r for r in waiting[q.id]}
                ordered = call_order(
                    (Candidate(r.id, r.current_queue_id, r.issued_at, r.priority, r.appointment_at)
                     for r in rows.values()),
                    settings,
                )  # fmt: skip
                tickets = tuple(
                    WaitingTicket(
                        id=r.id, number=r.number, queue_id=q.id, priority_reason=r.priority_reason,
                        issued_at=r.issued_at, waited_min=max(0, int((now - r.issued_at).total_seconds() // 60)),
                        transferred=r.queue_id != r.current_queue_id, appointment_at=r.appointment_at,
                    )
                    for r in (rows[c.ticket_id] for c in ordered[:PANEL_LIMIT])
                )  # fmt: skip
                load = by_queue[q.id]
                queues.append(
                    PanelQueue(q.id, q.letter, q.name, weight, len(rows), tickets, load.estimate_min(load.waiting))
                )
            # Tickets parked here, and those parked at a counter closed since (someone must be able to resume them).
            open_counters = select(CounterSession.counter_id).where(CounterSession.closed_at.is_(None))
            parked = s.scalars(
                select(Ticket)
                .where(
                    Ticket.site_id == counter.site_id,
                    Ticket.service_day == day,
                    Ticket.status == TicketStatus.PARKED,
                    (Ticket.counter_id == counter.id) | Ticket.counter_id.not_in(open_counters),
                )
                .order_by(Ticket.issued_at)
            ).all()
            targets = s.execute(
                select(Queue.id, Queue.letter, Queue.name)
                .where(Queue.site_id == counter.site_id, Queue.active.is_(True), Queue.deleted_at.is_(None))
                .order_by(Queue.sort_order, Queue.letter)
            ).all()
            return CounterPanel(
                counter=status,
                current=self._info(s, current) if current is not None else None,
                queues=tuple(queues),
                parked=tuple(self._info(s, t) for t in parked),
                transfer_targets=tuple(QueueRef(*r) for r in targets),
            )

    def recent_calls(self, *, site_id: uuid.UUID, after_event_seq: int | None = None, limit: int = 10) -> CallFeed:
        """Calls, recalls and resumed tickets for the call screen, oldest first.

        Without ``after_event_seq``: the latest ``limit`` calls of today. With it: the calls after that event;
        then poll again with ``after_event_seq=feed.last_event_seq``. One indexed range read: cheap enough for
        another process to poll four times a second. Transfers, ends of visits etc. never appear here.
        """
        query = (
            select(
                TicketEvent.seq, TicketEvent.ticket_id, Ticket.number, TicketEvent.kind, TicketEvent.at,
                TicketEvent.counter_id, Counter.number, Counter.name, Queue.letter, Queue.name,
            )
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .join(Counter, Counter.id == TicketEvent.counter_id)
            .join(Queue, Queue.id == TicketEvent.queue_id)
            .where(TicketEvent.site_id == site_id, TicketEvent.kind.in_(CALL_EVENT_KINDS))
        )  # fmt: skip
        with self._db.read() as s:
            last = s.scalar(select(func.max(TicketEvent.seq)).where(TicketEvent.site_id == site_id)) or 0
            if after_event_seq is None:
                start, _end = day_bounds(local_day(self._clock()))
                rows = s.execute(
                    query.where(TicketEvent.at >= start).order_by(TicketEvent.seq.desc()).limit(limit)
                ).all()[::-1]
            else:
                rows = s.execute(
                    query.where(TicketEvent.seq > after_event_seq).order_by(TicketEvent.seq).limit(limit)
                ).all()
                if len(rows) == limit:  # more may follow: resume right after the last one returned
                    last = rows[-1][0]
                last = max(last, after_event_seq)
        return CallFeed(tuple(CallEvent(*r) for r in rows), last)

    # -- helpers shared with the write side ---------------------------------------------------------

    @staticmethod
    def _info(
        s: Session, ticket: Ticket, *, people_ahead: int | None = None, estimate_min: int | None = None
    ) -> TicketInfo:
        queue = s.get(Queue, ticket.current_queue_id)
        site = s.get(Site, ticket.site_id)
        counter = s.get(Counter, ticket.counter_id) if ticket.counter_id else None
        assert queue is not None and site is not None
        return TicketInfo(
            id=ticket.id, number=ticket.number, site_id=ticket.site_id, site_name=site.name, queue_id=queue.id,
            queue_letter=queue.letter, queue_name=queue.name, theme_id=queue.theme_id, status=ticket.status,
            priority_reason=ticket.priority_reason, issued_at=ticket.issued_at, called_at=ticket.called_at,
            started_at=ticket.started_at, finished_at=ticket.finished_at, counter_id=ticket.counter_id,
            counter_name=counter.name if counter else "", agent_id=ticket.agent_id, recall_count=ticket.recall_count,
            transferred=ticket.queue_id != ticket.current_queue_id, people_ahead=people_ahead,
            estimated_wait_min=estimate_min, appointment_at=ticket.appointment_at,
        )  # fmt: skip

    @staticmethod
    def _counter_statuses(
        s: Session, site_id: uuid.UUID, now: datetime, only: uuid.UUID | None = None
    ) -> list[CounterStatus]:
        query = select(Counter).where(Counter.site_id == site_id, Counter.deleted_at.is_(None)).order_by(Counter.number)
        if only is not None:
            query = query.where(Counter.id == only)
        counters = s.scalars(query).all()
        ids = [c.id for c in counters]
        sessions = {
            sess.counter_id: (sess, first, last)
            for sess, first, last in s.execute(
                select(CounterSession, Agent.first_name, Agent.last_name)
                .join(Agent, Agent.id == CounterSession.agent_id)
                .where(CounterSession.counter_id.in_(ids), CounterSession.closed_at.is_(None))
            )
        }
        current = {
            t.counter_id: t
            for t in s.scalars(select(Ticket).where(Ticket.counter_id.in_(ids), Ticket.status.in_(_AT_COUNTER)))
        }
        letters: dict[uuid.UUID, list[str]] = defaultdict(list)
        for counter_id, letter in s.execute(
            select(CounterQueue.counter_id, Queue.letter)
            .join(Queue, Queue.id == CounterQueue.queue_id)
            .where(
                CounterQueue.counter_id.in_(ids),
                CounterQueue.deleted_at.is_(None),
                Queue.active.is_(True),
                Queue.deleted_at.is_(None),
            )
            .order_by(Queue.letter)
        ):
            letters[counter_id].append(letter)
        served = dict(
            s.execute(
                select(Ticket.counter_id, func.count())
                .where(
                    Ticket.site_id == site_id,
                    Ticket.service_day == local_day(now),
                    Ticket.status == TicketStatus.DONE,
                    Ticket.counter_id.in_(ids),
                )
                .group_by(Ticket.counter_id)
            ).all()
        )
        result = []
        for c in counters:
            sess, first, last = sessions.get(c.id, (None, "", ""))
            t = current.get(c.id)
            result.append(
                CounterStatus(
                    id=c.id, number=c.number, name=c.name, is_open=sess is not None,
                    agent_id=sess.agent_id if sess else None, agent_name=f"{first} {last}".strip(),
                    opened_at=sess.opened_at if sess else None, current_ticket_id=t.id if t else None,
                    current_number=t.number if t else "", current_status=t.status if t else None,
                    current_since=(t.started_at or t.last_called_at) if t else None,
                    queue_letters=tuple(letters[c.id]), served_today=served.get(c.id, 0),
                )
            )  # fmt: skip
        return result
