"""The desk window: the "Accueil" page (contact form above, journal below) and a status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.clock import PARIS, now
from guichet.services.queue_types import CounterStatus, TicketInfo
from guichet.services.reference import ReferenceData
from guichet.ui.desk.contact_form import ContactForm
from guichet.ui.desk.counter_panel import CounterPanelWidget
from guichet.ui.desk.journal import JournalPanel
from guichet.ui.worker import Worker


class DeskWindow(QMainWindow):
    ready = Signal()  # the first journal is on screen

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData, *,
        database_label: str, journal_refresh_s: int = 30, counters: tuple[CounterStatus, ...] = (),
        counter_number: int | None = None, queue_refresh_ms: int = 3000,
    ) -> None:  # fmt: skip
        super().__init__()
        self.setWindowTitle(f"Guichet — {session.site_name} ({session.commune_name})")
        self._worker = worker
        self._session = session

        self.form = ContactForm(worker, services.contacts, services.citizens, session, reference)
        self.journal = JournalPanel(worker, services.contacts, session, reference)
        self.form.saved.connect(lambda _row: self.journal.refresh())
        self.journal.edit_requested.connect(self.form.load)
        self.journal.model.modelReset.connect(self._first_load)

        page = QWidget()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.form)
        splitter.addWidget(self.journal)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.counter_panel: CounterPanelWidget | None = None
        if counters:  # a site without counters (a phone-only desk) has no queue panel
            self.counter_panel = CounterPanelWidget(
                worker, services.queue, session, counters, counter_number=counter_number, refresh_ms=queue_refresh_ms
            )
            self.counter_panel.ticket_called.connect(self.form.attach_ticket)
            self.counter_panel.ticket_finished.connect(self._visit_finished)
            columns = QSplitter(Qt.Orientation.Horizontal)
            columns.addWidget(splitter)
            columns.addWidget(self.counter_panel)
            columns.setStretchFactor(0, 1)
            columns.setStretchFactor(1, 0)
            columns.setChildrenCollapsible(False)
            splitter = columns
        layout = QVBoxLayout(page)
        layout.addWidget(splitter)
        self.setCentralWidget(page)

        bar = self.statusBar()
        self.agent_label = QLabel(f"Agent : {session.display_name} ({session.role.label})")
        self.site_label = QLabel(f"Site : {session.site_name} ({session.commune_code}-{session.site_code})")
        self.db_label = QLabel(f"Base : {database_label}")
        self.busy_label = QLabel("")
        self.clock_label = QLabel()
        for w in (self.agent_label, self.site_label, self.db_label):
            bar.addWidget(w)
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.clock_label)
        worker.busy_changed.connect(lambda busy: self.busy_label.setText("Travail en cours…" if busy else ""))
        self._clock = QTimer(self, interval=1000, timeout=self._tick)
        self._clock.start()
        self._tick()
        self._auto_refresh = QTimer(self, interval=max(5, journal_refresh_s) * 1000, timeout=self.journal.refresh)
        self._auto_refresh.start()

        QShortcut(QKeySequence("Ctrl+J"), self, activated=self.journal.table.setFocus)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.form.citizen_search.setFocus)
        QShortcut(QKeySequence("F9"), self, activated=self.journal.refresh)
        self.resize(1366, 768)  # the usual town-hall screen; it grows with a larger one
        self._ready_sent = False
        self.journal.refresh()
        self.form.citizen_search.setFocus()

    def _visit_finished(self, ticket: TicketInfo) -> None:
        self.form.attach_ticket(ticket)
        self.form.citizen_search.setFocus()

    def _first_load(self) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()

    def _tick(self) -> None:
        self.clock_label.setText(f"{now().astimezone(PARIS):%d/%m/%Y %H:%M}")

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self.form.citizen_search.setFocus()
