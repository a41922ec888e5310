"""Several PCs on their own addresses, the LAN cut and restored under load: nothing lost, nothing twice.

The hub listens on 127.0.0.2; each desk reaches it through its own link (a relay on 127.0.0.3, .4, .5) that
is cut at random moments, mid-request or mid-answer. The kiosk stays on the hub's side of the LAN.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from guichet.db import Database
from guichet.domain import Channel, Outcome
from guichet.hub.client import ContactKeptError, HubLink, HubUnreachableError, RemoteServices
from guichet.hub.outbox import ContactOutbox
from guichet.models import Contact, Ticket
from guichet.services.auth import Workstation
from guichet.services.contacts import ContactInput
from guichet.services.errors import NotAllowedError
from tests.hub.harness import ServedHub
from tests.hub.relay import LinkRelay

AGENTS = ("mdurand", "kbenali", "sperrin")


def test_cutting_the_lan_under_load_loses_and_duplicates_nothing(served: ServedHub, tmp_path: Path):
    site = served.hub.services.sites.find(code="HDV")
    relays, desks, outboxes, sessions = [], [], [], []
    for n, login in enumerate(AGENTS):
        relay = LinkRelay((served.host, served.port), host=f"127.0.0.{3 + n}")
        outbox = ContactOutbox(tmp_path / f"poste{n}")
        link = HubLink(relay.url, served.pair(f"Guichet {n + 1}"), connect_timeout_s=0.5, read_timeout_s=5)
        desk = RemoteServices(link, outbox)
        session = desk.auth.login(login=login, password="guichet2026", workstation=Workstation(f"pc{n}", "HDV"))
        relays.append(relay), desks.append(desk), outboxes.append(outbox), sessions.append(session)
    kiosk = served.public("Borne 1")
    queues = [q.id for q in kiosk.queue.queue_statuses(site_id=site.id)]
    counters = served.hub.services.queue.site_status(site_id=site.id).counters
    theme = served.hub.services.reference.load(commune_id=sessions[0].commune_id, site_id=site.id).themes[0]

    typed: dict[str, str] = {}  # subject → "saved" or "kept"
    refused = {"queue": 0, "uncertain": 0}
    crashed: list[BaseException] = []
    issued: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def kiosk_loop() -> None:
        rng = random.Random(1)
        while not stop.is_set():
            issued.append(kiosk.queue.issue_ticket(site_id=site.id, queue_id=rng.choice(queues)).number)
            time.sleep(0.01)

    def desk_loop(n: int) -> None:
        try:
            desk_work(n)
        except BaseException as exc:  # noqa: BLE001 - the test fails below, with it
            crashed.append(exc)

    def desk_work(n: int) -> None:
        desk, session, counter = desks[n], sessions[n], counters[n]
        rng = random.Random(n)
        opened = False
        for i in range(40):
            try:
                if not opened:
                    desk.queue.open_counter(counter_id=counter.id, agent_id=session.agent_id)
                    opened = True
                ticket = desk.queue.call_next(counter_id=counter.id, agent_id=session.agent_id)
                if ticket is not None:
                    desk.queue.finish(ticket_id=ticket.id, counter_id=counter.id, agent_id=session.agent_id)
            except HubUnreachableError:
                with lock:
                    refused["queue"] += 1
            except NotAllowedError:
                # A call whose answer was lost was made ("peut-être faite"): the agent looks at the panel and
                # finishes the ticket at the counter, as the message says.
                with lock:
                    refused["uncertain"] += 1
                with contextlib.suppress(HubUnreachableError):  # cut again: the next round looks again
                    current = desk.queue.counter_panel(counter_id=counter.id).current
                    if current is not None:
                        desk.queue.finish(ticket_id=current.id, counter_id=counter.id, agent_id=session.agent_id)
            subject = f"poste {n} contact {i}"
            data = ContactInput(channel=Channel.PHONE, theme_id=theme.id, outcome=Outcome.ANSWERED, subject=subject)
            try:
                desk.contacts.log(agent_id=session.agent_id, site_id=site.id, data=data)
                result = "saved"
            except ContactKeptError:
                result = "kept"
            with lock:
                typed[subject] = result
            time.sleep(rng.uniform(0, 0.02))

    def chaos() -> None:
        rng = random.Random(7)
        while not stop.is_set():
            time.sleep(rng.uniform(0.05, 0.2))
            relay = rng.choice(relays)
            relay.cut()
            time.sleep(rng.uniform(0.1, 0.4))
            relay.restore()

    threads = [threading.Thread(target=desk_loop, args=(n,)) for n in range(len(AGENTS))]
    helpers = [threading.Thread(target=kiosk_loop), threading.Thread(target=chaos)]
    for t in threads + helpers:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    for t in helpers:
        t.join(10)
    for relay in relays:
        relay.restore()

    for desk, outbox in zip(desks, outboxes, strict=True):
        for _ in range(20):
            if outbox.deliver(desk.link).waiting == 0 and outbox.count() == 0:
                break
            time.sleep(0.2)
        assert outbox.count() == 0 and not list(outbox.refused_folder.glob("*.json"))

    assert not crashed, crashed
    assert len(typed) == 40 * len(AGENTS)
    assert sum(r.cuts for r in relays) >= 5
    assert "kept" in typed.values(), "the links were cut while contacts were typed: some must have been kept"
    db = Database.open(Path(served.settings.db_path))
    try:
        with db.read() as s:
            counts = dict(
                s.execute(select(Contact.subject, func.count()).where(Contact.subject.like("poste %"))
                          .group_by(Contact.subject)).all()
            )  # fmt: skip
            tickets = s.scalar(select(func.count()).select_from(Ticket))
    finally:
        db.close()
    assert set(counts) == set(typed), "every contact typed reached the hub"
    assert set(counts.values()) == {1}, "and only once"
    assert tickets == len(issued)
    for relay in relays:
        relay.close()
