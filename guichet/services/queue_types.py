"""What the queue service returns: frozen dataclasses the kiosk, the counter panel and the call screen show."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from guichet.domain import PriorityReason, TicketEventKind, TicketStatus

NO_TICKET_MESSAGE = "Aucun ticket en attente."


class QueueState(StrEnum):
    OPEN = "ouverte"
    CLOSED = "fermee"
    FULL = "plafond_atteint"

    @property
    def label(self) -> str:
        return {QueueState.OPEN: "Ouverte", QueueState.CLOSED: "Fermée", QueueState.FULL: "Plafond atteint"}[self]


@dataclass(frozen=True)
class TicketInfo:
    """A ticket as the kiosk prints it and the counter panel shows it.

    ``queue_*`` describe the queue it waits in or is served by now (after a transfer: the new one);
    ``theme_id`` is that queue's theme, to prefill the contact form. ``people_ahead`` and
    ``estimated_wait_min`` are given when the ticket is issued (None: no open counter serves the queue).
    """

    id: uuid.UUID
    number: str
    site_id: uuid.UUID
    site_name: str
    queue_id: uuid.UUID
    queue_letter: str
    queue_name: str
    theme_id: uuid.UUID | None
    status: TicketStatus
    priority_reason: PriorityReason | None
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    counter_id: uuid.UUID | None
    counter_name: str
    agent_id: uuid.UUID | None
    recall_count: int
    transferred: bool
    people_ahead: int | None = None
    estimated_wait_min: int | None = None
    print_job_id: uuid.UUID | None = None  # the ticket's print job, when issue_ticket was asked to print it
    appointment_at: datetime | None = None  # checked in for an appointment: called at that time (queue rule 3)
    note: str = ""  # what the kiosk says about the check-in (« Vous êtes en retard : ... »), no personal data

    @property
    def priority(self) -> bool:
        return self.priority_reason is not None

    @property
    def status_label(self) -> str:
        return self.status.label


@dataclass(frozen=True)
class QueueStatus:
    """A queue of a site, live: for the kiosk's buttons and the desk's overview."""

    id: uuid.UUID
    letter: str
    name: str
    icon: str
    theme_id: uuid.UUID | None
    state: QueueState
    message: str  # why it is closed or full, when it reopens ("" when open)
    waiting: int
    waiting_priority: int
    issued_today: int
    daily_cap: int | None
    target_wait_min: int
    estimated_wait_min: int | None  # for a ticket taken now; None when no open counter serves the queue
    longest_wait_min: int | None  # of the tickets waiting now
    open_counters: int
    closes_at: datetime | None

    @property
    def state_label(self) -> str:
        return self.state.label

    @property
    def over_target(self) -> bool:
        return self.longest_wait_min is not None and self.longest_wait_min > self.target_wait_min


@dataclass(frozen=True)
class CounterStatus:
    id: uuid.UUID
    number: int
    name: str
    is_open: bool
    agent_id: uuid.UUID | None
    agent_name: str
    opened_at: datetime | None
    current_ticket_id: uuid.UUID | None
    current_number: str
    current_status: TicketStatus | None
    current_since: datetime | None
    queue_letters: tuple[str, ...]
    served_today: int


@dataclass(frozen=True)
class WaitingTicket:
    id: uuid.UUID
    number: str
    queue_id: uuid.UUID
    priority_reason: PriorityReason | None
    issued_at: datetime
    waited_min: int
    transferred: bool
    appointment_at: datetime | None = None  # checked in for an appointment at that time

    @property
    def priority(self) -> bool:
        return self.priority_reason is not None


@dataclass(frozen=True)
class PanelQueue:
    """A queue the counter serves, with its waiting tickets in call order (the first ``PANEL_LIMIT``)."""

    id: uuid.UUID
    letter: str
    name: str
    weight: int
    waiting_count: int
    tickets: tuple[WaitingTicket, ...]
    estimated_wait_min: int | None


@dataclass(frozen=True)
class QueueRef:
    id: uuid.UUID
    letter: str
    name: str


@dataclass(frozen=True)
class CounterPanel:
    """Everything the agent's queue panel shows, read in one go."""

    counter: CounterStatus
    current: TicketInfo | None
    queues: tuple[PanelQueue, ...]
    parked: tuple[TicketInfo, ...]
    transfer_targets: tuple[QueueRef, ...]  # active queues of the site


@dataclass(frozen=True)
class SiteStatus:
    site_id: uuid.UUID
    at: datetime
    queues: tuple[QueueStatus, ...]
    counters: tuple[CounterStatus, ...]


@dataclass(frozen=True)
class CallEvent:
    """A call for the call screen: "A042 → Guichet 3"."""

    seq: int
    ticket_id: uuid.UUID
    number: str
    kind: TicketEventKind
    at: datetime
    counter_id: uuid.UUID
    counter_number: int
    counter_name: str
    queue_letter: str
    queue_name: str

    @property
    def is_recall(self) -> bool:
        return self.kind is TicketEventKind.RECALLED


@dataclass(frozen=True)
class CallFeed:
    """Calls after a cursor; ask again with ``after_event_seq=feed.last_event_seq``."""

    calls: tuple[CallEvent, ...]
    last_event_seq: int


@dataclass(frozen=True)
class DayClosure:
    site_id: uuid.UUID
    day: date
    closed_tickets: int
    closed_counters: int
    reason: str
    missed_appointments: int = 0  # appointments of the day nobody checked in for, marked « non venu »
