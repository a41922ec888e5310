"""``guichet hub serve``: the site's hub process (the command lines are in guichet.hub.commands).

The hub holds the site's SQLite database, runs the print workers of the site's printers and the rounds with
the central database, and serves the services to the site's other PCs (uvicorn, the ASGI server FastAPI is
made for). Every write is committed to SQLite (WAL, synchronous=FULL) before its answer leaves: a hub killed
and started again has every ticket and print job it ever confirmed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from guichet.config import Settings
from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.hub.catalog import Endpoint
from guichet.hub.server import EventHub, create_app
from guichet.services import Services
from guichet.services.hub_devices import DeviceService
from guichet.services.public import PublicServices

log = logging.getLogger(__name__)


@dataclass
class Hub:
    """A running hub's parts (what tests and the command reach)."""

    db: Database
    services: Services
    public: PublicServices
    devices: DeviceService
    events: EventHub
    app: Any
    printers: list = field(default_factory=list)  # PrintWorker
    sync_stop: threading.Event = field(default_factory=threading.Event)
    sync_thread: threading.Thread | None = None

    def wake_printers(self, _endpoint: Endpoint | None = None, _kwargs: dict | None = None) -> None:
        for printer in self.printers:
            printer.notify()

    def close(self) -> None:
        self.sync_stop.set()
        if self.sync_thread is not None:
            self.sync_thread.join(timeout=10)
        for printer in self.printers:
            printer.stop()
        self.db.close()


def build_hub(settings: Settings, *, start_workers: bool = True) -> Hub:
    """Open the site's database (created or upgraded), wire services, API, print workers and sync."""
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open(settings.db_path)
    try:
        upgrade(db.engine)
    except Exception:
        db.close()
        raise
    services = Services.on(db)
    public = PublicServices.on(db)
    devices = DeviceService(db)
    events = EventHub()
    hub = Hub(db, services, public, devices, events, app=None)
    hub.app = create_app(services, public, devices, events=events, after_write=hub.wake_printers)
    if start_workers:
        _start_workers(hub, settings)
    return hub


def _start_workers(hub: Hub, settings: Settings) -> None:
    from guichet.printing.worker import start_print_worker

    for printer_settings in (settings.printer, *settings.hub.printers):
        worker = start_print_worker(hub.services.printing, printer_settings, on_event=_log_print_event)
        if worker is not None:
            hub.printers.append(worker)
            log.info("serveur du site : imprimante « %s » (%s)", printer_settings.key, printer_settings.backend)
    if settings.sync.central_url:
        from guichet.sync.service import SyncService

        sync = SyncService(hub.db, settings.sync)

        def loop() -> None:
            try:
                sync.run_forever(hub.sync_stop, lambda status: log.info("synchronisation : %s", status.summary()))
            finally:
                sync.close()

        hub.sync_thread = threading.Thread(target=loop, name="guichet-sync", daemon=True)
        hub.sync_thread.start()


def _log_print_event(event: object) -> None:
    log.info("impression : %s", event)


def serve(settings: Settings, *, listen: str = "") -> int:
    import uvicorn

    host, port = settings.hub.host_port
    if listen:
        host, _, text = listen.rpartition(":")
        port = int(text)
    hub = build_hub(settings)
    config = uvicorn.Config(
        hub.app, host=host, port=port, log_level="warning", access_log=False, lifespan="on",
        timeout_graceful_shutdown=3,
    )  # fmt: skip

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            hub.events.close()  # the PCs' event streams end now: they show the hub as stopped at once
            super().handle_exit(sig, frame)

    server = Server(config)
    print(f"Serveur du site à l'écoute sur http://{host}:{port} (base : {settings.db_path}).", flush=True)
    try:
        server.run()
    finally:
        hub.close()
    return 0
