"""The LAN between a desk and the hub, as a relay on its own loopback address that can be cut and restored.

The desk connects to ``127.0.0.3:port``, the relay forwards to the hub on ``127.0.0.2``. ``cut()`` resets every
connection in flight (mid-request or mid-answer, wherever it is) and refuses new ones until ``restore()``.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading


class LinkRelay:
    def __init__(self, target: tuple[str, int], host: str = "127.0.0.3") -> None:
        self.target = target
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind((host, 0))
        self._server.listen(128)
        self._server.settimeout(0.1)
        self.host, self.port = self._server.getsockname()
        self._up = True
        self._live: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def cut(self) -> None:
        with self._lock:
            self._up = False
            self.cuts += 1
            live, self._live = self._live, set()
        for s in live:
            _reset(s)

    def restore(self) -> None:
        with self._lock:
            self._up = True

    def close(self) -> None:
        self._stop.set()
        self.cut()
        self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                up = self._up
            if not up:
                _reset(client)
                continue
            threading.Thread(target=self._pump, args=(client,), daemon=True).start()

    def _pump(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(client)
            return
        with self._lock:
            if not self._up:
                _reset(client)
                _reset(upstream)
                return
            self._live |= {client, upstream}
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, upstream)
        sel.register(upstream, selectors.EVENT_READ, client)
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.2):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            with self._lock:
                self._live -= {client, upstream}
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.close()


def _reset(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
