"""The desk application, logged in, on a real demo database, driven with pytest-qt offscreen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from guichet.app import Desk, build_desk
from guichet.config import Settings
from guichet.db import Database
from guichet.services.demo import DEMO_PASSWORD, seed_demo
from guichet.ui.common.style import apply_style
from tests.ui.helpers import log_in

# GUICHET_UI_VIA_HUB=1 runs the desk tests with the desk's services behind a real site hub (HTTP on
# 127.0.0.2): the windows must not tell the difference (guichet.hub.client.RemoteServices).
VIA_HUB = bool(os.environ.get("GUICHET_UI_VIA_HUB"))


@pytest.fixture
def demo_file(db: Database) -> Database:
    seed_demo(db, citizens=60, days=5, per_day=6)
    return db


@pytest.fixture
def login_as(qtbot, qapp, demo_file: Database, db_path: Path):
    """``login_as("sperrin")``: a desk logged in as that demo account, its window and journal loaded."""
    apply_style(qapp)
    desks: list[Desk] = []
    hubs: list = []

    def open_desk(login: str, settings: Settings | None = None) -> Desk:
        if VIA_HUB:  # the same test, the desk's services behind a site hub (see VIA_HUB)
            from guichet.hub.client import HubLink
            from tests.hub.harness import ServedHub, hub_settings

            if not hubs:
                hubs.append(ServedHub(hub_settings(demo_file.path)).start())
            link = HubLink(hubs[0].url, hubs[0].pair(f"Poste {len(desks) + 1}"))
            desk = build_desk(settings or Settings(db_path=db_path), None, link=link)
            desk.db = demo_file  # what the tests read and seed directly; the desk itself goes through the hub
        else:
            desk = build_desk(settings or Settings(db_path=db_path), demo_file)
        desks.append(desk)
        window = log_in(qtbot, desk, login, DEMO_PASSWORD)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.journal.journal is not None, timeout=10_000)
        return desk

    yield open_desk
    for desk in desks:
        qtbot.waitUntil(lambda d=desk: d.worker.idle, timeout=10_000)
        if desk.printer is not None:
            desk.printer.stop()
        desk.worker.shutdown()
        if desk.hub is not None:
            desk.hub.stop()
    for hub in hubs:
        hub.close()


@pytest.fixture
def desk(login_as) -> Desk:
    """The desk of the demo agent "mdurand"."""
    return login_as("mdurand")
