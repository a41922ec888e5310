"""The counter's queue panel: open the counter, call, recall, mark absent, transfer, finish.

Keys: F7 Appeler · F8 Rappeler · F10 Absent · F11 Transférer · F12 Terminer ·
Ctrl+K appeler un numéro. A call puts the ticket on the contact form (accueil physique,
theme of the queue) so the visit is logged while the citizen is still at the counter.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import TicketStatus
from guichet.services.auth import AgentSession
from guichet.services.clock import PARIS
from guichet.services.queue import QueueService
from guichet.services.queue_types import NO_TICKET_MESSAGE, CounterPanel, CounterStatus, TicketInfo
from guichet.ui.common.messages import error_text
from guichet.ui.worker import Worker

_IN_HAND = (TicketStatus.CALLED, TicketStatus.IN_SERVICE)


class CounterPanelWidget(QGroupBox):
    ticket_called = Signal(object)  # TicketInfo: the citizen is coming to this counter
    ticket_finished = Signal(object)  # TicketInfo

    def __init__(
        self,
        worker: Worker,
        queue: QueueService,
        session: AgentSession,
        counters: tuple[CounterStatus, ...],
        *,
        counter_number: int | None = None,
        refresh_ms: int = 3000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("File d'attente", parent)
        self._worker = worker
        self._queue = queue
        self._session = session
        self.panel: CounterPanel | None = None
        self._loading = False

        self.counter = QComboBox()
        for c in counters:
            self.counter.addItem(c.name, c.id)
        mine = next((c for c in counters if c.agent_id == session.agent_id and c.is_open), None)
        wanted = mine or next((c for c in counters if c.number == counter_number), None)
        if wanted is not None:
            self.counter.setCurrentIndex(self.counter.findData(wanted.id))
        self.counter.currentIndexChanged.connect(self.refresh)
        self.open_button = QPushButton("Ouvrir le guichet")
        self.open_button.clicked.connect(self.toggle_open)

        self.number = QLabel("—")
        self.number.setObjectName("ticketNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number.setStyleSheet("font-size: 34pt; font-weight: bold; color: #0b4f8a;")
        self.ticket_details = QLabel("Aucun ticket en cours")
        self.ticket_details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_details.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("hint")

        self.call_button = self._button("F7  Appeler", "F7", self.call_next, primary=True)
        self.recall_button = self._button("F8  Rappeler", "F8", self.recall)
        self.no_show_button = self._button("F10  Absent", "F10", self.no_show)
        self.transfer_button = self._button("F11  Transférer", "F11", self.transfer)
        self.finish_button = self._button("F12  Terminer", "F12", self.finish)
        self.park_button = self._button("Mettre de côté", None, self.park)
        self.by_number_button = self._button("Numéro… (Ctrl+K)", "Ctrl+K", self.call_by_number)
        actions = QGridLayout()
        actions.addWidget(self.call_button, 0, 0, 1, 2)
        actions.addWidget(self.recall_button, 1, 0)
        actions.addWidget(self.no_show_button, 1, 1)
        actions.addWidget(self.transfer_button, 2, 0)
        actions.addWidget(self.finish_button, 2, 1)
        actions.addWidget(self.park_button, 3, 0)
        actions.addWidget(self.by_number_button, 3, 1)

        self.waiting = QTreeWidget()
        self.waiting.setHeaderLabels(["En attente", "Attente"])
        self.waiting.setRootIsDecorated(True)
        header = self.waiting.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.waiting.itemActivated.connect(self._activated)

        top = QHBoxLayout()
        top.addWidget(self.counter, 1)
        top.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.number)
        layout.addWidget(self.ticket_details)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.waiting, 1)
        self.setMinimumWidth(340)

        self._timer = QTimer(self, interval=refresh_ms, timeout=self.refresh)
        self._timer.start()
        self._show_state()
        self.refresh()

    def _button(self, text: str, key: str | None, slot: Callable[[], None], *, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(34)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys, not Tab: the form keeps the focus
        if primary:
            button.setObjectName("primary")
        button.clicked.connect(slot)
        if key:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        return button

    # -- state -----------------------------------------------------------------------------------

    @property
    def counter_id(self) -> uuid.UUID | None:
        return self.counter.currentData()

    @property
    def current(self) -> TicketInfo | None:
        return self.panel.current if self.panel else None

    def refresh(self) -> None:
        if self.counter_id is None or self._loading:
            return
        self._loading = True
        self._worker.submit(
            self._queue.counter_panel, counter_id=self.counter_id, on_done=self._show, on_error=self._load_failed
        )

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._say(error_text(error), error=True)

    def _show(self, panel: CounterPanel) -> None:
        self._loading = False
        if panel.counter.id != self.counter_id:
            return  # the agent picked another counter meanwhile
        self.panel = panel
        self._show_state()
        self.waiting.clear()
        for q in panel.queues:
            estimate = f"~{q.estimated_wait_min} min" if q.estimated_wait_min is not None else ""
            head = QTreeWidgetItem([f"{q.letter} ({q.waiting_count}) · {q.name}", estimate])
            head.setFirstColumnSpanned(False)
            for t in q.tickets:
                mark = " ★" if t.priority else ""
                moved = " (transféré)" if t.transferred else ""
                if t.appointment_at is not None:
                    moved += f" · RDV {t.appointment_at.astimezone(PARIS):%H:%M}"
                child = QTreeWidgetItem([f"{t.number}{mark}{moved}", f"{t.waited_min} min"])
                child.setData(0, Qt.ItemDataRole.UserRole, t.number)
                head.addChild(child)
            self.waiting.addTopLevelItem(head)
            head.setExpanded(True)
        if panel.parked:
            head = QTreeWidgetItem([f"Mis de côté — {len(panel.parked)}", ""])
            for t in panel.parked:
                child = QTreeWidgetItem([f"{t.number} (Entrée : reprendre)", ""])
                child.setData(0, Qt.ItemDataRole.UserRole + 1, t.id)
                head.addChild(child)
            self.waiting.addTopLevelItem(head)
            head.setExpanded(True)

    def _show_state(self) -> None:
        counter = self.panel.counter if self.panel else None
        is_open = bool(counter and counter.is_open)
        mine = bool(counter and counter.agent_id == self._session.agent_id)
        if counter is None:
            self.setTitle("File d'attente")
        elif is_open:
            self.setTitle(f"{counter.name} · {counter.agent_name} · {counter.served_today} servi(s)")
        else:
            self.setTitle(f"{counter.name} — fermé")
        self.open_button.setText("Fermer le guichet" if is_open and mine else "Ouvrir le guichet")
        current = self.current
        in_hand = current is not None and current.status in _IN_HAND
        self.call_button.setEnabled(is_open and mine)
        self.by_number_button.setEnabled(is_open and mine)
        for b in (self.recall_button, self.no_show_button, self.transfer_button, self.finish_button, self.park_button):
            b.setEnabled(in_hand and mine)
        if current is None:
            self.number.setText("—")
            self.ticket_details.setText("Aucun ticket en cours" if is_open else "Ouvrez le guichet pour appeler")
            return
        self.number.setText(current.number)
        when = current.called_at.astimezone(PARIS).strftime("%H:%M") if current.called_at else ""
        parts = [current.queue_name, f"{current.status.label} à {when}" if when else current.status.label]
        if current.recall_count:
            parts.append(f"rappelé {current.recall_count} fois")
        if current.priority_reason is not None:
            parts.append(f"prioritaire : {current.priority_reason.label}")
        if current.appointment_at is not None:
            parts.append(f"rendez-vous de {current.appointment_at.astimezone(PARIS):%H:%M}")
        self.ticket_details.setText(" · ".join(parts))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setObjectName("error" if error else "hint")
        self.message.setText(text)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    # -- actions ---------------------------------------------------------------------------------

    def _act(self, fn: Callable[..., Any], done: Callable[[Any], None] | None = None, **kwargs: Any) -> None:
        """Run a queue action for this counter; show its French refusal in the panel, then refresh."""

        def ok(result: Any) -> None:
            if done is not None:
                done(result)
            self.refresh()

        def failed(error: BaseException) -> None:
            self._say(error_text(error), error=True)
            self.refresh()

        self._worker.submit(fn, counter_id=self.counter_id, agent_id=self._session.agent_id, on_done=ok, owner=self,
                            on_error=failed, **kwargs)  # fmt: skip

    def _on_ticket(self, fn: Callable[..., Any], done: Callable[[Any], None] | None = None, **kwargs: Any) -> None:
        current = self.current
        if current is None or current.status not in _IN_HAND:
            self._say("Aucun ticket en cours à ce guichet.", error=True)
            return
        self._act(fn, done, ticket_id=current.id, **kwargs)

    def toggle_open(self) -> None:
        counter = self.panel.counter if self.panel else None
        if counter is not None and counter.is_open and counter.agent_id == self._session.agent_id:
            self._act(self._queue.close_counter, lambda _c: self._say("Guichet fermé."))
        else:
            self._act(self._queue.open_counter, lambda c: self._say(f"{c.name} ouvert. F7 pour appeler."))

    def call_next(self) -> None:
        def called(ticket: TicketInfo | None) -> None:
            if ticket is None:
                self._say(NO_TICKET_MESSAGE)
            else:
                self._say(f"{ticket.number} appelé.")
                self.ticket_called.emit(ticket)

        self._act(self._queue.call_next, called)

    def call_by_number(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Appeler un numéro")
        dialog.setLabelText("Numéro du ticket (ex. A042) :")
        dialog.setOkButtonText("Appeler")
        dialog.setCancelButtonText("Annuler")
        dialog.textValueSelected.connect(self._call_number)
        dialog.finished.connect(dialog.deleteLater)
        self.number_dialog = dialog
        dialog.open()

    def _call_number(self, number: str) -> None:
        if not number.strip():
            return

        def called(ticket: TicketInfo) -> None:
            self._say(f"{ticket.number} appelé hors tour.")
            self.ticket_called.emit(ticket)

        self._act(self._queue.call_by_number, called, number=number)

    def recall(self) -> None:
        self._on_ticket(self._queue.recall, lambda t: self._say(f"{t.number} rappelé."))

    def no_show(self) -> None:
        self._on_ticket(self._queue.no_show, lambda t: self._say(f"{t.number} marqué absent."))

    def park(self) -> None:
        self._on_ticket(self._queue.park, lambda t: self._say(f"{t.number} mis de côté."))

    def finish(self) -> None:
        def finished(ticket: TicketInfo) -> None:
            self._say(f"{ticket.number} terminé : complétez le contact et enregistrez.")
            self.ticket_finished.emit(ticket)

        self._on_ticket(self._queue.finish, finished)

    def transfer(self) -> None:
        current = self.current
        if self.panel is None or current is None or current.status not in _IN_HAND:
            self._say("Aucun ticket en cours à ce guichet.", error=True)
            return
        menu = QMenu(self)
        for target in self.panel.transfer_targets:
            if target.id == current.queue_id:
                continue
            action = menu.addAction(f"{target.letter} · {target.name}")
            action.triggered.connect(lambda _=False, q=target.id: self.transfer_to(q))
        self.transfer_menu = menu
        menu.popup(self.transfer_button.mapToGlobal(self.transfer_button.rect().bottomLeft()))

    def transfer_to(self, queue_id: uuid.UUID) -> None:
        self._on_ticket(self._queue.transfer, lambda t: self._say(f"{t.number} transféré vers {t.queue_name}."),
                        to_queue_id=queue_id)  # fmt: skip

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        parked_id = item.data(0, Qt.ItemDataRole.UserRole + 1)
        if parked_id is not None:
            self._act(self._queue.resume, lambda t: (self._say(f"{t.number} repris."), self.ticket_called.emit(t)),
                      ticket_id=parked_id)  # fmt: skip
