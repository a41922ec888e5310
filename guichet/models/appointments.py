"""Appointments: a site's agendas (one per service), the kinds of appointment they offer, their closures, the
appointments booked and the messages that confirmed them.

Every row carries the commune and the agenda's site: the commune's sites all read them (a citizen may call
any desk about their appointment), and only the agenda's own site writes them (see
``guichet.services.appointments``: that is what keeps a place from being handed out twice offline).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from guichet.domain import (
    AppointmentStatus,
    Channel,
    ConfirmationChannel,
    DispatchStatus,
    NoticeKind,
    PreferredChannel,
)
from guichet.models.base import Base, Entity
from guichet.models.reference import enum_column


class AppointmentAgenda(Entity, Base):
    """The appointments of one service at one site: when it receives, where, and the queue arrivals join."""

    __tablename__ = "appointment_agenda"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipal_service.id"))
    name: Mapped[str] = mapped_column(String(120))
    # The queue a checked-in citizen's ticket joins (a queue of the same site).
    queue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("queue.id"))
    # When appointments are given, in the queues' format: {"mon": ["08:30-12:00", "13:30-16:30"], ...}.
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")  # "Rez-de-chaussée, guichets 1 et 2"
    early_min: Mapped[int] = mapped_column(default=30)  # check-in opens this long before the time
    late_min: Mapped[int] = mapped_column(default=15)  # after this, the arrival is served as a walk-in
    horizon_days: Mapped[int] = mapped_column(default=90)  # how far ahead appointments are given
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class AppointmentKind(Entity, Base):
    """What a citizen comes for: its length, and how many citizens the agenda receives at once for it."""

    __tablename__ = "appointment_kind"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    agenda_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointment_agenda.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    duration_min: Mapped[int]
    capacity: Mapped[int] = mapped_column(default=1)  # counters receiving this kind in parallel
    documents: Mapped[str] = mapped_column(Text, default="")  # what to bring, one item per line
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class AppointmentClosure(Entity, Base):
    """Days an agenda gives no appointment (holidays of the service, training...), both ends included."""

    __tablename__ = "appointment_closure"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    agenda_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointment_agenda.id"), index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")


class Appointment(Entity, Base):
    """A citizen expected at ``starts_at``. ``code`` (6 characters, unique at its site) is on the confirmation
    and opens the check-in at the kiosk."""

    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("site_id", "code"),
        Index("ix_appointment_kind_starts", "kind_id", "starts_at"),
        Index("ix_appointment_agenda_starts", "agenda_id", "starts_at"),
        Index("ix_appointment_site_starts", "site_id", "starts_at"),
    )

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    agenda_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointment_agenda.id"))
    kind_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointment_kind.id"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizen.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    code: Mapped[str] = mapped_column(String(8))
    status: Mapped[AppointmentStatus] = mapped_column(enum_column(AppointmentStatus))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))  # how it was asked for (phone, at the desk)
    confirmation: Mapped[ConfirmationChannel] = mapped_column(enum_column(ConfirmationChannel))
    booked_at: Mapped[datetime]
    booked_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    moves: Mapped[int] = mapped_column(default=0)  # times it was moved to another slot
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    arrived_late: Mapped[bool] = mapped_column(default=False)  # checked in after the grace: served as a walk-in
    # The ticket of the check-in. No foreign key: tickets stay on their site, appointments are the commune's.
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    missed_at: Mapped[datetime | None] = mapped_column(default=None)
    notes: Mapped[str] = mapped_column(Text, default="")


class AppointmentNotice(Entity, Base):
    """A message about an appointment sent over the network (e-mail, SMS): queued in the booking's
    transaction, then sent by ``guichet.notify.appointments`` which records the outcome."""

    __tablename__ = "appointment_notice"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    appointment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointment.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    channel: Mapped[PreferredChannel] = mapped_column(enum_column(PreferredChannel))
    address: Mapped[str] = mapped_column(String(300))
    status: Mapped[DispatchStatus] = mapped_column(enum_column(DispatchStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    external_id: Mapped[str] = mapped_column(String(200), default="")
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
