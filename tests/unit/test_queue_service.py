"""The queue service on a real SQLite file: life of a ticket, numbering, refusals, call screen, estimates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from guichet.db import Database
from guichet.domain import Channel, Outcome
from guichet.models import Agent, Counter, Queue, Site, SiteQueueSettings, Ticket, TicketEvent
from guichet.services.clock import PARIS
from guichet.services.contacts import ContactInput, ContactService
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.queue import (
    NO_TICKET_MESSAGE,
    PriorityReason,
    QueueService,
    QueueState,
    TicketEventKind,
    TicketStatus,
)
from guichet.services.queue_seed import seed_queues

TUESDAY = datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)

    def set(self, local: datetime) -> None:
        self.at = local.astimezone(UTC)


@dataclass
class Desk:
    db: Database
    q: QueueService
    clock: FakeClock
    site: uuid.UUID
    queues: dict[str, uuid.UUID]  # HDV queues by letter
    counters: dict[int, uuid.UUID]  # HDV counters by number
    agents: dict[str, uuid.UUID]

    def open(self, number: int, login: str) -> None:
        self.q.open_counter(counter_id=self.counters[number], agent_id=self.agents[login])

    def issue(self, letter: str, priority: PriorityReason | None = None):  # noqa: ANN201
        return self.q.issue_ticket(site_id=self.site, queue_id=self.queues[letter], priority_reason=priority)

    def call(self, number: int, login: str):  # noqa: ANN201
        return self.q.call_next(counter_id=self.counters[number], agent_id=self.agents[login])

    def act(self, action: str, ticket, number: int, login: str, **kw):  # noqa: ANN001, ANN201
        method = getattr(self.q, action)
        return method(ticket_id=ticket.id, counter_id=self.counters[number], agent_id=self.agents[login], **kw)

    def events(self, ticket) -> list[TicketEventKind]:  # noqa: ANN001
        with self.db.read() as s:
            rows = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.seq))
            return [e.kind for e in rows]


@pytest.fixture
def desk(demo_db: Database) -> Desk:
    seed_queues(demo_db)
    clock = FakeClock(TUESDAY)
    with demo_db.read() as s:
        site = s.scalar(select(Site.id).where(Site.code == "HDV"))
        queues = {q.letter: q.id for q in s.scalars(select(Queue).where(Queue.site_id == site))}
        counters = {c.number: c.id for c in s.scalars(select(Counter).where(Counter.site_id == site))}
        agents = {a.login: a.id for a in s.scalars(select(Agent))}
    return Desk(demo_db, QueueService(demo_db, clock=clock), clock, site, queues, counters, agents)


# -- issuing -----------------------------------------------------------------------------------------


def test_numbers_follow_each_queue_and_restart_every_day(desk):
    assert [desk.issue(x).number for x in "AABAC"] == ["A001", "A002", "B001", "A003", "C001"]
    desk.clock.set(TUESDAY + timedelta(days=1))
    assert [desk.issue(x).number for x in "BA"] == ["B001", "A001"]
    # The database itself refuses a second A001 on the same day.
    with pytest.raises(IntegrityError), desk.db.write() as s:
        first = s.scalars(select(Ticket).where(Ticket.number == "A001")).first()
        s.add(
            Ticket(
                site_id=first.site_id, queue_id=first.queue_id, current_queue_id=first.queue_id,
                service_day=first.service_day, seq=1, number="A001", status=TicketStatus.WAITING,
                issued_at=desk.clock(),
            )
        )  # fmt: skip


def test_issued_ticket_tells_what_the_kiosk_prints(desk):
    desk.open(1, "mdurand")
    t = desk.issue("A")
    assert (t.number, t.queue_name, t.site_name, t.status) == (
        "A001", "État civil et titres d'identité", "Hôtel de ville", TicketStatus.WAITING,
    )  # fmt: skip
    assert t.issued_at == desk.clock() and t.people_ahead == 0 and t.estimated_wait_min == 0
    p = desk.issue("A", PriorityReason.PMR)
    assert p.priority and p.priority_reason.label == "Personne à mobilité réduite"
    with pytest.raises(ValidationError):
        desk.q.issue_ticket(site_id=desk.site, queue_id=desk.queues["A"], priority_reason="vip")
    with pytest.raises(NotFoundError):
        desk.q.issue_ticket(site_id=desk.site, queue_id=uuid.uuid4())


def test_closed_queue_is_refused_with_its_reopening(desk):
    desk.clock.set(TUESDAY.replace(hour=12, minute=30))
    with pytest.raises(NotAllowedError, match=r"« Social \(CCAS\) » est fermée.*Réouverture aujourd'hui à 13 h 30"):
        desk.issue("B")
    statuses = {x.letter: x for x in desk.q.queue_statuses(site_id=desk.site)}
    assert statuses["B"].state is QueueState.CLOSED and statuses["B"].state_label == "Fermée"
    assert statuses["A"].state is QueueState.OPEN  # État civil stays open at lunch
    desk.clock.set(TUESDAY.replace(day=14, hour=14))  # a Saturday afternoon
    with pytest.raises(NotAllowedError, match="Réouverture lundi à 8 h 30"):
        desk.issue("A")


def test_daily_cap(desk):
    with desk.db.write() as s:
        s.get(Queue, desk.queues["D"]).daily_cap = 2
    first = desk.issue("D")
    desk.issue("D")
    with pytest.raises(NotAllowedError, match=r"plus de tickets aujourd'hui pour « Urbanisme ».*\(2\)"):
        desk.issue("D")
    status = {x.letter: x for x in desk.q.queue_statuses(site_id=desk.site)}["D"]
    assert (status.state, status.state_label, status.issued_today) == (QueueState.FULL, "Plafond atteint", 2)
    desk.open(4, "kbenali")
    desk.act("cancel", first, 4, "kbenali", reason="Erreur de file")
    assert desk.issue("D").number == "D003"  # a cancelled ticket frees its place, numbers never repeat


# -- the life of a ticket ----------------------------------------------------------------------------


def test_life_cycle_and_its_history(desk):
    desk.open(1, "mdurand")
    issued = desk.issue("A")
    desk.clock.advance(minutes=5)
    called = desk.call(1, "mdurand")
    assert (called.id, called.status, called.counter_name) == (issued.id, TicketStatus.CALLED, "Guichet 1")
    desk.clock.advance(seconds=40)
    started = desk.act("start_service", called, 1, "mdurand")
    assert started.status is TicketStatus.IN_SERVICE and started.started_at == desk.clock()
    desk.clock.advance(minutes=6)
    done = desk.act("finish", called, 1, "mdurand")
    assert done.status is TicketStatus.DONE and done.finished_at - done.called_at == timedelta(minutes=6, seconds=40)
    assert desk.events(done) == [
        TicketEventKind.ISSUED, TicketEventKind.CALLED, TicketEventKind.STARTED, TicketEventKind.DONE,
    ]  # fmt: skip
    with desk.db.read() as s:
        call = s.scalar(select(TicketEvent).where(TicketEvent.kind == TicketEventKind.CALLED))
        assert (call.agent_id, call.counter_id) == (desk.agents["mdurand"], desk.counters[1])
    counter = desk.q.site_status(site_id=desk.site).counters[0]
    assert (counter.is_open, counter.agent_name, counter.served_today, counter.current_number) == (
        True, "Marie Durand", 1, "",
    )  # fmt: skip
    # Finishing straight after the call (no « Accueillir ») is allowed.
    desk.issue("E")
    quick = desk.call(1, "mdurand")
    assert desk.act("finish", quick, 1, "mdurand").started_at is None


def test_nobody_waiting(desk):
    desk.open(1, "mdurand")
    assert desk.call(1, "mdurand") is None
    assert NO_TICKET_MESSAGE == "Aucun ticket en attente."
    desk.issue("D")  # counter 1 does not serve Urbanisme
    assert desk.call(1, "mdurand") is None


def test_illegal_steps_are_refused_in_french(desk):
    waiting = desk.issue("A")
    with pytest.raises(NotAllowedError, match="« Guichet 1 » est fermé"):
        desk.call(1, "mdurand")
    desk.open(1, "mdurand")
    with pytest.raises(NotAllowedError, match="ouvert par Marie Durand"):
        desk.call(1, "kbenali")
    with pytest.raises(NotAllowedError, match="A001 ne peut pas être terminé : il est en attente et n'a pas encore"):
        desk.act("finish", waiting, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="ne peut pas être accueilli"):
        desk.act("start_service", waiting, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="ne peut pas être déclaré absent"):
        desk.act("no_show", waiting, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="ne peut pas être mis de côté"):
        desk.act("park", waiting, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="ne peut pas être repris"):
        desk.act("resume", waiting, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="ne peut pas être rappelé"):
        desk.act("recall", waiting, 1, "mdurand")
    desk.issue("A")
    called = desk.call(1, "mdurand")
    with pytest.raises(NotAllowedError, match="A001 est encore en cours à ce guichet"):
        desk.call(1, "mdurand")
    with pytest.raises(NotAllowedError, match="encore en cours à ce guichet"):
        desk.q.close_counter(counter_id=desk.counters[1], agent_id=desk.agents["mdurand"])
    desk.open(2, "kbenali")
    with pytest.raises(NotAllowedError, match="pris en charge à « Guichet 1 »"):
        desk.act("finish", called, 2, "kbenali")
    desk.act("start_service", called, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="déjà en cours de traitement"):
        desk.act("start_service", called, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="ne peut pas être déclaré absent"):
        desk.act("no_show", called, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="ne peut pas être annulé"):
        desk.act("cancel", called, 1, "mdurand")
    desk.act("finish", called, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="déjà terminé"):
        desk.act("finish", called, 1, "mdurand")
    with pytest.raises(NotAllowedError, match="ne peut pas être transféré : il est déjà terminé"):
        desk.act("transfer", called, 1, "mdurand", to_queue_id=desk.queues["B"])
    with pytest.raises(NotFoundError):
        desk.q.finish(ticket_id=uuid.uuid4(), counter_id=desk.counters[1], agent_id=desk.agents["mdurand"])
    with pytest.raises(NotFoundError, match="guichet"):
        desk.q.call_next(counter_id=uuid.uuid4(), agent_id=desk.agents["mdurand"])
    with pytest.raises(ValidationError, match="motif"):
        desk.q.close_day(site_id=desk.site, reason="  ")


def test_counter_opening_rules(desk):
    desk.open(1, "mdurand")
    desk.open(1, "mdurand")  # again: nothing changes
    with pytest.raises(NotAllowedError, match="déjà ouvert par Marie Durand"):
        desk.open(1, "kbenali")
    with pytest.raises(NotAllowedError, match="seul cet agent ou un superviseur"):
        desk.q.close_counter(counter_id=desk.counters[1], agent_id=desk.agents["kbenali"])
    # An agent is at one counter at a time: opening another one closes the first (if nothing is in progress).
    desk.open(2, "mdurand")
    status = {c.number: c for c in desk.q.site_status(site_id=desk.site).counters}
    assert not status[1].is_open and status[2].is_open
    desk.issue("A")
    desk.call(2, "mdurand")
    with pytest.raises(NotAllowedError, match="encore en cours à « Guichet 2 »"):
        desk.open(3, "mdurand")
    desk.open(1, "kbenali")
    closed = desk.q.close_counter(counter_id=desk.counters[1], agent_id=desk.agents["sperrin"])  # a supervisor
    assert not closed.is_open


def test_recall_waits_for_the_cool_down(desk):
    desk.open(1, "mdurand")
    desk.issue("A")
    called = desk.call(1, "mdurand")
    desk.clock.advance(seconds=3)
    with pytest.raises(NotAllowedError, match="A001 vient d'être appelé : patientez encore 7 s"):
        desk.act("recall", called, 1, "mdurand")
    desk.clock.advance(seconds=7)
    again = desk.act("recall", called, 1, "mdurand")
    assert again.recall_count == 1 and again.called_at == called.called_at
    with pytest.raises(NotAllowedError, match="patientez encore 10 s"):
        desk.act("recall", called, 1, "mdurand")
    assert desk.act("no_show", called, 1, "mdurand").status is TicketStatus.NO_SHOW


def test_transfer_keeps_number_and_arrival(desk):
    desk.open(5, "mdurand")  # serves E (3), A (1), B (1)
    desk.open(1, "kbenali")  # serves A (3), E (1)
    e = desk.issue("E")
    desk.clock.advance(minutes=2)
    a1 = desk.issue("A")
    desk.clock.advance(minutes=2)
    called = desk.call(5, "mdurand")
    assert called.id == e.id
    moved = desk.act("transfer", called, 5, "mdurand", to_queue_id=desk.queues["A"])
    assert (moved.number, moved.queue_letter, moved.status, moved.transferred) == (
        "E001",
        "A",
        TicketStatus.WAITING,
        True,
    )
    assert moved.issued_at == e.issued_at and moved.counter_id is None
    # In queue A it arrived before A001: it is called first.
    assert desk.call(1, "kbenali").id == e.id
    with desk.db.read() as s:
        event = s.scalar(select(TicketEvent).where(TicketEvent.kind == TicketEventKind.TRANSFERRED))
        assert (event.from_queue_id, event.queue_id) == (desk.queues["E"], desk.queues["A"])
    with pytest.raises(ValidationError, match="déjà dans la file"):
        desk.q.transfer(ticket_id=a1.id, counter_id=desk.counters[5], agent_id=desk.agents["mdurand"],
                        to_queue_id=desk.queues["A"])  # fmt: skip
    # A waiting ticket can be sent elsewhere from any open counter; the transfer is not a call.
    desk.act("transfer", a1, 5, "mdurand", to_queue_id=desk.queues["B"])
    kinds = [c.kind for c in desk.q.recent_calls(site_id=desk.site).calls]
    assert TicketEventKind.TRANSFERRED not in kinds and len(kinds) == 2


def test_park_and_resume(desk):
    desk.open(1, "mdurand")
    desk.issue("A")
    desk.issue("A")
    first = desk.call(1, "mdurand")
    desk.act("start_service", first, 1, "mdurand")
    parked = desk.act("park", first, 1, "mdurand")
    assert parked.status is TicketStatus.PARKED
    second = desk.call(1, "mdurand")  # the counter is free again
    panel = desk.q.counter_panel(counter_id=desk.counters[1])
    assert panel.current.id == second.id and [t.number for t in panel.parked] == ["A001"]
    with pytest.raises(NotAllowedError, match="A002 est encore en cours"):
        desk.act("resume", first, 1, "mdurand")
    desk.act("finish", second, 1, "mdurand")
    resumed = desk.act("resume", first, 1, "mdurand")
    assert resumed.status is TicketStatus.CALLED and resumed.started_at == parked.started_at
    assert desk.q.recent_calls(site_id=desk.site).calls[-1].kind is TicketEventKind.RESUMED
    desk.act("finish", resumed, 1, "mdurand")
    assert desk.events(first)[-3:] == [TicketEventKind.PARKED, TicketEventKind.RESUMED, TicketEventKind.DONE]
    # A ticket parked at a counter that closes since is offered to the other counters.
    desk.issue("A")
    desk.open(2, "kbenali")
    left = desk.act("park", desk.call(1, "mdurand"), 1, "mdurand")
    assert desk.q.counter_panel(counter_id=desk.counters[2]).parked == ()
    desk.q.close_counter(counter_id=desk.counters[1], agent_id=desk.agents["mdurand"])
    assert [t.id for t in desk.q.counter_panel(counter_id=desk.counters[2]).parked] == [left.id]
    assert desk.act("no_show", left, 2, "kbenali").status is TicketStatus.NO_SHOW


def test_call_by_number_out_of_turn(desk):
    desk.open(1, "mdurand")
    for _ in range(3):
        desk.issue("A")
    desk.issue("D")  # counter 1 does not serve D: calling it by number is the agent's choice
    picked = desk.q.call_by_number(counter_id=desk.counters[1], agent_id=desk.agents["mdurand"], number=" a3 ")
    assert picked.number == "A003"
    desk.act("finish", picked, 1, "mdurand")
    other = desk.q.call_by_number(counter_id=desk.counters[1], agent_id=desk.agents["mdurand"], number="D1")
    assert other.number == "D001"
    assert desk.events(picked)[1] is TicketEventKind.CALLED_BY_NUMBER
    with pytest.raises(NotAllowedError, match="D001 est encore en cours"):
        desk.q.call_by_number(counter_id=desk.counters[1], agent_id=desk.agents["mdurand"], number="A001")
    desk.act("no_show", other, 1, "mdurand")
    for number, error, message in [
        ("42", ValidationError, "comme A042"),
        ("A999", NotFoundError, "Aucun ticket A999"),
        ("A003", NotAllowedError, "A003 ne peut pas être appelé : il est déjà terminé"),
    ]:
        with pytest.raises(error, match=message):
            desk.q.call_by_number(counter_id=desk.counters[1], agent_id=desk.agents["mdurand"], number=number)


def test_priority_tickets_first_within_the_bound(desk):
    with desk.db.write() as s:
        s.scalar(select(SiteQueueSettings).where(SiteQueueSettings.site_id == desk.site)).priority_burst = 2
    desk.open(1, "mdurand")
    desk.issue("A")
    for reason in (PriorityReason.PMR, PriorityReason.AGE, PriorityReason.PREGNANCY):
        desk.clock.advance(seconds=30)
        desk.issue("A", reason)
    order = []
    while (t := desk.call(1, "mdurand")) is not None:
        order.append(t.number)
        desk.act("finish", t, 1, "mdurand")
    assert order == ["A002", "A003", "A001", "A004"]


def test_close_day(desk):
    desk.open(1, "mdurand")
    for x in "AAAE":
        desk.issue(x)
    called = desk.call(1, "mdurand")
    desk.act("park", called, 1, "mdurand")
    desk.call(1, "mdurand")
    closure = desk.q.close_day(site_id=desk.site, reason="Fermeture de l'accueil", agent_id=desk.agents["sperrin"])
    assert (closure.closed_tickets, closure.closed_counters) == (4, 1)
    with desk.db.read() as s:
        tickets = s.scalars(select(Ticket)).all()
        assert {t.status for t in tickets} == {TicketStatus.CLOSED}
        assert {t.close_reason for t in tickets} == {"Fermeture de l'accueil"}
    assert not desk.q.site_status(site_id=desk.site).counters[0].is_open
    # A ticket forgotten from a day without closure is not called the next day; numbering restarts.
    desk.open(1, "mdurand")
    desk.issue("A")
    desk.clock.set(TUESDAY + timedelta(days=1))
    assert desk.call(1, "mdurand") is None
    assert desk.issue("A").number == "A001"
    assert desk.q.close_day(site_id=desk.site, reason="Fin de journée").closed_tickets == 2


def test_leftovers_of_past_days_are_closed_automatically(desk):
    desk.open(1, "mdurand")
    stale = [desk.issue("A"), desk.issue("E")]
    desk.clock.set(TUESDAY + timedelta(days=1))
    today = desk.issue("A")
    closure = desk.q.close_past_days(site_id=desk.site)
    assert closure.closed_tickets == 2 and closure.closed_counters == 0
    for ticket in stale:
        closed = desk.q.ticket(ticket_id=ticket.id)
        assert closed.status is TicketStatus.CLOSED
        assert TicketEventKind.CLOSED in desk.events(ticket)
    assert desk.q.ticket(ticket_id=today.id).status is TicketStatus.WAITING  # today's ticket is untouched
    assert desk.q.close_past_days(site_id=desk.site).closed_tickets == 0


def test_call_screen_feed(desk):
    desk.open(1, "mdurand")
    desk.open(2, "kbenali")
    start = desk.q.recent_calls(site_id=desk.site)
    assert start.calls == () and start.last_event_seq == 0
    for x in "AAAAC":
        desk.issue(x)
    a = desk.call(1, "mdurand")
    b = desk.call(2, "kbenali")
    feed = desk.q.recent_calls(site_id=desk.site, after_event_seq=start.last_event_seq)
    assert [(c.number, c.counter_name, c.kind) for c in feed.calls] == [
        (a.number, "Guichet 1", TicketEventKind.CALLED), (b.number, "Guichet 2", TicketEventKind.CALLED),
    ]  # fmt: skip
    assert desk.q.recent_calls(site_id=desk.site, after_event_seq=feed.last_event_seq).calls == ()
    desk.clock.advance(seconds=15)
    desk.act("recall", a, 1, "mdurand")
    desk.act("start_service", b, 2, "kbenali")
    desk.act("finish", b, 2, "kbenali")
    c = desk.call(2, "kbenali")
    later = desk.q.recent_calls(site_id=desk.site, after_event_seq=feed.last_event_seq)
    assert [(x.number, x.is_recall) for x in later.calls] == [(a.number, True), (c.number, False)]
    # Paging with a small limit never skips a call.
    seen, cursor = [], 0
    while True:
        page = desk.q.recent_calls(site_id=desk.site, after_event_seq=cursor, limit=1)
        if not page.calls:
            break
        seen += [x.seq for x in page.calls]
        cursor = page.last_event_seq
    assert seen == [x.seq for x in (*feed.calls, *later.calls)]
    assert [x.number for x in desk.q.recent_calls(site_id=desk.site, limit=2).calls] == [a.number, c.number]


def test_counter_panel_lists_waiting_tickets_in_call_order(desk):
    desk.open(1, "mdurand")
    desk.issue("A")
    desk.clock.advance(minutes=3)
    desk.issue("A", PriorityReason.AGE)
    desk.issue("E")
    desk.issue("D")
    panel = desk.q.counter_panel(counter_id=desk.counters[1])
    assert panel.counter.is_open and panel.current is None
    assert [(q.letter, q.weight, q.waiting_count) for q in panel.queues] == [("A", 3, 2), ("E", 1, 1)]
    assert [(t.number, t.priority, t.waited_min) for t in panel.queues[0].tickets] == [
        ("A002", True, 0),
        ("A001", False, 3),
    ]
    assert [r.letter for r in panel.transfer_targets] == ["A", "B", "C", "D", "E"]


def test_estimated_wait(desk):
    with desk.db.read() as s:
        default_s = s.scalar(select(SiteQueueSettings.default_service_s).where(SiteQueueSettings.site_id == desk.site))
    for _ in range(4):
        desk.issue("A")
    status = {x.letter: x for x in desk.q.queue_statuses(site_id=desk.site)}["A"]
    assert (status.waiting, status.open_counters, status.estimated_wait_min) == (4, 0, None)  # nobody to serve
    desk.open(1, "mdurand")  # A weight 3, E weight 1; E empty: the whole counter for A
    one = desk.issue("A")
    assert one.people_ahead == 4 and one.estimated_wait_min == -(-4.5 * default_s // 60)
    desk.open(2, "kbenali")  # A 2, C 2, E 1: C and E are empty
    two = desk.issue("A")
    assert two.people_ahead == 5 and two.estimated_wait_min == -(-5.5 * default_s // 120)
    desk.issue("C")  # now counter 2 shares itself between A and C: A gets less of it
    shared = {x.letter: x for x in desk.q.queue_statuses(site_id=desk.site)}["A"]
    assert shared.estimated_wait_min > -(-6.5 * default_s // 120)
    # The service time is learned from the queue's finished tickets (call to end).
    for _ in range(6):
        t = desk.call(1, "mdurand")
        desk.clock.advance(minutes=2)
        desk.act("finish", t, 1, "mdurand")
    learned = {x.letter: x for x in desk.q.queue_statuses(site_id=desk.site)}["A"]
    assert (learned.waiting, learned.estimated_wait_min) == (0, 0)  # nobody ahead and counter 1 is free
    for _ in range(3):
        desk.issue("A")
    learned = {x.letter: x for x in desk.q.queue_statuses(site_id=desk.site)}["A"]
    # Counter 1 calls A every 2 min (the median of the 6 services); counter 2 shares itself with C (weights 2
    # and 2, C still at the default 6 min): 2 calls of A per 2 × 2 + 2 × 6 = 16 min. 3 ahead + half a call
    # at 1/2 + 1/8 call a minute: 5.6 -> 6 min.
    assert learned.estimated_wait_min == 6
    prio = desk.issue("A", PriorityReason.PREGNANCY)
    assert prio.people_ahead == 0


def test_contact_keeps_the_ticket_of_the_visit(desk):
    desk.open(1, "mdurand")
    desk.issue("A")
    t = desk.act("finish", desk.call(1, "mdurand"), 1, "mdurand")
    row = ContactService(desk.db).log(
        agent_id=desk.agents["mdurand"], site_id=desk.site,
        data=ContactInput(channel=Channel.IN_PERSON, theme_id=t.theme_id, outcome=Outcome.ANSWERED, ticket_id=t.id),
    )  # fmt: skip
    assert row.ticket_id == t.id
    with pytest.raises(ValidationError, match="ticket"):
        ContactService(desk.db).log(
            agent_id=desk.agents["mdurand"], site_id=desk.site,
            data=ContactInput(channel=Channel.IN_PERSON, theme_id=t.theme_id, outcome=Outcome.ANSWERED,
                              ticket_id=uuid.uuid4()),
        )  # fmt: skip
