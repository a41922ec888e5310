"""The agent's menu in the status bar: lock, discreet mode, password, PIN, and the agents' accounts (administrators)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu, QToolButton

from guichet.domain import Role
from guichet.services.accounts import AccountService
from guichet.services.auth import AgentSession
from guichet.ui.accounts.dialogs import AgentsDialog, PasswordDialog, PinDialog
from guichet.ui.worker import Worker


def account_button(window: QMainWindow, session: AgentSession, worker: Worker, accounts: AccountService) -> QToolButton:
    """A "Compte" button whose menu holds what concerns the agent's account and the desk's confidentiality."""
    button = QToolButton()
    button.setText("Compte ▾")
    button.setAutoRaise(True)
    button.setStyleSheet("QToolButton { color: #ffffff; padding: 0 8px; } QToolButton::menu-indicator { image: none; }")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    menu.addAction("Verrouiller le poste\tCtrl+L", lambda: window.lock.lock("Ctrl+L"))
    menu.addAction("Mode discret (initiales)\tCtrl+Maj+M", window.toggle_discreet)
    menu.addSeparator()

    def open_dialog(dialog) -> None:  # noqa: ANN001
        dialog.accepted.connect(lambda: window.statusBar().showMessage(getattr(dialog, "done_text", ""), 8000))
        dialog.finished.connect(dialog.deleteLater)
        window.account_dialog = dialog
        dialog.open()

    menu.addAction(
        "Changer mon mot de passe…", lambda: open_dialog(PasswordDialog(worker, accounts, session, parent=window))
    )
    menu.addAction(
        "Mon code PIN sur ce poste…", lambda: open_dialog(PinDialog(worker, accounts, session, parent=window))
    )
    if session.role is Role.ADMIN:
        menu.addSeparator()
        menu.addAction(
            "Comptes des agents…", lambda: open_dialog(AgentsDialog(worker, accounts, session, parent=window))
        )
    menu.addSeparator()
    # For the SITIV help desk: versions, settings without secrets, the last errors (guichet.diagnostic).
    menu.addAction("Copier le diagnostic\tCtrl+Maj+D", window.copy_diagnostic)
    button.setMenu(menu)
    return button
