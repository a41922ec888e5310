"""Create a citizen on the spot, without leaving the contact being logged."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from guichet.domain import Civility, PreferredChannel
from guichet.services.citizens import CitizenService, CitizenSummary
from guichet.services.errors import ValidationError
from guichet.text import digits
from guichet.ui.common.messages import error_text
from guichet.ui.common.style import combo_enum, set_error
from guichet.ui.worker import Worker


class CitizenDialog(QDialog):
    def __init__(
        self, worker: Worker, citizens: CitizenService, *, typed: str = "", city: str = "", parent=None
    ) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._worker = worker
        self._citizens = citizens
        self.created: CitizenSummary | None = None
        self.setWindowTitle("Nouveau citoyen")
        self.setMinimumWidth(520)

        self.civility = QComboBox()
        for c in (Civility.UNSPECIFIED, Civility.MADAME, Civility.MONSIEUR):
            self.civility.addItem(c.label, c)
        self.last_name = QLineEdit()
        self.first_names = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("06 12 34 56 78")
        self.email = QLineEdit()
        self.email.setPlaceholderText("prenom.nom@exemple.fr")
        self.address = QLineEdit()
        self.postal_code = QLineEdit()
        self.postal_code.setMaxLength(5)
        self.city = QLineEdit(city)
        self.preferred = QComboBox()
        self.preferred.addItem("Non précisé", None)
        for p in PreferredChannel:
            self.preferred.addItem(p.label, p)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)

        # What the agent had typed in the search becomes the name or the phone number.
        if typed.strip():
            if len(digits(typed)) >= 6:
                self.phone.setText(typed.strip())
            else:
                words = typed.split()
                self.last_name.setText(words[0].upper() if words else "")
                self.first_names.setText(" ".join(w.capitalize() for w in words[1:]))

        form = QFormLayout()
        form.addRow("&Civilité :", self.civility)
        form.addRow("&Nom* :", self.last_name)
        form.addRow("&Prénom(s) :", self.first_names)
        form.addRow("&Téléphone :", self.phone)
        form.addRow("C&ourriel :", self.email)
        form.addRow("&Adresse :", self.address)
        form.addRow("Code p&ostal :", self.postal_code)
        form.addRow("&Ville :", self.city)
        form.addRow("Canal &préféré :", self.preferred)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Créer la fiche")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self._create)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._fields = {
            "last_name": self.last_name,
            "phone": self.phone,
            "email": self.email,
            "postal_code": self.postal_code,
            "address": self.address,
        }
        (self.last_name if not self.last_name.text() else self.first_names).setFocus()

    def _create(self) -> None:
        for w in self._fields.values():
            set_error(w, False)
        self.buttons.setEnabled(False)
        self._worker.submit(
            self._citizens.create,
            civility=combo_enum(self.civility, Civility),
            last_name=self.last_name.text(),
            first_names=self.first_names.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.text(),
            postal_code=self.postal_code.text(),
            city=self.city.text(),
            preferred_channel=combo_enum(self.preferred, PreferredChannel),
            on_done=self._created,
            on_error=self._failed,
        )

    def _created(self, citizen: CitizenSummary) -> None:
        self.created = citizen
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(error_text(error))
        if isinstance(error, ValidationError):
            first = None
            for field in error.errors:
                widget = self._fields.get(field)
                if widget is not None:
                    set_error(widget, True)
                    first = first or widget
            if first is not None:
                first.setFocus()
