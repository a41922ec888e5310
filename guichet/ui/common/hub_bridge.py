"""The site hub's news on the GUI thread: whether it answers, and its pushed events (see guichet.hub)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from guichet.hub.client import HubLink
from guichet.hub.listener import EventListener


class HubBridge(QObject):
    """``state(up, text)`` when the hub starts or stops answering; ``event(kind, data)`` for each pushed event.

    Both are emitted from the listener's thread and delivered on the GUI thread (queued connections).
    """

    state = Signal(bool, str)
    event = Signal(str, object)

    def __init__(self, link: HubLink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link
        link.listeners.append(self.state.emit)
        self.listener = EventListener(link, self.event.emit)

    def start(self) -> HubBridge:
        self.listener.start()
        return self

    def stop(self) -> None:
        if self.state.emit in self.link.listeners:
            self.link.listeners.remove(self.state.emit)
        self.listener.stop()
