"""Building blocks of the supervision page: a table model over a StatTable, QtCharts bar charts, a heat map."""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QHorizontalBarSeries, QValueAxis
from PySide6.QtCore import QAbstractTableModel, QMargins, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guichet.services.stats_tables import TEXT, StatTable, heat_days, heat_hours, heat_rgb, number, text
from guichet.services.stats_types import WEEKDAYS, StatsReport

BLUE = QColor("#0b63b6")
ORANGE = QColor("#e08a00")
RED = QColor("#c62828")
GREY = QColor("#57606a")


class ProgressRelay(QObject):
    """Carries a service's progress callback (called on the worker thread) to the GUI thread, as a signal."""

    progress = Signal(int, int, str)

    def __call__(self, done: int, total: int, what: str) -> None:
        self.progress.emit(done, total, what)


class StatTableModel(QAbstractTableModel):
    """Any table of the report, formatted the French way; the raw value stays under UserRole for sorting."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table: StatTable | None = None

    def set_table(self, table: StatTable | None) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.table is None else len(self.table.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.table is None else len(self.table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if self.table is None or orientation != Qt.Orientation.Horizontal:
            return None
        column = self.table.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft if column.kind == TEXT else Qt.AlignmentFlag.AlignRight) | int(
                Qt.AlignmentFlag.AlignVCenter
            )
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.table is None:
            return None
        value = self.table.rows[index.row()][index.column()]
        column = self.table.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(value, column.kind)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag.AlignLeft if column.kind == TEXT else Qt.AlignmentFlag.AlignRight
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return value
        return None


class TableBox(QWidget):
    """A titled table of the report, with its note under it."""

    def __init__(self, parent: QWidget | None = None, *, first_column: int = 220) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        self.model = StatTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(False)
        self._first = first_column
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)

    def set_table(self, table: StatTable) -> None:
        self.title.setText(table.title)
        self.note.setText(table.note)
        self.note.setVisible(bool(table.note))
        self.model.set_table(table)
        self.view.resizeColumnsToContents()  # the header's text included: no clipped titles
        header = self.view.horizontalHeader()
        header.resizeSection(0, max(self._first, min(header.sectionSize(0), 320)))


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setBold(True)
    font.setPointSizeF(max(9.0, font.pointSizeF()))
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setLocalizeNumbers(True)  # "16,9" in the application's French locale
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(4)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


class BarChart(QChartView):
    """Bars by category, one or several series; ``set_data`` replaces everything."""

    def __init__(self, title: str, *, horizontal: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._horizontal = horizontal
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(230)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setChart(_chart(title))

    def set_data(
        self, categories: list[str], series: list[tuple[str, list[float], QColor]], *, labels: bool = True,
        decimals: int = 0,
    ) -> None:  # fmt: skip
        chart = _chart(self._title)
        bars = QHorizontalBarSeries() if self._horizontal else QBarSeries()
        if self._horizontal:  # Qt draws the first category at the bottom: the list reads from the top
            categories = categories[::-1]
            series = [(name, values[::-1], color) for name, values, color in series]
        top = 0.0
        for name, values, color in series:
            bar_set = QBarSet(name)
            values = [round(float(v), decimals) for v in values]
            bar_set.append(values)
            bar_set.setColor(color)
            bar_set.setBorderColor(color)
            bar_set.setLabelColor(QColor("#1b1f24"))
            small = QFont(self.font())
            small.setPointSizeF(max(7.0, small.pointSizeF() - 3))
            bar_set.setLabelFont(small)
            bars.append(bar_set)
            top = max([top, *values])
        bars.setLabelsVisible(labels)
        bars.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars.setLabelsFormat("@value")
        bars.setLabelsPrecision(6 if decimals else 12)
        chart.addSeries(bars)
        category_axis = QBarCategoryAxis()
        category_axis.append(categories or [""])
        value_axis = QValueAxis()
        value_axis.setRange(0, top * 1.18 if top > 0 else 1)
        value_axis.setLabelFormat("%.0f" if decimals == 0 or top >= 5 else "%.1f")
        value_axis.applyNiceNumbers()
        small = QFont(self.font())
        small.setPointSizeF(max(7.5, small.pointSizeF() - 2))
        category_axis.setLabelsFont(small)
        category_axis.setTruncateLabels(False)  # "Orientation vers un service", not "Orientation…"
        value_axis.setLabelsFont(small)
        if self._horizontal:
            chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
            if len(categories) > 10:
                category_axis.setLabelsAngle(-90)
        bars.attachAxis(category_axis)
        bars.attachAxis(value_axis)
        chart.legend().setVisible(len(series) > 1)
        self.setChart(chart)  # the view owns the new chart; the old one is deleted with it

    @property
    def categories(self) -> list[str]:
        """The categories in reading order (top to bottom for horizontal bars)."""
        for axis in self.chart().axes():
            if isinstance(axis, QBarCategoryAxis):
                names = [c.replace("<br>", " ") for c in axis.categories()]
                return names[::-1] if self._horizontal else names
        return []


class HeatMap(QTableWidget):
    """Arrivals per weekday (rows) and local hour (columns), mean per open day; the busiest cells stand out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setShowGrid(False)
        self.setMinimumHeight(180)
        self.peak: tuple[int, int] | None = None  # (weekday, hour) of the busiest cell

    @staticmethod
    def color(value: float, top: float) -> QColor:
        rgb = heat_rgb(value, top)
        return QColor("#ffffff") if rgb is None else QColor(*rgb)

    def set_report(self, report: StatsReport) -> None:
        t = report.tickets
        hours, days = heat_hours(report), heat_days(report)
        self.clear()
        self.setRowCount(len(days))
        self.setColumnCount(len(hours))
        self.setHorizontalHeaderLabels([f"{h} h" for h in hours])
        self.setVerticalHeaderLabels([WEEKDAYS[d] for d in days])
        values = {(d, h): t.arrivals_per_day(d, h) for d in days for h in hours}
        top = max(values.values(), default=0.0)
        self.peak = max(values, key=values.get) if top > 0 else None
        for i, d in enumerate(days):
            for j, h in enumerate(hours):
                v = values[(d, h)]
                item = QTableWidgetItem(number(v, 1) if v else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                fill = self.color(v, top)
                item.setBackground(QBrush(fill))
                dark = fill.redF() * 0.3 + fill.greenF() * 0.59 + fill.blueF() * 0.11 < 0.5
                item.setForeground(QBrush(QColor("#ffffff" if dark else "#1b1f24")))
                item.setToolTip(
                    f"{WEEKDAYS[d]} {h} h – {h + 1} h : {number(v, 1)} arrivées en moyenne "
                    f"({t.arrivals[d][h]} sur {t.open_days[d]} jour(s))"
                )
                self.setItem(i, j, item)
