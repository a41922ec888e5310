"""What the statistics service returns: frozen dataclasses, durations in seconds, shares between 0 and 1."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

WEEKDAYS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
WEEKDAYS_SHORT = ("Lun", "Mar", "Mer", "Jeu", "Ven", "Sam", "Dim")


@dataclass(frozen=True)
class Period:
    """Paris calendar days, ``start`` and ``end`` included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"le {self.start:%d/%m/%Y}"
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


@dataclass(frozen=True)
class SiteRef:
    id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True)
class StatsScope:
    """What a supervisor may look at: the sites of their commune."""

    commune_id: uuid.UUID
    commune_name: str
    sites: tuple[SiteRef, ...]
    home_site_id: uuid.UUID


@dataclass(frozen=True)
class Count:
    """A labelled count and its share of the total (``key``: enum value or id, for exports)."""

    key: str
    label: str
    count: int
    share: float


@dataclass(frozen=True)
class Durations:
    """Distribution of durations in seconds (median and p90 read from 30-second bins, max exact)."""

    count: int = 0
    median_s: float | None = None
    p90_s: float | None = None
    max_s: float | None = None
    mean_s: float | None = None


@dataclass(frozen=True)
class ContactStats:
    total: int
    by_channel: tuple[Count, ...]
    by_theme: tuple[Count, ...]  # parent themes of the taxonomy
    by_outcome: tuple[Count, ...]
    answered_first_share: float | None  # outcome "réponse immédiate" among all contacts
    oriented_services: tuple[Count, ...]  # top municipal services the contacts were oriented to
    oriented_bodies: tuple[Count, ...]  # top external bodies


@dataclass(frozen=True)
class TicketGroup:
    """One row of the per-queue, per-counter, per-agent or per-site tables."""

    key: str
    label: str
    issued: int  # per-queue and per-site rows; per counter / agent: tickets called there
    served: int
    no_show: int
    wait: Durations  # issue → first call (per queue and site)
    service: Durations  # call → end of the visit, served tickets
    within_target: float | None  # share of called tickets called within their queue's target
    target_wait_min: int | None = None  # queues only
    presence_h: float | None = None  # counters and agents: hours open (counter sessions)

    @property
    def no_show_rate(self) -> float | None:
        called = self.served + self.no_show
        return self.no_show / called if called else None

    @property
    def served_per_hour(self) -> float | None:
        return self.served / self.presence_h if self.presence_h else None


@dataclass(frozen=True)
class HistogramBin:
    label: str  # "0–5 min"
    low_min: int
    high_min: int | None  # None: open-ended last bin
    count: int


@dataclass(frozen=True)
class TicketStats:
    issued: int
    served: int
    no_show: int
    cancelled: int
    unserved: int  # closed at the end of the day, or still waiting / at a counter
    wait: Durations
    service: Durations
    within_target: float | None
    arrivals: tuple[tuple[int, ...], ...]  # [weekday 0 = Monday][local hour 0..23]: tickets issued
    open_days: tuple[int, ...]  # per weekday: days with at least one ticket
    wait_histogram: tuple[HistogramBin, ...]
    by_queue: tuple[TicketGroup, ...]
    by_counter: tuple[TicketGroup, ...]
    by_agent: tuple[TicketGroup, ...]

    @property
    def no_show_rate(self) -> float | None:
        called = self.served + self.no_show
        return self.no_show / called if called else None

    def arrivals_per_day(self, weekday: int, hour: int) -> float:
        days = self.open_days[weekday]
        return self.arrivals[weekday][hour] / days if days else 0.0

    @property
    def hourly_arrivals(self) -> tuple[int, ...]:
        return tuple(sum(day[h] for day in self.arrivals) for h in range(24))


@dataclass(frozen=True)
class SiteComparison:
    """Equal treatment: the same indicators for every site of the commune."""

    site_id: uuid.UUID
    code: str
    name: str
    contacts: int
    answered_first_share: float | None
    issued: int
    served: int
    wait: Durations
    service: Durations
    within_target: float | None
    no_show_rate: float | None


@dataclass(frozen=True)
class StaffingSlot:
    weekday: int  # 0 = Monday
    hour: int  # local hour: the slot is [hour, hour + 1)
    days: int  # days of this weekday with tickets in the period
    arrivals_per_hour: float
    service_s: float  # mean time at the counter per called ticket
    load_erlangs: float
    needed: int  # Erlang C advice
    open_mean: float | None  # counters open on average in the slot (None: not known)
    within_target: float | None  # observed share called within the target
    level_with_open: float | None  # share within the target Erlang C predicts with the counters open


@dataclass(frozen=True)
class StaffingAdvice:
    site_id: uuid.UUID
    site_name: str
    target_wait_min: float
    target_share: float
    open_source: str  # where "open" comes from, said in French
    slots: tuple[StaffingSlot, ...]  # slots with arrivals, by weekday then hour

    @property
    def understaffed(self) -> tuple[StaffingSlot, ...]:
        return tuple(s for s in self.slots if s.open_mean is not None and s.open_mean + 0.5 < s.needed)


@dataclass(frozen=True)
class Days:
    """Distribution of delays in whole calendar days (nearest-rank median and p90, exact max)."""

    count: int = 0
    median: int | None = None
    p90: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class RequestGroup:
    """Follow-up requests opened in the period, as they stand now: one row per service, per site, or all."""

    key: str
    label: str
    opened: int
    answered: int  # an answer was given (répondue, or clôturée after it)
    answered_late: int  # answered after the deadline
    open_overdue: int  # still owed an answer, deadline passed
    open_in_time: int  # still owed an answer, deadline not passed
    dropped: int  # classées sans suite: no answer owed any more
    delay: Days  # from the day received to the day answered

    @property
    def answered_in_time_share(self) -> float | None:
        """Answered by the deadline, among the answered ones."""
        return (self.answered - self.answered_late) / self.answered if self.answered else None

    @property
    def overdue_share(self) -> float | None:
        """Answered late or still waiting past the deadline, among the requests that owe an answer."""
        owed = self.opened - self.dropped
        return (self.answered_late + self.open_overdue) / owed if owed else None


@dataclass(frozen=True)
class RequestStats:
    total: RequestGroup
    by_service: tuple[RequestGroup, ...]  # the service that must answer
    by_site: tuple[RequestGroup, ...]  # the site that opened them, every site of the commune (equal treatment)
    by_channel: tuple[RequestGroup, ...]  # how they reached the town (a letter's: its answer delay)


@dataclass(frozen=True)
class MailGroup:
    """The mail register over the period: one row per site and direction, or all."""

    key: str
    label: str
    direction: str  # MailDirection value, "" for both
    count: int
    registered: int  # recommandés
    same_day: int  # registered on the day received (arrivals) or sent (departures)
    registration: Days  # from the letter's date to its registration
    opened_requests: int  # arrivals that opened (or joined) a follow-up request

    @property
    def same_day_share(self) -> float | None:
        return self.same_day / self.count if self.count else None


@dataclass(frozen=True)
class MailStats:
    incoming: MailGroup
    outgoing: MailGroup
    by_type: tuple[tuple[str, int, int], ...]  # (type label, arrivals, departures)
    by_site: tuple[MailGroup, ...]  # every site of the commune, arrivals then departures


@dataclass(frozen=True)
class AppointmentGroup:
    """Appointments whose time fell in the period, as they stand now: one row per site, per kind, or all."""

    key: str
    label: str
    booked: int  # not cancelled
    checked_in: int  # came (« honorés »), late ones included
    late: int  # came after the grace time: served as walk-ins
    missed: int  # never came (« non venus »), marked at the day's close
    cancelled: int
    waiting: int  # still to come (today or later in the period)

    @property
    def missed_rate(self) -> float | None:
        """Never came, among those whose time has passed (came or not)."""
        due = self.checked_in + self.missed
        return self.missed / due if due else None


@dataclass(frozen=True)
class AppointmentStats:
    total: AppointmentGroup
    by_site: tuple[AppointmentGroup, ...]  # every site of the commune
    by_kind: tuple[AppointmentGroup, ...]


@dataclass(frozen=True)
class StatsReport:
    scope_label: str  # "Hôtel de ville" or "Vénissieux — tous les sites"
    commune_name: str
    site_id: uuid.UUID | None  # None: the whole commune
    period: Period
    generated_at: datetime
    generated_by: str
    contacts: ContactStats
    tickets: TicketStats
    sites: tuple[SiteComparison, ...]
    staffing: tuple[StaffingAdvice, ...]
    requests: RequestStats | None = None  # None: a report built without them (tests of the queue figures)
    mail: MailStats | None = None
    appointments: AppointmentStats | None = None
    not_tracked: tuple[str, ...] = field(default=())  # what the figures leave out, said next to them
