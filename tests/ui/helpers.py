"""Keyboard helpers for the desk tests."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "aucun champ n'a le focus"
    return widget


def type_keys(qtbot, text: str) -> None:
    """Type into whatever has the focus, as an agent would (accented letters included)."""
    for ch in text:
        widget = focused()
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:  # QTest only maps ASCII to keys: send the character itself, as a French keyboard does
            QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, ch))
            QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyRelease, 0, Qt.KeyboardModifier.NoModifier, ch))


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifier)


def screenshot_dir(tmp_path: Path) -> Path:
    """Where window renders go: GUICHET_SCREENSHOTS if set (to look at them), else the test's tmp dir."""
    target = Path(os.environ.get("GUICHET_SCREENSHOTS", tmp_path))
    target.mkdir(parents=True, exist_ok=True)
    return target
