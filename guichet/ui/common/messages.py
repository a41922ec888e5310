"""How errors reach the agent: a service's French message as it is; anything else, said plainly and logged."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from guichet.services.errors import ServiceError

log = logging.getLogger(__name__)


def error_text(error: BaseException) -> str:
    if isinstance(error, ServiceError):
        return error.message
    if isinstance(error, OSError):
        return f"Erreur d'accès aux fichiers ou au réseau : {error}. Réessayez ; si cela persiste, contactez le SITIV."
    return (
        f"Erreur inattendue ({type(error).__name__}). Votre saisie est conservée. "
        "Réessayez ; si cela persiste, utilisez « Copier le diagnostic » et contactez le SITIV."
    )


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """Tell the agent, without a nested event loop (the desk keeps running behind the message)."""
    if not isinstance(error, ServiceError):
        log.error("erreur non prévue", exc_info=(type(error), error, error.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Warning, "Guichet", error_text(error), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorMessage")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
