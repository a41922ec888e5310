"""Several processes on one SQLite file: kiosks issuing and counters calling at the same instant."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.models import Agent, Counter, Queue, Site, Ticket, TicketEvent
from guichet.models.queue import TicketEventKind
from guichet.services.demo import seed_reference
from guichet.services.queue import QueueService
from guichet.services.queue_seed import seed_queues

pytestmark = pytest.mark.slow

# Each worker imports Guichet, says it is ready, waits for the starting gun, then works as fast as it can.
WORKER = r"""
import json, sys, time, uuid
from pathlib import Path
from guichet.db import Database
from guichet.services.queue import QueueService

mode, db_path, go, out, a, b = sys.argv[1:7]
db = Database.open(db_path)
queue = QueueService(db)
Path(out + ".ready").touch()
while not Path(go).exists():
    time.sleep(0.001)
done = []
if mode == "issue":
    site_id, queue_id = uuid.UUID(a), uuid.UUID(b)
    for _ in range(20):
        done.append(queue.issue_ticket(site_id=site_id, queue_id=queue_id).number)
else:
    counter_id, agent_id = uuid.UUID(a), uuid.UUID(b)
    while (ticket := queue.call_next(counter_id=counter_id, agent_id=agent_id)) is not None:
        done.append(ticket.number)
        queue.finish(ticket_id=ticket.id, counter_id=counter_id, agent_id=agent_id)
        time.sleep(0.005)  # SQLite's lock is not fair: give the other counters a chance between two calls
Path(out).write_text(json.dumps(done))
db.close()
"""


def _race(tmp_path: Path, mode: str, db_path: Path, args: list[tuple[str, str]]) -> list[list[str]]:
    go = tmp_path / f"{mode}.go"
    outs = [tmp_path / f"{mode}-{i}.json" for i in range(len(args))]
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, mode, str(db_path), str(go), str(out), a, b])
        for out, (a, b) in zip(outs, args, strict=True)
    ]
    try:
        deadline = time.monotonic() + 30
        while not all(Path(str(o) + ".ready").exists() for o in outs):
            assert time.monotonic() < deadline, "workers did not start"
            assert all(p.poll() is None for p in procs), "a worker died at start"
            time.sleep(0.01)
        go.touch()  # every process starts at the same instant
        for p in procs:
            assert p.wait(timeout=60) == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return [json.loads(o.read_text()) for o in outs]


def test_kiosks_and_counters_racing_on_one_file(tmp_path):
    db_path = tmp_path / "guichet.sqlite3"
    db = Database.open(db_path)
    upgrade(db.engine)
    seed_reference(db)
    seed_queues(db, open_all_day=True)
    with db.read() as s:
        site = s.scalar(select(Site.id).where(Site.code == "HDV"))
        queue_a = s.scalar(select(Queue.id).where(Queue.site_id == site, Queue.letter == "A"))
        counters = {c.number: c.id for c in s.scalars(select(Counter).where(Counter.site_id == site))}
        agents = [a.id for a in s.scalars(select(Agent).where(Agent.site_id == site).order_by(Agent.login))]
    service = QueueService(db)
    # Counters 1, 2, 4 and 5 all serve queue A; four agents of the site open them.
    at_counters = list(zip([counters[n] for n in (1, 2, 4, 5)], agents, strict=False))
    for counter_id, agent_id in at_counters:
        service.open_counter(counter_id=counter_id, agent_id=agent_id)

    # Three kiosks issue 20 tickets each in the same queue at the same time: 60 distinct numbers.
    issued = _race(tmp_path, "issue", db_path, [(str(site), str(queue_a))] * 3)
    numbers = sorted(n for batch in issued for n in batch)
    assert numbers == [f"A{i:03d}" for i in range(1, 61)]
    assert all(batch == sorted(batch) for batch in issued)

    # Four counters press « Appeler » at the same instant, again and again, until nobody waits.
    called = _race(tmp_path, "call", db_path, [(str(c), str(a)) for c, a in at_counters])
    flat = [n for batch in called for n in batch]
    assert len(flat) == len(set(flat)) == 60  # nobody called twice, nobody forgotten
    assert sum(1 for batch in called if batch) >= 2  # the counters really did share the work
    with db.read() as s:
        calls = s.execute(
            select(Ticket.number)
            .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
            .where(TicketEvent.kind == TicketEventKind.CALLED)
            .order_by(TicketEvent.seq)
        ).scalars()
        # In commit order, calls went strictly down the queue: no ticket was skipped.
        assert list(calls) == [f"A{i:03d}" for i in range(1, 61)]
        seqs = s.execute(select(TicketEvent.seq).order_by(TicketEvent.seq)).scalars().all()
        assert seqs == list(range(1, len(seqs) + 1))
    db.close()
