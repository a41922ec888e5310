"""The desk through the site hub: the same windows, the hub's loss said at once, contacts kept and delivered."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from guichet.app import build_desk
from guichet.config import Settings
from guichet.db import Database
from guichet.hub.client import HubLink
from guichet.hub.settings import HubSettings
from guichet.models import Contact
from guichet.services.demo import DEMO_PASSWORD
from guichet.ui.common.style import apply_style
from tests.hub.harness import ServedHub, hub_settings
from tests.ui.helpers import focused, log_in, press, screenshot_dir, type_keys


@pytest.fixture
def served(demo_file: Database):
    hub = ServedHub(hub_settings(demo_file.path)).start()
    yield hub
    hub.close()


def log_phone_call(qtbot, window, subject: str) -> None:
    window.activateWindow()
    window.form.citizen_search.setFocus()
    press(qtbot, Qt.Key.Key_F2)
    press(qtbot, Qt.Key.Key_Tab)  # anonymous: straight to the theme
    assert focused() is window.form.theme
    type_keys(qtbot, "annulation repas")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, subject)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "1")
    press(qtbot, Qt.Key.Key_Return)


def count(db_path: str, subject: str) -> int:
    db = Database.open(Path(db_path))
    try:
        with db.read() as s:
            return s.scalar(select(func.count()).select_from(Contact).where(Contact.subject == subject))
    finally:
        db.close()


def test_the_desk_works_through_the_hub_and_keeps_contacts_while_it_is_away(qtbot, qapp, served, tmp_path):
    apply_style(qapp)
    link = HubLink(served.url, served.pair("Guichet 1"))
    settings = replace(Settings(db_path=tmp_path / "poste" / "x.sqlite3"), hub=HubSettings(url=served.url))
    desk = build_desk(settings, None, link=link)
    try:
        window = log_in(qtbot, desk, "mdurand", DEMO_PASSWORD)
        qtbot.waitUntil(lambda: window.journal.journal is not None, timeout=10_000)
        assert window.db_label.text() == f"Serveur {served.url.split('://')[1]}"
        qtbot.waitUntil(lambda: "connecté" in window.sync_label.text(), timeout=10_000)

        log_phone_call(qtbot, window, "Par le serveur du site")
        qtbot.waitUntil(lambda: "enregistré" in window.form.message.text(), timeout=10_000)
        assert count(served.settings.db_path, "Par le serveur du site") == 1

        served.stop()  # the hub's PC is switched off
        qtbot.waitUntil(lambda: "injoignable" in window.sync_label.text(), timeout=5_000)
        assert "suspendue" in window.statusBar().currentMessage()

        log_phone_call(qtbot, window, "Pendant la coupure")
        qtbot.waitUntil(lambda: "gardé sur ce poste" in window.form.message.text(), timeout=10_000)
        assert window.form.subject.text() == ""  # nothing to type again
        assert desk.outbox.count() == 1
        assert "1 contact(s) gardé(s) ici" in window.sync_label.text()
        window.grab().save(str(screenshot_dir(tmp_path) / "desk_hub_injoignable.png"))

        served.start()  # back, same address and database
        qtbot.waitUntil(lambda: "connecté" in window.sync_label.text(), timeout=15_000)
        qtbot.waitUntil(lambda: desk.outbox.count() == 0, timeout=10_000)
        qtbot.waitUntil(lambda: "transmis" in window.statusBar().currentMessage(), timeout=10_000)
        assert count(served.settings.db_path, "Pendant la coupure") == 1
        qtbot.waitUntil(
            lambda: any(r.subject == "Pendant la coupure" for r in window.journal.journal.rows), timeout=10_000
        )
    finally:
        qtbot.waitUntil(lambda: desk.worker.idle, timeout=10_000)
        desk.close()
