"""Small helpers shared by the citizen screens: birth dates as agents type them, the duplicate panel."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from guichet.services.dedup import DuplicateMatch
from guichet.ui.desk.privacy import discreet_citizen

_BIRTH = re.compile(r"^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2}|\d{4})\s*$")
_COMPACT = re.compile(r"^\s*(\d{2})(\d{2})(\d{4})\s*$")


def parse_birth_date(text: str, today: date) -> date | None:
    """« 04/03/1980 », « 4.3.80 », « 04031980 »; a two-digit year is the last one not after today."""
    match = _BIRTH.match(text) or _COMPACT.match(text)
    if match is None:
        return None
    day, month, year = int(match[1]), int(match[2]), match[3]
    if len(year) == 2:
        full = 2000 + int(year)
        year = str(full if full <= today.year else full - 100)
    try:
        return date(int(year), month, day)
    except ValueError:
        return None


def match_line(m: DuplicateMatch, *, discreet: bool = False) -> str:
    c = m.citizen
    name = discreet_citizen(c) if discreet else c.display_name
    parts = [name, c.birth_line if not discreet else "", c.phone_display if not discreet else "", c.full_address
             if not discreet else c.postal_code]  # fmt: skip
    return "  ·  ".join(p for p in parts if p) + f"   — {m.reasons_text}"


class DuplicatePanel(QWidget):
    """« Cette personne existe peut-être déjà » with the records found: use one (Entrée) or create anyway."""

    use = Signal(object)  # the CitizenSummary chosen
    create_anyway = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("<b>Cette personne existe peut-être déjà :</b>")
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.itemActivated.connect(lambda item: self.use.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.use_button = QPushButton("&Utiliser cette fiche")
        self.use_button.clicked.connect(self._use_current)
        self.anyway_button = QPushButton("Créer &quand même")
        self.anyway_button.clicked.connect(self.create_anyway.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.anyway_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.hide()

    def show_matches(self, matches: list[DuplicateMatch], *, discreet: bool = False) -> None:
        self.list.clear()
        for m in matches:
            item = QListWidgetItem(match_line(m, discreet=discreet))
            item.setData(Qt.ItemDataRole.UserRole, m.citizen)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.show()
        self.list.setFocus()

    def _use_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.use.emit(item.data(Qt.ItemDataRole.UserRole))
