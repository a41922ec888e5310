"""A loopback TCP proxy in front of PostgreSQL that cuts or stalls connections at random points.

Each connection gets a plan when it is accepted: pass everything, or after N bytes (counted both ways, so
anywhere: handshake, push, pull) either cut both sides at once (RST), or stall (forward nothing more, in
either direction, until the client gives up and closes: then the server side is closed too, as a dead
peer's would be after its timeouts).
"""

from __future__ import annotations

import contextlib
import random
import selectors
import socket
import struct
import threading
from dataclasses import dataclass, field


@dataclass
class Plan:
    kind: str  # "pass", "cut" or "stall"
    after: int = 0  # bytes


@dataclass
class FaultyProxy:
    target_port: int
    seed: int = 0
    fault_rate: float = 1.0  # share of connections that will fail at some point (the others pass all)
    stall_share: float = 0.3  # of the failing ones, how many stall rather than cut
    max_after: int = 100_000
    enabled: bool = True
    port: int = 0
    plans: list[Plan] = field(default_factory=list)
    _rng: random.Random = field(init=False)
    _server: socket.socket = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)

    def _plan(self) -> Plan:
        if not self.enabled or self._rng.random() >= self.fault_rate:
            return Plan("pass")
        kind = "stall" if self._rng.random() < self.stall_share else "cut"
        return Plan(kind, self._rng.randrange(self.max_after))

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            plan = self._plan()
            self.plans.append(plan)
            worker = threading.Thread(target=self._pump, args=(client, plan), daemon=True)
            worker.start()

    def _pump(self, client: socket.socket, plan: Plan) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, upstream)
        sel.register(upstream, selectors.EVENT_READ, client)
        moved = 0
        stalled = False
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.2):
                    src: socket.socket = key.fileobj  # type: ignore[assignment]
                    dst: socket.socket = key.data
                    try:
                        data = src.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return  # one side closed: close the other (finally)
                    if stalled:
                        continue  # swallowed: the link is frozen
                    if plan.kind != "pass" and moved + len(data) > plan.after:
                        head = data[: max(0, plan.after - moved)]
                        if head:
                            dst.sendall(head)
                        if plan.kind == "cut":
                            for s in (client, upstream):
                                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                            return
                        stalled = True
                        continue
                    moved += len(data)
                    dst.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.close()

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        for t in self._threads:
            t.join(2)
