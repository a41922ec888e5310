"""Open a request directly (a call to follow up, an e-mail forwarded by a service), without a contact or a letter.

Keys: type to find the citizen (Ctrl+N creates one), the theme by any of its words; the service in charge
is the theme's unless another is chosen; Entrée opens the request (Ctrl+Entrée from the description).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import Channel
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.citizens import CitizenSummary
from guichet.services.errors import ValidationError
from guichet.services.reference import ReferenceData
from guichet.services.requests_types import RequestInput, RequestRow
from guichet.ui.common.messages import error_text
from guichet.ui.common.numbered_combo import NumberedCombo
from guichet.ui.common.search_field import SearchField
from guichet.ui.common.style import combo_enum, set_error
from guichet.ui.desk.citizen_dialog import CitizenDialog
from guichet.ui.requests.common import find_data
from guichet.ui.worker import Worker


def citizen_line(c: CitizenSummary) -> str:
    return "  ·  ".join(p for p in (c.display_name, c.phone_display, c.email, c.full_address) if p)


class NewRequestDialog(QDialog):
    created = Signal(object)  # RequestRow

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Nouvelle demande")
        self.setMinimumWidth(720)
        self._worker = worker
        self._services = services
        self._session = session
        self._ref = reference
        self._themes = {t.id: t for t in reference.themes}
        self.citizen_dialog: CitizenDialog | None = None
        self.row: RequestRow | None = None

        self.channel = NumberedCombo()
        for channel in Channel:
            self.channel.add_numbered(channel.label, channel)
        self.channel.setCurrentIndex(max(0, find_data(self.channel, Channel.PHONE)))
        self.citizen = SearchField()
        self.citizen.setPlaceholderText("Nom, prénom, téléphone ou courriel du citoyen")
        self.citizen.set_remote(self._ask_citizens)
        self.citizen.picked.connect(lambda _c: self.theme.setFocus())
        new_citizen = QPushButton("Nouveau citoyen (Ctrl+N)")
        new_citizen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        new_citizen.clicked.connect(self.create_citizen)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.create_citizen)
        citizen_row = QHBoxLayout()
        citizen_row.addWidget(self.citizen, 1)
        citizen_row.addWidget(new_citizen)
        self.theme = SearchField()
        self.theme.setPlaceholderText("Tapez une partie du thème : cantine, passeport, graffitis…")
        self.theme.set_items([(t.full_label, t.id) for t in reference.themes], [t.search_key for t in reference.themes])
        self.theme.picked.connect(self._theme_picked)
        self.subject = QLineEdit()
        self.subject.setMaxLength(200)
        self.subject.setPlaceholderText("La demande en une ligne")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(90)
        self.description.setPlaceholderText("Ce que le citoyen demande, les pièces fournies… (Ctrl+Entrée : ouvrir)")
        self.service = SearchField()
        self.service.setPlaceholderText("Le service du thème, ou un autre")
        self.service.set_items([(s.name, s.id) for s in reference.services])
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.hide()

        form = QFormLayout()
        for caption, widget in (
            ("C&anal :", self.channel),
            ("&Citoyen :", citizen_row),
            ("T&hème :", self.theme),
            ("&Objet :", self.subject),
            ("&Description :", self.description),
            ("&Service en charge :", self.service),
        ):
            label = QLabel(caption)
            if isinstance(widget, QWidget):
                label.setBuddy(widget)
            else:
                label.setBuddy(self.citizen)
            form.addRow(label, widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Ouvrir la demande (Entrée)")
        ok.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler (Échap)")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.submit)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._fields = {
            "channel": self.channel,
            "citizen": self.citizen,
            "theme": self.theme,
            "subject": self.subject,
            "service": self.service,
        }
        self.setTabOrder(self.channel, self.citizen)
        self.setTabOrder(self.citizen, self.theme)
        self.setTabOrder(self.theme, self.subject)
        self.setTabOrder(self.subject, self.description)
        self.setTabOrder(self.description, self.service)
        self.citizen.setFocus()

    def collect(self) -> RequestInput:
        citizen = self.citizen.value
        return RequestInput(
            channel=combo_enum(self.channel, Channel),
            theme_id=self.theme.value,
            subject=self.subject.text(),
            citizen_id=citizen.id if citizen is not None else None,
            description=self.description.toPlainText(),
            service_id=self.service.value,
        )

    def submit(self) -> None:
        for field in (self.citizen, self.theme, self.service):
            if field.suggestions_visible():
                field.pick_current()
        for widget in self._fields.values():
            set_error(widget, False)
        self.buttons.setEnabled(False)
        self._worker.submit(
            self._services.requests.open, agent_id=self._session.agent_id, site_id=self._session.site_id,
            data=self.collect(), on_done=self._opened, on_error=self._failed, owner=self,
        )  # fmt: skip

    def create_citizen(self) -> None:
        typed = self.citizen.text() if self.citizen.value is None else ""
        dialog = CitizenDialog(self._worker, self._services.citizens, typed=typed, city=self._session.commune_name,
                               parent=self)  # fmt: skip
        dialog.accepted.connect(lambda: self._citizen_created(dialog.created))
        dialog.finished.connect(dialog.deleteLater)
        self.citizen_dialog = dialog
        dialog.open()

    def _citizen_created(self, citizen: CitizenSummary | None) -> None:
        if citizen is not None:
            self.citizen.set_value(citizen.display_name, citizen)
            set_error(self.citizen, False)
            self.activateWindow()  # the citizen dialog was on top: the keys come back here
            self.theme.setFocus()

    def _ask_citizens(self, text: str) -> None:
        self._worker.submit(
            self._services.citizens.search, query=text, limit=12,
            on_done=lambda found, t=text: self.citizen.show_suggestions([(citizen_line(c), c) for c in found], for_text=t),
            owner=self,
        )  # fmt: skip

    def _theme_picked(self, theme_id: uuid.UUID) -> None:
        theme = self._themes.get(theme_id)
        service = next((s for s in self._ref.services if theme and s.id == theme.default_service_id), None)
        if service is not None:
            self.service.set_value(service.name, service.id)
        set_error(self.theme, False)
        self.subject.setFocus()

    def _opened(self, row: RequestRow) -> None:
        self.row = row
        self.accept()
        self.created.emit(row)

    def _failed(self, error: BaseException) -> None:
        # Everything typed stays; the fields at fault are marked and the first one gets the focus.
        self.buttons.setEnabled(True)
        self.message.setText(error_text(error))
        self.message.show()
        if isinstance(error, ValidationError):
            first = None
            for field, widget in self._fields.items():
                on = field in error.errors
                set_error(widget, on)
                if on and first is None:
                    first = widget
            if first is not None:
                first.setFocus()
