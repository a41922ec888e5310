"""Brings the print worker's events (told on its own thread) to the GUI thread as a Qt signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class PrintEvents(QObject):
    """``report`` is given to the print worker as its ``on_event``; widgets connect to ``event``."""

    event = Signal(object)  # guichet.printing.worker.PrintEvent

    def report(self, event: object) -> None:
        # Called on the print worker's thread: the signal is queued to the receivers' (GUI) thread.
        self.event.emit(event)
