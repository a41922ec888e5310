"""``guichet hub``: the site's hub process (serve), and its administration (pair, devices, revoke) and a PC's
side of pairing (join).

The hub holds the site's SQLite database, runs the print workers of the site's printers and the rounds with
the central database, and serves the services to the site's other PCs (uvicorn, the ASGI server FastAPI is
made for). Every write is committed to SQLite (WAL, synchronous=FULL) before its answer leaves: a hub killed
and started again has every ticket and print job it ever confirmed.
"""

from __future__ import annotations

import argparse
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
from guichet.services.hub_devices import ROLES, DeviceService
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


# -- command line ------------------------------------------------------------------------------------


def add_parsers(sub: argparse._SubParsersAction) -> None:
    hub = sub.add_parser("hub", help="serveur du site : sert la file et les services aux autres postes du site")
    hub_sub = hub.add_subparsers(dest="hub_command", required=True)
    serve_p = hub_sub.add_parser("serve", help="démarre le serveur du site (sur le PC qui le tient)")
    serve_p.add_argument("--listen", default="", help="adresse:port d'écoute (par défaut : [hub] listen)")
    pair = hub_sub.add_parser("pair", help="appairer un poste : donne un code à usage unique (15 min)")
    pair.add_argument("name", help="nom du poste, ex. « Guichet 3 »")
    pair.add_argument("--role", choices=sorted(ROLES), default="poste", help="poste (défaut), borne ou ecran")
    pair.add_argument("--site", default="", help="code du site (par défaut : le seul site de la base)")
    hub_sub.add_parser("devices", help="les postes appairés")
    revoke = hub_sub.add_parser("revoke", help="retire l'accès d'un poste (immédiat)")
    revoke.add_argument("name")
    join = hub_sub.add_parser("join", help="sur un poste : l'appairer avec le serveur du site")
    join.add_argument("address", help="adresse du serveur du site, ex. 192.168.1.10 ou http://192.168.1.10:8765")
    join.add_argument("code", help="le code donné par « guichet hub pair »")


def cli(settings: Settings, args: argparse.Namespace) -> int:
    from guichet.services.errors import ServiceError

    command = args.hub_command
    try:
        if command == "serve":
            return serve(settings, listen=args.listen)
        if command == "join":
            return _join(settings, args.address, args.code)
        db = Database.open(settings.db_path)
        try:
            upgrade(db.engine)
            devices = DeviceService(db)
            if command == "pair":
                pairing = devices.pair(name=args.name, role=args.role, site_code=args.site or settings.site_code)
                print(
                    f"Poste « {pairing.device.name} » ({ROLES[pairing.device.role]}) : code d'appairage {pairing.code}"
                )
                print("Sur ce poste : guichet hub join <adresse du serveur> " + pairing.code + " (valable 15 minutes).")
            elif command == "devices":
                rows = devices.devices()
                if not rows:
                    print("Aucun poste appairé.")
                for d in rows:
                    seen = d.last_seen_at.astimezone().strftime("%d/%m/%Y %H:%M") if d.last_seen_at else "jamais"
                    print(f"{d.name:<24} {ROLES[d.role]:<16} {d.state:<24} vu : {seen}")
            elif command == "revoke":
                device = devices.revoke(name=args.name)
                print(f"Accès du poste « {device.name} » révoqué.")
        finally:
            db.close()
    except ServiceError as exc:
        print(exc.message, file=__import__("sys").stderr)
        return 2
    return 0


def _join(settings: Settings, address: str, code: str) -> int:
    import keyring

    from guichet.hub.client import hub_url, pair_with
    from guichet.hub.settings import KEYRING_SERVICE

    paired = pair_with(address, code)
    url = hub_url(address)
    keyring.set_password(KEYRING_SERVICE, url, paired["token"])
    print(f"Poste appairé sous le nom « {paired['name']} » ({ROLES.get(paired['role'], paired['role'])}).")
    print(f'Ajoutez à guichet.toml :\n[hub]\nurl = "{url}"')
    return 0
