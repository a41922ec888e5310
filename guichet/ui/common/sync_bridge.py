"""The desk's sync thread: rounds with the central database, off the GUI thread, reported by a signal.

The GUI never waits on the network: a round runs on this thread, its status comes back through
``status``; "Synchroniser maintenant" only wakes the thread.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class SyncRunner(QObject):
    status = Signal(object)  # guichet.sync.service.SyncStatus
    progress = Signal(object)  # guichet.sync first-load progress

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
        while not self._stop.is_set():
            try:
                self.status.emit(self._service.run_round())
            except Exception:  # noqa: BLE001 - a bug in a round must not kill sync for the rest of the shift
                log.exception("tour de synchronisation interrompu")
            self._wake.wait(self._service.next_delay())
            self._wake.clear()
