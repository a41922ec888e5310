"""The call screen and the kiosk through the site hub: a call is pushed to the screen, not waited for."""

from __future__ import annotations

import time

import pytest

from guichet.app import _open_public, build_display, build_kiosk
from guichet.db import Database
from guichet.hub.client import HubLink
from guichet.services.auth import Workstation
from guichet.services.queue_seed import seed_queues
from tests.hub.harness import ServedHub, hub_settings


@pytest.fixture
def served(demo_db: Database):
    seed_queues(demo_db, open_all_day=True)
    demo_db.close()
    hub = ServedHub(hub_settings(demo_db.path)).start()
    yield hub
    hub.close()


def test_a_call_made_at_a_desk_is_pushed_to_the_call_screen(qtbot, served: ServedHub):
    link = HubLink(served.url, served.pair("Écran hall", role="ecran"))
    # The screen's own poll is set to a minute: only the hub's push can bring the call in time.
    screen = _open_public(served.settings, build_display, "HDV", link=link, poll_ms=60_000)
    qtbot.addWidget(screen.window)
    kiosk_link = HubLink(served.url, served.pair("Borne hall", role="borne"))
    kiosk = _open_public(served.settings, build_kiosk, "HDV", link=kiosk_link)
    qtbot.addWidget(kiosk.window)
    try:
        desk = served.desk("Guichet 1")
        session = desk.auth.login(login="mdurand", password="guichet2026", workstation=Workstation("pc", "HDV"))
        site = desk.sites.find(code="HDV")
        queue = desk.queue.queue_statuses(site_id=site.id)[0]
        counter = desk.queue.site_status(site_id=site.id).counters[0]
        desk.queue.open_counter(counter_id=counter.id, agent_id=session.agent_id)
        qtbot.waitUntil(lambda: screen.hub.listener.connected.is_set(), timeout=5_000)
        qtbot.waitUntil(lambda: screen.window._cursor is not None, timeout=5_000)  # its first read is done

        ticket = kiosk.services.queue.issue_ticket(site_id=site.id, queue_id=queue.id)
        started = time.perf_counter()
        desk.queue.call_next(counter_id=counter.id, agent_id=session.agent_id)
        qtbot.waitUntil(lambda: screen.window.number_label.text() == ticket.number, timeout=3_000)
        assert time.perf_counter() - started < 3.0  # the poll alone would take a minute
    finally:
        screen.close()
        kiosk.close()
