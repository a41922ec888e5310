"""The call screen ("écran d'appel"): the current call very large, the last calls, date and time, a message.

It asks the queue service for new calls four times a second through its own worker (a poll never waits
behind other work, and a new one is not sent while one is in flight). A new call is on screen as soon as
the answer arrives; the panel flashes, the announcer chimes and speaks it. Only numbers and counters are
ever shown: a call event carries no personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from guichet.services.clock import local_day
from guichet.services.clock import now as system_now
from guichet.services.queue import CallEvent, CallFeed, QueueService
from guichet.services.sites import SiteInfo
from guichet.ui.common.public import FitLabel, Scaler, date_text, public_header, public_stylesheet, time_text
from guichet.ui.display.announcer import Announcer, spoken_text
from guichet.ui.worker import Worker

log = logging.getLogger(__name__)

DEFAULT_MESSAGE = "Merci de patienter, vous allez être appelé(e)."
ARROW = "→"


def call_text(call: CallEvent) -> str:
    """ "A042 → Guichet 3"."""
    return f"{call.number} {ARROW} {counter_text(call)}"


def counter_text(call: CallEvent) -> str:
    return call.counter_name.strip() or f"Guichet {call.counter_number}"


def _repolish(*widgets: QWidget) -> None:
    for w in widgets:
        w.style().unpolish(w)
        w.style().polish(w)


class DisplayWindow(QWidget):
    calls_shown = Signal(object)  # tuple[CallEvent, ...]: calls that have just reached the screen

    def __init__(
        self, worker: Worker, queue: QueueService, site: SiteInfo, *, poll_ms: int = 250, history_size: int = 6,
        message: str = DEFAULT_MESSAGE, flash_ms: int = 350, flashes: int = 3, announcer: Announcer | None = None,
        clock: Callable[[], datetime] = system_now,
    ) -> None:  # fmt: skip
        super().__init__()
        self.setObjectName("display")
        self.setWindowTitle(f"Guichet — écran d'appel — {site.name}")
        self.setStyleSheet(public_stylesheet())
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._worker = worker
        self._queue = queue
        self.site = site
        self._clock = clock
        self._history_size = history_size
        self.announcer = announcer if announcer is not None else Announcer(self)
        if self.announcer.parent() is None:
            self.announcer.setParent(self)
        self.scaler = Scaler()
        self.current: CallEvent | None = None
        self.recent: list[CallEvent] = []  # newest first, the current call not included
        self._cursor: int | None = None
        self._in_flight = False
        self._stopped = False
        self._failing = False
        self._flashes_left = 0
        self._shown_day = local_day(clock())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())
        body = QHBoxLayout()
        body.setContentsMargins(36, 30, 36, 30)
        body.setSpacing(30)
        body.addWidget(self._build_current(), 60)
        body.addWidget(self._build_recent(), 40)
        layout.addLayout(body, 1)
        layout.addWidget(self._build_message(message))

        self._poll_timer = QTimer(self, interval=poll_ms, timeout=self.poll)
        self._flash_timer = QTimer(self, interval=flash_ms, timeout=self._flash_step)
        self._flash_count = 2 * flashes
        self._clock_timer = QTimer(self, interval=1_000, timeout=self._tick)
        self._clock_timer.start()
        self._tick()
        self._render()
        self.setMinimumSize(640, 360)  # below the layouts' own minimum: fonts follow the size, nothing blocks it
        self.resize(1366, 768)
        self._poll_timer.start()
        self.poll()

    # -- building ----------------------------------------------------------------------------------

    def _build_header(self) -> QWidget:
        bar, self.site_label, self.date_label, self.time_label = public_header(
            self.site.name, self.scaler, sizes=(40, 36, 48), spacing=32
        )
        return bar

    def _build_current(self) -> QWidget:
        self.current_panel = QFrame()
        self.current_panel.setObjectName("currentCall")
        self.caption_label = QLabel()
        self.caption_label.setObjectName("callCaption")
        self.caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label = FitLabel()
        self.number_label.setObjectName("callNumber")
        self.counter_label = FitLabel()
        self.counter_label.setObjectName("callCounter")
        layout = QVBoxLayout(self.current_panel)
        layout.setContentsMargins(30, 24, 30, 36)
        layout.setSpacing(0)
        layout.addWidget(self.caption_label)
        layout.addStretch(1)
        layout.addWidget(self.number_label)
        layout.addWidget(self.counter_label)
        layout.addStretch(1)
        self.scaler.font(self.caption_label, 50, bold=True)
        self.scaler.font(self.number_label, 330, bold=True)
        self.scaler.font(self.counter_label, 140, bold=True)
        return self.current_panel

    def _build_recent(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("recentCalls")
        title = QLabel("Derniers appels")
        title.setObjectName("recentTitle")
        self.recent_empty = QLabel("Aucun autre appel pour le moment")
        self.recent_empty.setObjectName("recentEmpty")
        self.recent_empty.setWordWrap(True)
        self.recent_rows: list[tuple[QLabel, QLabel, QLabel]] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(0)
        for i in range(self._history_size):
            number, counter, at = QLabel(), FitLabel(bold=False), QLabel()
            number.setObjectName("recentNumber")
            counter.setObjectName("recentCounter")
            at.setObjectName("recentTime")
            # A long counter name ("Bureau de l'accueil social") shrinks rather than being cut.
            counter.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            at.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(number, i, 0)
            grid.addWidget(counter, i, 1)
            grid.addWidget(at, i, 2)
            grid.setRowStretch(i, 1)
            self.scaler.font(number, 64, bold=True)
            self.scaler.font(counter, 50)
            self.scaler.font(at, 34)
            self.recent_rows.append((number, counter, at))
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(30, 22, 30, 22)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(self.recent_empty)
        layout.addLayout(grid, 1)
        self.scaler.font(title, 46, bold=True)
        self.scaler.font(self.recent_empty, 36)
        return panel

    def _build_message(self, message: str) -> QWidget:
        band = QFrame()
        band.setObjectName("messageBand")
        self.message_label = QLabel(message)
        self.message_label.setObjectName("messageLine")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        layout = QHBoxLayout(band)
        layout.setContentsMargins(36, 14, 36, 18)
        layout.addWidget(self.message_label)
        self.scaler.font(self.message_label, 44, bold=True)
        return band

    def set_message(self, text: str) -> None:
        self.message_label.setText(text)

    # -- polling -----------------------------------------------------------------------------------

    def poll(self) -> None:
        """Ask for the calls made since the last answer (one request at a time)."""
        if self._in_flight or self._stopped:
            return
        self._in_flight = True
        first = self._cursor is None
        self._worker.submit(
            self._queue.recent_calls, site_id=self.site.id, after_event_seq=self._cursor,
            limit=self._history_size + 1 if first else 50, on_done=self._on_feed, on_error=self._on_poll_error,
        )  # fmt: skip

    def _on_feed(self, feed: CallFeed) -> None:
        self._in_flight = False
        if self._failing:
            log.info("écran d'appel : lecture des appels rétablie")
            self._failing = False
        first = self._cursor is None
        self._cursor = feed.last_event_seq
        if not feed.calls or self._stopped:
            return
        for call in feed.calls:
            self._push(call)
        self._render()
        if not first:  # calls made before the screen started are shown, not announced
            self._flash()
            for call in feed.calls:
                self.announcer.announce(spoken_text(call))
        self.calls_shown.emit(feed.calls)
        if len(feed.calls) >= 50:  # more are waiting: do not wait for the next tick
            QTimer.singleShot(0, self.poll)

    def _on_poll_error(self, error: BaseException) -> None:
        self._in_flight = False
        if not self._failing:
            self._failing = True
            log.warning("écran d'appel : lecture des appels impossible (%s) ; nouvel essai en continu", error)

    def _push(self, call: CallEvent) -> None:
        if self.current is not None and self.current.ticket_id != call.ticket_id:
            self.recent.insert(0, self.current)
        # A ticket appears once: a recall brings it back to the top.
        self.recent = [c for c in self.recent if c.ticket_id != call.ticket_id][: self._history_size]
        self.current = call

    # -- showing -----------------------------------------------------------------------------------

    def current_text(self) -> str:
        """What the big panel says, on one line ("A042 → Guichet 3"; "" before the first call)."""
        return call_text(self.current) if self.current is not None else ""

    def recent_texts(self) -> list[str]:
        return [call_text(c) for c in self.recent]

    def _render(self) -> None:
        call = self.current
        idle = call is None
        if call is None:
            self.caption_label.setText("Bienvenue")
            self.number_label.setText(self.site.name)
            self.counter_label.setText("Les numéros appelés s'affichent ici")
        else:
            self.caption_label.setText("Rappel" if call.is_recall else "Appel en cours")
            self.number_label.setText(call.number)
            self.counter_label.setText(f"{ARROW} {counter_text(call)}")
        if self.current_panel.property("idle") != idle:
            self.current_panel.setProperty("idle", idle)
            _repolish(self.current_panel, self.number_label)
        # Before the first call the site's name stands in for the number: smaller than a number.
        self.number_label.set_max_px((150 if idle else 330) * self.scaler.scale)
        self.counter_label.set_max_px((54 if idle else 140) * self.scaler.scale)
        for i, (number, counter, at) in enumerate(self.recent_rows):
            if i < len(self.recent):
                c = self.recent[i]
                number.setText(c.number)
                counter.setText(f"{ARROW} {counter_text(c)}")
                at.setText(time_text(c.at))
            else:
                number.clear()
                counter.clear()
                at.clear()
        self.recent_empty.setText("Aucun autre appel pour le moment" if call else "Aucun appel pour le moment")
        self.recent_empty.setVisible(not self.recent)

    def _flash(self) -> None:
        self._flashes_left = self._flash_count
        self._flash_timer.start()
        self._flash_step()

    def _flash_step(self) -> None:
        if self._flashes_left <= 0:
            self._flash_timer.stop()
            self._set_flash(False)
            return
        self._flashes_left -= 1
        self._set_flash(self._flashes_left % 2 == 1)

    def _set_flash(self, on: bool) -> None:
        if self.current_panel.property("flash") == on:
            return
        self.current_panel.setProperty("flash", on)
        _repolish(self.current_panel, self.caption_label, self.number_label, self.counter_label)

    @property
    def flashing(self) -> bool:
        return self._flash_timer.isActive()

    def _tick(self) -> None:
        current = self._clock()
        self.date_label.setText(date_text(current).capitalize())
        self.time_label.setText(time_text(current))
        day = local_day(current)
        if day != self._shown_day:  # a new day: yesterday's calls leave the screen
            self._shown_day = day
            self.current = None
            self.recent = []
            self._render()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        self.scaler.apply(self.width(), self.height())
        self._render()
        super().resizeEvent(event)

    def stop(self) -> None:
        """Stop polling and speaking (before the worker shuts down)."""
        self._stopped = True
        for timer in (self._poll_timer, self._flash_timer, self._clock_timer):
            timer.stop()
        self.announcer.stop()

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        self.stop()
        super().closeEvent(event)
