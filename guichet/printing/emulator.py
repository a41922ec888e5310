"""A network ESC/POS printer on 127.0.0.1, for tests, benchmarks and a kiosk set up without its printer.

It keeps the bytes of every connection (in memory, and as files with ``out_dir``), answers the real-time
status requests ``DLE EOT n`` wherever they appear in the stream (as real printers do), and misbehaves on
demand (``mode``, changeable while it runs):

``normal``      reads everything, answers « online, paper OK »
``refuse``      no listener: connections are refused (printer off)
``hang``        accepts, then never reads nor answers (printer frozen)
``drop``        reads ``drop_after`` bytes, then closes the connection (cable pulled mid-ticket)
``paper-out``   answers « offline, paper end » (and keeps what it is sent, like a printer without paper)
``paper-low``   prints, answers « paper near end »

Command line: ``guichet printer-emulator [--port 9100] [--mode normal] [--out DIR]``.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

# SO_LINGER on, 0 s: close() resets the connection at once, as a printer switched off mid-ticket.
_LINGER_RESET = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)


class EmulatorMode(StrEnum):
    NORMAL = "normal"
    REFUSE = "refuse"
    HANG = "hang"
    DROP = "drop"
    PAPER_OUT = "paper-out"
    PAPER_LOW = "paper-low"


# One reply byte per DLE EOT n, by mode (Epson layout: 0xx1 xx10).
_OK = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
_REPLIES: dict[EmulatorMode, dict[int, int]] = {
    EmulatorMode.NORMAL: _OK,
    EmulatorMode.DROP: _OK,
    EmulatorMode.HANG: _OK,
    EmulatorMode.REFUSE: _OK,
    EmulatorMode.PAPER_LOW: {**_OK, 4: 0x1E},
    EmulatorMode.PAPER_OUT: {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72},
}


@dataclass(frozen=True)
class ReceivedJob:
    """What one connection sent. ``payload``: without the status requests before and after the job."""

    number: int
    data: bytes
    payload: bytes
    status_queries: int
    complete: bool  # the client closed the connection (False: the emulator dropped it)
    first_byte_at: float | None  # time.perf_counter() of the first and last payload bytes
    last_byte_at: float | None


def strip_queries(data: bytes) -> bytes:
    """``data`` without the ``DLE EOT n`` requests at its start and its end."""
    start, end = 0, len(data)
    while end - start >= 3 and data[start] == 0x10 and data[start + 1] == 0x04 and 1 <= data[start + 2] <= 4:
        start += 3
    while end - start >= 3 and data[end - 3] == 0x10 and data[end - 2] == 0x04 and 1 <= data[end - 1] <= 4:
        end -= 3
    return data[start:end]


class PrinterEmulator:
    """``with PrinterEmulator() as printer: ... printer.port ... printer.wait_for_jobs(1)``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        mode: EmulatorMode | str = EmulatorMode.NORMAL,
        drop_after: int = 256,
        out_dir: Path | None = None,
        on_job: Callable[[ReceivedJob], None] | None = None,
    ) -> None:
        self.host = host
        self._port = port
        self._mode = EmulatorMode(mode)
        self.drop_after = drop_after
        self.out_dir = out_dir
        self._on_job = on_job
        self._lock = threading.Condition()
        self._connections: list[ReceivedJob] = []
        self._listener: socket.socket | None = None
        self._selector = selectors.DefaultSelector()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._open_sockets: set[socket.socket] = set()

    # -- life -------------------------------------------------------------------------------------------

    def start(self) -> PrinterEmulator:
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self._listen()  # binds now, even in "refuse" mode, to learn the port; closed right after
        if self._mode is EmulatorMode.REFUSE:
            self._unlisten()
        self._thread = threading.Thread(target=self._accept_loop, name="printer-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._unlisten()
        with self._lock:
            for sock in list(self._open_sockets):
                with contextlib.suppress(OSError):
                    sock.close()
            self._open_sockets.clear()
        self._selector.close()

    def __enter__(self) -> PrinterEmulator:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def mode(self) -> EmulatorMode:
        return self._mode

    def set_mode(self, mode: EmulatorMode | str, *, drop_after: int | None = None) -> None:
        """Change behaviour; applies to the next connection (``refuse`` closes the listener at once)."""
        mode = EmulatorMode(mode)
        with self._lock:
            if drop_after is not None:
                self.drop_after = drop_after
            self._mode = mode
        if mode is EmulatorMode.REFUSE:
            self._unlisten()
        elif self._listener is None:
            self._listen()

    # -- what it received -------------------------------------------------------------------------------

    @property
    def connections(self) -> list[ReceivedJob]:
        """Every connection closed so far, status-only ones included."""
        with self._lock:
            return list(self._connections)

    @property
    def jobs(self) -> list[ReceivedJob]:
        """Connections that carried something to print."""
        return [c for c in self.connections if c.payload]

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[ReceivedJob]:
        """The jobs once there are ``count`` of them (or whatever there is at ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while sum(1 for c in self._connections if c.payload) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
        return self.jobs

    def clear(self) -> None:
        with self._lock:
            self._connections.clear()

    # -- internals --------------------------------------------------------------------------------------

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        sock.listen(16)
        sock.setblocking(False)
        self._port = sock.getsockname()[1]
        with self._lock:
            self._listener = sock
            self._selector.register(sock, selectors.EVENT_READ)

    def _unlisten(self) -> None:
        with self._lock:
            sock, self._listener = self._listener, None
            if sock is not None:
                with contextlib.suppress(KeyError, ValueError):
                    self._selector.unregister(sock)
                sock.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                listening = self._listener is not None
            if not listening:
                self._stop.wait(0.01)
                continue
            try:
                ready = self._selector.select(timeout=0.05)
            except (OSError, ValueError):
                continue
            for key, _events in ready:
                try:
                    conn, _addr = key.fileobj.accept()  # type: ignore[union-attr]
                except OSError:
                    continue
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with self._lock:
                    mode, drop_after = self._mode, self.drop_after
                    self._open_sockets.add(conn)
                threading.Thread(
                    target=self._serve, args=(conn, mode, drop_after), name="printer-emulator-conn", daemon=True
                ).start()

    def _serve(self, conn: socket.socket, mode: EmulatorMode, drop_after: int) -> None:
        data = bytearray()
        stamps: list[tuple[int, float]] = []  # (bytes received so far, when)
        complete = False
        scanned = 0
        queries = 0
        try:
            if mode is EmulatorMode.HANG:
                self._stop.wait()  # accept, never read: the sender's window fills, its status requests go unanswered
                return
            conn.settimeout(0.2)
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    complete = True
                    break
                if mode is EmulatorMode.DROP and len(data) + len(chunk) >= drop_after:
                    data += chunk[: max(0, drop_after - len(data))]
                    stamps.append((len(data), time.perf_counter()))
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
                    break  # closed with a reset, like a printer switched off
                data += chunk
                stamps.append((len(data), time.perf_counter()))
                replies = bytearray()
                while scanned <= len(data) - 3:
                    if data[scanned] == 0x10 and data[scanned + 1] == 0x04 and 1 <= data[scanned + 2] <= 4:
                        replies.append(_REPLIES[mode][data[scanned + 2]])
                        queries += 1
                        scanned += 3
                    else:
                        scanned += 1
                if replies:
                    try:
                        conn.sendall(replies)
                    except OSError:
                        break
        finally:
            with self._lock:
                self._open_sockets.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()
        self._record(bytes(data), stamps, queries, complete)

    def _record(self, data: bytes, stamps: list[tuple[int, float]], queries: int, complete: bool) -> None:
        payload = strip_queries(data)
        first_at = last_at = None
        if payload:
            start = data.find(payload)
            end = start + len(payload)
            first_at = next(t for n, t in stamps if n > start)
            last_at = next(t for n, t in stamps if n >= end)
        with self._lock:
            job = ReceivedJob(len(self._connections) + 1, data, payload, queries, complete, first_at, last_at)
            self._connections.append(job)
            self._lock.notify_all()
        if payload and self.out_dir is not None:
            self._save(job)
        if self._on_job is not None:
            self._on_job(job)

    def _save(self, job: ReceivedJob) -> None:
        assert self.out_dir is not None
        base = self.out_dir / f"job-{job.number:04d}"
        base.with_suffix(".bin").write_bytes(job.payload)
        try:
            from guichet.printing.escpos_render import decode

            base.with_suffix(".txt").write_text(decode(job.payload).text, encoding="utf-8")
        except ValueError:
            pass  # bytes it cannot read back (a dropped job, another program's commands): the .bin is enough
