"""Pure rules of the waiting queues: which ticket a counter calls next, opening hours, wait estimates.

No database and no clock here: everything comes in as arguments, so the rules are tested on their own
(property tests with hypothesis) and reused by simulations.

Call-next rule — what happens when an agent presses « Appeler » at a counter
---------------------------------------------------------------------------
Only tickets waiting today in the queues this counter serves are considered. A ticket checked in for an
appointment carries the appointment's time; it is *due* from that time minus ``appointment_lead_min`` (5 min),
or from its arrival if the citizen came later than that, and its wait is counted from then.

1. **Waited too long: first of all.** If tickets have waited longer than the site's maximum wait
   (``max_wait_min``, 60 min by default), the one that has waited longest is called, whatever its
   queue or priority.
2. **Priority tickets next, within a bound.** Otherwise, if a priority ticket (personne à mobilité
   réduite, femme enceinte, personne âgée) waits, the one that has waited longest is called — unless
   this counter's last ``priority_burst`` calls (3 by default) were all priority tickets while other
   tickets wait: then the next rules call a non-priority ticket, and the count starts again.
3. **Appointments at their time, within a bound.** Otherwise, if an appointment ticket is due, the one due
   first is called — unless this counter's last ``appointment_burst`` calls (2 by
   default) were all appointments while walk-in tickets wait: then rule 4 calls a walk-in, and the count
   starts again. So an appointment due waits only for priority tickets (within their bound) and for one
   walk-in after every ``appointment_burst`` appointments; while walk-ins wait, they get at least one call in
   every ``appointment_burst + 1`` calls of the counter that are not priority calls, and rule 1 bounds their
   wait whatever the number of appointments.
4. **Then the queues share the counter by weight and waiting time.** Each queue's first walk-in ticket
   (neither priority nor appointment) scores ``weight × (seconds waited + 60) ÷ (1 + calls of that queue among this counter's last
   12 calls)``, with the weight this counter gives to that queue; the highest score is called (ties:
   larger weight, then earlier arrival). When several queues are loaded, each gets calls roughly in
   proportion to its weight; a queue whose citizens have waited longer moves ahead; a queue the counter
   has just served a lot steps back. A queue passed over sees its score grow while the others' fall, so
   it is not forgotten; rule 1 is the hard bound on every wait.
5. **An idle counter takes early appointments.** An appointment ticket not due yet (the citizen came early)
   is called only when nobody else this counter serves waits, the earliest appointment first.

Within one queue, tickets are called in arrival order (first come, first served), priority tickets
before the others, and appointments in the order they became due; a ticket transferred from another queue
keeps its arrival time. Calls by number (« hors tour ») are the agent's choice and bypass these rules.

Estimated wait (on the kiosk's ticket and in each queue's status)
-----------------------------------------------------------------
``(people ahead + ½) ÷ calls per minute of the queue``. People ahead: the tickets waiting in the queue
(for a priority ticket, the priority ones). Calls per minute: every open counter serving the queue gives
it ``weight ÷ Σ (weight × service time)`` over the queues with someone waiting there, since rule 4 shares
calls by weight. Service time of a queue: the median of its last 20 visits of the last 14 days, each
counted from the call to the end plus the counter's turnaround to its next call (at most 3 min); pulled
towards the site's default (6 min) while the queue has fewer than 5 visits. Zero when a counter serving
the queue is free and nobody is ahead; no estimate while no open counter serves the queue.
"""

from __future__ import annotations

import json
import math
import statistics
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# Score given to a just-arrived ticket, in seconds, so that weights decide between fresh queues.
AGING_BASE_S = 60
# How many of the counter's last calls rule 4 looks at to share the counter between queues.
SHARE_WINDOW = 12


@dataclass(frozen=True)
class QueueSettings:
    """Rules of a site's queues (stored per site in ``site_queue_settings``)."""

    max_wait_min: int = 60  # 0: no maximum
    priority_burst: int = 3  # priority calls in a row at one counter while other tickets wait
    default_service_s: int = 360  # service time assumed until the queue has a history
    recall_cooldown_s: int = 10  # minimum time between two calls of one ticket
    service_history: int = 20  # services of the queue the estimate learns from
    service_history_days: int = 14
    appointment_lead_min: int = 5  # an appointment ticket is due this long before its time
    appointment_burst: int = 2  # appointment calls in a row at one counter while walk-ins wait


# -- call-next policy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket, as the policy sees it."""

    ticket_id: uuid.UUID
    queue_id: uuid.UUID
    arrived_at: datetime
    priority: bool = False
    appointment_at: datetime | None = None  # checked in for an appointment at that time


@dataclass(frozen=True)
class PastCall:
    """One of the counter's previous calls today, oldest first in the history."""

    queue_id: uuid.UUID
    priority: bool
    appointment: bool = False


class CallReason(StrEnum):
    OVERDUE = "attente_maximale"
    PRIORITY = "prioritaire"
    WEIGHTED = "ponderation"
    PRIORITY_ONLY = "seuls_prioritaires"  # the priority bound is reached but nobody else waits
    APPOINTMENT = "rendez_vous"
    APPOINTMENT_ONLY = "seuls_rendez_vous"  # the appointment bound is reached but no walk-in waits
    EARLY_APPOINTMENT = "rendez_vous_en_avance"  # nobody else waits: an early appointment is taken now


@dataclass(frozen=True)
class Choice:
    ticket_id: uuid.UUID
    queue_id: uuid.UUID
    reason: CallReason


def due_at(c: Candidate, settings: QueueSettings) -> datetime:
    """From when a ticket may be called in its turn, and its wait counts: its arrival, or for an appointment
    ``appointment_lead_min`` before its time if the citizen came earlier than that."""
    if c.appointment_at is None:
        return c.arrived_at
    return max(c.arrived_at, c.appointment_at - timedelta(minutes=settings.appointment_lead_min))


def order_key(c: Candidate, settings: QueueSettings) -> tuple[datetime, datetime, datetime, str]:
    """Order within a class: by the time the ticket counts from (arrival; for an appointment, when it became
    due), then the appointment's time, arrival, id. Rule 1's "waited longest" is the same order."""
    return due_at(c, settings), c.appointment_at or c.arrived_at, c.arrived_at, str(c.ticket_id)


def priority_streak(history: Sequence[PastCall]) -> int:
    """How many of the last calls in a row were priority tickets."""
    n = 0
    for call in reversed(history):
        if not call.priority:
            break
        n += 1
    return n


def appointment_streak(history: Sequence[PastCall]) -> int:
    """How many of the last calls in a row were appointment tickets."""
    n = 0
    for call in reversed(history):
        if not call.appointment:
            break
        n += 1
    return n


def choose_next(
    *,
    waiting: Iterable[Candidate],
    weights: Mapping[uuid.UUID, int],
    history: Sequence[PastCall],
    now: datetime,
    settings: QueueSettings,
) -> Choice | None:
    """The ticket a counter calls next under the rule of this module's docstring, or None if none waits.

    ``weights`` are the counter's weights by queue (queues absent or with weight <= 0 are not served);
    ``history`` the counter's calls of the day, oldest first (only the last ``SHARE_WINDOW`` matter).
    """

    def _order(c: Candidate) -> tuple[datetime, datetime, datetime, str]:
        return order_key(c, settings)

    # Only the head of each (queue, priority, appointment) class can be called: keep those.
    heads: dict[tuple[uuid.UUID, bool, bool], Candidate] = {}
    for c in waiting:
        if weights.get(c.queue_id, 0) <= 0:
            continue
        key = (c.queue_id, c.priority, c.appointment_at is not None)
        best = heads.get(key)
        if best is None or order_key(c, settings) < order_key(best, settings):
            heads[key] = c
    if not heads:
        return None

    if settings.max_wait_min > 0:
        limit = now - timedelta(minutes=settings.max_wait_min)
        overdue = [c for c in heads.values() if due_at(c, settings) < limit]
        if overdue:
            c = min(overdue, key=_order)
            return Choice(c.ticket_id, c.queue_id, CallReason.OVERDUE)

    priority = [c for c in heads.values() if c.priority]
    walk_ins = [c for c in heads.values() if not c.priority and c.appointment_at is None]
    appointments = [c for c in heads.values() if not c.priority and c.appointment_at is not None]
    due = [c for c in appointments if due_at(c, settings) <= now]
    within_bound = priority_streak(history) < settings.priority_burst
    if priority and (within_bound or not (walk_ins or due)):
        c = min(priority, key=_order)
        return Choice(c.ticket_id, c.queue_id, CallReason.PRIORITY if within_bound else CallReason.PRIORITY_ONLY)

    if due:
        in_bound = appointment_streak(history) < settings.appointment_burst
        if in_bound or not walk_ins:
            c = min(due, key=_order)
            return Choice(c.ticket_id, c.queue_id, CallReason.APPOINTMENT if in_bound else CallReason.APPOINTMENT_ONLY)

    if not walk_ins:  # then nothing is due and no priority ticket waits (rules 2 and 3): only early appointments
        c = min(appointments, key=_order)
        return Choice(c.ticket_id, c.queue_id, CallReason.EARLY_APPOINTMENT)

    recent = Counter(call.queue_id for call in history[-SHARE_WINDOW:])

    def score(c: Candidate) -> tuple[float, int, float, str]:
        waited = max(0.0, (now - c.arrived_at).total_seconds())
        weight = weights[c.queue_id]
        share = weight * (waited + AGING_BASE_S) / (1 + recent[c.queue_id])
        return share, weight, -c.arrived_at.timestamp(), str(c.ticket_id)

    c = max(walk_ins, key=score)
    return Choice(c.ticket_id, c.queue_id, CallReason.WEIGHTED)


def call_order(waiting: Iterable[Candidate], settings: QueueSettings | None = None) -> list[Candidate]:
    """Tickets of one queue in about the order the queue calls them: priority first, then walk-ins and
    appointments by the time they count from (arrival, or when the appointment became due)."""
    rules = settings or QueueSettings()
    return sorted(waiting, key=lambda c: (not c.priority, *order_key(c, rules)))


# -- opening hours ---------------------------------------------------------------------------------

Hours = dict[int, tuple[tuple[time, time], ...]]  # ISO weekday - 1 (0 = Monday) -> ranges


def _parse_time(text: str) -> time:
    hh, _, mm = text.strip().partition(":")
    return time(int(hh), int(mm or 0))


def parse_hours(text: str) -> Hours | None:
    """Opening hours from their JSON text; None means always open. Raises ValueError (in French)."""
    if not text.strip():
        return None
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError
        hours: Hours = {}
        for key, ranges in data.items():
            day = WEEKDAYS.index(key)
            parsed = []
            for item in ranges:
                start_text, end_text = item.split("-")
                start, end = _parse_time(start_text), _parse_time(end_text)
                if not start < end:
                    raise ValueError
                parsed.append((start, end))
            hours[day] = tuple(sorted(parsed))
    except (ValueError, TypeError, AttributeError, json.JSONDecodeError):
        raise ValueError(
            'Horaires non valables : écrivez par exemple {"mon": ["08:30-12:00", "13:30-17:00"]}.'
        ) from None
    return hours


def dump_hours(hours: Mapping[str, Sequence[str]]) -> str:
    """JSON text of hours given as {"mon": ["08:30-12:00", ...]} (validated)."""
    text = json.dumps({k: list(v) for k, v in hours.items()}, ensure_ascii=False)
    parse_hours(text)
    return text


def is_open(hours: Hours | None, local: datetime) -> bool:
    if hours is None:
        return True
    t = local.time()
    return any(start <= t < end for start, end in hours.get(local.weekday(), ()))


def closes_at(hours: Hours | None, local: datetime) -> datetime | None:
    """End of the current opening range (local time), or None when closed or always open."""
    if hours is None:
        return None
    t = local.time()
    for start, end in hours.get(local.weekday(), ()):
        if start <= t < end:
            return datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    return None


def next_opening(hours: Hours | None, local: datetime) -> datetime | None:
    """Next start of an opening range after ``local`` (local time), within a week."""
    if not hours:
        return None
    for days in range(8):
        day: date = local.date() + timedelta(days=days)
        for start, _end in hours.get(day.weekday(), ()):
            at = datetime.combine(day, start, tzinfo=local.tzinfo)
            if at > local:
                return at
    return None


def clock_text(t: time) -> str:
    """French way of writing an hour: "8 h 30", "13 h"."""
    return f"{t.hour} h {t.minute:02d}" if t.minute else f"{t.hour} h"


def reopening_text(opening: datetime | None, local_now: datetime) -> str:
    """ "Réouverture aujourd'hui à 13 h 30", "Réouverture lundi à 8 h 30" or ""."""
    if opening is None:
        return ""
    delta = (opening.date() - local_now.date()).days
    when = "aujourd'hui" if delta == 0 else "demain" if delta == 1 else WEEKDAY_LABELS[opening.weekday()]
    return f"Réouverture {when} à {clock_text(opening.time())}."


def hours_text(hours: Hours | None) -> str:
    """One line per opening day: "lundi : 8 h 30 – 12 h, 13 h 30 – 16 h 45"."""
    if hours is None:
        return "Tous les jours, à toute heure"
    lines = []
    for day in sorted(hours):
        ranges = ", ".join(f"{clock_text(a)} – {clock_text(b)}" for a, b in hours[day])
        if ranges:
            lines.append(f"{WEEKDAY_LABELS[day]} : {ranges}")
    return "\n".join(lines)


# -- wait estimate ---------------------------------------------------------------------------------


# Between two visits the agent fills the contact form: the gap until the counter's next call counts as
# counter time, up to this cap (a longer gap is a counter waiting for citizens, or a break).
TURNAROUND_CAP_S = 180
TURNAROUND_UNKNOWN_S = 60  # the counter has not called again yet


def counter_time_s(called_at: datetime, finished_at: datetime, next_call_at: datetime | None) -> float:
    """How long one visit kept its counter busy: from the call to the end, plus the turnaround to the next call."""
    gap = TURNAROUND_UNKNOWN_S if next_call_at is None else (next_call_at - finished_at).total_seconds()
    return (finished_at - called_at).total_seconds() + min(max(gap, 0.0), TURNAROUND_CAP_S)


def service_time_s(recent_s: Sequence[float], default_s: float) -> float:
    """Typical counter time per ticket: the median of recent services, pulled to the default while few."""
    samples = [x for x in recent_s if x > 0]
    if not samples:
        return float(default_s)
    median = statistics.median(samples)
    if len(samples) >= 5:
        return median
    # Few samples: a weighted mean with the default, so that one quick visit does not say "0 min".
    return (median * len(samples) + default_s * (5 - len(samples))) / 5


def call_rate(
    queue_id: uuid.UUID,
    open_counters: Iterable[Mapping[uuid.UUID, int]],
    loaded: set[uuid.UUID],
    service_s: Mapping[uuid.UUID, float],
) -> float:
    """Calls per second the open counters give ``queue_id``.

    At each open counter serving it, the queues with someone waiting (``loaded``, plus this one) share the
    calls by weight, as rule 4 of the call policy does, and each call of a queue keeps the counter busy for
    that queue's service time: the counter calls this queue ``weight / Σ (weight × service time)`` times a
    second. A queue alone at a counter gets one call per service time.
    """
    rate = 0.0
    for weights in open_counters:
        own = weights.get(queue_id, 0)
        if own <= 0:
            continue
        busy = sum(w * service_s[q] for q, w in weights.items() if w > 0 and (q in loaded or q == queue_id))
        rate += own / busy
    return rate


def estimate_wait_s(*, ahead: int, rate: float, idle_counters: int = 0) -> float | None:
    """Expected wait of the next ticket of a queue: the people ahead, plus half a call for a counter to free
    itself, at the queue's call rate. None when no open counter serves the queue."""
    if rate <= 0:
        return None
    if ahead == 0 and idle_counters > 0:
        return 0.0
    return (ahead + 0.5) / rate


def minutes(seconds: float | None) -> int | None:
    """Whole minutes shown to a citizen (rounded up: an estimate is better a little pessimistic)."""
    return None if seconds is None else math.ceil(seconds / 60 - 1e-9)
