"""Composition root: the only place where the database, services, workers and windows are wired together."""

from __future__ import annotations

import gc
import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from guichet.config import Settings
from guichet.db import Database
from guichet.db.migrate import DatabaseTooNewError, upgrade
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.queue_types import SiteStatus
from guichet.services.reference import ReferenceData
from guichet.ui.common.messages import show_error
from guichet.ui.common.style import apply_style
from guichet.ui.desk.window import DeskWindow
from guichet.ui.login.dialog import LoginDialog
from guichet.ui.worker import Worker

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


def qt_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Guichet")
    app.setOrganizationName("SITIV")
    app.setApplicationDisplayName("Guichet")
    return app  # type: ignore[return-value]


class Desk(QObject):
    """A running desk: what tests and the entry point need to reach."""

    window_opened = Signal(object)

    def __init__(self, db: Database, services: Services, worker: Worker, login: LoginDialog) -> None:
        super().__init__()
        self.db = db
        self.services = services
        self.worker = worker
        self.login = login
        self.window: DeskWindow | None = None

    def open_window(self, session: AgentSession, settings: Settings) -> None:
        """Load what the forms and the queue panel offer (off the GUI thread), then show the desk window."""

        def load() -> tuple[ReferenceData, SiteStatus]:
            reference = self.services.reference.load(commune_id=session.commune_id, site_id=session.site_id)
            return reference, self.services.queue.site_status(site_id=session.site_id)

        def show(loaded: tuple[ReferenceData, SiteStatus]) -> None:
            reference, site = loaded
            self.window = DeskWindow(
                self.worker, self.services, session, reference,
                database_label=self.db.path, journal_refresh_s=settings.ui.journal_refresh_s,
                counters=site.counters, counter_number=settings.counter_number,
            )  # fmt: skip
            self.window.show()
            self.window_opened.emit(self.window)

        self.worker.submit(load, on_done=show)

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
        self.worker.shutdown()
        self.db.close()


def build_desk(settings: Settings, db: Database) -> Desk:
    services = Services.on(db)
    worker = Worker()
    login = LoginDialog(worker, services.auth, place=f"Base : {db.path}")
    desk = Desk(db, services, worker, login)
    worker.unhandled_error.connect(lambda e: show_error(desk.window or login, e))
    login.logged_in.connect(lambda session: desk.open_window(session, settings))
    return desk


def run_desk(settings: Settings, *, startup_probe: bool = False, started: float | None = None) -> int:
    """Start the desk application; returns the process exit code."""
    started = started or time.perf_counter()
    app = qt_application()
    apply_style(app, font_size=settings.ui.font_size)
    try:
        db = open_database(settings.db_path)
    except DatabaseTooNewError as exc:
        QMessageBox.critical(None, "Guichet", str(exc))
        return 2
    desk = build_desk(settings, db)
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
