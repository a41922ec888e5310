"""Live board of a site: its queues against their targets, its counters and who is at them, refreshed by itself."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import TicketStatus
from guichet.services.clock import PARIS
from guichet.services.queue import QueueService
from guichet.services.queue_types import SiteStatus
from guichet.services.stats_types import StatsScope
from guichet.ui.common.messages import error_text
from guichet.ui.worker import Worker

QUEUE_COLUMNS = ["File", "En attente", "Prioritaires", "Plus longue attente", "Objectif", "Attente estimée",
                 "Guichets ouverts", "Tickets du jour", "État"]  # fmt: skip
COUNTER_COLUMNS = ["Guichet", "État", "Agent", "Files", "Ticket en cours", "Depuis", "Servis aujourd'hui"]
OVER = QColor("#fde2e1")
OVER_TEXT = QColor("#b71c1c")


def _minutes(value: int | None) -> str:
    return "—" if value is None else f"{value} min"


def _item(text: str, *, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(
        (Qt.AlignmentFlag.AlignRight if align_right else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter
    )
    return item


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


class LiveBoard(QWidget):
    """Reads ``QueueService.site_status`` through the worker every ``refresh_ms``; never two reads at once."""

    def __init__(self, worker: Worker, queue: QueueService, *, refresh_ms: int = 5000,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._queue = queue
        self._loading = False
        self.status: SiteStatus | None = None

        self.site = QComboBox()
        self.site.setMinimumContentsLength(22)
        self.site.currentIndexChanged.connect(self.refresh)
        self.updated = QLabel("")
        self.updated.setObjectName("hint")
        top = QHBoxLayout()
        top.addWidget(QLabel("Site :"))
        top.addWidget(self.site)
        top.addStretch(1)
        top.addWidget(self.updated)
        self.close_day_button = QPushButton("Clôturer la journée du site…")
        top.addWidget(self.close_day_button)

        self.alert = QLabel()
        self.alert.setObjectName("alertBanner")
        self.alert.setWordWrap(True)
        self.alert.hide()

        self.kpis: dict[str, QLabel] = {}
        cards = QGridLayout()
        for i, (key, title) in enumerate((("waiting", "Personnes en attente"), ("longest", "Plus longue attente"),
                                          ("open", "Guichets ouverts"), ("served", "Servis aujourd'hui"),
                                          ("issued", "Tickets du jour"))):  # fmt: skip
            box = QWidget()
            box.setObjectName("kpi")
            inner = QVBoxLayout(box)
            inner.setContentsMargins(10, 6, 10, 6)
            value = QLabel("—")
            value.setObjectName("kpiValue")
            caption = QLabel(title)
            caption.setObjectName("kpiCaption")
            inner.addWidget(value)
            inner.addWidget(caption)
            self.kpis[key] = value
            cards.addWidget(box, 0, i)

        self.queues = _table(QUEUE_COLUMNS)
        self.counters = _table(COUNTER_COLUMNS)
        queues_box = QWidget()
        q_layout = QVBoxLayout(queues_box)
        q_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Files d'attente")
        title.setObjectName("sectionTitle")
        q_layout.addWidget(title)
        q_layout.addWidget(self.queues)
        counters_box = QWidget()
        c_layout = QVBoxLayout(counters_box)
        c_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Guichets")
        title.setObjectName("sectionTitle")
        c_layout.addWidget(title)
        c_layout.addWidget(self.counters)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(queues_box)
        split.addWidget(counters_box)
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.alert)
        layout.addLayout(cards)
        layout.addWidget(split, 1)

        self.timer = QTimer(self, interval=refresh_ms, timeout=self.refresh)

    def set_scope(self, scope: StatsScope) -> None:
        self.site.blockSignals(True)
        self.site.clear()
        for site in scope.sites:
            self.site.addItem(f"{site.name} ({site.code})", site.id)
        home = next((i for i, x in enumerate(scope.sites) if x.id == scope.home_site_id), 0)
        self.site.setCurrentIndex(home)
        self.site.blockSignals(False)
        self.refresh()
        self.timer.start()

    def site_id(self) -> uuid.UUID | None:
        return self.site.currentData()

    def refresh(self) -> None:
        site_id = self.site_id()
        if site_id is None or self._loading:
            return
        self._loading = True
        self._worker.submit(self._queue.site_status, site_id=site_id, on_done=self._show, on_error=self._failed)

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self.updated.setText(f"Tableau indisponible : {error_text(error)}")

    def _show(self, status: SiteStatus) -> None:
        self._loading = False
        if status.site_id != self.site_id():  # the site changed while reading: read the new one
            self.refresh()
            return
        self.status = status
        queues = [q for q in status.queues]
        over = [q for q in queues if q.over_target]
        self.queues.setRowCount(len(queues))
        for row, q in enumerate(queues):
            cells = [
                _item(f"{q.letter} — {q.name}"), _item(str(q.waiting), align_right=True),
                _item(str(q.waiting_priority), align_right=True), _item(_minutes(q.longest_wait_min), align_right=True),
                _item(_minutes(q.target_wait_min), align_right=True),
                _item(_minutes(q.estimated_wait_min) if q.open_counters else "aucun guichet", align_right=True),
                _item(str(q.open_counters), align_right=True), _item(str(q.issued_today), align_right=True),
                _item(q.state_label + (f" — {q.message}" if q.message else "")),
            ]  # fmt: skip
            for col, item in enumerate(cells):
                if q.over_target:
                    item.setBackground(QBrush(OVER))
                    if col in (0, 3):
                        item.setForeground(QBrush(OVER_TEXT))
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                self.queues.setItem(row, col, item)
        counters = status.counters
        self.counters.setRowCount(len(counters))
        for row, c in enumerate(counters):
            state = "Ouvert" if c.is_open else "Fermé"
            if c.is_open and c.current_status is not None:
                state = "Appel en cours" if c.current_status is TicketStatus.CALLED else "En service"
            since = f"{c.current_since.astimezone(PARIS):%H:%M}" if c.current_since else ""
            cells = [
                _item(c.name), _item(state), _item(c.agent_name or "—"), _item(", ".join(c.queue_letters)),
                _item(c.current_number or "—"), _item(since), _item(str(c.served_today), align_right=True),
            ]  # fmt: skip
            for col, item in enumerate(cells):
                if not c.is_open:
                    item.setForeground(QBrush(QColor("#8c959f")))
                self.counters.setItem(row, col, item)
        waiting = sum(q.waiting for q in queues)
        longest = max((q.longest_wait_min for q in queues if q.longest_wait_min is not None), default=None)
        self.kpis["waiting"].setText(str(waiting))
        self.kpis["longest"].setText(_minutes(longest))
        self.kpis["open"].setText(f"{sum(1 for c in counters if c.is_open)} / {len(counters)}")
        self.kpis["served"].setText(str(sum(c.served_today for c in counters)))
        self.kpis["issued"].setText(str(sum(q.issued_today for q in queues)))
        self.kpis["longest"].setProperty("over", bool(over))
        self.kpis["longest"].style().unpolish(self.kpis["longest"])
        self.kpis["longest"].style().polish(self.kpis["longest"])
        if over:
            parts = [
                f"{q.letter} — {q.name} : {q.longest_wait_min} min (objectif {q.target_wait_min} min)" for q in over
            ]
            self.alert.setText("⚠ Attente au-delà de l'objectif — " + " · ".join(parts))
            self.alert.show()
        else:
            self.alert.hide()
        self.updated.setText(f"Mis à jour à {status.at.astimezone(PARIS):%H:%M:%S}")
