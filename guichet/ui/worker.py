"""The one bridge between widgets and services: calls run on a database thread, results come back as signals.

Service calls run in order on a single thread (SQLite likes one writer per process, and an agent's
actions must apply in the order they were made). The callback runs on the GUI thread. An error
nobody handles is not swallowed: it goes to ``unhandled_error``, which the application shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class Worker(QObject):
    unhandled_error = Signal(object)  # the exception
    busy_changed = Signal(bool)
    _finished = Signal(object, object, object)  # callback, result, error

    def __init__(self, parent: QObject | None = None, name: str = "guichet-db") -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending = 0
        self._closed = False
        self._finished.connect(self._deliver)

    def submit(
        self,
        fn: Callable[..., Any],
        /,
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
        **kwargs: Any,
    ) -> Future:
        """Run ``fn(**kwargs)`` off the GUI thread; then ``on_done(result)`` or ``on_error(exc)`` on it.

        ``owner`` is the widget the answer is for (by default the object of a bound-method callback):
        if it was closed and deleted meanwhile, the answer is dropped instead of touching a dead widget.
        After ``shutdown`` (the application is closing) a late timer's call is dropped, not raised.
        """
        if owner is None:
            bound = getattr(on_done, "__self__", None) or getattr(on_error, "__self__", None)
            owner = bound if isinstance(bound, QObject) else None
        if self._closed:
            log.debug("appel ignoré après l'arrêt : %s", getattr(fn, "__qualname__", fn))
            dropped: Future = Future()
            dropped.cancel()
            return dropped
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def run() -> None:
            try:
                result = fn(**kwargs)
            except BaseException as exc:  # noqa: BLE001 - every error reaches the GUI thread
                log.debug("service call %s failed", getattr(fn, "__qualname__", fn), exc_info=True)
                self._finished.emit((on_error, owner), None, exc)
            else:
                self._finished.emit((on_done, owner), result, None)

        return self._executor.submit(run)

    def _deliver(
        self, target: tuple[Callable | None, QObject | None], result: Any, error: BaseException | None
    ) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        callback, owner = target
        if owner is not None and not shiboken6.isValid(owner):
            log.debug("réponse ignorée : la fenêtre qui l'attendait est fermée")
            return
        if error is not None:
            if callback is not None:
                callback(error)
            else:
                self.unhandled_error.emit(error)
            return
        if callback is not None:
            callback(result)

    @property
    def idle(self) -> bool:
        return self._pending == 0

    def shutdown(self) -> None:
        """Let queued calls finish (an agent's save must not be dropped on close)."""
        self._closed = True
        self._executor.shutdown(wait=True)
