"""The desk window: the "Accueil" page (contact form above, journal below) and a status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from guichet.config import PrinterSettings
from guichet.domain import Channel, Role
from guichet.services import Services
from guichet.services.auth import AgentSession, Workstation
from guichet.services.clock import PARIS, now
from guichet.services.contacts import ContactRow
from guichet.services.queue_types import CounterStatus, TicketInfo
from guichet.services.reference import ReferenceData
from guichet.ui.desk.account_menu import account_button
from guichet.ui.desk.contact_form import ContactForm
from guichet.ui.desk.counter_panel import CounterPanelWidget
from guichet.ui.desk.journal import JournalPanel
from guichet.ui.desk.lock import DeskLock
from guichet.ui.knowledge.sheet_panel import JournalAndSheets, SheetPanel
from guichet.ui.worker import Worker

log = logging.getLogger(__name__)


class DeskWindow(QMainWindow):
    ready = Signal()  # the first journal is on screen
    discreet_changed = Signal(bool)  # Ctrl+Maj+M: pages showing citizens follow it (initials or in full)

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData, *,
        database_label: str, journal_refresh_s: int = 30, counters: tuple[CounterStatus, ...] = (),
        counter_number: int | None = None, queue_refresh_ms: int = 3000,
        printer_key: str | None = None, notify_printer: Callable[[], None] | None = None,
        sync_now: Callable[[], None] | None = None, printer_settings: PrinterSettings | None = None,
        workstation: Workstation | None = None,
        letters=None, dispatcher=None, net_worker: Worker | None = None,  # noqa: ANN001 - RequestLetters, Dispatcher
        sheet_mailer=None,  # noqa: ANN001 - guichet.notify.sheet_mail.SheetMailer (answer sheets by e-mail)
        appointment_notifier=None,  # noqa: ANN001 - guichet.notify.appointments.AppointmentNotifier (and its letters)
        diagnostic: Callable[..., str] | None = None,  # guichet.diagnostic.build_diagnostic, with the settings in force
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
        self.form.citizen_shown.connect(self._record_viewed)
        self.journal.edit_requested.connect(self.form.load)
        self.journal.model.modelReset.connect(self._first_load)

        page = QWidget()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.form)
        # The answer sheets of the contact's theme, in a tab beside the journal (beside the form, no room at 1366 px).
        self.sheet_panel = SheetPanel(worker, services, session, self.form, printer_key=printer_key,
                                      net_worker=net_worker, mailer=sheet_mailer)  # fmt: skip
        self.sheet_panel.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.sheet_panel.print_job.connect(lambda job: self._job_queued(job, message=f"Liste des {job.label} envoyée "
                                                                                     "à l'imprimante."))  # fmt: skip
        self.lower = JournalAndSheets(self.journal, self.sheet_panel)
        splitter.addWidget(self.lower)
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
        # "Demandes" and "Courrier" for everyone, each built the first time it is opened.
        self._reference = reference
        self._letters = letters  # guichet.reports.request_letters.RequestLetters, or None
        self._dispatcher = dispatcher  # guichet.notify.dispatcher.Dispatcher, or None
        self._net_worker = net_worker  # the worker for network calls (sending answers), or None
        self.requests_page = None  # guichet.ui.requests.page.RequestsPage, once opened
        self.mail_page = None  # guichet.ui.mail.page.MailPage, once opened
        self.citizens_page = None  # guichet.ui.citizens.page.CitizensPage, once opened
        self.last_request: tuple[str, Channel] | None = None  # reference and channel of the last one opened here
        self.letter_dialog: QWidget | None = None
        self._requests_tab = self._lazy_tab("Demandes (Ctrl+3)")
        self._mail_tab = self._lazy_tab("Courrier (Ctrl+4)")
        self._citizens_tab = self._lazy_tab("Usagers (Ctrl+5)")
        self.pages.currentChanged.connect(self._casework_page)
        QShortcut(QKeySequence("Ctrl+3"), self, activated=self.show_requests)
        QShortcut(QKeySequence("Ctrl+4"), self, activated=self.show_mail)
        QShortcut(QKeySequence("Ctrl+5"), self, activated=self.show_citizens)
        self.appointments_page = None  # guichet.ui.appointments.page.AppointmentsPage (« Rendez-vous »), once opened
        self._appointment_notifier = appointment_notifier
        self._booking = None  # guichet.ui.appointments.booking.BookingFlow, made the first time
        self._appointments_tab = self._lazy_tab("Rendez-vous (Ctrl+6)")
        self.pages.currentChanged.connect(self._appointments_shown)
        QShortcut(QKeySequence("Ctrl+6"), self, activated=self.show_appointments)
        # On "Accueil" (the form's shortcut is off on the other pages): an appointment for the form's citizen.
        QShortcut(QKeySequence("Ctrl+R"), self.form, activated=self.book_for_form)
        self.knowledge_page = None  # guichet.ui.knowledge.page.KnowledgePage (« Fiches »), once opened
        self._knowledge_tab = self._lazy_tab("Fiches (Ctrl+7)")
        self.pages.currentChanged.connect(self._knowledge_shown)
        QShortcut(QKeySequence("Ctrl+7"), self, activated=self.show_knowledge)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, activated=self.print_request_letter)
        self.pages.tabBar().setVisible(self.pages.count() > 1)
        QShortcut(QKeySequence("Ctrl+1"), self, activated=lambda: self.pages.setCurrentIndex(0))
        # The pages and the lock screen share the window: a locked desk shows the lock screen instead of them.
        self.lock = DeskLock(self, self.pages, worker, services.auth, session, workstation or Workstation())
        self.setCentralWidget(self.lock.stack)

        bar = self.statusBar()
        # Short enough for a 1366-pixel status bar beside the sync, printer, clock and account labels.
        self.agent_label = QLabel(f"{session.display_name} · {session.role.label.lower()}")
        self.site_label = QLabel(f"{session.site_name} ({session.commune_code}-{session.site_code})")
        # The file name only: a full path would push the agent's name out of a 1366-pixel status bar.
        remote = database_label.startswith(("http://", "https://"))  # through the site's hub
        self.db_label = QLabel(
            f"Serveur {database_label.split('://', 1)[1]}"
            if remote
            else f"Base : {Path(database_label).name or database_label}"
        )
        self.db_label.setToolTip(database_label)
        self.busy_label = QLabel("")
        self._sync_now = sync_now
        self._hub_down_since = None  # behind a site hub: since when it does not answer
        self._hub_kept = 0  # contacts kept on this PC meanwhile
        self.form.kept.connect(self._contact_kept)
        self.sync_label = QLabel("Synchronisation : en attente du premier tour…" if sync_now else "Base locale seule")
        self.printer_label = QLabel("Imprimante : aucune" if printer_key is None else "Imprimante : prête")
        self.clock_label = QLabel()
        for w in (self.agent_label, self.site_label, self.db_label):
            bar.addWidget(w)
        self.discreet_label = QLabel("Mode discret")
        self.discreet_label.setToolTip("Les citoyens sont affichés par leurs initiales — Ctrl+Maj+M pour tout afficher")
        self.discreet_label.setStyleSheet("background: #f9a825; color: #1b1f24; font-weight: bold; border-radius: 3px;")
        self.discreet_label.hide()
        self.account_button = account_button(self, session, worker, services.accounts)
        bar.addPermanentWidget(self.discreet_label)
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.sync_label)
        bar.addPermanentWidget(self.printer_label)
        bar.addPermanentWidget(self.clock_label)
        bar.addPermanentWidget(self.account_button)
        worker.busy_changed.connect(self._show_busy)
        self._clock = QTimer(self, interval=1000, timeout=self._tick)
        self._clock.start()
        self._tick()
        self._auto_refresh = QTimer(self, interval=max(5, journal_refresh_s) * 1000, timeout=self.journal.refresh)
        self._auto_refresh.start()

        QShortcut(
            QKeySequence("Ctrl+J"), self, activated=lambda: (self.lower.show_journal(), self.journal.table.setFocus())
        )
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self._focus_search)
        QShortcut(QKeySequence("F9"), self, activated=self._reload_page)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_receipt)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, activated=self.synchronize_now)
        QShortcut(QKeySequence("Ctrl+Shift+R"), self, activated=self.reprint_ticket)
        QShortcut(QKeySequence("Ctrl+Shift+T"), self, activated=self.print_test_page)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=lambda: self.lock.lock("Ctrl+L"))
        QShortcut(QKeySequence("Ctrl+Shift+M"), self, activated=self.toggle_discreet)
        self._diagnostic = diagnostic
        QShortcut(QKeySequence("Ctrl+Shift+D"), self, activated=self.copy_diagnostic)
        self.resize(1366, 768)  # the usual town-hall screen; it grows with a larger one
        self._ready_sent = False
        self.journal.refresh()
        self.form.citizen_search.setFocus()

    @property
    def session(self) -> AgentSession:
        return self._session

    @property
    def discreet(self) -> bool:
        return self.form.discreet

    def copy_diagnostic(self) -> None:
        """Ctrl+Maj+D: versions, settings (no secret) and last errors, to the clipboard for the SITIV help desk."""
        if self._diagnostic is None:
            self.statusBar().showMessage("Diagnostic indisponible sur ce poste.", 8000)
            return
        from guichet.ui.common.qt_info import qt_facts

        self.statusBar().showMessage("Diagnostic en préparation…", 4000)
        # Log files and the database are read on the worker, never on the GUI thread.
        self._worker.submit(self._diagnostic, qt=qt_facts(), on_done=self._diagnostic_ready, owner=self)

    def _diagnostic_ready(self, text: str) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(text)
        self.last_diagnostic = text
        self.statusBar().showMessage(
            f"Diagnostic copié ({text.count(chr(10))} lignes, sans mot de passe) : collez-le (Ctrl+V) dans votre "
            "message à l'assistance du SITIV.", 15000,
        )  # fmt: skip

    def toggle_discreet(self) -> None:
        """Ctrl+Maj+M: citizens as initials (the form, the journal) while a visitor looks at the screen, or not."""
        on = not self.form.discreet
        self.form.set_discreet(on)
        self.journal.model.set_discreet(on)
        self.discreet_label.setVisible(on)
        self.discreet_changed.emit(on)
        self.statusBar().showMessage("Mode discret : citoyens affichés par leurs initiales." if on else
                                     "Mode discret désactivé.", 4000)  # fmt: skip

    def _record_viewed(self, citizen) -> None:  # noqa: ANN001 - CitizenSummary
        # The audit log notes who opened whose record; a failure to note it is logged, not shown.
        self._worker.submit(self._services.accounts.record_view, agent_id=self._session.agent_id,
                            citizen_id=citizen.id, detail="formulaire de contact",
                            on_error=lambda e: log.warning("consultation non notée : %s", e), owner=self)  # fmt: skip

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        if self.lock.locked and event.spontaneous():
            # Closing would end the drafts kept for the agent who locked: they unlock (or switch) first.
            self.lock.screen.say("Déverrouillez le poste pour fermer Guichet.")
            event.ignore()
            return
        super().closeEvent(event)

    def _contact_saved(self, row: ContactRow) -> None:
        self.last_saved = row
        reference = getattr(row, "request_reference", "")  # set when the outcome opened a request
        if reference:
            self._request_opened(reference, row.channel)
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

    def on_hub_event(self, kind: str, _data: object) -> None:
        """The hub pushed a change of the queue: the counter panel looks now, not at its next tick."""
        if kind == "queue" and self.counter_panel is not None and self.isVisible():
            self.counter_panel.refresh()

    def on_hub_state(self, up: bool, text: str, kept: int = 0) -> None:
        """The site's hub answers or not: said at once, in red while it lasts (``kept``: contacts kept here)."""
        self._hub_down_since = None if up else (self._hub_down_since or now().astimezone(PARIS))
        self._hub_kept = kept
        if up:
            self.sync_label.setText("Liaison : connectée")
            self.sync_label.setToolTip("Le serveur du site tient la file, l'impression et la synchronisation.")
            self.sync_label.setStyleSheet("")
            return
        self.sync_label.setToolTip(
            f"{text}\nLa file d'attente est suspendue sur ce poste ; les contacts saisis sont gardés ici "
            "et transmis au retour du serveur."
        )
        self.sync_label.setStyleSheet(
            "background: #c62828; color: white; font-weight: bold; border-radius: 3px; padding: 0 6px;"
        )
        self._render_hub_down()
        self.statusBar().showMessage("Liaison perdue : file d'attente suspendue, contacts gardés sur ce poste.", 20_000)

    def _contact_kept(self, _contact_id: object) -> None:
        self._hub_kept += 1
        if self._hub_down_since is not None:
            self._render_hub_down()

    def _render_hub_down(self) -> None:
        label = f"Serveur injoignable depuis {self._hub_down_since:%H:%M}"
        if self._hub_kept:
            label += f" — {self._hub_kept} contact(s) gardé(s) ici"
        self.sync_label.setText(label)

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

    # -- "Demandes" and "Courrier" ----------------------------------------------------------------

    def _lazy_tab(self, title: str) -> QWidget:
        holder = QWidget()
        QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
        self.pages.addTab(holder, title)
        return holder

    def _casework_page(self, index: int) -> None:
        holder = self.pages.widget(index)
        if holder is self._requests_tab and self.requests_page is None:
            from guichet.ui.requests.page import RequestsPage

            self.requests_page = RequestsPage(
                self._worker, self._services, self._session, self._reference, letters=self._letters,
                dispatcher=self._dispatcher, net_worker=self._net_worker,
            )  # fmt: skip
            self.requests_page.request_opened.connect(lambda row: self._request_opened(row.reference, row.channel))
            self.requests_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
            self.requests_page.set_discreet(self.discreet)
            self.discreet_changed.connect(self.requests_page.set_discreet)
            holder.layout().addWidget(self.requests_page)
        elif holder is self._mail_tab and self.mail_page is None:
            from guichet.ui.mail.page import MailPage

            self.mail_page = MailPage(self._worker, self._services, self._session, self._reference)
            self.mail_page.request_opened.connect(lambda row: self._request_opened(row.reference, row.channel))
            self.mail_page.open_request.connect(self.open_request)
            self.mail_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
            self.mail_page.set_discreet(self.discreet)
            self.discreet_changed.connect(self.mail_page.set_discreet)
            holder.layout().addWidget(self.mail_page)
            self.mail_page.entry.focus_first()
        elif holder is self._citizens_tab and self.citizens_page is None:
            from guichet.ui.citizens.page import CitizensPage

            self.citizens_page = CitizensPage(self._worker, self._services, self._session)
            self.citizens_page.open_request.connect(self.open_request)
            self.citizens_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
            self.citizens_page.set_discreet(self.discreet)
            self.discreet_changed.connect(self.citizens_page.set_discreet)
            holder.layout().addWidget(self.citizens_page)
            self.citizens_page.focus_search()

    def show_requests(self):  # noqa: ANN201 - the RequestsPage
        """Ctrl+3: the "Demandes" page (built the first time)."""
        self.pages.setCurrentWidget(self._requests_tab)
        return self.requests_page

    def show_mail(self):  # noqa: ANN201 - the MailPage
        """Ctrl+4: the "Courrier" page (built the first time)."""
        self.pages.setCurrentWidget(self._mail_tab)
        return self.mail_page

    def show_citizens(self):  # noqa: ANN201 - the CitizensPage
        """Ctrl+5: the "Usagers" page (built the first time)."""
        self.pages.setCurrentWidget(self._citizens_tab)
        return self.citizens_page

    # -- "Rendez-vous" ------------------------------------------------------------------------------

    def booking_flow(self):  # noqa: ANN201 - guichet.ui.appointments.booking.BookingFlow
        if self._booking is None:
            from guichet.ui.appointments.booking import BookingFlow

            self._booking = BookingFlow(
                self, self._worker, self._services, self._session, notifier=self._appointment_notifier,
                net_worker=self._net_worker, printer_key=self._printer_key, notify_printer=self._notify_printer,
                say=lambda text: self.statusBar().showMessage(text, 15000),
            )  # fmt: skip
        return self._booking

    def _appointments_shown(self, index: int) -> None:
        holder = self.pages.widget(index)
        if holder is self._appointments_tab and self.appointments_page is None:
            from guichet.ui.appointments.page import AppointmentsPage

            self.appointments_page = AppointmentsPage(self._worker, self._services, self._session, self.booking_flow())
            self.appointments_page.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
            self.appointments_page.set_discreet(self.discreet)
            self.discreet_changed.connect(self.appointments_page.set_discreet)
            holder.layout().addWidget(self.appointments_page)

    def show_appointments(self):  # noqa: ANN201 - the AppointmentsPage
        """Ctrl+6: the "Rendez-vous" page (built the first time)."""
        self.pages.setCurrentWidget(self._appointments_tab)
        return self.appointments_page

    def book_for_form(self):  # noqa: ANN201 - the BookingDialog
        """Ctrl+R on "Accueil": book an appointment for the citizen of the contact form (or find one)."""
        citizen = getattr(self.form, "_citizen", None)  # the form's citizen, as picked or created
        channel = self.form.channel or Channel.PHONE
        return self.booking_flow().open(citizen=citizen, channel=channel, discreet=self.discreet)

    def open_request(self, request_id) -> None:  # noqa: ANN001 - uuid.UUID
        self.show_requests().show_request(request_id)

    def _casework(self):  # noqa: ANN202
        holder = self.pages.currentWidget()
        pages = {self._requests_tab: self.requests_page, self._mail_tab: self.mail_page,
                 self._citizens_tab: self.citizens_page, self._knowledge_tab: self.knowledge_page,
                 self._appointments_tab: self.appointments_page}  # fmt: skip
        return pages.get(holder)

    def _focus_search(self) -> None:
        """Ctrl+F: the search of the page on screen (the citizen of the contact form on "Accueil")."""
        page = self._casework()
        if page is not None:
            page.focus_search()
        else:
            self.form.citizen_search.setFocus()

    def _reload_page(self) -> None:
        """F9: reload what the page on screen lists (the journal on "Accueil")."""
        page = self._casework()
        if page is not None:
            page.refresh()
        else:
            self.journal.refresh()

    def _request_opened(self, reference: str, channel: Channel) -> None:
        self.last_request = (reference, channel)
        what = "la confirmation écrite" if channel is Channel.PHONE else "l'accusé de réception"
        self.statusBar().showMessage(f"Demande {reference} ouverte — Ctrl+Maj+A : imprimer {what}.")

    def print_request_letter(self) -> None:
        """Ctrl+Maj+A: the acknowledgement (the written confirmation for a phone request) of the request on
        screen in "Demandes", else of the one last opened at this desk; through the print dialog."""
        page = self._casework()
        shown = page.current_request if page is not None and page is self.requests_page else None
        target = (shown.reference, shown.channel) if shown is not None else self.last_request
        if target is None:
            self.statusBar().showMessage(
                "Aucune demande à imprimer : ouvrez-en une, ou affichez-la dans Demandes.", 8000
            )
            return
        if self._letters is None:
            self.statusBar().showMessage("Les courriers PDF ne sont pas disponibles sur ce poste.", 8000)
            return
        reference, channel = target
        phone = channel is Channel.PHONE
        title = f"{'Confirmation écrite' if phone else 'Accusé de réception'} {reference}"
        letters, requests = self._letters, self._services.requests

        def make() -> bytes:  # on the worker thread
            request_id = requests.find(reference=reference).row.id
            if phone:
                return letters.phone_confirmation(request_id=request_id)
            return letters.acknowledgement(request_id=request_id)

        self._worker.submit(make, on_done=lambda data: self._print_letter(data, title),
                            on_error=self._letter_failed, owner=self)  # fmt: skip

    def _letter_failed(self, error: BaseException) -> None:
        from guichet.ui.common.messages import error_text

        self.statusBar().showMessage(error_text(error), 10000)

    def _print_letter(self, data: bytes, title: str) -> None:
        from guichet.ui.common.pdf_actions import print_pdf

        self.letter_dialog = print_pdf(self, data, title, on_done=lambda m: self.statusBar().showMessage(m, 8000))

    def show_knowledge(self):  # noqa: ANN201 - the KnowledgePage
        """Ctrl+7: the « Fiches » page, the catalogue of answers and the directory (built the first time)."""
        self.pages.setCurrentWidget(self._knowledge_tab)
        return self.knowledge_page

    def _knowledge_shown(self, index: int) -> None:
        holder = self.pages.widget(index)
        if holder is self._knowledge_tab and self.knowledge_page is None:
            from guichet.ui.knowledge.page import KnowledgePage

            self.knowledge_page = KnowledgePage(self._worker, self._services, self._session, self._reference)
            self.knowledge_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
            holder.layout().addWidget(self.knowledge_page)
            self.knowledge_page.focus_search()

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
