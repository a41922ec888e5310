"""Pure rules of appointments: free slots, codes, the arrival rule. No database, no clock: tested on their own.

Free slots
----------
An agenda gives appointments during its opening hours (the queues' JSON format), on days that are neither a
French public holiday nor inside one of its closures, from now (a slot that has begun is gone) to its horizon.
Each kind of appointment has its own grid: slots of the kind's length, one after the other from the start of
each opening range, the last one ending by the end of the range. A slot of a kind is free while fewer than the
kind's capacity (its counters) of its appointments — booked or checked in — overlap it at any instant; kinds
do not share counters. Cancelled and missed appointments hold no place.

Arrival (check-in) rule
-----------------------
- more than ``early_min`` (30 min) before the time: refused, « revenez à partir de 10 h 00 »;
- from then until ``late_min`` (15 min) after the time: a ticket with the appointment's time, which the call
  policy serves at that time (queue rule 3);
- later the same day: a ticket like any walk-in (its arrival time), the appointment marked « arrivé en
  retard »: the citizen is received when a counter can, the place was not kept;
- another day, or an appointment cancelled, missed or already checked in: refused, saying why (a second
  check-in of the same appointment gives its ticket again).
"""

from __future__ import annotations

import bisect
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from guichet.domain import ConfirmationChannel, PreferredChannel
from guichet.services.clock import PARIS
from guichet.services.queue_policy import WEEKDAY_LABELS, Hours, clock_text
from guichet.services.workdays import public_holidays

# Letters and digits that cannot be mistaken for one another when read aloud or typed: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
QR_PREFIX = "RDV-"
_NOT_CODE = re.compile(r"[\s\-_.:/]+")

_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A fresh appointment code, e.g. "K7M4QX" (31⁶ ≈ 890 million codes: a guess finds nothing)."""
    return "".join(CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_LENGTH))


def qr_payload(code: str) -> str:
    """What the confirmation's QR code holds: "RDV-K7M4QX" (a scanner types it followed by Entrée)."""
    return QR_PREFIX + code


def normalise_code(text: str) -> str | None:
    """The code typed or scanned ("rdv-k7m4qx", " K7M 4QX "), or None when it cannot be one."""
    cleaned = _NOT_CODE.sub("", (text or "").upper())
    if cleaned.startswith("RDV") and len(cleaned) == CODE_LENGTH + 3:
        cleaned = cleaned[3:]
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


# -- French words ------------------------------------------------------------------------------------------


def day_text(day: date) -> str:
    """ "mardi 10 mars 2026" ("1er" for the first of the month)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{WEEKDAY_LABELS[day.weekday()]} {number} {_MONTHS[day.month - 1]} {day.year}"


def when_text(moment: datetime) -> str:
    """ "mardi 10 mars 2026 à 10 h 30", in Paris time."""
    local = moment.astimezone(PARIS)
    return f"{day_text(local.date())} à {clock_text(local.time())}"


def hour_text(moment: datetime) -> str:
    return clock_text(moment.astimezone(PARIS).time())


# -- slots ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A slot of one kind: [start, end), with how many places are left of its capacity."""

    start: datetime  # UTC
    end: datetime
    free: int
    capacity: int

    @property
    def is_free(self) -> bool:
        return self.free > 0


@dataclass(frozen=True)
class Closure:
    first_day: date
    last_day: date
    reason: str


def closed_reason(day: date, hours: Hours | None, closures: Iterable[Closure]) -> str:
    """Why the agenda gives no appointment that day ("" when it does)."""
    holiday = public_holidays(day.year).get(day)
    if holiday:
        return f"Jour férié : {holiday}"
    for closure in closures:
        if closure.first_day <= day <= closure.last_day:
            return f"Fermé : {closure.reason}" if closure.reason else "Fermé"
    if hours is None or not hours.get(day.weekday()):
        return f"Pas de rendez-vous le {WEEKDAY_LABELS[day.weekday()]}"
    return ""


def day_grid(day: date, hours: Hours | None, duration_min: int) -> list[tuple[datetime, datetime]]:
    """The slots of a kind one day, as UTC (start, end): from each range's start, the last ending by its end."""
    if hours is None or duration_min <= 0:
        return []
    step = timedelta(minutes=duration_min)
    grid = []
    for start, end in hours.get(day.weekday(), ()):
        at = datetime.combine(day, start, tzinfo=PARIS)
        close = datetime.combine(day, end, tzinfo=PARIS)
        while at + step <= close:  # wall-clock arithmetic: 9 h, 9 h 15... even on a DST day
            grid.append((at.astimezone(UTC), (at + step).astimezone(UTC)))
            at += step
    return grid


class Occupancy:
    """The places taken of one kind: answers "how many overlap [start, end) at most at once" quickly."""

    def __init__(self, booked: Iterable[tuple[datetime, datetime]]) -> None:
        self._spans = sorted(booked)
        self._starts = [s for s, _e in self._spans]
        self._longest = max((e - s for s, e in self._spans), default=timedelta(0))

    def taken(self, start: datetime, end: datetime) -> int:
        lo = bisect.bisect_left(self._starts, start - self._longest)
        hi = bisect.bisect_left(self._starts, end)
        overlapping = [(s, e) for s, e in self._spans[lo:hi] if e > start]
        if len(overlapping) <= 1:
            return len(overlapping)
        # Most at once: counted at the slot's start and at every start inside it.
        points = [start] + [s for s, _e in overlapping if s > start]
        return max(sum(1 for s, e in overlapping if s <= p < e) for p in points)


def slots(
    *,
    hours: Hours | None,
    closures: Sequence[Closure],
    duration_min: int,
    capacity: int,
    booked: Iterable[tuple[datetime, datetime]],
    first_day: date,
    last_day: date,
    now: datetime,
    horizon_end: datetime | None = None,
    only_free: bool = True,
) -> list[Slot]:
    """The kind's slots from ``first_day`` to ``last_day`` (Paris days), the past and the closed days left out."""
    taken = Occupancy(booked)
    found: list[Slot] = []
    day = first_day
    while day <= last_day:
        if not closed_reason(day, hours, closures):
            for start, end in day_grid(day, hours, duration_min):
                if start <= now or (horizon_end is not None and start >= horizon_end):
                    continue
                free = max(0, capacity - taken.taken(start, end))
                if free or not only_free:
                    found.append(Slot(start, end, free, capacity))
        day += timedelta(days=1)
    return found


def on_grid(start: datetime, hours: Hours | None, duration_min: int) -> tuple[datetime, datetime] | None:
    """The slot of the kind's grid beginning at ``start``, or None when no slot begins then."""
    local = start.astimezone(PARIS)
    for slot in day_grid(local.date(), hours, duration_min):
        if slot[0] == start:
            return slot
    return None


# -- arrival -----------------------------------------------------------------------------------------------


class Arrival(StrEnum):
    TOO_EARLY = "trop_tot"
    ON_TIME = "a_l_heure"  # early within the window, on time, or late within the grace
    LATE = "en_retard"  # beyond the grace: served as a walk-in
    OTHER_DAY = "autre_jour"


def arrival(now: datetime, starts_at: datetime, *, early_min: int, late_min: int) -> Arrival:
    """Where a check-in at ``now`` stands against the appointment at ``starts_at`` (the rule at the top)."""
    if now.astimezone(PARIS).date() != starts_at.astimezone(PARIS).date():
        return Arrival.OTHER_DAY
    if now < starts_at - timedelta(minutes=early_min):
        return Arrival.TOO_EARLY
    if now <= starts_at + timedelta(minutes=late_min):
        return Arrival.ON_TIME
    return Arrival.LATE


# -- confirmation ----------------------------------------------------------------------------------------------


def is_mobile(phone: str) -> bool:
    """A French mobile in E.164 (what citizen records keep): an SMS can reach it."""
    return phone.startswith(("+336", "+337"))


def default_confirmation(
    preferred: PreferredChannel | None, *, email: str, phone: str, has_address: bool, at_desk: bool
) -> ConfirmationChannel:
    """The confirmation a booking sends unless the agent picks another: the citizen's preferred channel when the
    record allows it (a phone preference gets an SMS on a mobile); else the printed receipt for a citizen at the
    desk, else a letter."""
    if preferred is PreferredChannel.EMAIL and email:
        return ConfirmationChannel.EMAIL
    if preferred in (PreferredChannel.SMS, PreferredChannel.PHONE) and is_mobile(phone):
        return ConfirmationChannel.SMS
    if at_desk:
        return ConfirmationChannel.RECEIPT
    if preferred is PreferredChannel.POST and has_address:
        return ConfirmationChannel.LETTER
    if email:
        return ConfirmationChannel.EMAIL
    if is_mobile(phone):
        return ConfirmationChannel.SMS
    return ConfirmationChannel.LETTER if has_address else ConfirmationChannel.NONE
