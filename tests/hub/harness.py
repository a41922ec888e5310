"""A hub served for real (uvicorn on a socket) inside the test process, and PCs paired with it."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import uvicorn

from guichet.config import Settings
from guichet.hub.client import HubLink, RemotePublicServices, RemoteServices, pair_with
from guichet.hub.outbox import ContactOutbox
from guichet.hub.runner import Hub, build_hub


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class ServedHub:
    """``guichet hub serve`` on ``host:port``, in a thread. ``stop()`` then ``start()`` restarts it on the same
    address and database (the hub's restart)."""

    settings: Settings
    host: str = "127.0.0.2"
    port: int = 0
    hub: Hub | None = None
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    start_workers: bool = False
    keepalive_s: float = 10.0
    links: list[HubLink] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServedHub:
        if not self.port:
            self.port = free_port(self.host)
        self.hub = build_hub(self.settings, start_workers=self.start_workers)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        config = uvicorn.Config(
            self.hub.app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("le serveur du site n'a pas démarré")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self.hub.events.close()
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None
        if self.hub is not None:
            self.hub.close()
            self.hub = None

    def pair(self, name: str, role: str = "poste", site: str = "HDV") -> str:
        """Pair a PC the administrator's way: a code on the hub, traded for a token over HTTP."""
        pairing = self.hub.devices.pair(name=name, role=role, site_code=site)
        return pair_with(self.url, pairing.code)["token"]

    def link(self, token: str, **kw: object) -> HubLink:
        link = HubLink(self.url, token, **kw)
        self.links.append(link)
        return link

    def desk(self, name: str = "Guichet 1", outbox: Path | None = None) -> RemoteServices:
        link = self.link(self.pair(name))
        return RemoteServices(link, ContactOutbox(outbox) if outbox else None)

    def public(self, name: str = "Borne 1", role: str = "borne") -> RemotePublicServices:
        return RemotePublicServices(self.link(self.pair(name, role)))

    def close(self) -> None:
        for link in self.links:
            link.close()
        self.stop()


def hub_settings(db_path: Path) -> Settings:
    return replace(Settings(), db_path=Path(db_path), site_code="HDV")
