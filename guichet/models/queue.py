"""Waiting queues: queues of a site, which counters serve them, counter sessions, tickets and their history.

The enumerations (ticket status, priority reason, event kind) are in ``guichet.domain`` so the UI can
use them; they are re-exported here for the code that already imports them from the models.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from guichet.domain import PriorityReason, TicketEventKind, TicketStatus
from guichet.models.base import Base, Entity
from guichet.models.reference import enum_column

# What the call screen shows: the events that ask a citizen to come to a counter.
CALL_EVENT_KINDS = (
    TicketEventKind.CALLED,
    TicketEventKind.CALLED_BY_NUMBER,
    TicketEventKind.RECALLED,
    TicketEventKind.RESUMED,
)


class Queue(Entity, Base):
    """A waiting line of a site: its letter prefixes ticket numbers ("A042")."""

    __tablename__ = "queue"
    __table_args__ = (UniqueConstraint("site_id", "letter"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    letter: Mapped[str] = mapped_column(String(1))
    name: Mapped[str] = mapped_column(String(100))
    theme_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("theme.id"))
    # When the kiosk issues tickets, as JSON: {"mon": ["08:30-12:00", "13:30-16:45"], "sat": [...]}.
    # Empty text: tickets are issued at any time.
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    daily_cap: Mapped[int | None] = mapped_column(default=None)
    target_wait_min: Mapped[int] = mapped_column(default=15)
    icon: Mapped[str] = mapped_column(String(50), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class SiteQueueSettings(Entity, Base):
    """Rules of the call policy for one site; a site without a row uses the defaults of ``QueueSettings``."""

    __tablename__ = "site_queue_settings"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), unique=True)
    max_wait_min: Mapped[int] = mapped_column(default=60)
    priority_burst: Mapped[int] = mapped_column(default=3)
    default_service_s: Mapped[int] = mapped_column(default=360)
    recall_cooldown_s: Mapped[int] = mapped_column(default=10)


class CounterQueue(Entity, Base):
    """A queue a counter serves, with the counter's weight for it."""

    __tablename__ = "counter_queue"
    __table_args__ = (UniqueConstraint("counter_id", "queue_id"),)

    counter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counter.id"))
    queue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("queue.id"), index=True)
    weight: Mapped[int] = mapped_column(default=1)


class CounterSession(Entity, Base):
    """An agent at a counter: the counter is open while ``closed_at`` is empty."""

    __tablename__ = "counter_session"
    __table_args__ = (
        Index("ix_counter_session_counter_closed", "counter_id", "closed_at"),
        Index("ix_counter_session_agent_closed", "agent_id", "closed_at"),
    )

    counter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counter.id"))
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Ticket(Entity, Base):
    """One visit. ``queue_id`` numbers it for the day; ``current_queue_id`` is where it waits or is served."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("queue_id", "service_day", "seq"),
        Index("ix_ticket_site_day_status", "site_id", "service_day", "status"),
        Index("ix_ticket_current_queue_status_finished", "current_queue_id", "status", "finished_at"),
        Index("ix_ticket_counter_status", "counter_id", "status"),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    queue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("queue.id"))
    current_queue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("queue.id"))
    service_day: Mapped[date]  # Paris calendar day of issue: numbering restarts every day
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(8))  # "A042", kept as printed even if the queue's letter changes
    priority: Mapped[bool] = mapped_column(default=False)
    priority_reason: Mapped[PriorityReason | None] = mapped_column(enum_column(PriorityReason), default=None)
    status: Mapped[TicketStatus] = mapped_column(enum_column(TicketStatus))
    issued_at: Mapped[datetime]  # arrival: kept through transfers, orders the queue
    called_at: Mapped[datetime | None] = mapped_column(default=None)
    last_called_at: Mapped[datetime | None] = mapped_column(default=None)  # last call or recall
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)  # done, no-show, cancelled or closed
    recall_count: Mapped[int] = mapped_column(default=0)
    counter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("counter.id"))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    close_reason: Mapped[str] = mapped_column(Text, default="")
    # Checked in for an appointment: its time, which the call policy serves it at (None: a walk-in).
    appointment_at: Mapped[datetime | None] = mapped_column(default=None)


class TicketEvent(Entity, Base):
    """Append-only history of tickets; statistics are computed from it.

    ``seq`` increases with every event of a site, in commit order (it is taken under the write lock),
    so a screen can ask "what happened after event 1234?" without missing a late commit.
    """

    __tablename__ = "ticket_event"
    __table_args__ = (
        UniqueConstraint("site_id", "seq"),
        Index("ix_ticket_event_counter_at", "counter_id", "at"),
        Index("ix_ticket_event_site_at", "site_id", "at"),
    )

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    seq: Mapped[int]
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ticket.id"), index=True)
    kind: Mapped[TicketEventKind] = mapped_column(enum_column(TicketEventKind))
    at: Mapped[datetime]
    queue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("queue.id"))  # the ticket's queue after the event
    from_queue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("queue.id"))  # transfers only
    counter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("counter.id"))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
