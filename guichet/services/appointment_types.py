"""What the appointment service returns: frozen dataclasses for the desk's « Rendez-vous » page, the booking
dialog, the letters and the messages. Nothing here reaches the kiosk (it gets a TicketInfo)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from guichet.domain import (
    AppointmentStatus,
    Channel,
    ConfirmationChannel,
    DispatchStatus,
    NoticeKind,
    PreferredChannel,
)
from guichet.services.appointment_rules import Slot
from guichet.services.queue_types import TicketInfo

__all__ = [
    "AgendaDay",
    "AgendaInfo",
    "AppointmentCounts",
    "AppointmentDocument",
    "AppointmentRow",
    "Board",
    "BookingResult",
    "CheckInResult",
    "ClosureInfo",
    "KindInfo",
    "NoticeRow",
    "Slot",
    "Standing",
]


@dataclass(frozen=True)
class KindInfo:
    id: uuid.UUID
    agenda_id: uuid.UUID
    name: str
    duration_min: int
    capacity: int
    documents: tuple[str, ...]  # what to bring
    active: bool

    @property
    def label(self) -> str:
        counters = f", {self.capacity} guichets" if self.capacity > 1 else ""
        return f"{self.name} ({self.duration_min} min{counters})"


@dataclass(frozen=True)
class ClosureInfo:
    id: uuid.UUID
    first_day: date
    last_day: date
    reason: str


@dataclass(frozen=True)
class AgendaInfo:
    """An agenda and what it offers. ``bookable_here``: the agenda belongs to the asking desk's site (only that
    site hands out its places)."""

    id: uuid.UUID
    site_id: uuid.UUID
    site_name: str
    site_phone: str
    service_id: uuid.UUID
    service_name: str
    name: str
    queue_id: uuid.UUID | None
    queue_name: str
    opening_hours: str
    hours_text: str
    location: str
    early_min: int
    late_min: int
    horizon_days: int
    active: bool
    kinds: tuple[KindInfo, ...]
    closures: tuple[ClosureInfo, ...]
    bookable_here: bool = True

    @property
    def label(self) -> str:
        return self.name if self.bookable_here else f"{self.name} — {self.site_name}"


class Standing(StrEnum):
    """Where an appointment stands for the desk, now (its status plus the clock)."""

    EXPECTED = "attendu"
    LATE = "en_retard"  # booked, its time passed, not checked in yet
    CHECKED_IN = "arrive"
    MISSED = "non_venu"
    CANCELLED = "annule"

    @property
    def label(self) -> str:
        return {
            Standing.EXPECTED: "Attendu",
            Standing.LATE: "En retard",
            Standing.CHECKED_IN: "Arrivé",
            Standing.MISSED: "Non venu",
            Standing.CANCELLED: "Annulé",
        }[self]


@dataclass(frozen=True)
class AppointmentRow:
    id: uuid.UUID
    code: str
    site_id: uuid.UUID
    site_name: str
    agenda_id: uuid.UUID
    agenda_name: str
    kind_id: uuid.UUID
    kind_name: str
    citizen_id: uuid.UUID
    citizen_name: str  # "Mme BENALI Aïcha"
    citizen_phone: str  # as shown ("06 12 34 56 78")
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    standing: Standing
    channel: Channel
    confirmation: ConfirmationChannel
    booked_at: datetime
    booked_by: str  # the agent's name
    moves: int
    checked_in_at: datetime | None
    arrived_late: bool
    ticket_id: uuid.UUID | None
    ticket_number: str  # "" when the ticket is not on this site's database
    cancel_reason: str
    notes: str

    @property
    def qr_payload(self) -> str:
        from guichet.services.appointment_rules import qr_payload

        return qr_payload(self.code)


@dataclass(frozen=True)
class NoticeRow:
    id: uuid.UUID
    appointment_id: uuid.UUID
    kind: NoticeKind
    channel: PreferredChannel
    address: str
    status: DispatchStatus
    attempts: int
    last_error: str
    sent_at: datetime | None


@dataclass(frozen=True)
class BookingResult:
    """A booking (or a move) done: the appointment, and how its confirmation goes out.

    ``notice``: an e-mail or SMS queued in the same transaction, to hand to the notifier now;
    ``print_job_id``: the printed receipt queued for the desk's printer; ``letter_due``: print the PDF letter.
    ``message``: what the desk says, in French.
    """

    appointment: AppointmentRow
    notice: NoticeRow | None
    print_job_id: uuid.UUID | None
    letter_due: bool
    message: str


@dataclass(frozen=True)
class CheckInResult:
    appointment: AppointmentRow
    ticket: TicketInfo


@dataclass(frozen=True)
class AgendaDay:
    """One day of an agenda for the grid: why it is closed, or each kind's slots (full ones too)."""

    day: date
    closed_reason: str
    slots: dict[uuid.UUID, tuple[Slot, ...]]  # by kind id
    appointments: tuple[AppointmentRow, ...]  # of that day, cancelled ones too, by time


@dataclass(frozen=True)
class AppointmentCounts:
    booked: int  # every appointment of the period that was not cancelled
    checked_in: int
    late: int  # checked in after the grace
    missed: int
    cancelled: int
    waiting: int  # still to come (or not checked in yet)

    @property
    def missed_rate(self) -> float | None:
        """Share of the appointments that were due (checked in or missed) where nobody came."""
        due = self.checked_in + self.missed
        return self.missed / due if due else None


@dataclass(frozen=True)
class Board:
    """Today at a site (or one agenda): who is expected next, who is late, who checked in; and the counts."""

    at: datetime
    expected: tuple[AppointmentRow, ...]
    late: tuple[AppointmentRow, ...]
    checked_in: tuple[AppointmentRow, ...]
    counts: AppointmentCounts


@dataclass(frozen=True)
class AppointmentDocument:
    """Everything a confirmation says (letter, e-mail, SMS, receipt)."""

    appointment_id: uuid.UUID
    code: str
    qr_payload: str
    status: AppointmentStatus
    commune_id: uuid.UUID
    commune_name: str
    site_name: str
    site_address: str
    site_phone: str
    agenda_name: str
    location: str
    service_name: str
    service_phone: str
    service_email: str
    kind_name: str
    duration_min: int
    documents: tuple[str, ...]
    starts_at: datetime
    early_min: int
    late_min: int
    citizen_formal_name: str  # "Madame Aïcha Benali"
    citizen_civility: str  # "Madame", "Monsieur" or ""
    citizen_address_lines: tuple[str, ...]
    cancel_reason: str
