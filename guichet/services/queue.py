"""Waiting queues: tickets from the kiosk to the counter, counters opened and closed, the day's end.

Life of a ticket (every step is one transaction and one line of ``ticket_event``)::

    issued ──▶ waiting ──call──▶ called ──start──▶ in service ──finish──▶ done
                 ▲  │               │  ▲ recall       │
                 │  │               │  └─────────┐    │
                 │  │               ├─no show──▶ absent
                 │  │               ├─park─────▶ parked ──resume──▶ called (at any counter of the site)
                 │  └─cancel──▶ cancelled         (a parked ticket may be cancelled or declared absent)
                 └──── transfer (from waiting, called, in service, parked): waits in another queue,
                       keeping its number and its arrival time
    close_day: every ticket not finished becomes "closed" with the reason given.

Calling means the citizen is expected at the counter. Pressing « Accueillir » (``start_service``) marks
their arrival; when the agent goes straight to « Terminer », the ticket is done without a start time and
statistics take the call time as the start of service.

The choice made by « Appeler » is the pure function :func:`guichet.services.queue_policy.choose_next`
(its docstring states the rule). Two counters calling at the same instant are serialised by the write
lock taken at BEGIN (``Database.write``): the second sees the first's call and never gets the same ticket.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import PriorityReason, Role, TicketEventKind, TicketStatus
from guichet.models import Agent, Counter, CounterQueue, CounterSession, Queue, Site, Ticket, TicketEvent
from guichet.services.appointment_close import mark_missed_in
from guichet.services.clock import PARIS, day_bounds, local_day
from guichet.services.clock import now as system_now
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.printing import add_ticket_job
from guichet.services.queue_guards import (
    AT_COUNTER,
    OPEN_STATUSES,
    EventLog,
    agent_name,
    check_status,
    current_ticket,
    get_counter,
    get_ticket,
    open_session,
    parse_priority,
    queue_hours,
)
from guichet.services.queue_policy import (
    SHARE_WINDOW,
    Candidate,
    PastCall,
    QueueSettings,
    choose_next,
    is_open,
    next_opening,
    reopening_text,
)
from guichet.services.queue_status import QueueReads, ServiceTimes, load_settings, loads
from guichet.services.queue_types import (
    NO_TICKET_MESSAGE,
    CallEvent,
    CallFeed,
    CounterPanel,
    CounterStatus,
    DayClosure,
    PanelQueue,
    QueueRef,
    QueueState,
    QueueStatus,
    SiteStatus,
    TicketInfo,
    WaitingTicket,
)

__all__ = [
    "NO_TICKET_MESSAGE",
    "CallEvent",
    "CallFeed",
    "CounterPanel",
    "CounterStatus",
    "DayClosure",
    "PanelQueue",
    "PriorityReason",
    "QueueRef",
    "QueueService",
    "QueueSettings",
    "QueueState",
    "QueueStatus",
    "SiteStatus",
    "TicketEventKind",
    "TicketInfo",
    "TicketStatus",
    "WaitingTicket",
]

_CALLS = (TicketEventKind.CALLED, TicketEventKind.CALLED_BY_NUMBER)
PAST_DAY_REASON = "Clôture automatique : ticket resté ouvert un jour précédent"
_NUMBER = re.compile(r"^\s*([A-Za-z])\s*-?\s*(\d{1,4})\s*$")


class QueueService(QueueReads):
    """Tickets, counters and the call policy. ``clock`` gives the current instant (tests pass a fake one)."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = system_now) -> None:
        self._db = db
        self._clock = clock
        self._times = ServiceTimes()

    # -- kiosk -------------------------------------------------------------------------------------

    def issue_ticket(
        self,
        *,
        site_id: uuid.UUID,
        queue_id: uuid.UUID,
        priority_reason: PriorityReason | str | None = None,
        print_on: str | None = None,
    ) -> TicketInfo:
        """Take a ticket in a queue (kiosk): refused when the queue is closed or its daily cap is reached.

        With ``print_on`` (the kiosk printer's key), the ticket's print job is written in the same transaction:
        both exist or neither does, and the ticket stays valid whatever the printer does afterwards.
        """
        reason = parse_priority(priority_reason)
        with self._db.write() as s:
            now = self._locked_now(s)
            day = local_day(now)
            queue = s.get(Queue, queue_id)
            if queue is None or queue.deleted_at is not None or queue.site_id != site_id:
                raise NotFoundError("Cette file d'attente n'existe pas sur ce site.")
            if not queue.active:
                raise NotAllowedError(f"La file « {queue.name} » n'est pas en service.")
            local = now.astimezone(PARIS)
            hours = queue_hours(queue)
            if not is_open(hours, local):
                reopen = reopening_text(next_opening(hours, local), local)
                raise NotAllowedError(f"La file « {queue.name} » est fermée en ce moment. {reopen}".strip())
            issued = s.scalar(
                select(func.count()).where(
                    Ticket.queue_id == queue.id, Ticket.service_day == day, Ticket.status != TicketStatus.CANCELLED
                )
            )
            if queue.daily_cap is not None and issued >= queue.daily_cap:
                raise NotAllowedError(
                    f"Il n'y a plus de tickets aujourd'hui pour « {queue.name} » : "
                    f"le nombre maximal du jour ({queue.daily_cap}) est atteint. Adressez-vous à l'accueil."
                )
            settings = load_settings(s, site_id)
            load = loads(s, site_id, day, now, settings, [queue.id], self._times)[queue.id]
            ahead = load.waiting_priority if reason else load.waiting
            ticket = add_ticket(s, queue, now, priority_reason=reason)
            estimate = load.estimate_min(ahead)
            info = self._info(s, ticket, people_ahead=ahead, estimate_min=estimate)
            if print_on is not None:
                job = add_ticket_job(
                    s, ticket, printer_key=print_on, people_ahead=ahead, estimated_wait_min=estimate, now=now
                )
                info = replace(info, print_job_id=job.id)
            return info

    # -- counters ----------------------------------------------------------------------------------

    def open_counter(self, *, counter_id: uuid.UUID, agent_id: uuid.UUID) -> CounterStatus:
        """Open a counter in the agent's name (an agent is at one counter at a time)."""
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = get_counter(s, counter_id)
            agent = s.get(Agent, agent_id)
            if agent is None or agent.deleted_at is not None or not agent.active:
                raise NotFoundError("Cet agent n'existe pas ou n'est plus actif.")
            current = open_session(s, counter.id)
            if current is not None:
                if current.agent_id == agent_id:
                    return self._counter_statuses(s, counter.site_id, now, only=counter.id)[0]
                raise NotAllowedError(
                    f"« {counter.name} » est déjà ouvert par {agent_name(s, current.agent_id)}. "
                    "Cet agent doit le fermer, ou un superviseur peut le fermer à sa place."
                )
            for other in s.scalars(
                select(CounterSession).where(CounterSession.agent_id == agent_id, CounterSession.closed_at.is_(None))
            ):
                busy = current_ticket(s, other.counter_id)
                if busy is not None:
                    raise NotAllowedError(
                        f"Le ticket {busy.number} est encore en cours à « {get_counter(s, other.counter_id).name} » : "
                        "terminez-le avant de changer de guichet."
                    )
                other.closed_at = now
            s.add(CounterSession(counter_id=counter.id, agent_id=agent_id, opened_at=now))
            s.flush()
            return self._counter_statuses(s, counter.site_id, now, only=counter.id)[0]

    def close_counter(self, *, counter_id: uuid.UUID, agent_id: uuid.UUID) -> CounterStatus:
        """Close a counter: by the agent at it, or by a supervisor. Refused while a ticket is at it."""
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = get_counter(s, counter_id)
            session = open_session(s, counter.id)
            if session is not None:
                if session.agent_id != agent_id:
                    closer = s.get(Agent, agent_id)
                    if closer is None or closer.role is Role.AGENT:
                        raise NotAllowedError(
                            f"« {counter.name} » est ouvert par {agent_name(s, session.agent_id)} : "
                            "seul cet agent ou un superviseur peut le fermer."
                        )
                busy = current_ticket(s, counter.id)
                if busy is not None:
                    raise NotAllowedError(
                        f"Le ticket {busy.number} est encore en cours à ce guichet : terminez-le, mettez-le de côté "
                        "ou déclarez-le absent avant de fermer."
                    )
                session.closed_at = now
                s.flush()
            return self._counter_statuses(s, counter.site_id, now, only=counter.id)[0]

    # -- calls -------------------------------------------------------------------------------------

    def call_next(self, *, counter_id: uuid.UUID, agent_id: uuid.UUID) -> TicketInfo | None:
        """Call the next ticket for this counter under the call policy; None when nobody waits."""
        with self._db.write() as s:
            now = self._locked_now(s)
            day = local_day(now)
            counter = self._ready_to_call(s, counter_id, agent_id)
            weights = dict(
                s.execute(
                    select(CounterQueue.queue_id, CounterQueue.weight)
                    .join(Queue, Queue.id == CounterQueue.queue_id)
                    .where(
                        CounterQueue.counter_id == counter.id,
                        CounterQueue.deleted_at.is_(None),
                        Queue.active.is_(True),
                        Queue.deleted_at.is_(None),
                    )
                ).all()
            )
            if not weights:
                raise NotAllowedError(
                    f"« {counter.name} » ne sert aucune file d'attente : demandez à un superviseur de le configurer."
                )
            settings = load_settings(s, counter.site_id)
            # Only the first ticket of each queue and priority class can be called: SQLite picks them
            # (the policy would pick the same among all), so Python handles a few rows, not hundreds. Appointment
            # tickets (a few dozen a day at most) all go to the policy: their order depends on when each is due.
            is_appointment = Ticket.appointment_at.is_not(None)
            rank = func.row_number().over(
                partition_by=(Ticket.current_queue_id, Ticket.priority, is_appointment),
                order_by=(func.coalesce(Ticket.appointment_at, Ticket.issued_at), Ticket.issued_at, Ticket.id),
            )
            ranked = (
                select(
                    Ticket.id,
                    Ticket.current_queue_id,
                    Ticket.issued_at,
                    Ticket.priority,
                    Ticket.appointment_at,
                    rank.label("rank"),
                )
                .where(
                    Ticket.site_id == counter.site_id,
                    Ticket.service_day == day,
                    Ticket.status == TicketStatus.WAITING,
                    Ticket.current_queue_id.in_(weights),
                )
                .subquery()
            )
            waiting = [
                Candidate(r.id, r.current_queue_id, r.issued_at, r.priority, r.appointment_at)
                for r in s.execute(
                    select(
                        ranked.c.id,
                        ranked.c.current_queue_id,
                        ranked.c.issued_at,
                        ranked.c.priority,
                        ranked.c.appointment_at,
                    ).where((ranked.c.rank == 1) | ranked.c.appointment_at.is_not(None))
                )
            ]
            start, _end = day_bounds(day)
            history = [
                PastCall(r.queue_id, r.priority, r.appointment_at is not None)
                for r in s.execute(
                    select(TicketEvent.queue_id, Ticket.priority, Ticket.appointment_at)
                    .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                    .where(TicketEvent.counter_id == counter.id, TicketEvent.kind.in_(_CALLS), TicketEvent.at >= start)
                    .order_by(TicketEvent.at.desc(), TicketEvent.seq.desc())
                    .limit(max(settings.priority_burst, settings.appointment_burst, SHARE_WINDOW))
                )
            ][::-1]
            choice = choose_next(waiting=waiting, weights=weights, history=history, now=now, settings=settings)
            if choice is None:
                return None
            ticket = s.get(Ticket, choice.ticket_id)
            assert ticket is not None and ticket.status is TicketStatus.WAITING
            self._call(s, ticket, counter, agent_id, now, TicketEventKind.CALLED, reason=choice.reason.value)
            return self._info(s, ticket)

    def call_by_number(self, *, counter_id: uuid.UUID, agent_id: uuid.UUID, number: str) -> TicketInfo:
        """Call one waiting ticket of today by its number ("A042", "a42"), out of turn."""
        match = _NUMBER.match(number or "")
        if match is None:
            raise ValidationError({"number": "Saisissez un numéro de ticket comme A042."})
        letter, seq = match.group(1).upper(), int(match.group(2))
        shown = f"{letter}{seq:03d}"
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = self._ready_to_call(s, counter_id, agent_id)
            ticket = s.scalar(
                select(Ticket)
                .join(Queue, Queue.id == Ticket.queue_id)
                .where(
                    Queue.site_id == counter.site_id,
                    Queue.letter == letter,
                    Ticket.service_day == local_day(now),
                    Ticket.seq == seq,
                )
            )
            if ticket is None:
                raise NotFoundError(f"Aucun ticket {shown} n'a été émis aujourd'hui sur ce site.")
            check_status(ticket, "appelé", (TicketStatus.WAITING,))
            self._call(s, ticket, counter, agent_id, now, TicketEventKind.CALLED_BY_NUMBER)
            return self._info(s, ticket)

    def recall(self, *, ticket_id: uuid.UUID, counter_id: uuid.UUID, agent_id: uuid.UUID) -> TicketInfo:
        """Call the current ticket again on the call screen, no sooner than the site's cool-down."""
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = self._agent_at(s, counter_id, agent_id)
            ticket = get_ticket(s, ticket_id, counter, "rappelé", (TicketStatus.CALLED,))
            cooldown = load_settings(s, counter.site_id).recall_cooldown_s
            since = (now - (ticket.last_called_at or now)).total_seconds()
            if since < cooldown:
                left = max(1, round(cooldown - since))
                raise NotAllowedError(
                    f"Le ticket {ticket.number} vient d'être appelé : patientez encore {left} s avant de le rappeler."
                )
            ticket.last_called_at = now
            ticket.recall_count += 1
            EventLog(s, ticket.site_id, now).add(
                ticket, TicketEventKind.RECALLED, agent_id=agent_id, counter_id=counter.id
            )
            return self._info(s, ticket)

    # -- at the counter ----------------------------------------------------------------------------

    def start_service(self, *, ticket_id: uuid.UUID, counter_id: uuid.UUID, agent_id: uuid.UUID) -> TicketInfo:
        """The called citizen is at the counter (« Accueillir »)."""
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = self._agent_at(s, counter_id, agent_id)
            ticket = get_ticket(s, ticket_id, counter, "accueilli", (TicketStatus.CALLED,))
            ticket.status = TicketStatus.IN_SERVICE
            ticket.started_at = now
            EventLog(s, ticket.site_id, now).add(
                ticket, TicketEventKind.STARTED, agent_id=agent_id, counter_id=counter.id
            )
            return self._info(s, ticket)

    def finish(self, *, ticket_id: uuid.UUID, counter_id: uuid.UUID, agent_id: uuid.UUID) -> TicketInfo:
        """The visit is over (« Terminer »): the contact form opens next."""
        return self._end(ticket_id, counter_id, agent_id, "terminé", AT_COUNTER, TicketStatus.DONE)

    def no_show(self, *, ticket_id: uuid.UUID, counter_id: uuid.UUID, agent_id: uuid.UUID) -> TicketInfo:
        """Nobody came after the call (or a parked citizen never came back)."""
        allowed = (TicketStatus.CALLED, TicketStatus.PARKED)
        return self._end(ticket_id, counter_id, agent_id, "déclaré absent", allowed, TicketStatus.NO_SHOW)

    def cancel(
        self, *, ticket_id: uuid.UUID, counter_id: uuid.UUID, agent_id: uuid.UUID, reason: str = ""
    ) -> TicketInfo:
        """Cancel a ticket that is waiting, called or parked (the citizen left, a misprint...)."""
        allowed = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.PARKED)
        return self._end(ticket_id, counter_id, agent_id, "annulé", allowed, TicketStatus.CANCELLED, reason)

    def park(self, *, ticket_id: uuid.UUID, counter_id: uuid.UUID, agent_id: uuid.UUID) -> TicketInfo:
        """Set the current ticket aside (the citizen fetches a paper) and free the counter for the next one."""
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = self._agent_at(s, counter_id, agent_id)
            ticket = get_ticket(s, ticket_id, counter, "mis de côté", AT_COUNTER)
            ticket.status = TicketStatus.PARKED
            EventLog(s, ticket.site_id, now).add(
                ticket, TicketEventKind.PARKED, agent_id=agent_id, counter_id=counter.id
            )
            return self._info(s, ticket)

    def resume(self, *, ticket_id: uuid.UUID, counter_id: uuid.UUID, agent_id: uuid.UUID) -> TicketInfo:
        """Call a parked ticket back, at this counter (the call screen shows it)."""
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = self._ready_to_call(s, counter_id, agent_id)
            ticket = get_ticket(s, ticket_id, counter, "repris", (TicketStatus.PARKED,))
            self._call(s, ticket, counter, agent_id, now, TicketEventKind.RESUMED, first=False)
            return self._info(s, ticket)

    def transfer(
        self, *, ticket_id: uuid.UUID, counter_id: uuid.UUID, agent_id: uuid.UUID, to_queue_id: uuid.UUID
    ) -> TicketInfo:
        """Send a ticket to wait in another queue of the site; it keeps its number and its arrival time."""
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = self._agent_at(s, counter_id, agent_id)
            allowed = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.IN_SERVICE, TicketStatus.PARKED)
            ticket = get_ticket(s, ticket_id, counter, "transféré", allowed)
            target = s.get(Queue, to_queue_id)
            if target is None or target.deleted_at is not None or target.site_id != ticket.site_id or not target.active:
                raise ValidationError({"queue": "Choisissez une file d'attente en service sur ce site."})
            if target.id == ticket.current_queue_id:
                raise ValidationError({"queue": f"Le ticket {ticket.number} est déjà dans la file « {target.name} »."})
            origin = ticket.current_queue_id
            ticket.current_queue_id = target.id
            ticket.status = TicketStatus.WAITING
            ticket.counter_id = None
            ticket.agent_id = None
            EventLog(s, ticket.site_id, now).add(
                ticket, TicketEventKind.TRANSFERRED, agent_id=agent_id, counter_id=counter.id, from_queue_id=origin
            )
            return self._info(s, ticket)

    def close_day(self, *, site_id: uuid.UUID, reason: str, agent_id: uuid.UUID | None = None) -> DayClosure:
        """End of the day: every ticket not finished is closed with ``reason``, every counter is closed, and the
        appointments of the day nobody checked in for are marked « non venu »."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": "Indiquez le motif de la clôture (ex. « Fermeture de l'accueil »)."})
        with self._db.write() as s:
            now = self._locked_now(s)
            return self._close(s, site_id, now, reason, agent_id, last_day=local_day(now), counters=True)

    def close_past_days(self, *, site_id: uuid.UUID) -> DayClosure:
        """Tickets left open on an earlier day (nobody closed the day): closed now, with a reason that says so.

        Run when a kiosk or a desk starts, so yesterday's leftovers never linger in today's statistics.
        """
        with self._db.write() as s:
            now = self._locked_now(s)
            yesterday = local_day(now) - timedelta(days=1)
            return self._close(s, site_id, now, PAST_DAY_REASON, None, last_day=yesterday, counters=False)

    def _close(
        self, s: Session, site_id: uuid.UUID, now: datetime, reason: str, agent_id: uuid.UUID | None, *,
        last_day: date, counters: bool,
    ) -> DayClosure:  # fmt: skip
        if s.get(Site, site_id) is None:
            raise NotFoundError("Ce site n'existe pas.")
        log = EventLog(s, site_id, now)
        tickets = s.scalars(
            select(Ticket)
            .where(Ticket.site_id == site_id, Ticket.service_day <= last_day, Ticket.status.in_(OPEN_STATUSES))
            .order_by(Ticket.issued_at)
        ).all()
        for ticket in tickets:
            counter_id = ticket.counter_id if ticket.status in AT_COUNTER else None
            ticket.status = TicketStatus.CLOSED
            ticket.finished_at = now
            ticket.close_reason = reason
            log.add(ticket, TicketEventKind.CLOSED, agent_id=agent_id, counter_id=counter_id, reason=reason)
        sessions = []
        if counters:
            sessions = s.scalars(
                select(CounterSession)
                .join(Counter, Counter.id == CounterSession.counter_id)
                .where(Counter.site_id == site_id, CounterSession.closed_at.is_(None))
            ).all()
            for session in sessions:
                session.closed_at = now
        _start, end = day_bounds(last_day)
        missed = mark_missed_in(s, site_id=site_id, before=end, now=now)
        return DayClosure(site_id, last_day, len(tickets), len(sessions), reason, missed)

    # -- internals ---------------------------------------------------------------------------------

    def _locked_now(self, s: Session) -> datetime:
        """The current instant, read once this transaction holds the write lock.

        Read before, a kiosk that waited for the lock would stamp an arrival earlier than the ticket
        numbered before it, and « Appeler » would then call A041 before A001.
        """
        s.connection()  # BEGIN IMMEDIATE: returns once the lock is ours
        return self._clock()

    def _end(
        self,
        ticket_id: uuid.UUID,
        counter_id: uuid.UUID,
        agent_id: uuid.UUID,
        verb: str,
        allowed: Iterable[TicketStatus],
        status: TicketStatus,
        reason: str = "",
    ) -> TicketInfo:
        kinds = {
            TicketStatus.DONE: TicketEventKind.DONE,
            TicketStatus.NO_SHOW: TicketEventKind.NO_SHOW,
            TicketStatus.CANCELLED: TicketEventKind.CANCELLED,
        }
        with self._db.write() as s:
            now = self._locked_now(s)
            counter = self._agent_at(s, counter_id, agent_id)
            ticket = get_ticket(s, ticket_id, counter, verb, tuple(allowed))
            ticket.status = status
            ticket.finished_at = now
            if status is TicketStatus.CANCELLED:
                ticket.close_reason = reason.strip()
            else:
                ticket.counter_id, ticket.agent_id = counter.id, agent_id
            EventLog(s, ticket.site_id, now).add(
                ticket, kinds[status], agent_id=agent_id, counter_id=counter.id, reason=reason.strip()
            )
            return self._info(s, ticket)

    def _agent_at(self, s: Session, counter_id: uuid.UUID, agent_id: uuid.UUID) -> Counter:
        """The counter, checked open and held by this agent."""
        counter = get_counter(s, counter_id)
        session = open_session(s, counter.id)
        if session is None:
            raise NotAllowedError(
                f"« {counter.name} » est fermé : ouvrez ce guichet avant d'appeler ou de traiter un ticket."
            )
        if session.agent_id != agent_id:
            raise NotAllowedError(
                f"« {counter.name} » est ouvert par {agent_name(s, session.agent_id)} : "
                "seul cet agent peut y appeler et traiter des tickets."
            )
        return counter

    def _ready_to_call(self, s: Session, counter_id: uuid.UUID, agent_id: uuid.UUID) -> Counter:
        counter = self._agent_at(s, counter_id, agent_id)
        busy = current_ticket(s, counter.id)
        if busy is not None:
            raise NotAllowedError(
                f"Le ticket {busy.number} est encore en cours à ce guichet : terminez-le, mettez-le de côté "
                "ou déclarez-le absent avant d'en appeler un autre."
            )
        return counter

    @staticmethod
    def _call(
        s: Session,
        ticket: Ticket,
        counter: Counter,
        agent_id: uuid.UUID,
        now: datetime,
        kind: TicketEventKind,
        *,
        first: bool = True,
        reason: str = "",
    ) -> None:
        ticket.status = TicketStatus.CALLED
        if first:
            ticket.called_at = now
        ticket.last_called_at = now
        ticket.counter_id = counter.id
        ticket.agent_id = agent_id
        EventLog(s, ticket.site_id, now).add(ticket, kind, agent_id=agent_id, counter_id=counter.id, reason=reason)


def add_ticket(
    s: Session,
    queue: Queue,
    now: datetime,
    *,
    priority_reason: PriorityReason | None = None,
    appointment_at: datetime | None = None,
) -> Ticket:
    """A new waiting ticket of ``queue`` in the caller's transaction (which holds the write lock): the next
    number of the day, the ticket and its « émis » event. The caller checked the queue may take it."""
    day = local_day(now)
    last_seq = s.scalar(select(func.max(Ticket.seq)).where(Ticket.queue_id == queue.id, Ticket.service_day == day))
    seq = (last_seq or 0) + 1
    ticket = Ticket(
        site_id=queue.site_id, queue_id=queue.id, current_queue_id=queue.id, service_day=day, seq=seq,
        number=f"{queue.letter}{seq:03d}", priority=priority_reason is not None, priority_reason=priority_reason,
        status=TicketStatus.WAITING, issued_at=now, appointment_at=appointment_at,
    )  # fmt: skip
    s.add(ticket)
    s.flush()
    EventLog(s, queue.site_id, now).add(ticket, TicketEventKind.ISSUED)
    return ticket
