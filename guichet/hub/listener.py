"""Listening to the hub's pushed events (server-sent events) on a thread of its own.

The stream is also the desk's heartbeat: it breaks the moment the hub stops or the cable is pulled (the hub
sends a keep-alive every few seconds, so a silent link is noticed within ``stale_s``), and the link is
marked down at once; the listener then tries again every ``retry_s`` and marks it up when the hub answers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable

import httpx

from guichet.hub.client import HubLink

log = logging.getLogger(__name__)


class EventListener:
    def __init__(
        self, link: HubLink, on_event: Callable[[str, dict], None], *, retry_s: float = 1.0, stale_s: float = 25.0
    ) -> None:
        self._link = link
        self._on_event = on_event
        self._retry_s = retry_s
        self._stale_s = stale_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="guichet-hub-events", daemon=True)
        self._response: httpx.Response | None = None
        self.connected = threading.Event()

    def start(self) -> EventListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        response = self._response
        if response is not None:
            with contextlib.suppress(Exception):  # closing from another thread may race the reader
                response.close()
        # A read blocked in another thread is not woken by closing its socket: it ends at the next keep-alive
        # or when the hub closes the stream, sees the stop flag and leaves (a daemon thread, holding nothing).
        self._thread.join(timeout=0.5)

    def _run(self) -> None:
        timeout = httpx.Timeout(self._stale_s, connect=2.0)
        headers = {"Authorization": f"Bearer {self._link.token}", "Accept": "text/event-stream"}
        with httpx.Client(base_url=self._link.url, timeout=timeout, headers=headers) as client:
            while not self._stop.is_set():
                try:
                    with client.stream("GET", "/api/events") as response:
                        self._response = response
                        if response.status_code != 200:
                            response.read()
                            self._link.mark(False, f"accès refusé par le serveur du site (HTTP {response.status_code})")
                        else:
                            self._read(response)
                except httpx.HTTPError as exc:
                    if not self._stop.is_set():
                        self._link.mark(False, str(exc) or type(exc).__name__)
                finally:
                    self._response = None
                    self.connected.clear()
                if self._stop.wait(self._retry_s):
                    return

    def _read(self, response: httpx.Response) -> None:
        kind, data = "", ""
        for line in response.iter_lines():
            if self._stop.is_set():
                return
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif line == "":
                if kind == "hello":
                    self.connected.set()
                    self._link.mark(True)
                if kind:
                    try:
                        payload = json.loads(data) if data else {}
                    except ValueError:
                        payload = {}
                    try:
                        self._on_event(kind, payload)
                    except Exception:  # noqa: BLE001 - a listener's bug must not stop the stream
                        log.exception("événement du serveur du site")
                kind, data = "", ""
        if not self._stop.is_set():
            self._link.mark(False, "flux d'événements interrompu")
