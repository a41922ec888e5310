"""The desk application, logged in, on a real demo database, driven with pytest-qt offscreen."""

from __future__ import annotations

from collections.abc import Iterator
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
def desk(qtbot, qapp, demo_file: Database, db_path: Path) -> Iterator[Desk]:
    """Log in as the demo agent "mdurand" and wait for the desk window and its journal."""
    apply_style(qapp)
    settings = Settings(db_path=db_path)
    desk = build_desk(settings, demo_file)
    desk.login.show()
    qtbot.addWidget(desk.login)
    desk.login.login_edit.setText("mdurand")
    desk.login.password_edit.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(desk.window_opened, timeout=10_000):
        qtbot.mouseClick(desk.login.submit, Qt.MouseButton.LeftButton)
    window = desk.window
    assert window is not None
    qtbot.addWidget(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.journal.journal is not None, timeout=10_000)
    yield desk
    qtbot.waitUntil(lambda: desk.worker.idle, timeout=10_000)
    desk.worker.shutdown()
