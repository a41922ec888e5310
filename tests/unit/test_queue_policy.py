"""The call-next policy, opening hours and wait estimates: pure functions, property-tested."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guichet.services.clock import PARIS
from guichet.services.queue_policy import (
    CallReason,
    Candidate,
    PastCall,
    QueueSettings,
    appointment_streak,
    call_order,
    call_rate,
    choose_next,
    clock_text,
    counter_time_s,
    due_at,
    dump_hours,
    estimate_wait_s,
    hours_text,
    is_open,
    minutes,
    next_opening,
    parse_hours,
    priority_streak,
    reopening_text,
    service_time_s,
)

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
QUEUES = [uuid.UUID(int=i + 1) for i in range(5)]


def _ticket(n: int, queue: int, at_s: float, priority: bool = False) -> Candidate:
    return Candidate(uuid.UUID(int=1000 + n), QUEUES[queue], T0 + timedelta(seconds=at_s), priority)


# -- simulation used by the properties --------------------------------------------------------------

arrival = st.tuples(st.integers(0, 4), st.integers(0, 3600), st.booleans())
counter_weights = st.dictionaries(st.integers(0, 4), st.integers(1, 5), min_size=1, max_size=5)


def _simulate(arrivals, counters, call_every_s, rules, rng_seed):  # noqa: ANN001, ANN202
    """Counters call in turn every ``call_every_s`` seconds; returns the calls and what waited at each."""
    tickets = [_ticket(i, q, at, p) for i, (q, at, p) in enumerate(arrivals)]
    return _run(tickets, counters, call_every_s, rules, rng_seed)


def _run(tickets, counters, call_every_s, rules, rng_seed):  # noqa: ANN001, ANN202
    weights = [{QUEUES[q]: w for q, w in c.items()} for c in counters]
    histories: list[list[PastCall]] = [[] for _ in counters]
    waiting: dict[uuid.UUID, Candidate] = {}
    future = sorted(tickets, key=lambda c: c.arrived_at)
    rng = random.Random(rng_seed)
    calls = []
    now = T0
    while future or waiting:
        while future and future[0].arrived_at <= now:
            t = future.pop(0)
            waiting[t.ticket_id] = t
        k = rng.randrange(len(counters))
        before = dict(waiting)
        choice = choose_next(
            waiting=list(waiting.values()), weights=weights[k], history=histories[k], now=now, settings=rules
        )
        if choice is not None:
            t = waiting.pop(choice.ticket_id)
            histories[k].append(PastCall(t.queue_id, t.priority, t.appointment_at is not None))
            calls.append((now, k, t, choice.reason, before, list(histories[k][:-1])))
        elif not future and not any(any(w.get(t.queue_id, 0) > 0 for w in weights) for t in waiting.values()):
            break  # what is left waits in queues no counter serves
        now += timedelta(seconds=call_every_s)
        if now > T0 + timedelta(days=2):
            raise AssertionError("simulation does not end")
    return calls


@settings(max_examples=150, deadline=None)
@given(
    arrivals=st.lists(arrival, max_size=60),
    counters=st.lists(counter_weights, min_size=1, max_size=4),
    call_every_s=st.integers(10, 600),
    max_wait_min=st.sampled_from([0, 10, 30, 60]),
    burst=st.integers(0, 4),
    seed=st.integers(0, 1000),
)
def test_policy_properties(arrivals, counters, call_every_s, max_wait_min, burst, seed):
    rules = QueueSettings(max_wait_min=max_wait_min, priority_burst=burst)
    calls = _simulate(arrivals, counters, call_every_s, rules, seed)
    weights = [{QUEUES[q]: w for q, w in c.items()} for c in counters]
    called = [t.ticket_id for _now, _k, t, _r, _before, _h in calls]
    # No ticket is called twice.
    assert len(called) == len(set(called))
    for now, k, t, reason, before, history in calls:
        served = [c for c in before.values() if weights[k].get(c.queue_id, 0) > 0]
        # The ticket was waiting, had arrived, and is in a queue this counter serves.
        assert t.ticket_id in before and t.arrived_at <= now and weights[k][t.queue_id] > 0
        # FIFO within a queue (and priority class): nobody of the same class in that queue arrived before it.
        assert not [
            c for c in served if c.queue_id == t.queue_id and c.priority == t.priority and c.arrived_at < t.arrived_at
        ]
        overdue = [c for c in served if max_wait_min and now - c.arrived_at > timedelta(minutes=max_wait_min)]
        if overdue:
            # Waited too long: called before anything else, the longest wait first.
            assert reason is CallReason.OVERDUE
            assert t.arrived_at == min(c.arrived_at for c in overdue)
        # The priority bound: after `burst` priority calls in a row, a priority ticket is called again only
        # when nobody else waits (or because it waited too long).
        if t.priority and priority_streak(history) >= burst and reason is not CallReason.OVERDUE:
            assert not [c for c in served if not c.priority]
            assert reason is CallReason.PRIORITY_ONLY
        # Priority first within the bound.
        if not overdue and priority_streak(history) < burst and any(c.priority for c in served):
            assert t.priority
    # Everyone a counter serves is called in the end.
    servable = {t for t in range(len(arrivals)) if any(w.get(QUEUES[arrivals[t][0]], 0) > 0 for w in weights)}
    assert {uuid.UUID(int=1000 + i) for i in servable} == set(called)


# Appointment tickets: checked in within the window of the arrival rule (30 min early to 15 min late).
booking = st.tuples(st.integers(0, 4), st.integers(0, 3600), st.integers(-1800, 900))


def _key(c: Candidate, rules: QueueSettings) -> tuple:
    return (due_at(c, rules), c.appointment_at or c.arrived_at, c.arrived_at, str(c.ticket_id))


@settings(max_examples=150, deadline=None)
@given(
    arrivals=st.lists(arrival, max_size=40),
    bookings=st.lists(booking, max_size=25),
    counters=st.lists(counter_weights, min_size=1, max_size=3),
    call_every_s=st.integers(10, 600),
    max_wait_min=st.sampled_from([0, 10, 30, 60]),
    burst=st.integers(0, 4),
    appointment_burst=st.integers(0, 3),
    seed=st.integers(0, 1000),
)
def test_policy_properties_with_appointments(
    arrivals, bookings, counters, call_every_s, max_wait_min, burst, appointment_burst, seed
):
    """Every property of the walk-ins' test, and: appointments are served at their time, walk-ins are not
    starved by them, and an early appointment takes a counter only when nobody else waits for it."""
    rules = QueueSettings(max_wait_min=max_wait_min, priority_burst=burst, appointment_burst=appointment_burst)
    tickets = [_ticket(i, q, at, p) for i, (q, at, p) in enumerate(arrivals)]
    for j, (q, at, offset) in enumerate(bookings):
        appointment_at = T0 + timedelta(seconds=at)
        arrived = max(T0, appointment_at + timedelta(seconds=offset))
        tickets.append(Candidate(uuid.UUID(int=5000 + j), QUEUES[q], arrived, False, appointment_at))
    calls = _run(tickets, counters, call_every_s, rules, seed)
    weights = [{QUEUES[q]: w for q, w in c.items()} for c in counters]
    called = [t.ticket_id for _now, _k, t, _r, _before, _h in calls]
    assert len(called) == len(set(called))
    for now, k, t, reason, before, history in calls:
        served = [c for c in before.values() if weights[k].get(c.queue_id, 0) > 0]
        assert t.ticket_id in before and t.arrived_at <= now and weights[k][t.queue_id] > 0
        # FIFO within a class (queue, priority, appointment): walk-ins by arrival, appointments by when they
        # became due (their time minus the lead, or their arrival when they came later).
        same = [c for c in served if (c.queue_id, c.priority, c.appointment_at is None)
                == (t.queue_id, t.priority, t.appointment_at is None)]  # fmt: skip
        assert not [c for c in same if _key(c, rules) < _key(t, rules)]
        overdue = [c for c in served if max_wait_min and now - due_at(c, rules) > timedelta(minutes=max_wait_min)]
        if overdue:
            assert reason is CallReason.OVERDUE
            assert due_at(t, rules) == min(due_at(c, rules) for c in overdue)
            continue
        walk_ins = [c for c in served if not c.priority and c.appointment_at is None]
        due = [c for c in served if c.appointment_at is not None and due_at(c, rules) <= now]
        priority_waits = any(c.priority for c in served)
        # The priority bound and priority first, as for walk-ins only ("others" now counts due appointments).
        if t.priority and priority_streak(history) >= burst:
            assert not walk_ins and not due and reason is CallReason.PRIORITY_ONLY
        if priority_streak(history) < burst and priority_waits:
            assert t.priority
            continue
        if t.priority:
            continue
        # Appointments at their time: a due appointment goes before walk-ins while the bound allows it.
        if due and appointment_streak(history) < appointment_burst:
            assert t.appointment_at is not None and due_at(t, rules) <= now and reason is CallReason.APPOINTMENT
        # ... and walk-ins are not starved: after `appointment_burst` appointments in a row, a waiting walk-in.
        if t.appointment_at is not None and appointment_streak(history) >= appointment_burst:
            assert not walk_ins
        # An early appointment takes the counter only when nobody else it serves waits.
        if t.appointment_at is not None and due_at(t, rules) > now:
            assert not walk_ins and not due and reason is CallReason.EARLY_APPOINTMENT
    servable = {c.ticket_id for c in tickets if any(w.get(c.queue_id, 0) > 0 for w in weights)}
    assert servable == set(called)


def test_an_appointment_is_called_at_its_time_before_earlier_walk_ins():
    rules = QueueSettings(max_wait_min=0, appointment_burst=2)
    weights = {QUEUES[0]: 1}
    walk_in = _ticket(0, 0, 0)
    at = T0 + timedelta(minutes=30)
    appointment = Candidate(uuid.UUID(int=7000), QUEUES[0], T0 + timedelta(minutes=5), False, at)
    early = choose_next(waiting=[walk_in, appointment], weights=weights, history=[], now=T0 + timedelta(minutes=20),
                        settings=rules)  # fmt: skip
    assert early.ticket_id == walk_in.ticket_id  # not due yet (10 min before its time)
    alone = choose_next(waiting=[appointment], weights=weights, history=[], now=T0 + timedelta(minutes=20),
                        settings=rules)  # fmt: skip
    assert (alone.ticket_id, alone.reason) == (appointment.ticket_id, CallReason.EARLY_APPOINTMENT)
    due = choose_next(waiting=[walk_in, appointment], weights=weights, history=[], now=T0 + timedelta(minutes=25),
                      settings=rules)  # fmt: skip
    assert (due.ticket_id, due.reason) == (appointment.ticket_id, CallReason.APPOINTMENT)
    streak = [PastCall(QUEUES[0], False, True)] * 2
    bounded = choose_next(waiting=[walk_in, appointment], weights=weights, history=streak,
                          now=T0 + timedelta(minutes=25), settings=rules)  # fmt: skip
    assert bounded.ticket_id == walk_in.ticket_id


@settings(max_examples=100, deadline=None)
@given(
    arrivals=st.lists(arrival, min_size=1, max_size=50),
    weights=counter_weights,
    call_every_s=st.integers(30, 300),
    max_wait_min=st.sampled_from([5, 15, 45]),
)
def test_no_starvation_wait_is_bounded(arrivals, weights, call_every_s, max_wait_min):
    # One counter serving every queue (weights 1..5), calling every `call_every_s` seconds.
    counters = [{q: weights.get(q, 1) for q in range(5)}]
    rules = QueueSettings(max_wait_min=max_wait_min, priority_burst=2)
    calls = _simulate(arrivals, counters, call_every_s, rules, 0)
    tickets = [_ticket(i, q, at, p) for i, (q, at, p) in enumerate(arrivals)]
    for now, _k, t, _r, _before, _h in calls:
        # Once overdue, only tickets that arrived earlier can pass it: its wait is at most the maximum plus
        # one call period per ticket that arrived before it (plus the period it became overdue in).
        earlier = sum(1 for x in tickets if x.arrived_at <= t.arrived_at) - 1
        bound = timedelta(minutes=max_wait_min) + timedelta(seconds=call_every_s) * (earlier + 1)
        assert now - t.arrived_at <= bound


def test_a_fresh_flow_in_a_heavy_queue_does_not_starve_a_light_one():
    # Queue 0 (weight 10) gets a new ticket before every call; queue 1 (weight 1) has one ticket from the start.
    rules = QueueSettings(max_wait_min=0)  # no maximum wait: rule 3 alone must do it
    weights = {QUEUES[0]: 10, QUEUES[1]: 1}
    light = _ticket(0, 1, 0)
    history: list[PastCall] = []
    for minute in range(1, 60):
        now = T0 + timedelta(minutes=minute)
        fresh = Candidate(uuid.uuid4(), QUEUES[0], now, False)
        choice = choose_next(waiting=[light, fresh], weights=weights, history=history, now=now, settings=rules)
        if choice.ticket_id == light.ticket_id:
            break
        history.append(PastCall(QUEUES[0], False))
    # Minute 3: 1 × (180 s + 60) beats 10 × (0 + 60) ÷ (1 + 2 calls of the heavy queue).
    assert minute == 3


def test_weights_share_the_counter_between_overloaded_queues():
    # Without a maximum wait (with one, hours of overload end in first come, first served: rule 1).
    rules = QueueSettings(max_wait_min=0)
    weights = {QUEUES[0]: 3, QUEUES[1]: 1}
    future = [_ticket(i, i % 2, 15 * i) for i in range(2000)]  # 2 arrivals a minute per queue, 1 call a minute
    history: list[PastCall] = []
    now = T0
    for _ in range(240):
        now += timedelta(minutes=1)
        waiting = [c for c in future if c.arrived_at <= now]
        choice = choose_next(waiting=waiting, weights=weights, history=history, now=now, settings=rules)
        future = [c for c in future if c.ticket_id != choice.ticket_id]
        history.append(PastCall(choice.queue_id, False))
    heavy = sum(1 for c in history if c.queue_id == QUEUES[0])
    # Roughly 3 calls in 4 for the queue of weight 3, and the other one keeps being served.
    assert 0.6 < heavy / len(history) < 0.85
    assert all(QUEUES[1] in {c.queue_id for c in history[i : i + 12]} for i in range(0, 228))


def test_priority_first_then_bound_then_normal():
    rules = QueueSettings(max_wait_min=0, priority_burst=2)
    weights = {QUEUES[0]: 1}
    normal = _ticket(0, 0, 0)
    prio = [_ticket(i, 0, 10 * i, True) for i in range(1, 5)]
    now = T0 + timedelta(minutes=5)
    first = choose_next(waiting=[normal, *prio], weights=weights, history=[], now=now, settings=rules)
    assert (first.ticket_id, first.reason) == (prio[0].ticket_id, CallReason.PRIORITY)
    two = [PastCall(QUEUES[0], True)] * 2
    third = choose_next(waiting=[normal, *prio[1:]], weights=weights, history=two, now=now, settings=rules)
    assert (third.ticket_id, third.reason) == (normal.ticket_id, CallReason.WEIGHTED)
    alone = choose_next(waiting=prio[1:], weights=weights, history=two, now=now, settings=rules)
    assert (alone.ticket_id, alone.reason) == (prio[1].ticket_id, CallReason.PRIORITY_ONLY)


def test_overdue_ticket_goes_before_priority_and_weights():
    rules = QueueSettings(max_wait_min=30, priority_burst=3)
    old = _ticket(0, 1, 0)
    prio = _ticket(1, 0, 1500, True)
    now = T0 + timedelta(minutes=31)
    choice = choose_next(waiting=[prio, old], weights={QUEUES[0]: 5, QUEUES[1]: 1}, history=[], now=now, settings=rules)
    assert (choice.ticket_id, choice.reason) == (old.ticket_id, CallReason.OVERDUE)


@settings(max_examples=100, deadline=None)
@given(arrivals=st.lists(arrival, min_size=1, max_size=30), weights=counter_weights, seed=st.integers(0, 99))
def test_choice_does_not_depend_on_the_order_of_the_list(arrivals, weights, seed):
    tickets = [_ticket(i, q, at, p) for i, (q, at, p) in enumerate(arrivals)]
    shuffled = list(tickets)
    random.Random(seed).shuffle(shuffled)
    w = {QUEUES[q]: x for q, x in weights.items()}
    now = T0 + timedelta(hours=1)
    a = choose_next(waiting=tickets, weights=w, history=[], now=now, settings=QueueSettings())
    b = choose_next(waiting=shuffled, weights=w, history=[], now=now, settings=QueueSettings())
    assert a == b


def test_nothing_to_call():
    assert choose_next(waiting=[], weights={QUEUES[0]: 1}, history=[], now=T0, settings=QueueSettings()) is None
    other = [_ticket(0, 1, 0)]
    assert choose_next(waiting=other, weights={QUEUES[0]: 1}, history=[], now=T0, settings=QueueSettings()) is None
    assert choose_next(waiting=other, weights={QUEUES[1]: 0}, history=[], now=T0, settings=QueueSettings()) is None


def test_call_order_within_a_queue():
    a, b, c = _ticket(0, 0, 0), _ticket(1, 0, 10), _ticket(2, 0, 20, True)
    assert call_order([b, c, a]) == [c, a, b]


# -- opening hours -----------------------------------------------------------------------------------


def test_hours_round_trip_and_checks():
    text = dump_hours({"mon": ["08:30-12:00", "13:30-16:45"], "sat": ["09:00-12:00"]})
    hours = parse_hours(text)
    tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)  # a Tuesday
    monday = datetime(2026, 3, 9, 12, 30, tzinfo=PARIS)
    assert not is_open(hours, tuesday)
    assert not is_open(hours, monday)
    assert is_open(hours, monday.replace(hour=13, minute=30))
    assert not is_open(hours, monday.replace(hour=16, minute=45))  # the end is excluded
    assert next_opening(hours, monday) == monday.replace(hour=13, minute=30)
    assert reopening_text(next_opening(hours, monday), monday) == "Réouverture aujourd'hui à 13 h 30."
    assert reopening_text(next_opening(hours, tuesday), tuesday) == "Réouverture samedi à 9 h."
    assert reopening_text(next_opening(hours, monday.replace(hour=18)), monday.replace(hour=18)) == (
        "Réouverture samedi à 9 h."
    )
    assert parse_hours("") is None and is_open(None, tuesday) and next_opening(None, tuesday) is None
    assert clock_text(monday.replace(hour=8, minute=5).time()) == "8 h 05"
    assert hours_text(hours).splitlines() == ["lundi : 8 h 30 – 12 h, 13 h 30 – 16 h 45", "samedi : 9 h – 12 h"]


@pytest.mark.parametrize(
    "bad", ["[]", "{", '{"lundi": ["08:00-12:00"]}', '{"mon": ["12:00-08:00"]}', '{"mon": ["8h"]}']
)
def test_bad_hours_are_refused_in_french(bad):
    with pytest.raises(ValueError, match="Horaires non valables"):
        parse_hours(bad)


# -- estimates ---------------------------------------------------------------------------------------


def test_service_time_learns_from_history_and_falls_back_to_default():
    assert service_time_s([], 360) == 360
    assert service_time_s([100, 200, 300, 400, 500, 600], 360) == 350
    assert 120 < service_time_s([120], 360) < 360  # one quick visit pulls a little, not all the way


def test_counter_time_counts_the_turnaround_up_to_a_cap():
    called, finished = T0, T0 + timedelta(minutes=5)
    assert counter_time_s(called, finished, finished + timedelta(seconds=45)) == 345
    assert counter_time_s(called, finished, finished + timedelta(hours=1)) == 300 + 180  # idle counter: capped
    assert counter_time_s(called, finished, None) == 360  # not called again yet


def test_call_rate_shares_counters_by_weight_and_service_time():
    a, b, c = QUEUES[0], QUEUES[1], QUEUES[2]
    times = {a: 300.0, b: 900.0, c: 60.0}
    # Alone at a counter: one call per service time.
    assert call_rate(a, [{a: 3, b: 1}], loaded=set(), service_s=times) == pytest.approx(1 / 300)
    # Sharing with b (weight 3 to 1): 3 calls of a for 1 of b, i.e. 3 calls per 3 × 300 + 900 s.
    assert call_rate(a, [{a: 3, b: 1}], loaded={a, b}, service_s=times) == pytest.approx(3 / 1800)
    # Two counters add up; a counter that does not serve the queue does not count.
    two = call_rate(a, [{a: 3, b: 1}, {a: 1}, {c: 1}], loaded={a, b, c}, service_s=times)
    assert two == pytest.approx(3 / 1800 + 1 / 300)
    assert call_rate(c, [{a: 1}], loaded={a, c}, service_s=times) == 0


def test_estimate_wait_is_sane():
    assert estimate_wait_s(ahead=3, rate=0) is None
    assert estimate_wait_s(ahead=0, rate=1 / 300, idle_counters=1) == 0
    one = estimate_wait_s(ahead=4, rate=1 / 300)
    two = estimate_wait_s(ahead=4, rate=2 / 300)
    more = estimate_wait_s(ahead=8, rate=1 / 300)
    assert two < one < more
    assert minutes(one) == 23 and minutes(0.0) == 0 and minutes(None) is None
