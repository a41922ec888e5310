"""Create a citizen on the spot, without leaving the contact being logged.

One step when the person is new: Entrée creates the record. When they probably have one already, the dialog
says so and lists it: « Utiliser cette fiche » (Entrée) takes it instead, « Créer quand même » creates anyway.
"""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from guichet.domain import Civility, PreferredChannel
from guichet.services.citizens import CitizenService, CitizenSummary
from guichet.services.clock import local_day, now
from guichet.services.dedup import DuplicateSuspected
from guichet.services.errors import ValidationError
from guichet.text import digits
from guichet.ui.citizens.fields import DuplicatePanel, parse_birth_date
from guichet.ui.common.messages import error_text
from guichet.ui.common.style import combo_enum, set_error
from guichet.ui.worker import Worker


class CitizenDialog(QDialog):
    def __init__(
        self, worker: Worker, citizens: CitizenService, *, typed: str = "", city: str = "", parent=None,
        agent_id: uuid.UUID | None = None, site_id: uuid.UUID | None = None, discreet: bool = False,
    ) -> None:  # noqa: ANN001  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._citizens = citizens
        self._who = {"agent_id": agent_id, "site_id": site_id}
        self._discreet = discreet
        self.created: CitizenSummary | None = None
        self.setWindowTitle("Nouveau citoyen")
        self.setMinimumWidth(520)

        self.civility = QComboBox()
        for c in (Civility.UNSPECIFIED, Civility.MADAME, Civility.MONSIEUR):
            self.civility.addItem(c.label, c)
        self.last_name = QLineEdit()
        self.first_names = QLineEdit()
        self.birth_date = QLineEdit()
        self.birth_date.setPlaceholderText("jj/mm/aaaa (aide à repérer les doublons)")
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
        form.addRow("Né(e) &le :", self.birth_date)
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
        self.duplicates = DuplicatePanel()
        self.duplicates.use.connect(self._use_existing)
        self.duplicates.create_anyway.connect(lambda: self._create(allow_duplicate=True))
        layout.addWidget(self.duplicates)
        layout.addWidget(self.buttons)
        self._fields = {
            "birth_date": self.birth_date,
            "last_name": self.last_name,
            "phone": self.phone,
            "email": self.email,
            "postal_code": self.postal_code,
            "address": self.address,
        }
        (self.last_name if not self.last_name.text() else self.first_names).setFocus()

    def _create(self, allow_duplicate: bool = False) -> None:
        for w in self._fields.values():
            set_error(w, False)
        born = None
        if self.birth_date.text().strip():
            born = parse_birth_date(self.birth_date.text(), local_day(now()))
            if born is None:
                set_error(self.birth_date, True)
                self.message.setText("Date de naissance non reconnue : tapez-la ainsi, 04/03/1980.")
                self.birth_date.setFocus()
                return
        self.buttons.setEnabled(False)
        self.duplicates.setEnabled(False)
        self._worker.submit(
            self._citizens.create,
            civility=combo_enum(self.civility, Civility),
            last_name=self.last_name.text(),
            first_names=self.first_names.text(),
            birth_date=born,
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.text(),
            postal_code=self.postal_code.text(),
            city=self.city.text(),
            preferred_channel=combo_enum(self.preferred, PreferredChannel),
            allow_duplicate=allow_duplicate,
            **self._who,
            on_done=self._created,
            on_error=self._failed,
        )

    def _use_existing(self, citizen: CitizenSummary) -> None:
        self.created = citizen
        self.accept()

    def _created(self, citizen: CitizenSummary) -> None:
        self.created = citizen
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.duplicates.setEnabled(True)
        if isinstance(error, DuplicateSuspected):
            self.message.setText("")
            self.duplicates.show_matches(error.matches, discreet=self._discreet)
            return
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
