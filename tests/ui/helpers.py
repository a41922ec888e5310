"""Keyboard helpers for the desk tests."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


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


def _model_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None:
        return []
    texts: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            for column in range(model.columnCount(parent)):
                index = model.index(row, column, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(index, role)
                    if isinstance(value, str):
                        texts.append(value)
            first = model.index(row, 0, parent)
            if model.rowCount(first) > 0:  # trees: the counter panel's queues
                walk(first)

    walk(QModelIndex())
    return texts


def visible_texts(root: QWidget) -> list[str]:
    """Every text a person could read in ``root`` and in the application's other visible windows."""
    texts: list[str] = []
    windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for top in [root, *[w for w in windows if w is not root]]:
        texts.append(top.windowTitle())
        for widget in [top, *top.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            if isinstance(widget, QLineEdit):
                texts += [widget.text(), widget.placeholderText()]
            elif isinstance(widget, QPlainTextEdit | QTextEdit):
                texts.append(widget.toPlainText())
            elif isinstance(widget, QLabel):
                texts.append(widget.text())
            elif isinstance(widget, QAbstractButton):
                texts += [widget.text(), widget.toolTip()]
            elif isinstance(widget, QComboBox):
                texts.append(widget.currentText())
            if isinstance(widget, QAbstractItemView):
                texts += _model_texts(widget)
            if widget.toolTip():
                texts.append(widget.toolTip())
    return [t for t in texts if t]


def log_in(qtbot, desk, login: str, password: str = "guichet2026"):  # noqa: ANN001, ANN201 - a Desk, its window
    """Log ``login`` in through the desk's login dialog, as an agent does; returns the window it opens."""
    desk.login.show()
    qtbot.addWidget(desk.login)
    desk.login.login_edit.setText(login)
    desk.login.password_edit.setText(password)
    with qtbot.waitSignal(desk.window_opened, timeout=10_000):
        qtbot.mouseClick(desk.login.submit, Qt.MouseButton.LeftButton)
    window = desk.window
    assert window is not None
    qtbot.addWidget(window)
    return window
