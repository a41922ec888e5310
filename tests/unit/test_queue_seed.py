"""Demo queues and the simulated history of past days."""

from __future__ import annotations

from collections import Counter as Tally
from datetime import datetime, timedelta

from sqlalchemy import func, select

from guichet.models import Counter, CounterQueue, Queue, Site, SiteQueueSettings, Theme, Ticket, TicketEvent
from guichet.models.queue import TicketEventKind, TicketStatus
from guichet.services.clock import PARIS, local_day
from guichet.services.queue_policy import parse_hours
from guichet.services.queue_seed import seed_queues, seed_ticket_history
from guichet.services.queue_status import load_settings, service_samples

TUESDAY = datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)


def test_seed_queues_is_idempotent_and_links_themes_and_counters(demo_db):
    first = seed_queues(demo_db)
    assert (first.queues, first.counter_links) == (8, 18)
    assert (seed_queues(demo_db).queues, seed_queues(demo_db).counter_links) == (0, 0)
    with demo_db.read() as s:
        letters = {
            site: sorted(q.letter for q in s.scalars(select(Queue).join(Site).where(Site.code == site)))
            for site in ("HDV", "MAV")
        }
        assert letters == {"HDV": ["A", "B", "C", "D", "E"], "MAV": ["A", "B", "E"]}
        a = s.scalar(select(Queue).join(Site).where(Site.code == "HDV", Queue.letter == "A"))
        assert s.get(Theme, a.theme_id).code == "etat_civil"
        assert parse_hours(a.opening_hours)[0]  # open on Mondays
        assert s.scalar(select(func.count()).select_from(SiteQueueSettings)) == 2
        weights = dict(
            s.execute(
                select(Queue.letter, CounterQueue.weight)
                .join(CounterQueue, CounterQueue.queue_id == Queue.id)
                .join(Counter, Counter.id == CounterQueue.counter_id)
                .join(Site, Site.id == Counter.site_id)
                .where(Site.code == "HDV", Counter.number == 1)
            ).all()
        )
        assert weights == {"A": 3, "E": 1}


def test_ticket_history_is_consistent_and_feeds_the_estimates(demo_db):
    seed_queues(demo_db)
    written = seed_ticket_history(demo_db, days=5, clock=lambda: TUESDAY)
    assert written > 100
    assert seed_ticket_history(demo_db, days=5, clock=lambda: TUESDAY) == 0
    with demo_db.read() as s:
        tickets = s.scalars(select(Ticket)).all()
        assert {t.status for t in tickets} <= {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CLOSED}
        assert all(t.service_day < local_day(TUESDAY) and t.service_day.weekday() < 5 for t in tickets)
        assert max(Tally((t.queue_id, t.service_day, t.seq) for t in tickets).values()) == 1
        for t in tickets:
            if t.status is TicketStatus.DONE:
                assert t.issued_at <= t.called_at <= t.started_at <= t.finished_at
                assert t.counter_id is not None and t.agent_id is not None
        for site_id in s.scalars(select(Site.id)):
            seqs = s.scalars(select(TicketEvent.seq).where(TicketEvent.site_id == site_id).order_by(TicketEvent.seq))
            seqs = list(seqs)
            assert seqs == list(range(1, len(seqs) + 1))
        kinds = Tally(s.scalars(select(TicketEvent.kind)))
        assert kinds[TicketEventKind.ISSUED] == len(tickets)
        assert kinds[TicketEventKind.DONE] == sum(1 for t in tickets if t.status is TicketStatus.DONE)
        queue_a = s.scalar(select(Queue).join(Site).where(Site.code == "HDV", Queue.letter == "A"))
        samples = service_samples(s, queue_a.id, TUESDAY + timedelta(hours=1), load_settings(s, queue_a.site_id))
        assert len(samples) == 20 and all(60 <= x <= 3 * 3600 for x in samples)
