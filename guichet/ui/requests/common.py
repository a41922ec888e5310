"""What the request screens share: deadline wording and colours, short dates, the window-wide look."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from guichet.domain import RequestStatus
from guichet.services.requests import DUE_SOON_DAYS
from guichet.services.requests_types import RequestRow

RED = QColor("#b71c1c")
ORANGE = QColor("#a84f00")  # dark enough to read on white, still told apart from red
GREEN = QColor("#1b5e20")
GREY = QColor("#57606a")

STATUS_COLOURS = {
    RequestStatus.NEW: "#0b63b6",
    RequestStatus.ASSIGNED: "#0b63b6",
    RequestStatus.IN_PROGRESS: "#6a1b9a",
    RequestStatus.WAITING_CITIZEN: "#a84f00",
    RequestStatus.ANSWERED: "#1b5e20",
    RequestStatus.CLOSED: "#57606a",
    RequestStatus.DROPPED: "#57606a",
}

STYLE = """
QLabel#bigTitle { font-size: 16pt; font-weight: bold; color: #0b4f8a; }
QLabel#statusChip { border-radius: 10px; padding: 3px 10px; color: #ffffff; font-weight: bold; }
QLabel#banner { background: #e8f5e9; border: 1px solid #81c784; border-radius: 6px; padding: 8px 12px;
                font-size: 15pt; font-weight: bold; color: #1b5e20; }
QLabel#banner[error="true"] { background: #fff5f5; border: 1px solid #c62828; color: #b71c1c; font-size: 11pt; }
QLabel#section { font-weight: bold; color: #0b4f8a; }
QTabBar#views::tab { background: #ffffff; border: 1px solid #d0d7de; border-radius: 4px; padding: 5px 12px;
                     margin-right: 4px; }
QTabBar#views::tab:selected { background: #0b63b6; color: #ffffff; font-weight: bold; border-color: #0b4f8a; }
QTabBar::tab { background: #eaeef2; border: 1px solid #d0d7de; border-bottom: none; padding: 4px 10px;
               margin-right: 2px; border-top-left-radius: 4px; border-top-right-radius: 4px; }
QTabBar::tab:selected { background: #ffffff; color: #0b4f8a; font-weight: bold; border-top: 2px solid #0b63b6; }
"""


def deadline(row: RequestRow, today: date) -> tuple[str, QColor | None]:
    """« 12/12/2026 · J+3 » in red when late, « · J-2 » in orange when due within the next days."""
    text = f"{row.due_on:%d/%m/%Y}"
    if not row.status.is_open:
        return text, None
    days = row.days_left(today)
    if days < 0:
        return f"{text} · J+{-days}", RED
    if days == 0:
        return f"{text} · aujourd'hui", ORANGE
    if days <= DUE_SOON_DAYS:
        return f"{text} · J-{days}", ORANGE
    return text, None


def find_data(combo, value: object) -> int:  # noqa: ANN001 - a QComboBox
    """The index of the item holding ``value`` (QComboBox.findData misses equal UUIDs that are not the same
    object, and enums handed back as plain strings), or -1."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


def status_chip_style(status: RequestStatus) -> str:
    return f"background: {STATUS_COLOURS[status]};"


def make_table(columns: list[str], widths: tuple[int, ...], stretch: int) -> QTableWidget:
    """A read-only table of a few rows (a request's history, letters, files, dispatches)."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    for col, width in enumerate(widths):
        header.resizeSection(col, width)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def fill_table(table: QTableWidget, rows: list[list[str]], colours: list[QColor | None] | None = None) -> None:
    """Rows of text (the whole text as tooltip); ``colours`` paints each row's last cell."""
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            if colours and colours[r] is not None and c == len(values) - 1:
                item.setForeground(colours[r])
            table.setItem(r, c, item)
    if rows:
        table.selectRow(0)
