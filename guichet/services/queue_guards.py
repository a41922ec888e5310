"""Guards and journal of the queue service: what a step requires, said in French, and the event log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guichet.domain import PriorityReason, TicketEventKind, TicketStatus
from guichet.models import Agent, Counter, CounterSession, Queue, Ticket, TicketEvent
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.queue_policy import Hours, parse_hours

AT_COUNTER = (TicketStatus.CALLED, TicketStatus.IN_SERVICE)
OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.IN_SERVICE, TicketStatus.PARKED)

# "Le ticket A042 ne peut pas être terminé : il est <phrase>."
_PHRASE = {
    TicketStatus.WAITING: "en attente et n'a pas encore été appelé",
    TicketStatus.CALLED: "déjà appelé",
    TicketStatus.IN_SERVICE: "déjà en cours de traitement",
    TicketStatus.PARKED: "mis de côté (utilisez « Reprendre »)",
    TicketStatus.DONE: "déjà terminé",
    TicketStatus.NO_SHOW: "déclaré absent",
    TicketStatus.CANCELLED: "annulé",
    TicketStatus.CLOSED: "clos en fin de journée",
}


class EventLog:
    """Appends ticket events of one transaction, numbering them after the site's last one."""

    def __init__(self, s: Session, site_id: uuid.UUID, at: datetime) -> None:
        self._s, self._site_id, self._at = s, site_id, at
        self._next: int | None = None

    def add(
        self,
        ticket: Ticket,
        kind: TicketEventKind,
        *,
        agent_id: uuid.UUID | None = None,
        counter_id: uuid.UUID | None = None,
        from_queue_id: uuid.UUID | None = None,
        reason: str = "",
    ) -> None:
        if self._next is None:
            last = self._s.scalar(select(func.max(TicketEvent.seq)).where(TicketEvent.site_id == self._site_id))
            self._next = (last or 0) + 1
        self._s.add(
            TicketEvent(
                site_id=self._site_id, seq=self._next, ticket_id=ticket.id, kind=kind, at=self._at,
                queue_id=ticket.current_queue_id, from_queue_id=from_queue_id, counter_id=counter_id,
                agent_id=agent_id, reason=reason,
            )
        )  # fmt: skip
        self._next += 1


def parse_priority(value: PriorityReason | str | None) -> PriorityReason | None:
    if value is None or value == "":
        return None
    try:
        return PriorityReason(value)
    except ValueError:
        raise ValidationError({"priority_reason": "Motif de priorité inconnu."}) from None


def queue_hours(queue: Queue) -> Hours | None:
    try:
        return parse_hours(queue.opening_hours)
    except ValueError:
        raise NotAllowedError(
            f"Les horaires de la file « {queue.name} » sont mal renseignés : prévenez un superviseur."
        ) from None


def get_counter(s: Session, counter_id: uuid.UUID) -> Counter:
    counter = s.get(Counter, counter_id)
    if counter is None or counter.deleted_at is not None:
        raise NotFoundError("Ce guichet n'existe pas.")
    return counter


def open_session(s: Session, counter_id: uuid.UUID) -> CounterSession | None:
    return s.scalar(
        select(CounterSession).where(CounterSession.counter_id == counter_id, CounterSession.closed_at.is_(None))
    )


def current_ticket(s: Session, counter_id: uuid.UUID) -> Ticket | None:
    return s.scalar(select(Ticket).where(Ticket.counter_id == counter_id, Ticket.status.in_(AT_COUNTER)).limit(1))


def agent_name(s: Session, agent_id: uuid.UUID) -> str:
    agent = s.get(Agent, agent_id)
    return f"{agent.first_name} {agent.last_name}" if agent else "un autre agent"


def check_status(ticket: Ticket, verb: str, allowed: tuple[TicketStatus, ...]) -> None:
    if ticket.status not in allowed:
        raise NotAllowedError(f"Le ticket {ticket.number} ne peut pas être {verb} : il est {_PHRASE[ticket.status]}.")


def get_ticket(
    s: Session, ticket_id: uuid.UUID, counter: Counter, verb: str, allowed: tuple[TicketStatus, ...]
) -> Ticket:
    """The ticket, checked to be of the counter's site, in an allowed status, and at this counter if it is at one."""
    ticket = s.get(Ticket, ticket_id)
    if ticket is None or ticket.deleted_at is not None or ticket.site_id != counter.site_id:
        raise NotFoundError("Ce ticket n'existe pas sur ce site.")
    check_status(ticket, verb, allowed)
    if ticket.status in AT_COUNTER and ticket.counter_id != counter.id:
        other = s.get(Counter, ticket.counter_id) if ticket.counter_id else None
        raise NotAllowedError(
            f"Le ticket {ticket.number} est pris en charge à « {other.name if other else 'un autre guichet'} »."
        )
    return ticket
