"""Dialogs of accounts: change a password (one's own, or an agent's as administrator), set a PIN, the agents' list.

Each is opened with ``open()`` (window-modal, no nested event loop); every call goes through the worker.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guichet.services.accounts import AccountService, AgentAccount
from guichet.services.auth import AgentSession
from guichet.services.clock import PARIS
from guichet.services.errors import ValidationError
from guichet.services.passwords import POLICY_TEXT, check_password_policy
from guichet.ui.common.messages import error_text
from guichet.ui.common.style import set_error
from guichet.ui.worker import Worker


def _secret_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


class _Dialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self._submit)

    def _submit(self) -> None:
        raise NotImplementedError

    def _failed(self, error: BaseException, fields: dict[str, QWidget]) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(error_text(error))
        if isinstance(error, ValidationError):
            for name, field in fields.items():
                set_error(field, name in error.errors)

    def _wait(self) -> None:
        self.buttons.setEnabled(False)
        self.message.setText("Enregistrement…")


class PasswordDialog(_Dialog):
    """A new password: the agent's own (current password first), or an agent's, set by an administrator."""

    def __init__(
        self, worker: Worker, accounts: AccountService, session: AgentSession, *, target: AgentAccount | None = None,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        title = "Changer mon mot de passe" if target is None else f"Nouveau mot de passe de {target.display_name}"
        super().__init__(title, parent)
        self._worker, self._accounts, self._session, self._target = worker, accounts, session, target
        self.done_text = ""
        self.current = _secret_field()
        self.new = _secret_field()
        self.confirm = _secret_field()
        self.rules = QLabel(POLICY_TEXT)
        self.rules.setObjectName("hint")
        self.rules.setWordWrap(True)
        self.new.textChanged.connect(self._check)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Enregistrer le mot de passe")
        form = QFormLayout()
        if target is None:
            form.addRow("Mot de passe &actuel :", self.current)
        form.addRow("&Nouveau mot de passe :", self.new)
        form.addRow("&Confirmation :", self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rules)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    @property
    def _login(self) -> str:
        return self._target.login if self._target else self._session.login

    def _names(self) -> tuple[str, ...]:
        who = self._target or self._session
        return (who.first_name, who.last_name)

    def _check(self) -> None:
        text = self.new.text()
        reasons = check_password_policy(text, self._login, names=self._names()) if text else []
        self.message.setText("\n".join(reasons))
        set_error(self.new, bool(reasons))

    def _submit(self) -> None:
        if self.new.text() != self.confirm.text():
            self.message.setText("La confirmation ne correspond pas au nouveau mot de passe.")
            set_error(self.confirm, True)
            return
        set_error(self.confirm, False)
        self._wait()
        fields = {"current": self.current, "password": self.new}
        if self._target is None:
            self._worker.submit(self._accounts.change_password, agent_id=self._session.agent_id,
                                current=self.current.text(), new=self.new.text(), on_done=self._done,
                                on_error=lambda e: self._failed(e, fields), owner=self)  # fmt: skip
        else:
            self._worker.submit(self._accounts.reset_password, admin_id=self._session.agent_id,
                                agent_id=self._target.id, password=self.new.text(), on_done=self._done,
                                on_error=lambda e: self._failed(e, fields), owner=self)  # fmt: skip

    def _done(self, _result: object) -> None:
        who = "Votre mot de passe" if self._target is None else f"Le mot de passe de {self._target.display_name}"
        self.done_text = f"{who} est changé."
        self.accept()


class PinDialog(_Dialog):
    """The agent's unlock code on this PC: 4 to 6 digits, set once their password is confirmed."""

    def __init__(self, worker: Worker, accounts: AccountService, session: AgentSession, parent: QWidget | None = None):
        super().__init__("Mon code PIN sur ce poste", parent)
        self._worker, self._accounts, self._session = worker, accounts, session
        self.done_text = ""
        intro = QLabel(
            "Le code PIN (4 à 6 chiffres) déverrouille ce poste quand vous l'avez verrouillé (Ctrl+L). Il ne sert "
            "que sur ce poste, jamais pour se connecter. Après 3 erreurs, seul le mot de passe déverrouille."
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        self.password = _secret_field()
        self.pin = _secret_field("4 à 6 chiffres")
        self.pin.setMaxLength(6)
        self.confirm = _secret_field()
        self.confirm.setMaxLength(6)
        self.remove_button = QPushButton("Retirer mon code PIN")
        self.remove_button.clicked.connect(self._remove)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Enregistrer le code")
        self.buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        form = QFormLayout()
        form.addRow("&Mot de passe :", self.password)
        form.addRow("&Code PIN :", self.pin)
        form.addRow("Co&nfirmation :", self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _submit(self) -> None:
        if self.pin.text() != self.confirm.text():
            self.message.setText("La confirmation ne correspond pas au code.")
            set_error(self.confirm, True)
            return
        set_error(self.confirm, False)
        self._wait()
        fields = {"password": self.password, "pin": self.pin}
        self._worker.submit(self._accounts.set_pin, agent_id=self._session.agent_id, password=self.password.text(),
                            pin=self.pin.text(), on_done=lambda _r: self._finish("Votre code PIN est enregistré."),
                            on_error=lambda e: self._failed(e, fields), owner=self)  # fmt: skip

    def _remove(self) -> None:
        self._wait()
        self._worker.submit(self._accounts.remove_pin, agent_id=self._session.agent_id,
                            on_done=lambda _r: self._finish("Votre code PIN est retiré de ce poste."),
                            on_error=lambda e: self._failed(e, {}), owner=self)  # fmt: skip

    def _finish(self, text: str) -> None:
        self.done_text = text
        self.accept()


_COLUMNS = ["Identifiant", "Agent", "Rôle", "État", "Code PIN (ce poste)", "Dernière connexion"]


class AgentsDialog(QDialog):
    """Administrators: the agents of their site; disable or enable one, give one a new password."""

    def __init__(self, worker: Worker, accounts: AccountService, session: AgentSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Comptes des agents — {session.site_name}")
        self.setMinimumSize(820, 420)
        self._worker, self._accounts, self._session = worker, accounts, session
        self.agents: tuple[AgentAccount, ...] = ()
        self.password_dialog: PasswordDialog | None = None
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.toggle_button = QPushButton("Désactiver")
        self.toggle_button.clicked.connect(self.toggle_active)
        self.password_button = QPushButton("Nouveau mot de passe…")
        self.password_button.clicked.connect(self.reset_password)
        close = QPushButton("Fermer")
        close.clicked.connect(self.accept)
        self.message = QLabel()
        self.message.setWordWrap(True)
        hint = QLabel("Un compte désactivé ne peut plus se connecter, déverrouiller un poste ni prendre celui d'un "
                      "autre agent. Chaque changement est inscrit au journal d'audit.")  # fmt: skip
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.password_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._selection_changed()
        self.refresh()

    @property
    def selected(self) -> AgentAccount | None:
        rows = self.table.selectionModel().selectedRows()
        return self.agents[rows[0].row()] if rows else None

    def refresh(self) -> None:
        self._worker.submit(self._accounts.agents, admin_id=self._session.agent_id, on_done=self._show,
                            on_error=self._failed)  # fmt: skip

    def _show(self, agents: tuple[AgentAccount, ...]) -> None:
        chosen = self.selected.id if self.selected else None
        self.agents = agents
        self.table.setRowCount(len(agents))
        for row, a in enumerate(agents):
            last = f"{a.last_login.astimezone(PARIS):%d/%m/%Y %H:%M}" if a.last_login else "—"
            values = [a.login, a.display_name, a.role.label, a.state_label, "oui" if a.has_pin else "non", last]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if not a.active:
                    item.setForeground(Qt.GlobalColor.darkGray)
                self.table.setItem(row, column, item)
            if a.id == chosen:
                self.table.selectRow(row)
        self._selection_changed()

    def _selection_changed(self) -> None:
        agent = self.selected
        self.toggle_button.setEnabled(agent is not None and agent.id != self._session.agent_id)
        self.password_button.setEnabled(agent is not None)
        self.toggle_button.setText("Réactiver" if agent is not None and not agent.active else "Désactiver")

    def toggle_active(self) -> None:
        agent = self.selected
        if agent is None:
            return
        verb = "réactivé" if not agent.active else "désactivé"

        def done(account: AgentAccount) -> None:
            self._say(f"Compte de {account.display_name} {verb}.")
            self.refresh()

        self._worker.submit(self._accounts.set_active, admin_id=self._session.agent_id, agent_id=agent.id,
                            active=not agent.active, on_done=done, on_error=self._failed)  # fmt: skip

    def reset_password(self) -> None:
        agent = self.selected
        if agent is None:
            return
        dialog = PasswordDialog(self._worker, self._accounts, self._session, target=agent, parent=self)
        dialog.accepted.connect(lambda: (self._say(dialog.done_text), self.refresh()))
        dialog.finished.connect(dialog.deleteLater)
        self.password_dialog = dialog
        dialog.open()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setObjectName("error" if error else "ok")
        self.message.setText(text)
        set_error(self.message, False)

    def _failed(self, error: BaseException) -> None:
        self._say(error_text(error), error=True)
