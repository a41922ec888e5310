"""A line edit that proposes matches as the agent types, picked with the arrows and Enter.

Suggestions float over the form (they do not push the layout) and never take the focus,
so typing goes on uninterrupted. The matches come from a local list (themes, services) or
from a service call made through the worker (citizens).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from guichet.text import fold

Suggestion = tuple[str, Any]  # (label shown, value)


class SearchField(QLineEdit):
    picked = Signal(object)  # the value of the chosen suggestion
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None, *, max_rows: int = 8) -> None:
        super().__init__(parent)
        self._list = QListWidget()
        self._list.setObjectName("suggestions")
        self._list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._list.itemClicked.connect(self._pick_item)
        self._list.hide()
        self._max_rows = max_rows
        self._value: Any = None
        self._picked_label = ""
        self._local: list[tuple[str, str, Any]] = []  # (label, folded key, value)
        self._remote: Callable[[str], None] | None = None
        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(self._query_remote)
        self.textEdited.connect(self._on_edited)
        self.installEventFilter(self)

    # -- sources --------------------------------------------------------------------------------

    def set_items(self, items: Sequence[Suggestion], search_keys: Sequence[str] | None = None) -> None:
        """A local list, filtered here on every keystroke (accent-, case- and punctuation-blind)."""
        keys = search_keys or [fold(label) for label, _ in items]
        self._local = [(label, key, value) for (label, value), key in zip(items, keys, strict=True)]
        self._remote = None

    def set_remote(self, ask: Callable[[str], None]) -> None:
        """``ask(text)`` fetches matches (through the worker) and hands them to ``show_suggestions``."""
        self._remote = ask
        self._local = []

    # -- state ----------------------------------------------------------------------------------

    @property
    def value(self) -> Any:
        return self._value

    def set_value(self, label: str, value: Any) -> None:
        self._value = value
        self._picked_label = label
        self.setText(label)
        self._list.hide()

    def clear_value(self) -> None:
        self._value = None
        self._picked_label = ""
        self.clear()
        self._list.hide()

    def hide_suggestions(self) -> None:
        self._list.hide()

    def suggestions_visible(self) -> bool:
        return self._list.isVisible()

    def suggestion_labels(self) -> list[str]:
        return [self._list.item(i).text() for i in range(self._list.count())]

    # -- behaviour ------------------------------------------------------------------------------

    def _on_edited(self, text: str) -> None:
        if self._value is not None and text != self._picked_label:
            self._value = None
            self.cleared.emit()
        if not text.strip():
            self._list.hide()
            return
        if self._remote is not None:
            self._debounce.start()
        else:
            words = fold(text).split()
            matches = [(label, value) for label, key, value in self._local if all(w in key for w in words)]
            self.show_suggestions(matches)

    def _query_remote(self) -> None:
        if self._remote is not None and self.text().strip():
            self._remote(self.text())

    def show_suggestions(self, matches: Sequence[Suggestion], for_text: str | None = None) -> None:
        """Show matches under the field (ignored if they answer a text the agent has since changed)."""
        if for_text is not None and for_text != self.text():
            return
        self._list.clear()
        for label, value in matches:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            self._list.addItem(item)
        if not matches or not self.hasFocus():
            self._list.hide()
            return
        self._list.setCurrentRow(0)
        self._place_list()
        self._list.show()
        self._list.raise_()

    def _place_list(self) -> None:
        host = self.window()
        if self._list.parent() is not host:
            self._list.setParent(host)
        pos = self.mapTo(host, self.rect().bottomLeft())
        rows = min(self._list.count(), self._max_rows)
        row_height = max(self._list.sizeHintForRow(0), self._list.fontMetrics().height() + 8)
        height = rows * row_height + 2 * self._list.frameWidth() + 4
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if self._list.count() > rows else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self._list.setVerticalScrollBarPolicy(policy)
        self._list.setGeometry(pos.x(), pos.y() + 2, max(self.width(), 420), height)

    def _pick_item(self, item: QListWidgetItem) -> None:
        self.set_value(item.text(), item.data(Qt.ItemDataRole.UserRole))
        self.picked.emit(self._value)

    def pick_current(self) -> bool:
        """Take the highlighted suggestion (the first by default). False when there is none."""
        if not self._list.isVisible() or self._list.count() == 0:
            return False
        self._pick_item(self._list.currentItem() or self._list.item(0))
        return True

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self and event.type() == QEvent.Type.KeyPress and self._list.isVisible():
            key = event.key()
            row = self._list.currentRow()
            if key == Qt.Key.Key_Down:
                self._list.setCurrentRow(min(row + 1, self._list.count() - 1))
                return True
            if key == Qt.Key.Key_Up:
                self._list.setCurrentRow(max(row - 1, 0))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick_current()
                return True
            if key == Qt.Key.Key_Tab:
                self.pick_current()
                return False  # and let Tab move on as usual
            if key == Qt.Key.Key_Escape:
                self._list.hide()
                return True
        if obj is self and event.type() == QEvent.Type.FocusOut:
            QTimer.singleShot(150, self._hide_if_unfocused)
        return super().eventFilter(obj, event)

    def _hide_if_unfocused(self) -> None:
        if not self.hasFocus():
            self._list.hide()
