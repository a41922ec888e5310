"""The pieces of a desk's lock: the lock screen, the idle watch, the curtain over whatever would pop up."""

from __future__ import annotations

from datetime import datetime

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guichet.services.clock import PARIS, now

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")  # fmt: skip

_STYLE = """
QWidget#lockScreen { background: #0b4f8a; }
QFrame#lockCard { background: #ffffff; border-radius: 10px; }
QLabel#lockTitle { font-size: 18pt; color: #0b4f8a; }
QLabel#lockClock { color: #ffffff; font-size: 14pt; }
QLabel#lockSite { color: #dbe9f7; font-size: 12pt; }
"""


def _french_now(moment: datetime) -> str:
    local = moment.astimezone(PARIS)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year} — {local:%H:%M}"


class LockScreen(QWidget):
    """The page a locked desk shows: who locked it, their password or PIN, or another agent's login."""

    unlock_requested = Signal(str)  # the secret typed
    switch_requested = Signal(str, str)  # login, password

    def __init__(self, site_line: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.agent_name = ""

        self.site_label = QLabel(site_line)
        self.site_label.setObjectName("lockSite")
        self.site_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clock_label = QLabel()
        self.clock_label.setObjectName("lockClock")
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.who_label = QLabel()
        self.who_label.setObjectName("lockTitle")
        self.who_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who_label.setWordWrap(True)
        self.since_label = QLabel()
        self.since_label.setObjectName("hint")
        self.since_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("Mot de passe ou code PIN")
        self.secret.returnPressed.connect(self._unlock)
        self.unlock_button = QPushButton("Déverrouiller (Entrée)")
        self.unlock_button.setObjectName("primary")
        self.unlock_button.clicked.connect(self._unlock)
        self.secret_label = QLabel()
        self.secret_label.setBuddy(self.secret)
        unlock_row = QHBoxLayout()
        unlock_row.addWidget(self.secret, 1)
        unlock_row.addWidget(self.unlock_button)

        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #d0d7de;")
        self.switch_button = QPushButton("Changer d'agent…")
        self.switch_button.clicked.connect(self.show_switch)
        self.switch_box = QWidget()
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText("ex. kbenali")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self._switch)
        self.login_edit.returnPressed.connect(self.password_edit.setFocus)
        self.take_button = QPushButton("Prendre le poste")
        self.take_button.setObjectName("primary")
        self.take_button.clicked.connect(self._switch)
        self.cancel_switch_button = QPushButton("Annuler")
        self.cancel_switch_button.clicked.connect(self.hide_switch)
        switch_form = QFormLayout()
        switch_form.addRow("&Identifiant :", self.login_edit)
        switch_form.addRow("Mot de &passe :", self.password_edit)
        switch_buttons = QHBoxLayout()
        switch_buttons.addStretch(1)
        switch_buttons.addWidget(self.cancel_switch_button)
        switch_buttons.addWidget(self.take_button)
        switch_layout = QVBoxLayout(self.switch_box)
        switch_layout.setContentsMargins(0, 0, 0, 0)
        switch_intro = QLabel("Un autre agent prend le poste avec son identifiant et son mot de passe.")
        switch_intro.setObjectName("hint")
        switch_intro.setWordWrap(True)
        switch_layout.addWidget(switch_intro)
        switch_layout.addLayout(switch_form)
        switch_layout.addLayout(switch_buttons)
        self.switch_box.hide()
        self.kept_label = QLabel()
        self.kept_label.setObjectName("hint")
        self.kept_label.setWordWrap(True)
        self.kept_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        card = QFrame()
        card.setObjectName("lockCard")
        card.setFixedWidth(520)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(10)
        inner.addWidget(self.who_label)
        inner.addWidget(self.since_label)
        inner.addSpacing(8)
        inner.addWidget(self.secret_label)
        inner.addLayout(unlock_row)
        inner.addWidget(self.message)
        inner.addSpacing(4)
        inner.addWidget(line)
        inner.addWidget(self.switch_button, 0, Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.switch_box)
        inner.addWidget(self.kept_label)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addWidget(self.site_label)
        outer.addWidget(self.clock_label)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self._clock = QTimer(self, interval=15_000, timeout=self._tick)

    # -- what the window says --------------------------------------------------------------------

    def show_for(self, agent_name: str, at: datetime, reason: str) -> None:
        """Fresh, for a new lock: nothing typed before shows."""
        self.agent_name = agent_name
        self.who_label.setText(f"Poste verrouillé par <b>{agent_name}</b>")
        why = f" — {reason}" if reason and reason != "Ctrl+L" else ""
        self.since_label.setText(f"depuis {at.astimezone(PARIS):%H:%M}{why}")
        self.secret_label.setText(f"Mot de passe ou code PIN de {agent_name} :")
        self.kept_label.setText(
            f"Ce qui était en cours reste réservé à {agent_name} et n'est montré à personne d'autre."
        )
        self.clear()
        self.hide_switch()
        self._tick()
        self._clock.start()

    def clear(self) -> None:
        for field in (self.secret, self.login_edit, self.password_edit):
            field.clear()
        self.say("")
        self.set_busy(False)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        for w in (self.unlock_button, self.take_button, self.secret, self.login_edit, self.password_edit):
            w.setEnabled(not busy)
        if busy:
            self.say("Vérification…")

    def show_switch(self) -> None:
        self.switch_box.show()
        self.switch_button.hide()
        self.login_edit.setFocus()

    def hide_switch(self) -> None:
        self.switch_box.hide()
        self.switch_button.show()
        self.login_edit.clear()
        self.password_edit.clear()
        self.secret.setFocus()

    def stopped(self) -> None:
        self._clock.stop()

    # -- reactions -------------------------------------------------------------------------------

    def _unlock(self) -> None:
        secret = self.secret.text()
        if not secret:
            self.say("Saisissez votre mot de passe ou votre code PIN.")
            return
        self.set_busy(True)
        self.unlock_requested.emit(secret)

    def _switch(self) -> None:
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if not login or not password:
            self.say("Saisissez l'identifiant et le mot de passe de l'agent qui prend le poste.")
            return
        self.set_busy(True)
        self.switch_requested.emit(login, password)

    def refused(self, text: str) -> None:
        self.set_busy(False)
        self.say(text)
        for field in (self.secret, self.password_edit):
            field.clear()
        (self.password_edit if self.switch_box.isVisible() else self.secret).setFocus()

    def _tick(self) -> None:
        self.clock_label.setText(_french_now(now()))


class IdleWatcher(QObject):
    """Fires ``idle`` after ``timeout_ms`` without a key, a click, a wheel or a touch anywhere in the application."""

    idle = Signal()
    _ACTIVITY = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
        }
    )

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, singleShot=True, timeout=self.idle.emit)
        self.set_timeout_ms(timeout_ms)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval() if self._enabled else 0

    def set_timeout_ms(self, timeout_ms: int) -> None:
        """0: never."""
        self._enabled = timeout_ms > 0
        if self._enabled:
            self._timer.setInterval(timeout_ms)
            self._timer.start()
        else:
            self._timer.stop()

    def touch(self) -> None:
        if self._enabled:
            self._timer.start()

    def stop(self) -> None:
        self._enabled = False
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        # getattr: the application may still call a watcher whose Python side is being torn down (a window not
        # closed after an error); it must then let the event through, not raise in every event of the app.
        if getattr(self, "_enabled", False) and event.type() in self._ACTIVITY:
            self._timer.start()
        return False


class Curtain(QObject):
    """While a window is locked: its dialogs, menus and floating lists are hidden, and so is whatever of it tries
    to appear (a late answer opening a preview, a suggestion list). The dialogs come back on ``lift``."""

    def __init__(self, window: QMainWindow, keep: tuple[QWidget, ...]) -> None:
        super().__init__(window)
        self._window = window
        self._keep = keep
        self._hidden: list[QWidget] = []
        self.down = False

    def _belongs(self, widget: QWidget) -> bool:
        if widget is self._window or widget in self._keep:
            return False
        if widget.isWindow():
            parent = widget.parentWidget()
            return parent is not None and parent.window() is self._window
        return widget.parentWidget() is self._window  # floating children: suggestion lists

    def drop(self) -> None:
        self.down = True
        self._hidden = []
        candidates = list(QApplication.topLevelWidgets()) + list(self._window.findChildren(QWidget))
        for widget in candidates:
            if widget.isVisible() and self._belongs(widget):
                widget.hide()
                if widget.isWindow() and not widget.inherits("QMenu"):
                    self._hidden.append(widget)
        self._window.activateWindow()  # the keys go to the lock screen, not to a hidden dialog
        QApplication.instance().installEventFilter(self)

    def _hide_again(self, widget: QWidget) -> None:
        if self.down and shiboken6.isValid(widget) and widget.isVisible():
            widget.hide()
            self._window.activateWindow()

    def lift(self) -> None:
        self.down = False
        QApplication.instance().removeEventFilter(self)
        hidden, self._hidden = self._hidden, []
        for widget in hidden:
            if shiboken6.isValid(widget):  # not deleted meanwhile (closed by its own code)
                widget.show()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if self.down and event.type() == QEvent.Type.Show and isinstance(obj, QWidget) and self._belongs(obj):
            if obj.isWindow() and not obj.inherits("QMenu") and obj not in self._hidden:
                self._hidden.append(obj)
            QTimer.singleShot(0, self, lambda w=obj: self._hide_again(w))
        return False
