"""A read-only table model over a tuple of frozen dataclasses: the part every list of the desk shares."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget


class RowsModel(QAbstractTableModel):
    """``rows`` (dataclasses) under ``columns`` (header labels); subclasses say what a cell shows (``data``).

    ``discreet``: the desk's discreet mode (Ctrl+Maj+M), for lists that show citizens.
    """

    def __init__(self, columns: list[str] | tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: tuple[Any, ...] = ()
        self.discreet = False

    def set_rows(self, rows: tuple[Any, ...]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def set_discreet(self, on: bool) -> None:
        self.beginResetModel()
        self.discreet = on
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None
