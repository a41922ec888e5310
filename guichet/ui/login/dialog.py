"""Identification: login and password, checked off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from guichet.services.auth import AgentSession, AuthService, Workstation
from guichet.ui.common.messages import error_text
from guichet.ui.worker import Worker


class LoginDialog(QDialog):
    logged_in = Signal(object)  # AgentSession

    def __init__(
        self, worker: Worker, auth: AuthService, *, place: str = "", workstation: Workstation | None = None
    ) -> None:
        super().__init__()
        self._worker = worker
        self._auth = auth
        self._workstation = workstation or Workstation()
        self.session: AgentSession | None = None
        self.setWindowTitle("Guichet — Identification")
        self.setMinimumWidth(420)

        title = QLabel("<h2>Guichet</h2><p>Accueil unique — identifiez-vous pour commencer.</p>")
        title.setTextFormat(Qt.TextFormat.RichText)
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText("ex. mdurand")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.submit = QPushButton("Se connecter")
        self.submit.setObjectName("primary")
        self.submit.setDefault(True)
        self.submit.clicked.connect(self._try_login)

        form = QFormLayout()
        form.addRow("&Identifiant :", self.login_edit)
        form.addRow("&Mot de passe :", self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.submit)
        if place:
            hint = QLabel(place)
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        self.login_edit.setFocus()

    def _try_login(self) -> None:
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if not login or not password:
            self.message.setText("Saisissez votre identifiant et votre mot de passe.")
            return
        self.submit.setEnabled(False)
        self.message.setText("Vérification…")
        self._worker.submit(
            self._auth.login, login=login, password=password, workstation=self._workstation,
            on_done=self._accepted, on_error=self._refused,
        )  # fmt: skip

    def _accepted(self, session: AgentSession) -> None:
        self.session = session
        self.password_edit.clear()
        self.logged_in.emit(session)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.submit.setEnabled(True)
        self.message.setText(error_text(error))
        self.password_edit.clear()
        self.password_edit.setFocus()
