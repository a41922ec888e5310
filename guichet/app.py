"""Composition root: the only place where the database, services, workers and windows are wired together."""

from __future__ import annotations

import gc
import logging
import sys
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from guichet.config import Settings
from guichet.db import Database
from guichet.db.migrate import DatabaseTooNewError, upgrade
from guichet.diagnostic import build_diagnostic
from guichet.services import Services
from guichet.services.auth import AgentSession, Switched, Workstation
from guichet.services.errors import ServiceError
from guichet.services.public import PublicServices
from guichet.services.queue_types import SiteStatus
from guichet.services.reference import ReferenceData
from guichet.ui.common.messages import show_error
from guichet.ui.common.print_bridge import PrintEvents
from guichet.ui.common.style import apply_style
from guichet.ui.common.sync_bridge import SyncRunner
from guichet.ui.desk.lock_screen import IdleWatcher
from guichet.ui.desk.window import DeskWindow
from guichet.ui.login.dialog import LoginDialog
from guichet.ui.worker import Worker

if TYPE_CHECKING:
    from guichet.hub.client import HubLink
    from guichet.hub.outbox import ContactOutbox
    from guichet.ui.common.hub_bridge import HubBridge

log = logging.getLogger(__name__)


def open_database(path: Path) -> Database:
    """Open the site's database, creating or upgrading its schema (raises DatabaseTooNewError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open(path)
    try:
        upgrade(db.engine)
    except Exception:
        db.close()
        raise
    return db


def outbox_dir(settings: Settings) -> Path:
    """Where a desk keeps the contacts typed while the site hub is away."""
    return Path(settings.hub.outbox) if settings.hub.outbox else settings.db_path.parent / "contacts-en-attente"


def hub_link(settings: Settings) -> HubLink:
    """The connection to the site hub named in the settings, with this PC's token from the OS keyring.

    Raises ServiceError (French) when this PC was never paired.
    """
    import keyring
    from keyring.errors import KeyringError

    from guichet.hub.client import HubLink, hub_url
    from guichet.hub.settings import KEYRING_SERVICE

    url = hub_url(settings.hub.url)
    try:
        token = keyring.get_password(KEYRING_SERVICE, url)
    except KeyringError as exc:
        raise ServiceError(f"Trousseau du système illisible : {exc}") from None
    if not token:
        raise ServiceError(
            f"Ce poste n'est pas appairé avec le serveur du site ({url}). Demandez un code à l'administrateur "
            "(« guichet hub pair <nom du poste> » sur le serveur), puis lancez l'assistant de configuration "
            "(menu « Guichet — assistant de configuration », ou : guichet setup) et choisissez le serveur du site."
        )
    return HubLink(url, token)


def qt_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Guichet")
    app.setOrganizationName("SITIV")
    app.setApplicationDisplayName("Guichet")
    return app  # type: ignore[return-value]


class Desk(QObject):
    """A running desk: what tests and the entry point need to reach.

    A shared PC: each agent who takes the desk gets their own window (``windows``, by agent id), and only the
    one of the agent at the desk is shown (``window``). The others stay locked and hidden, with their drafts,
    until their agent takes the desk back (see guichet.ui.desk.lock).
    """

    window_opened = Signal(object)
    agent_switched = Signal(object)  # the DeskWindow now shown

    def __init__(
        self, db: Database | None, services: Services, worker: Worker, login: LoginDialog, workstation: Workstation,
        *, hub: HubBridge | None = None, outbox: ContactOutbox | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.db = db  # None when the services are the site hub's (settings [hub] url)
        self.hub = hub
        self.outbox = outbox  # contacts kept here while the hub is away
        self.services = services
        self.worker = worker
        self.login = login
        self.workstation = workstation
        self.window: DeskWindow | None = None
        self.windows: dict[object, DeskWindow] = {}
        self.idle: IdleWatcher | None = None  # locks the desk after [ui] lock_after_min without activity
        self.printer = None  # this PC's print worker, started with the first window when a printer is set
        self.print_events = PrintEvents(self)
        self.sync: SyncRunner | None = None  # rounds with the central database, when [sync] names one
        self.sync_status: object | None = None  # the last round's SyncStatus
        # Answers to citizens (e-mail, SMS) wait on the network: their own thread, never the database's.
        self.net_worker = Worker(self, name="guichet-net")
        self.letters = None  # the requests' PDF letters (RequestLetters), made with the first window
        self.dispatcher = None  # sends the answers (guichet.notify.dispatcher.Dispatcher)
        self.sheet_mailer = None  # sends answer sheets by e-mail (guichet.notify.sheet_mail.SheetMailer)
        self.appointment_notifier = None  # confirmations of appointments (guichet.notify.appointments)

    def _send_waiting_answers(self, window: DeskWindow, session: AgentSession) -> None:
        """Answers queued but not sent (the PC stopped, the network was down): sent again once at start."""

        def done(rows: list) -> None:
            if not rows:
                return
            sent = sum(1 for r in rows if r.status.value == "envoye")
            failed = len(rows) - sent
            text = f"{sent} réponse(s) en attente envoyée(s) au démarrage"
            if failed:
                text += f" ; {failed} en échec : voir les demandes concernées (onglet Envois)"
            window.statusBar().showMessage(text + ".", 20_000)

        self.net_worker.submit(
            self.dispatcher.deliver_pending, site_id=session.site_id, agent_id=session.agent_id, on_done=done,
            on_error=lambda e: window.statusBar().showMessage(f"Réponses en attente non envoyées : {e}", 20_000),
            owner=window,
        )  # fmt: skip

    def open_window(
        self, session: AgentSession, settings: Settings, *, replacing: DeskWindow | None = None, note: str = ""
    ) -> None:
        """Load what the forms and the queue panel offer (off the GUI thread), then show the desk window."""
        has_printer = settings.printer.backend != "none"

        def load() -> tuple[ReferenceData, SiteStatus]:
            if has_printer:
                import guichet.printing.worker  # noqa: F401 - escpos and Pillow load here, not on the GUI thread
            import guichet.notify.dispatcher  # noqa: F401 - reportlab (the letters) loads here, not on the GUI thread
            import guichet.notify.sheet_mail  # noqa: F401 - the answer sheets' handouts, likewise

            reference = self.services.reference.load(commune_id=session.commune_id, site_id=session.site_id)
            self.services.queue.close_past_days(site_id=session.site_id)  # yesterday's leftovers, if nobody closed
            return reference, self.services.queue.site_status(site_id=session.site_id)

        def show(loaded: tuple[ReferenceData, SiteStatus]) -> None:
            reference, site = loaded
            first_window = self.letters is None
            if self.letters is None:
                from guichet.notify.dispatcher import Dispatcher
                from guichet.reports.request_letters import RequestLetters

                self.letters = RequestLetters(self.services)
                self.dispatcher = Dispatcher(self.services, self.letters, smtp=settings.smtp, sms=settings.sms)
                from guichet.notify.sheet_mail import SheetMailer

                self.sheet_mailer = SheetMailer(self.services, smtp=settings.smtp)
                from guichet.notify.appointments import AppointmentNotifier
                from guichet.reports.appointment_letters import AppointmentLetters

                self.appointment_notifier = AppointmentNotifier(
                    self.services, AppointmentLetters(self.services, self.letters), smtp=settings.smtp, sms=settings.sms
                )
            if has_printer and self.printer is None:
                from guichet.printing.worker import start_print_worker

                self.printer = start_print_worker(
                    self.services.printing, settings.printer, on_event=self.print_events.report
                )
            window = DeskWindow(
                self.worker, self.services, session, reference,
                database_label=self.db.path if self.db is not None else self.hub.link.url,
                journal_refresh_s=settings.ui.journal_refresh_s,
                counters=site.counters, counter_number=settings.counter_number,
                printer_key=settings.printer.key if self.printer is not None else None,
                notify_printer=self.printer.notify if self.printer is not None else None,
                sync_now=self.sync.sync_now if self.sync is not None else None,
                printer_settings=settings.printer if self.printer is not None else None,
                workstation=self.workstation,
                letters=self.letters, dispatcher=self.dispatcher, net_worker=self.net_worker,
                sheet_mailer=self.sheet_mailer, appointment_notifier=self.appointment_notifier,
                diagnostic=partial(build_diagnostic, settings),
            )  # fmt: skip
            self.windows[session.agent_id] = window
            window.lock.switched.connect(lambda result: self.switch_to(result, settings))
            self.print_events.event.connect(window.on_print_event)
            if self.sync is not None:
                self.sync.status.connect(window.on_sync_status)
                if self.sync_status is not None:  # a round may have finished before the login
                    window.on_sync_status(self.sync_status)
            if self.hub is not None:
                self.hub.event.connect(window.on_hub_event)
                if self.hub.link.up is not None:
                    window.on_hub_state(self.hub.link.up, "", self.outbox.count() if self.outbox else 0)
            self._bring(window, replacing)
            if note:
                window.statusBar().showMessage(note, 20_000)
            if first_window:
                self._send_waiting_answers(window, session)
                self.net_worker.submit(  # appointment confirmations left waiting, likewise (failures stay listed)
                    self.appointment_notifier.deliver_pending, site_id=session.site_id, owner=window,
                    on_error=lambda e: log.warning("confirmations de rendez-vous non envoyées : %s", e),
                )  # fmt: skip
            if self.idle is None and settings.ui.lock_after_min > 0:
                self.idle = IdleWatcher(settings.ui.lock_after_min * 60_000, self)
                self.idle.idle.connect(self.lock_idle)
            self.window_opened.emit(window)

        self.worker.submit(load, on_done=show)

    def switch_to(self, result: Switched, settings: Settings) -> None:
        """Another agent took the locked desk: their own window (kept, with its draft, or a new one) replaces it."""
        previous = self.window
        kept = self.windows.get(result.session.agent_id)
        if kept is None:
            self.open_window(result.session, settings, replacing=previous, note=result.note)
            return
        self._bring(kept, previous)
        kept.lock.take_over(result.note)
        self.agent_switched.emit(kept)

    def _bring(self, window: DeskWindow, previous: DeskWindow | None) -> None:
        if previous is not None and previous is not window:
            window.setGeometry(previous.geometry())
            window.setWindowState(previous.windowState())
        window.show()
        window.raise_()
        window.activateWindow()
        if previous is not None and previous is not window:
            previous.hide()  # locked: the next agent never sees it, its agent finds it again
        self.window = window
        if self.idle is not None:
            self.idle.touch()

    def lock_idle(self) -> None:
        """No key nor click for [ui] lock_after_min minutes: the desk locks itself."""
        if self.window is not None and self.window.isVisible() and not self.window.lock.locked:
            minutes = (self.idle.timeout_ms if self.idle else 0) // 60_000
            self.window.lock.lock(f"inactivité de {minutes} min" if minutes else "inactivité")

    def report_error(self, error: BaseException) -> None:
        """An error nobody handled: shown now, or to the agent once they unlock (never over the lock screen)."""
        if self.window is not None and self.window.lock.locked:
            self.window.lock.defer_error(error)
            return
        show_error(self.window or self.login, error)

    def on_hub_state(self, up: bool, text: str) -> None:
        """The hub answers again (or not): every window says so; what was kept here is delivered."""
        kept = self.outbox.count() if self.outbox is not None else 0
        for window in self.windows.values():
            window.on_hub_state(up, text, kept)
        if up and kept:
            self.net_worker.submit(self.outbox.deliver, link=self.hub.link, on_done=self._delivered,
                                   on_error=lambda e: log.warning("contacts gardés non transmis : %s", e))  # fmt: skip

    def _delivered(self, delivery: object) -> None:
        from guichet.hub.outbox import describe

        text = describe(delivery)  # type: ignore[arg-type]
        if text and self.window is not None:
            self.window.statusBar().showMessage(text, 30_000)
            self.window.journal.refresh()

    def start_sync(self, settings: Settings) -> None:
        """Rounds with the central database on their own thread, from the start (even before login)."""
        if not settings.sync.central_url or self.db is None:  # behind a hub, the hub syncs
            return
        from guichet.sync.service import SyncService

        self.sync = SyncRunner(SyncService(self.db, settings.sync), self)
        self.sync.status.connect(self._remember_sync)
        self.sync.start()

    def _remember_sync(self, status: object) -> None:
        self.sync_status = status

    def close(self) -> None:
        if self.idle is not None:
            self.idle.stop()
        for agent_id, window in self.windows.items():
            self.worker.submit(self.services.auth.logout, agent_id=agent_id, workstation=self.workstation)
            window.close()
        if self.sync is not None:
            self.sync.stop()
        if self.printer is not None:
            self.printer.stop()
        self.net_worker.shutdown()  # an answer being sent is let finish: it is recorded sent or failed
        self.worker.shutdown()
        if self.hub is not None:
            self.hub.stop()
            self.hub.link.close()
        if self.db is not None:
            self.db.close()


def build_desk(settings: Settings, db: Database | None, *, hint: str = "", link: HubLink | None = None) -> Desk:
    """The desk on its own database, or (``db`` None, ``link`` given) on the site hub's services."""
    hub = outbox = None
    if link is not None:
        from guichet.hub.client import RemoteServices
        from guichet.hub.outbox import ContactOutbox
        from guichet.ui.common.hub_bridge import HubBridge

        outbox = ContactOutbox(outbox_dir(settings))
        services = RemoteServices(link, outbox)
        hub = HubBridge(link)
        place = f"Serveur du site : {link.url}"
    else:
        services = Services.on(db)
        place = f"Base : {db.path}"
    worker = Worker()
    workstation = Workstation.this_pc(settings.site_code)
    login = LoginDialog(worker, services.auth, place="\n".join(p for p in (hint, place) if p),
                        workstation=workstation)  # fmt: skip
    desk = Desk(db, services, worker, login, workstation, hub=hub, outbox=outbox)
    if hub is not None:
        hub.setParent(desk)
        hub.state.connect(desk.on_hub_state)
        hub.start()
    desk.start_sync(settings)
    worker.unhandled_error.connect(desk.report_error)
    login.logged_in.connect(lambda session: desk.open_window(session, settings))
    return desk


def run_desk(settings: Settings, *, startup_probe: bool = False, started: float | None = None, hint: str = "") -> int:
    """Start the desk application; returns the process exit code."""
    started = started or time.perf_counter()
    app = qt_application()
    apply_style(app, font_size=settings.ui.font_size)
    if settings.hub.url:
        try:
            link = hub_link(settings)
        except ServiceError as exc:
            QMessageBox.critical(None, "Guichet", exc.message)
            return 2
        desk = build_desk(settings, None, hint=hint, link=link)
    else:
        try:
            db = open_database(settings.db_path)
        except DatabaseTooNewError as exc:
            QMessageBox.critical(None, "Guichet", str(exc))
            return 2
        desk = build_desk(settings, db, hint=hint)
    desk.login.show()
    if startup_probe:
        # Benchmarks: say when the first window is usable, then leave.
        def probe() -> None:
            print(f"READY {(time.perf_counter() - started) * 1000:.0f}", flush=True)
            app.quit()

        QTimer.singleShot(0, probe)
    desk.login.rejected.connect(app.quit)
    app.setQuitOnLastWindowClosed(True)
    # What start-up built (modules, Qt wrappers) lives as long as the process: keep the garbage
    # collector from walking it again and again, which showed as 20 ms pauses in the journal's tail.
    gc.collect()
    gc.freeze()
    code = app.exec()
    desk.close()
    return code


# -- public screens: the kiosk and the call screen ----------------------------------------------------


class PublicScreen:
    """A running kiosk or call screen: its window and what closes with it.

    ``services`` is a PublicServices: queue calls, the site and the printer's jobs, nothing that returns a
    citizen, a contact or an agent, whatever the settings say.
    """

    def __init__(self, db: Database | None, services: PublicServices, worker: Worker, window, printer=None) -> None:  # noqa
        self.db = db  # None behind the site hub
        self.hub = None  # the HubBridge, behind the site hub
        self.services = services
        self.worker = worker
        self.window = window
        self.printer = printer  # the print worker (a kiosk with a printer), or None

    def close(self) -> None:
        self.window.stop()
        self.window.close()
        if self.printer is not None:
            self.printer.stop()
        self.worker.shutdown()
        if self.hub is not None:
            self.hub.stop()
            self.hub.link.close()
        if self.db is not None:
            self.db.close()


def _public_worker(name: str) -> Worker:
    worker = Worker(name=name)
    # Nothing is shown to the public about an unexpected error: the windows say what they can, the log says why.
    worker.unhandled_error.connect(
        lambda e: log.error("%s : erreur non prévue", name, exc_info=(type(e), e, e.__traceback__))
    )
    return worker


def build_kiosk(
    settings: Settings, db: Database | None, site_code: str = "", *, services: PublicServices | None = None,
    **options,  # noqa: ANN003
) -> PublicScreen:  # fmt: skip
    """The kiosk of a site (``site_code``, else the settings' one, else the database's only site).

    ``services``: the site hub's (``db`` None); by default the database's. Raises NotFoundError (French
    message listing the site codes) when the site cannot be told.
    """
    from guichet.ui.kiosk.window import KioskWindow

    services = services or PublicServices.on(db)
    # One small read before the window exists, like opening the database: nothing to freeze yet.
    site = services.sites.find(code=site_code or settings.site_code)
    worker = _public_worker("guichet-kiosk")
    worker.submit(services.queue.close_past_days, site_id=site.id)  # a kiosk starts each morning: tidy yesterday
    from guichet.printing.worker import start_print_worker  # escpos and Pillow: only where a printer is used

    events = PrintEvents()
    printer = start_print_worker(services.printing, settings.printer, on_event=events.report)  # type: ignore[arg-type]
    printer_key = settings.printer.key if printer is not None else None
    window = KioskWindow(worker, services.queue, site, printer_key=printer_key, **options)  # type: ignore[arg-type]
    events.setParent(window)
    events.event.connect(window.on_print_event)
    if printer is not None:
        window.ticket_issued.connect(lambda _ticket: printer.notify())  # its job is committed: send it now
    return PublicScreen(db, services, worker, window, printer)


def build_display(
    settings: Settings, db: Database | None, site_code: str = "", *, services: PublicServices | None = None,
    **options,  # noqa: ANN003
) -> PublicScreen:  # fmt: skip
    """The call screen of a site (the site is chosen as for the kiosk)."""
    from guichet.ui.display.window import DisplayWindow

    services = services or PublicServices.on(db)
    site = services.sites.find(code=site_code or settings.site_code)
    # Its own database thread: a poll never waits behind other work of the process.
    worker = _public_worker("guichet-display")
    window = DisplayWindow(worker, services.queue, site, **options)  # type: ignore[arg-type]
    return PublicScreen(db, services, worker, window)


def _open_public(settings: Settings, build, site_code: str, link: HubLink | None = None, **options) -> PublicScreen:  # noqa: ANN001, ANN003
    """The screen on the site's database, or on the site hub named in the settings (its events pushed to it)."""
    if link is None and not settings.hub.url:
        db = open_database(settings.db_path)
        try:
            return build(settings, db, site_code, **options)
        except ServiceError:
            db.close()
            raise
    from guichet.hub.client import RemotePublicServices
    from guichet.ui.common.hub_bridge import HubBridge

    link = link or hub_link(settings)
    try:
        screen = build(settings, None, site_code, services=RemotePublicServices(link), **options)
    except ServiceError:
        link.close()
        raise
    screen.hub = HubBridge(link, screen.window)
    # A pushed change of the queue: the call screen reads the calls now, the kiosk its queues' waits.
    refresh = getattr(screen.window, "poll", None) or screen.window.refresh
    screen.hub.event.connect(lambda kind, _data: refresh() if kind == "queue" else None)
    screen.hub.start()
    return screen


def _run_public(  # noqa: ANN001, ANN003
    settings: Settings, build, site_code: str, *, windowed: bool, startup_probe: bool = False, **options
) -> int:
    # A public screen starts unattended: what stops it goes to stderr and to the log, not to a dialog
    # that would wait, full screen, for a click nobody is there to give.
    app = qt_application()
    apply_style(app, font_size=settings.ui.font_size, theme="public")
    try:
        screen = _open_public(settings, build, site_code, **options)
    except (DatabaseTooNewError, ServiceError) as exc:
        text = exc.message if isinstance(exc, ServiceError) else str(exc)
        log.info("démarrage impossible : %s", text)
        print(text, file=sys.stderr)
        return 2
    if windowed:
        screen.window.show()
    else:
        screen.window.showFullScreen()
    if startup_probe:  # the installer's smoke test: the window is up, say so and leave
        QTimer.singleShot(0, lambda: (print("READY", flush=True), app.quit()))
    app.setQuitOnLastWindowClosed(True)
    gc.collect()
    gc.freeze()
    code = app.exec()
    screen.close()
    return code


def run_kiosk(settings: Settings, site_code: str = "", *, windowed: bool = False, startup_probe: bool = False) -> int:
    """Start the kiosk, full screen; returns the process exit code."""
    return _run_public(settings, build_kiosk, site_code, windowed=windowed, startup_probe=startup_probe)


def run_display(
    settings: Settings, site_code: str = "", *, message: str | None = None, windowed: bool = False,
    startup_probe: bool = False,
) -> int:  # fmt: skip
    """Start the call screen, full screen, its mouse pointer hidden; returns the process exit code."""
    from PySide6.QtCore import Qt

    options = {} if message is None else {"message": message}

    def build(settings: Settings, db: Database, site_code: str, **options) -> PublicScreen:  # noqa: ANN003
        screen = build_display(settings, db, site_code, **options)
        screen.window.setCursor(Qt.CursorShape.BlankCursor)
        return screen

    return _run_public(settings, build, site_code, windowed=windowed, startup_probe=startup_probe, **options)


# -- the setup assistant ------------------------------------------------------------------------------


def run_setup(settings: Settings, *, startup_probe: bool = False) -> Settings | None:
    """The setup assistant (`guichet setup`, the desk's first start): the settings it wrote, None if cancelled."""
    from PySide6.QtWidgets import QDialog

    from guichet.ui.setup.wizard import SetupWizard

    app = qt_application()
    apply_style(app, font_size=settings.ui.font_size)
    worker = Worker(name="guichet-setup")  # the local database, the settings file, the keyring
    net_worker = Worker(name="guichet-setup-net")  # the printer's test page, the central database, the hub's pairing
    wizard = SetupWizard(worker, net_worker, settings)
    if startup_probe:
        QTimer.singleShot(0, lambda: (print("READY", flush=True), wizard.reject()))
    accepted = wizard.exec() == QDialog.DialogCode.Accepted
    net_worker.shutdown()
    worker.shutdown()
    return wizard.written if accepted else None
