"""Two dialogs on one person's data, for supervisors: the right-of-access export and the erasure.

Open them from any screen that shows a citizen's record (``.open()``, window-modal, no nested event loop):

    AccessExportDialog(worker, services, session, citizen_id, parent, citizen_label="Mme DUPONT Jeanne").open()
    dialog = EraseDialog(worker, services, session, citizen_id, parent, citizen_label="Mme DUPONT Jeanne")
    dialog.erased.connect(reload_the_record)  # Erased: the record is anonymised
    dialog.open()

Every service call goes through the worker; the services check the role themselves (an agent who reached a
dialog anyway is refused in French).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import Role
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.errors import ValidationError
from guichet.services.rgpd import ERASE_NOT_ALLOWED, EXPORT_NOT_ALLOWED, AccessExport, Erased
from guichet.ui.common.messages import error_text
from guichet.ui.common.pdf_actions import PdfAction, deliver_pdf, save_document
from guichet.ui.common.style import set_error
from guichet.ui.worker import Worker

STYLE = """
QLabel#notice { background: #fff8e1; border: 1px solid #f0d58c; border-radius: 4px; padding: 8px 10px; color: #5c4400; }
QLabel#done { background: #e6f4ea; border: 1px solid #a8d5b5; border-radius: 4px; padding: 8px 10px; color: #1e5631; }
QPushButton#danger { background: #b71c1c; color: #ffffff; font-weight: bold; padding: 5px 14px; }
QPushButton#danger:disabled { background: #e0b4b4; color: #ffffff; }
"""


def _restyle(widget: QWidget, name: str) -> None:
    """Give a widget another object name and let the style sheet see it."""
    widget.setObjectName(name)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _kb(size: int) -> str:
    return f"{max(1, round(size / 1024))} ko"


class AccessExportDialog(QDialog):
    """Runs the export when opened, then offers to save the PDF, save the JSON or open the PDF."""

    ready = Signal(object)  # AccessExport

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, citizen_id: uuid.UUID,
        parent: QWidget | None = None, *, citizen_label: str = "",
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Droit d'accès — données détenues sur une personne")
        self.setMinimumWidth(600)
        self.setStyleSheet(STYLE)
        self._worker = worker
        self.export: AccessExport | None = None
        self.last_dialog: QWidget | None = None
        who = citizen_label or "cette personne"
        intro = QLabel(
            f"Tout ce que Guichet détient sur <b>{who}</b> : sa fiche, son foyer, ses consentements, ses contacts, ses "
            "demandes avec leur historique et les réponses envoyées, ses courriers et la liste de leurs pièces, et "
            "les consultations de sa fiche. Un PDF à lui remettre et le même contenu en JSON (portabilité).<br>"
            "<i>L'export est noté au journal d'audit.</i>"
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel("Préparation de l'export…")
        self.status.setObjectName("notice")
        self.status.setWordWrap(True)
        self.save_pdf_button = QPushButton("Enregistrer le &PDF…")
        self.save_json_button = QPushButton("Enregistrer le &JSON…")
        self.open_pdf_button = QPushButton("&Ouvrir le PDF")
        self.save_pdf_button.setObjectName("primary")
        for button in (self.save_pdf_button, self.save_json_button, self.open_pdf_button):
            button.setEnabled(False)
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.save_json_button.clicked.connect(self.save_json)
        self.open_pdf_button.clicked.connect(self.open_pdf)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        self.buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        for button in (self.save_pdf_button, self.save_json_button, self.open_pdf_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows with the status text, never clips
        layout.addWidget(intro)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        layout.addWidget(self.buttons)
        if session.role is Role.AGENT:  # spare the request: the service refuses it anyway
            self.status.setText(EXPORT_NOT_ALLOWED)
            return
        worker.submit(services.rgpd.access_export, citizen_id=citizen_id, agent_id=session.agent_id,
                      site_id=session.site_id, on_done=self._ready, on_error=self._failed, owner=self)  # fmt: skip

    def _ready(self, export: AccessExport) -> None:
        self.export = export
        _restyle(self.status, "done")
        self.status.setText(
            f"Export prêt : {export.rows} ligne(s) de données — PDF {_kb(len(export.pdf_bytes))}, "
            f"JSON {_kb(len(export.json_bytes))}. Enregistrez-les ou ouvrez le PDF pour l'imprimer."
        )
        for button in (self.save_pdf_button, self.save_json_button, self.open_pdf_button):
            button.setEnabled(True)
        self.save_pdf_button.setFocus()
        self.ready.emit(export)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))

    def _said(self, message: str) -> None:
        self.status.setText(message)

    def save_pdf(self) -> None:
        if self.export is not None:
            self.last_dialog = save_document(self, self.export.pdf_bytes, f"{self.export.file_stem}.pdf",
                                             on_done=self._said)  # fmt: skip

    def save_json(self) -> None:
        if self.export is not None:
            self.last_dialog = save_document(self, self.export.json_bytes, f"{self.export.file_stem}.json",
                                             on_done=self._said)  # fmt: skip

    def open_pdf(self) -> None:
        if self.export is not None:
            deliver_pdf(self, PdfAction.OPEN, self.export.pdf_bytes, title="Export du droit d'accès",
                        file_name=f"{self.export.file_stem}.pdf", on_done=self._said)  # fmt: skip


class EraseDialog(QDialog):
    """Erasure of a person's record (supervisors): a reason, an explicit confirmation, then the service."""

    erased = Signal(object)  # Erased

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, citizen_id: uuid.UUID,
        parent: QWidget | None = None, *, citizen_label: str = "",
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Effacer les données d'une personne")
        self.setMinimumWidth(600)
        self.setStyleSheet(STYLE)
        self._worker, self._services, self._session, self._citizen_id = worker, services, session, citizen_id
        self.result_value: Erased | None = None
        who = citizen_label or "cette personne"
        intro = QLabel(
            f"La fiche de <b>{who}</b> sera anonymisée : nom, prénoms, coordonnées et date de naissance effacés, "
            "foyer quitté. L'objet et les notes de ses contacts, le texte de ses demandes, des réponses envoyées et "
            "de ses courriers seront vidés, ses numérisations supprimées. Les lignes restent, sans personne, pour les "
            "statistiques.<br><b>C'est définitif.</b> L'effacement est noté au journal d'audit avec son motif."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("Motif : demande de la personne (courrier du 3 mars, courriel…), décision…")
        self.reason.setFixedHeight(70)
        self.confirm = QCheckBox("Je confirme l'effacement définitif de ces données")
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.erase_button = QPushButton("&Effacer définitivement")
        self.erase_button.setObjectName("danger")
        self.erase_button.setEnabled(False)
        self.erase_button.clicked.connect(self.submit)
        self.close_button = QPushButton("Annuler")
        self.close_button.clicked.connect(self.reject)
        self.reason.textChanged.connect(self._check)
        self.confirm.toggled.connect(self._check)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.erase_button)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(intro)
        layout.addWidget(QLabel("&Motif de l'effacement (obligatoire) :", buddy=self.reason))
        layout.addWidget(self.reason)
        layout.addWidget(self.confirm)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        if session.role is Role.AGENT:
            self.message.setText(ERASE_NOT_ALLOWED)
            for widget in (self.reason, self.confirm):
                widget.setEnabled(False)

    def _check(self) -> None:
        ok = (
            self._session.role is not Role.AGENT
            and bool(self.reason.toPlainText().strip())
            and self.confirm.isChecked()
        )
        self.erase_button.setEnabled(ok)

    def submit(self) -> None:
        if not self.erase_button.isEnabled():
            return
        self.erase_button.setEnabled(False)
        self.message.setText("Effacement en cours…")
        self._worker.submit(
            self._services.rgpd.erase, citizen_id=self._citizen_id, agent_id=self._session.agent_id,
            site_id=self._session.site_id, reason=self.reason.toPlainText(), on_done=self._done, on_error=self._failed,
            owner=self,
        )  # fmt: skip

    def _done(self, erased: Erased) -> None:
        self.result_value = erased
        _restyle(self.message, "done")
        self.message.setText(erased.summary)
        for widget in (self.reason, self.confirm, self.erase_button):
            widget.setEnabled(False)
        self.close_button.setText("Fermer")
        self.close_button.setFocus()
        self.erased.emit(erased)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))
        set_error(self.reason, isinstance(error, ValidationError) and "reason" in error.errors)
        self._check()
