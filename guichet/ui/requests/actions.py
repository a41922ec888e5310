"""Small dialogs for one action on a request: change its state, reassign it, comment, move its deadline.

Each is window-modal (opened with ``open()``), validated with Entrée, cancelled with Échap. The service
call is made by whoever opened the dialog (``run``); a refusal keeps the dialog open, everything typed in
place, the fields at fault marked in red and the French reason written under them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import RequestStatus
from guichet.services.clock import local_day, now
from guichet.services.errors import ValidationError
from guichet.services.reference import ReferenceData
from guichet.services.requests_types import RequestDetail
from guichet.ui.common.dates import DATE_HINT, parse_day
from guichet.ui.common.messages import error_text
from guichet.ui.common.numbered_combo import NumberedCombo
from guichet.ui.common.search_field import SearchField
from guichet.ui.common.style import combo_enum, set_error
from guichet.ui.requests.common import find_data


class ActionDialog(QDialog):
    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.run: Callable[[ActionDialog], None] | None = None
        self.fields: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(f"{ok_text} (Entrée)")
        ok.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler (Échap)")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def add_row(self, label: str, widget: QWidget, field: str = "") -> None:
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.form.addRow(caption, widget)
        if field:
            self.fields[field] = widget

    def submit(self) -> None:
        for widget in self.fields.values():
            set_error(widget, False)
        self.message.hide()
        if self.run is not None:
            self.buttons.setEnabled(False)
            self.run(self)

    def done_ok(self, _result: object = None) -> None:
        self.accept()

    def failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(error_text(error))
        self.message.show()
        first = None
        if isinstance(error, ValidationError):
            for field, widget in self.fields.items():
                if field in error.errors:
                    set_error(widget, True)
                    first = first or widget
        (first or next(iter(self.fields.values()), self)).setFocus()


class StateDialog(ActionDialog):
    def __init__(self, detail: RequestDetail, parent: QWidget | None = None) -> None:
        super().__init__(f"Changer l'état — {detail.row.reference}", "Changer l'état", parent)
        self.state = NumberedCombo()
        for status in detail.allowed:
            self.state.add_numbered(status.label, status)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Ce qui a été fait, ce qui est attendu… (obligatoire pour « sans suite »)")
        current = QLabel(f"État actuel : <b>{detail.row.status.label}</b>")
        self.form.addRow(current)
        self.add_row("&Nouvel état :", self.state, "to")
        self.add_row("&Commentaire :", self.comment, "comment")
        self.state.setFocus()

    @property
    def target(self) -> RequestStatus | None:
        return combo_enum(self.state, RequestStatus)


class ReassignDialog(ActionDialog):
    def __init__(self, detail: RequestDetail, reference: ReferenceData, parent: QWidget | None = None) -> None:
        super().__init__(f"Réaffecter — {detail.row.reference}", "Réaffecter", parent)
        self.service = SearchField()
        self.service.setPlaceholderText("Service qui répondra : tapez une partie du nom")
        self.service.set_items([(s.name, s.id) for s in reference.services])
        self.service.set_value(detail.row.service_name, detail.row.service_id)
        self.assignee = QComboBox()
        self.assignee.addItem("Aucun agent désigné (le service)", None)
        for a in reference.agents:
            self.assignee.addItem(a.name, a.id)
        if detail.row.assignee_id is not None:
            self.assignee.setCurrentIndex(max(0, find_data(self.assignee, detail.row.assignee_id)))
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Pourquoi ce service ou cet agent (facultatif)")
        self.add_row("&Service :", self.service, "service")
        self.add_row("&Agent :", self.assignee, "assignee")
        self.add_row("&Commentaire :", self.comment, "comment")
        self.service.selectAll()
        self.service.setFocus()

    @property
    def service_id(self) -> uuid.UUID | None:
        return self.service.value

    @property
    def assignee_id(self) -> uuid.UUID | None:
        return self.assignee.currentData()

    def submit(self) -> None:
        if self.service.suggestions_visible():
            self.service.pick_current()
        if self.service.value is None:
            self.failed(ValidationError({"service": "Choisissez le service qui répondra dans la liste proposée."}))
            return
        super().submit()


class CommentDialog(ActionDialog):
    def __init__(self, detail: RequestDetail, parent: QWidget | None = None) -> None:
        super().__init__(f"Commentaire — {detail.row.reference}", "Ajouter", parent)
        self.comment = QLineEdit()
        self.comment.setMinimumWidth(440)
        self.comment.setPlaceholderText("Appel du citoyen, pièce reçue, point d'étape…")
        self.add_row("&Commentaire :", self.comment, "comment")
        self.comment.setFocus()


class DeadlineDialog(ActionDialog):
    """Supervisors move a deadline, with a reason kept in the history."""

    def __init__(self, detail: RequestDetail, parent: QWidget | None = None) -> None:
        super().__init__(f"Modifier l'échéance — {detail.row.reference}", "Modifier", parent)
        self.day = QLineEdit(f"{detail.row.due_on:%d/%m/%Y}")
        self.day.setPlaceholderText("jj/mm/aaaa")
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Pourquoi l'échéance change (obligatoire)")
        self.add_row("Nouvelle &échéance :", self.day, "due_on")
        self.add_row("&Motif :", self.comment, "comment")
        self.day.selectAll()
        self.day.setFocus()

    @property
    def due_on(self) -> date | None:
        return parse_day(self.day.text(), local_day(now()), ahead=True)

    def submit(self) -> None:
        if self.due_on is None:
            self.failed(ValidationError({"due_on": DATE_HINT}))
            return
        super().submit()
