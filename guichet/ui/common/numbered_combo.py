"""A combo whose items are numbered « 1 · … », « 2 · … »: the digit picks the item at once.

Qt's own type-ahead joins keys typed within 0.4 s into one search, so an agent quick on the keys typing
« 2 » here just after « 3 » elsewhere would match nothing; a digit here always means its item.
"""

from __future__ import annotations

from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox


class NumberedCombo(QComboBox):
    def add_numbered(self, label: str, value: object) -> None:
        self.addItem(f"{self.count() + 1} · {label}", value)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        text = event.text()
        if len(text) == 1 and text.isdigit() and not self.view().isVisible():
            index = int(text) - 1
            if 0 <= index < self.count():
                self.setCurrentIndex(index)
                event.accept()
                return
        super().keyPressEvent(event)
