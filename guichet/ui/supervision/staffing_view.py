"""Staffing advice of a site: counters advised (Erlang C) next to counters open, slot by slot, and the method."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from guichet.services.staffing import METHOD_FR
from guichet.services.stats_tables import number, staffing_table
from guichet.services.stats_types import WEEKDAYS_SHORT, StatsReport
from guichet.ui.supervision.widgets import BLUE, ORANGE, BarChart, TableBox


class StaffingPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: StatsReport | None = None
        self.site = QComboBox()
        self.site.setMinimumContentsLength(16)
        self.site.currentIndexChanged.connect(self._show)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.chart = BarChart("Guichets conseillés et guichets ouverts, créneau par créneau")
        self.table = TableBox(first_column=90)
        method = QLabel("Méthode\n" + "\n".join(METHOD_FR))
        method.setObjectName("hint")
        method.setWordWrap(True)
        method.setTextFormat(Qt.TextFormat.PlainText)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(method)
        top = QHBoxLayout()
        top.addWidget(QLabel("Site :"))
        top.addWidget(self.site)
        top.addWidget(self.info, 1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.table, 3)
        lower_layout.addWidget(scroll, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(lower)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def set_report(self, report: StatsReport) -> None:
        self.report = report
        self.site.blockSignals(True)
        self.site.clear()
        for advice in report.staffing:
            self.site.addItem(advice.site_name, str(advice.site_id))
        self.site.blockSignals(False)
        self._show()

    def _show(self) -> None:
        report = self.report
        if report is None:
            return
        wanted = self.site.currentData()
        advice = next((a for a in report.staffing if str(a.site_id) == wanted), None)
        if advice is None:
            self.info.setText("Pas de tickets sur la période : pas de conseil d'effectif.")
            self.chart.set_data([], [])
            return
        self.info.setText(
            f"Objectif : {number(100 * advice.target_share, 0)} % des personnes appelées en moins de "
            f"{number(advice.target_wait_min, 0)} min. {advice.open_source} "
            f"Créneaux en sous-effectif : {len(advice.understaffed)} sur {len(advice.slots)}."
        )
        labels = [f"{WEEKDAYS_SHORT[s.weekday]} {s.hour} h" for s in advice.slots]
        series = [("Conseillés (Erlang C)", [float(s.needed) for s in advice.slots], ORANGE)]
        if any(s.open_mean is not None for s in advice.slots):
            series.append(("Ouverts (moyenne)", [s.open_mean or 0.0 for s in advice.slots], BLUE))
        self.chart.set_data(labels, series, labels=len(labels) <= 20, decimals=1)
        self.table.set_table(staffing_table(advice))
