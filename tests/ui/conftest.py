"""The desk application, logged in, on a real demo database, driven with pytest-qt offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from guichet.app import Desk, build_desk
from guichet.config import Settings
from guichet.db import Database
from guichet.services.demo import DEMO_PASSWORD, seed_demo
from guichet.ui.common.style import apply_style


@pytest.fixture
def demo_file(db: Database) -> Database:
    seed_demo(db, citizens=60, days=5, per_day=6)
    return db


@pytest.fixture
def login_as(qtbot, qapp, demo_file: Database, db_path: Path):
    """``login_as("sperrin")``: a desk logged in as that demo account, its window and journal loaded."""
    apply_style(qapp)
    desks: list[Desk] = []

    def open_desk(login: str, settings: Settings | None = None) -> Desk:
        desk = build_desk(settings or Settings(db_path=db_path), demo_file)
        desks.append(desk)
        desk.login.show()
        qtbot.addWidget(desk.login)
        desk.login.login_edit.setText(login)
        desk.login.password_edit.setText(DEMO_PASSWORD)
        with qtbot.waitSignal(desk.window_opened, timeout=10_000):
            qtbot.mouseClick(desk.login.submit, Qt.MouseButton.LeftButton)
        window = desk.window
        assert window is not None
        qtbot.addWidget(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.journal.journal is not None, timeout=10_000)
        return desk

    yield open_desk
    for desk in desks:
        qtbot.waitUntil(lambda d=desk: d.worker.idle, timeout=10_000)
        if desk.printer is not None:
            desk.printer.stop()
        desk.worker.shutdown()


@pytest.fixture
def desk(login_as) -> Desk:
    """The desk of the demo agent "mdurand"."""
    return login_as("mdurand")
