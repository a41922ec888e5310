"""Locking a shared desk (Ctrl+L, or after the idle time), unlocking it, and letting another agent take it.

A locked desk shows the lock screen *instead of* its pages: they are hidden, not covered, so nothing of them is
on screen nor reachable from the keyboard (their shortcuts are disabled too). What was typed stays in memory
for the agent who typed it. Dialogs, menus and suggestion lists of the window are hidden while it is locked
(see Curtain), and the dialogs come back when the same agent unlocks.

When another agent takes the desk (« Changer d'agent »), this window stays locked and is hidden; the
composition root shows the new agent's own window (see guichet.app.Desk), and brings this one back, with its
draft, when its agent takes the desk again.
"""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from guichet.services.auth import AgentSession, AuthService, Workstation
from guichet.services.clock import now
from guichet.ui.common.messages import error_text, show_error
from guichet.ui.desk.lock_screen import Curtain, LockScreen
from guichet.ui.worker import Worker

log = logging.getLogger(__name__)


class DeskLock(QObject):
    locked_changed = Signal(bool)
    switched = Signal(object)  # services.auth.Switched: another agent took the desk

    def __init__(
        self, window: QMainWindow, pages: QWidget, worker: Worker, auth: AuthService, session: AgentSession,
        workstation: Workstation,
    ) -> None:  # fmt: skip
        super().__init__(window)
        self._window = window
        self._pages = pages
        self._worker = worker
        self._auth = auth
        self._session = session
        self._workstation = workstation
        self.locked = False
        self.screen = LockScreen(f"{session.site_name} — {session.commune_name}")
        self.stack = QStackedWidget()
        self.stack.addWidget(pages)
        self.stack.addWidget(self.screen)
        self.curtain = Curtain(window, keep=(self.stack,))
        self.screen.unlock_requested.connect(self._unlock)
        self.screen.switch_requested.connect(self._switch)
        self._focus: QWidget | None = None
        self._shortcuts: list[QShortcut] = []
        self._errors: list[BaseException] = []
        self._title = ""

    def lock(self, reason: str = "") -> None:
        """Hide everything behind the lock screen (audited); nothing typed is lost."""
        if self.locked:
            return
        self.locked = True
        w = self._window
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and focus.window() is w else None
        self.curtain.drop()
        self._shortcuts = [sc for sc in w.findChildren(QShortcut) if sc.isEnabled()]
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
        self.screen.show_for(self._session.display_name, now(), reason)
        self.stack.setCurrentWidget(self.screen)
        w.statusBar().hide()
        self._title = w.windowTitle()
        w.setWindowTitle(f"Guichet — {self._session.site_name} — poste verrouillé")
        self.screen.secret.setFocus()
        self._worker.submit(self._auth.lock, agent_id=self._session.agent_id, reason=reason,
                            workstation=self._workstation, on_error=self._not_logged, owner=self)  # fmt: skip
        self.locked_changed.emit(True)

    def defer_error(self, error: BaseException) -> None:
        """An error of the desk while it is locked: shown to its agent once they are back, not over the lock."""
        self._errors.append(error)

    def take_over(self, note: str = "") -> None:
        """This window's agent took the desk back through another agent's lock screen: open, with their draft."""
        self._reopen()
        if note:
            self._window.statusBar().showMessage(note, 20_000)

    # -- answers ---------------------------------------------------------------------------------

    def _unlock(self, secret: str) -> None:
        self._worker.submit(self._auth.unlock, agent_id=self._session.agent_id, secret=secret,
                            workstation=self._workstation, on_done=self._unlocked, on_error=self._refused)  # fmt: skip

    def _switch(self, login: str, password: str) -> None:
        self._worker.submit(self._auth.switch, from_agent_id=self._session.agent_id, login=login, password=password,
                            workstation=self._workstation, on_done=self._switched, on_error=self._refused)  # fmt: skip

    def _unlocked(self, _session: AgentSession) -> None:
        self._reopen()

    def _switched(self, result) -> None:  # noqa: ANN001 - services.auth.Switched
        if result.session.agent_id == self._session.agent_id:
            self._reopen()
            return
        self.screen.clear()  # the next agent's typing never stays on this window
        self.switched.emit(result)

    def _refused(self, error: BaseException) -> None:
        self.screen.refused(error_text(error))

    def _not_logged(self, error: BaseException) -> None:
        log.warning("verrouillage non inscrit au journal d'audit : %s", error_text(error))

    def _reopen(self) -> None:
        if not self.locked:
            return
        self.locked = False
        w = self._window
        self.screen.clear()
        self.screen.stopped()
        self.stack.setCurrentWidget(self._pages)
        self.curtain.lift()  # first: what shows from now on is not hidden again
        w.statusBar().show()
        w.setWindowTitle(self._title)
        for shortcut in self._shortcuts:
            if shiboken6.isValid(shortcut):
                shortcut.setEnabled(True)
        self._shortcuts = []
        if self._focus is not None and shiboken6.isValid(self._focus):
            self._focus.setFocus()
        self.locked_changed.emit(False)
        errors, self._errors = self._errors, []
        for error in errors:
            show_error(w, error)
