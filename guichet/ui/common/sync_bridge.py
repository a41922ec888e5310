"""The desk's sync thread: rounds with the central database, off the GUI thread, reported by a signal.

The GUI never waits on the network: a round runs on this thread, its status comes back through
``status``; "Synchroniser maintenant" only wakes the thread.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal


class SyncRunner(QObject):
    status = Signal(object)  # guichet.sync.service.SyncStatus

    def __init__(self, service, parent: QObject | None = None) -> None:  # noqa: ANN001 - guichet.sync.service.SyncService
        super().__init__(parent)
        self._service = service
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="guichet-sync", daemon=True)

    def start(self) -> SyncRunner:
        self._thread.start()
        return self

    def sync_now(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self._service.close()

    def _loop(self) -> None:
        self._service.run_forever(self._stop, self.status.emit, wake=self._wake)
