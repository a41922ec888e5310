"""The desk window: the "Accueil" page (contact form above, journal below) and a status bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from guichet.config import PrinterSettings
from guichet.domain import Role
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.clock import PARIS, now
from guichet.services.contacts import ContactRow
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
        printer_key: str | None = None, notify_printer: Callable[[], None] | None = None,
        sync_now: Callable[[], None] | None = None, printer_settings: PrinterSettings | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.setWindowTitle(f"Guichet — {session.site_name} ({session.commune_name})")
        self._worker = worker
        self._session = session

        self.form = ContactForm(worker, services.contacts, services.citizens, session, reference)
        self.journal = JournalPanel(worker, services.contacts, session, reference)
        self._services = services
        self._printer_key = printer_key
        self._printer_settings = printer_settings
        self._notify_printer = notify_printer
        self.last_saved: ContactRow | None = None
        self.form.saved.connect(self._contact_saved)
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
        # "Accueil" for everyone; "Supervision" for supervisors and administrators, built the first time it is
        # opened (its board polls the queues: no need for that on a desk that never looks at it).
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(page, "Accueil (Ctrl+1)")
        self.supervision: QWidget | None = None
        if session.role in (Role.SUPERVISOR, Role.ADMIN):
            self.pages.addTab(QWidget(), "Supervision (Ctrl+2)")
            self.pages.currentChanged.connect(self._page_changed)
            QShortcut(QKeySequence("Ctrl+2"), self, activated=lambda: self.pages.setCurrentIndex(1))
        self.pages.tabBar().setVisible(self.pages.count() > 1)
        QShortcut(QKeySequence("Ctrl+1"), self, activated=lambda: self.pages.setCurrentIndex(0))
        self.setCentralWidget(self.pages)

        bar = self.statusBar()
        self.agent_label = QLabel(f"Agent : {session.display_name} ({session.role.label})")
        self.site_label = QLabel(f"Site : {session.site_name} ({session.commune_code}-{session.site_code})")
        self.db_label = QLabel(f"Base : {database_label}")
        self.busy_label = QLabel("")
        self._sync_now = sync_now
        self.sync_label = QLabel("Synchronisation : en attente du premier tour…" if sync_now else "Base locale seule")
        self.printer_label = QLabel("Imprimante : aucune" if printer_key is None else "Imprimante : prête")
        self.clock_label = QLabel()
        for w in (self.agent_label, self.site_label, self.db_label):
            bar.addWidget(w)
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.sync_label)
        bar.addPermanentWidget(self.printer_label)
        bar.addPermanentWidget(self.clock_label)
        worker.busy_changed.connect(self._show_busy)
        self._clock = QTimer(self, interval=1000, timeout=self._tick)
        self._clock.start()
        self._tick()
        self._auto_refresh = QTimer(self, interval=max(5, journal_refresh_s) * 1000, timeout=self.journal.refresh)
        self._auto_refresh.start()

        QShortcut(QKeySequence("Ctrl+J"), self, activated=self.journal.table.setFocus)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.form.citizen_search.setFocus)
        QShortcut(QKeySequence("F9"), self, activated=self.journal.refresh)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_receipt)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, activated=self.synchronize_now)
        QShortcut(QKeySequence("Ctrl+Shift+R"), self, activated=self.reprint_ticket)
        QShortcut(QKeySequence("Ctrl+Shift+T"), self, activated=self.print_test_page)
        self.resize(1366, 768)  # the usual town-hall screen; it grows with a larger one
        self._ready_sent = False
        self.journal.refresh()
        self.form.citizen_search.setFocus()

    def _contact_saved(self, row: ContactRow) -> None:
        self.last_saved = row
        self.journal.refresh()

    def print_receipt(self) -> None:
        """Ctrl+P: the « récépissé » of the contact selected in the journal, else of the one just saved."""
        selected = self.journal.table.selectionModel().selectedRows()
        row = self.journal.model.rows[selected[0].row()] if selected else self.last_saved
        if row is None:
            self.statusBar().showMessage(
                "Aucun contact à imprimer : enregistrez-en un ou choisissez-le dans le journal.", 8000
            )
            return
        if not self._printing_ready():
            return

        message = f"Récépissé du contact de {row.started_at.astimezone(PARIS):%H:%M} envoyé à l'imprimante."
        self._worker.submit(self._services.printing.enqueue_receipt, contact_id=row.id, printer_key=self._printer_key,
                            on_done=lambda job: self._job_queued(job, message=message, preview=False),
                            owner=self)  # fmt: skip

    def _printing_ready(self) -> bool:
        if self._printer_key is None:
            self.statusBar().showMessage("Aucune imprimante n'est réglée sur ce poste (section [printer]).", 8000)
            return False
        return True

    def _preview(self, job) -> None:  # noqa: ANN001 - PrintJobInfo: what the printer is sent, drawn on screen
        from guichet.printing.layout import paper_for
        from guichet.printing.worker import job_ops
        from guichet.ui.common.slip_preview import SlipPreviewDialog, render_slip

        settings = self._printer_settings
        if settings is None:
            return
        dialog = SlipPreviewDialog(render_slip(job_ops(job, settings), paper_for(settings.paper_mm)),
                                   f"Aperçu — {job.label}", self)  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview_dialog = dialog
        dialog.open()

    def _job_queued(self, job, *, message: str = "", preview: bool = True) -> None:  # noqa: ANN001
        self.statusBar().showMessage(message or f"{job.label.capitalize()} envoyé à l'imprimante.", 8000)
        if self._notify_printer is not None:
            self._notify_printer()  # the job is committed: send it now rather than at the next poll
        if preview:
            self._preview(job)

    def reprint_ticket(self) -> None:
        """Ctrl+Maj+R: the ticket at this counter printed again (« duplicata »), with its preview."""
        current = self.counter_panel.current if self.counter_panel else None
        if current is None:
            self.statusBar().showMessage("Aucun ticket en cours à ce guichet : rien à réimprimer.", 8000)
            return
        if self._printing_ready():
            self._worker.submit(self._services.printing.reprint_ticket, ticket_id=current.id,
                                printer_key=self._printer_key, on_done=self._job_queued, owner=self)  # fmt: skip

    def print_test_page(self) -> None:
        """Ctrl+Maj+T: the printer's test page (every French character, the code page, the paper width)."""
        if self._printing_ready():
            self._worker.submit(self._services.printing.enqueue_test_page, site_id=self._session.site_id,
                                printer_key=self._printer_key, on_done=self._job_queued, owner=self)  # fmt: skip

    def synchronize_now(self) -> None:
        """Ctrl+Shift+S: a sync round now, instead of at the next interval."""
        if self._sync_now is None:
            self.statusBar().showMessage("La synchronisation n'est pas réglée sur ce poste (section [sync]).", 8000)
            return
        self._sync_now()
        self.statusBar().showMessage("Synchronisation demandée…", 4000)

    def on_sync_status(self, status) -> None:  # noqa: ANN001 - guichet.sync.service.SyncStatus
        """Online or not, changes waiting, last success: going offline changes nothing else for the agent."""
        last = f" — dernier succès {status.last_success.astimezone(PARIS):%H:%M}" if status.last_success else ""
        self.sync_label.setText(f"{status.summary}{last}")
        details = list(status.errors) + [f"Lot refusé : {r}" for r in status.rejected]
        self.sync_label.setToolTip("\n".join(details) or "Ctrl+Maj+S : synchroniser maintenant")

    def on_print_event(self, event) -> None:  # noqa: ANN001 - guichet.printing.worker.PrintEvent
        """The print worker's news in the status bar: failures stay until the next success."""
        if event.kind == "etat_imprimante" and event.printer_status is not None:
            self.printer_label.setText(f"Imprimante : {event.printer_status.label}")
        elif event.kind == "echec":
            self.printer_label.setText(f"Imprimante : {event.reason or 'échec'}")
            self.statusBar().showMessage(event.message, 15000)
        elif event.kind == "imprime":
            self.printer_label.setText("Imprimante : prête")
            self.statusBar().showMessage(event.message, 5000)

    def _page_changed(self, index: int) -> None:
        if self.supervision is not None:
            # The live board polls only while it is looked at.
            self.supervision.resume() if index == 1 else self.supervision.stop()
            return
        if index == 1:
            from guichet.ui.supervision.page import SupervisionPage

            self.supervision = SupervisionPage(self._worker, self._services, self._session)
            self.pages.blockSignals(True)
            self.pages.removeTab(1)
            self.pages.insertTab(1, self.supervision, "Supervision (Ctrl+2)")
            self.pages.setCurrentIndex(1)
            self.pages.blockSignals(False)

    def _show_busy(self, busy: bool) -> None:
        self.busy_label.setText("Travail en cours…" if busy else "")

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
