"""The "Usagers" page (Ctrl+5): search on the left, the record on the right (Fiche, Foyer, Historique, Doublons).

Keyboard first: type in the search (Ctrl+F), ↓ and Entrée open a record (noted in the audit log), Ctrl+S saves it,
Alt+1 … Alt+4 switch between the record's tabs, Entrée on a history row opens its request. In discreet mode the
list shows initials and the record stays hidden until the mode is turned off.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import Civility, ConsentKind, HouseholdRole, PreferredChannel, Role
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.citizen_types import CitizenRecord, CitizenSummary, HistoryItem
from guichet.services.clock import PARIS, local_day, now
from guichet.services.errors import ValidationError
from guichet.ui.citizens.fields import match_line, parse_birth_date
from guichet.ui.citizens.merge_dialog import MergeDialog
from guichet.ui.common.messages import error_text
from guichet.ui.common.style import combo_enum, set_error
from guichet.ui.desk.privacy import discreet_citizen, discreet_line
from guichet.ui.worker import Worker

RGPD_MISSING = "Le module RGPD n'est pas disponible sur ce poste."


def _line(c: CitizenSummary) -> str:
    return "  ·  ".join(p for p in (c.display_name, c.birth_line, c.phone_display, c.full_address) if p)


class CitizensPage(QWidget):
    open_request = Signal(object)  # uuid of a request to show in "Demandes"
    message = Signal(str)

    def __init__(self, worker: Worker, services: Services, session: AgentSession) -> None:
        super().__init__()
        self._worker, self._services, self._session = worker, services, session
        self._who = {"agent_id": session.agent_id, "site_id": session.site_id}
        self.record: CitizenRecord | None = None
        self.history: list[HistoryItem] = []
        self.discreet = False
        self._found: list[CitizenSummary] = []

        # -- left: search ------------------------------------------------------------------------------
        self.search = QLineEdit()
        self.search.setPlaceholderText("Nom, prénom, téléphone, courriel ou adresse (fautes de frappe tolérées)")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMinimumWidth(300)
        self.results.itemActivated.connect(lambda item: self.open_citizen(item.data(Qt.ItemDataRole.UserRole).id))
        self._debounce = QTimer(self, singleShot=True, interval=150, timeout=self._ask)
        self.search.textEdited.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._enter_in_search)
        left = QWidget()
        box = QVBoxLayout(left)
        box.addWidget(QLabel("<b>Rechercher un usager</b> (Ctrl+F)"))
        box.addWidget(self.search)
        box.addWidget(self.results, 1)

        # -- right: the record ---------------------------------------------------------------------------
        self.title = QLabel("Aucune fiche ouverte : cherchez un usager à gauche.")
        self.title.setObjectName("title")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.subtitle = QLabel("")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._record_tab(), "&Fiche")
        self.tabs.addTab(self._household_tab(), "F&oyer")
        self.tabs.addTab(self._history_tab(), "&Historique")
        self.tabs.addTab(self._duplicates_tab(), "&Doublons")
        self.export_button = QPushButton("Export droit d'accès…")
        self.erase_button = QPushButton("Effacer / anonymiser…")
        rgpd = getattr(services, "rgpd", None)
        for button, action in ((self.export_button, self._export), (self.erase_button, self._erase)):
            button.clicked.connect(action)
            if rgpd is None:
                button.setToolTip(RGPD_MISSING)
        actions = QHBoxLayout()
        actions.addWidget(self.subtitle, 1)
        actions.addWidget(self.export_button)
        actions.addWidget(self.erase_button)
        self.hidden = QLabel("Mode discret : la fiche est masquée (Ctrl+Maj+M pour l'afficher).")
        self.hidden.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(actions)
        inner.addWidget(self.tabs, 1)
        self.stack.addWidget(body)
        self.stack.addWidget(self.hidden)
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.addWidget(self.title)
        rbox.addWidget(self.stack, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([380, 960])
        QVBoxLayout(self).addWidget(splitter)
        for n in range(4):
            QShortcut(QKeySequence(f"Alt+{n + 1}"), self, activated=lambda n=n: self.tabs.setCurrentIndex(n))
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self._enable(False)

    # -- building the tabs -------------------------------------------------------------------------------

    def _record_tab(self) -> QWidget:
        self.civility = QComboBox()
        for c in (Civility.UNSPECIFIED, Civility.MADAME, Civility.MONSIEUR):
            self.civility.addItem(c.label, c)
        self.fields: dict[str, QLineEdit] = {}
        for key in ("last_name", "birth_name", "first_names", "birth_date", "phone", "phone2", "email", "address",
                    "postal_code", "city"):  # fmt: skip
            self.fields[key] = QLineEdit()
        self.fields["birth_date"].setPlaceholderText("jj/mm/aaaa")
        self.fields["postal_code"].setMaxLength(5)
        self.preferred = QComboBox()
        self.preferred.addItem("Non précisé", None)
        for p in PreferredChannel:
            self.preferred.addItem(p.label, p)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Civilité :", self.civility)
        labels = {
            "last_name": "Nom d'usage* :", "birth_name": "Nom de naissance :", "first_names": "Prénom(s) :",
            "birth_date": "Date de naissance :", "phone": "Téléphone :", "phone2": "Second téléphone :",
            "email": "Courriel :", "address": "Adresse :", "postal_code": "Code postal :", "city": "Ville :",
        }  # fmt: skip
        for key, label in labels.items():
            form.addRow(label, self.fields[key])
        form.addRow("Canal préféré :", self.preferred)
        self.save_button = QPushButton("&Enregistrer (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.form_message = QLabel()
        self.form_message.setObjectName("error")
        self.form_message.setWordWrap(True)
        # Consents, each with its date.
        self.consents = QListWidget()
        self.consents.setMaximumHeight(120)
        self.consent_kind = QComboBox()
        for k in ConsentKind:
            self.consent_kind.addItem(k.label, k)
        self.give_button = QPushButton("&Donné")
        self.give_button.setToolTip("Le consentement choisi est donné aujourd'hui")
        self.give_button.clicked.connect(self._give_consent)
        self.withdraw_button = QPushButton("&Retirer")
        self.withdraw_button.setToolTip("Retirer le consentement choisi dans la liste (daté, gardé à l'historique)")
        self.withdraw_button.clicked.connect(self._withdraw_consent)
        consent_row = QHBoxLayout()
        consent_row.addWidget(self.consent_kind, 1)
        consent_row.addWidget(self.give_button)
        consent_row.addWidget(self.withdraw_button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.form_message)
        left.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Consentements</b>"))
        right.addWidget(self.consents)
        right.addLayout(consent_row)
        self.record_meta = QLabel()
        self.record_meta.setWordWrap(True)
        right.addWidget(self.record_meta)
        right.addStretch(1)
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addLayout(left, 1)
        row.addLayout(right, 1)
        return tab

    def _household_tab(self) -> QWidget:
        self.household_label = QLabel("")
        self.household_label.setWordWrap(True)
        self.members = QTableWidget(0, 4)
        self.members.setHorizontalHeaderLabels(["Membre", "Rôle", "Naissance", "Téléphone"])
        self.members.horizontalHeader().setStretchLastSection(True)
        self.members.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.members.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.members.cellActivated.connect(lambda row, _c: self._open_member(row))
        self.role = QComboBox()
        for r in HouseholdRole:
            self.role.addItem(r.label, r)
        self.new_household = QPushButton("&Créer un foyer autour de cette personne")
        self.new_household.clicked.connect(self._create_household)
        self.member_search = QLineEdit()
        self.member_search.setPlaceholderText("Ajouter un membre : tapez son nom puis Entrée")
        self.member_search.returnPressed.connect(self._add_member)
        self.remove_member = QPushButton("Retirer du foyer le membre choisi")
        self.remove_member.clicked.connect(self._remove_member)
        row = QHBoxLayout()
        row.addWidget(QLabel("Rôle :"))
        row.addWidget(self.role)
        row.addWidget(self.member_search, 1)
        row.addWidget(self.remove_member)
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.addWidget(self.household_label)
        box.addWidget(self.members, 1)
        box.addLayout(row)
        box.addWidget(self.new_household, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(QLabel("Entrée sur un membre : ouvrir sa fiche. L'adresse du foyer est celle de ses membres."))
        return tab

    def _history_tab(self) -> QWidget:
        self.history_table = QTableWidget(0, 6)
        self.history_table.setHorizontalHeaderLabels(["Date", "Canal", "Type", "Objet", "Agent", "Suite"])
        self.history_table.horizontalHeader().setStretchLastSection(True)
        self.history_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.history_table.cellActivated.connect(self._history_activated)
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.addWidget(QLabel("Tous les échanges, tous canaux, du plus récent au plus ancien. "
                             "Entrée sur une demande : l'ouvrir dans « Demandes »."))  # fmt: skip
        box.addWidget(self.history_table, 1)
        return tab

    def _duplicates_tab(self) -> QWidget:
        self.duplicates = QListWidget()
        self.duplicates.itemActivated.connect(lambda _i: self._compare())
        self.compare_button = QPushButton("&Comparer et fusionner…")
        self.compare_button.clicked.connect(self._compare)
        if self._session.role not in (Role.SUPERVISOR, Role.ADMIN):
            self.compare_button.setToolTip("La fusion est réservée aux superviseurs : signalez-leur le doublon.")
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.addWidget(QLabel("Fiches qui désignent peut-être la même personne (nom, date de naissance, téléphone, "
                             "courriel, adresse) :"))  # fmt: skip
        box.addWidget(self.duplicates, 1)
        box.addWidget(self.compare_button, 0, Qt.AlignmentFlag.AlignLeft)
        return tab

    # -- search -----------------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        self._ask()
        if self.record is not None:
            self._load(self.record.citizen.id, viewed=False)

    def _ask(self) -> None:
        text = self.search.text()
        self._worker.submit(self._services.citizens.search, query=text, limit=50,
                            on_done=lambda found, t=text: self._show_found(found, t), owner=self)  # fmt: skip

    def _show_found(self, found: list[CitizenSummary], text: str) -> None:
        if text != self.search.text():
            return
        self._found = found
        self.results.clear()
        for c in found:
            item = QListWidgetItem(discreet_line(c) if self.discreet else _line(c))
            item.setData(Qt.ItemDataRole.UserRole, c)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)

    def _enter_in_search(self) -> None:
        if self.results.count():
            self.results.setFocus()

    # -- the record -------------------------------------------------------------------------------------

    def open_citizen(self, citizen_id: uuid.UUID) -> None:
        """Open a record on screen (a consultation: the audit log notes it)."""
        self._load(citizen_id, viewed=True)

    def _load(self, citizen_id: uuid.UUID, *, viewed: bool) -> None:
        self._worker.submit(self._services.citizens.open_record, citizen_id=citizen_id, viewed=viewed, **self._who,
                            on_done=self._show_record, on_error=self._failed, owner=self)  # fmt: skip
        self._worker.submit(self._services.merges.history, citizen_id=citizen_id, on_done=self._show_history,
                            owner=self)  # fmt: skip
        self._worker.submit(self._services.citizens.duplicates_of, citizen_id=citizen_id,
                            on_done=self._show_duplicates, owner=self)  # fmt: skip

    def _show_record(self, record: CitizenRecord) -> None:
        self.record = record
        c = record.citizen
        self._title()
        self.civility.setCurrentIndex(max(0, self.civility.findData(c.civility)))
        values = {
            "last_name": c.last_name, "birth_name": c.birth_name, "first_names": c.first_names,
            "birth_date": f"{c.birth_date:%d/%m/%Y}" if c.birth_date else "", "phone": c.phone_display,
            "phone2": c.phone2_display, "email": c.email, "address": c.address, "postal_code": c.postal_code,
            "city": c.city,
        }  # fmt: skip
        for key, value in values.items():
            self.fields[key].setText(value)
            set_error(self.fields[key], False)
        self.preferred.setCurrentIndex(max(0, self.preferred.findData(c.preferred_channel)))
        self.form_message.setText("")
        self.consents.clear()
        for x in record.consents:
            when = f"donné le {x.given_at.astimezone(PARIS):%d/%m/%Y} ({x.agent_name})"
            if x.withdrawn_at:
                when += f", retiré le {x.withdrawn_at.astimezone(PARIS):%d/%m/%Y}"
            item = QListWidgetItem(f"{x.kind.label} — {when}")
            item.setData(Qt.ItemDataRole.UserRole, x)
            self.consents.addItem(item)
        merged = f" — {len(record.merged_from)} fiche(s) fusionnée(s) dans celle-ci" if record.merged_from else ""
        self.record_meta.setText(f"Fiche créée le {record.created_at.astimezone(PARIS):%d/%m/%Y}, modifiée le "
                                 f"{record.updated_at.astimezone(PARIS):%d/%m/%Y}{merged}.")  # fmt: skip
        self._show_household()
        self._enable(True)

    def _title(self) -> None:
        if self.record is None:
            return
        c = self.record.citizen
        self.title.setText(discreet_citizen(c) if self.discreet else c.display_name)
        self.subtitle.setText("" if self.discreet else c.birth_line)
        self.stack.setCurrentIndex(1 if self.discreet else 0)

    def _show_household(self) -> None:
        households = self.record.households if self.record else ()
        self.members.setRowCount(0)
        self._members = []
        if not households:
            self.household_label.setText("Cette personne ne fait partie d'aucun foyer.")
        else:
            h = households[0]
            others = f" (et {len(households) - 1} autre(s) foyer(s))" if len(households) > 1 else ""
            self.household_label.setText(f"<b>{h.name}</b>{others} — {h.full_address or 'adresse non renseignée'}")
            for m in h.members:
                row = self.members.rowCount()
                self.members.insertRow(row)
                name = discreet_citizen(m.citizen) if self.discreet else m.citizen.display_name
                born = f"{m.citizen.birth_date:%d/%m/%Y}" if m.citizen.birth_date else ""
                for col, text in enumerate((name, m.role.label, born, m.citizen.phone_display)):
                    self.members.setItem(row, col, QTableWidgetItem(text))
                self._members.append(m)
            self.members.resizeColumnsToContents()
        self.new_household.setVisible(not households)
        self.member_search.setEnabled(bool(households))
        self.remove_member.setEnabled(bool(households))

    def _show_history(self, items: list[HistoryItem]) -> None:
        self.history = items
        self.history_table.setRowCount(len(items))
        for row, i in enumerate(items):
            cells = (f"{i.at.astimezone(PARIS):%d/%m/%Y %H:%M}", i.channel.label if i.channel else "", i.kind,
                     i.subject, i.agent_name, i.detail)  # fmt: skip
            for col, text in enumerate(cells):
                self.history_table.setItem(row, col, QTableWidgetItem(text))
        self.history_table.resizeColumnsToContents()
        self.tabs.setTabText(2, f"&Historique ({len(items)})")

    def _show_duplicates(self, matches) -> None:  # noqa: ANN001 - list[DuplicateMatch]
        self.duplicates.clear()
        for m in matches:
            item = QListWidgetItem(f"{m.score:.0%}  " + match_line(m, discreet=self.discreet))
            item.setData(Qt.ItemDataRole.UserRole, m)
            self.duplicates.addItem(item)
        self.tabs.setTabText(3, f"&Doublons ({len(matches)})")
        self.compare_button.setEnabled(bool(matches) and self._session.role in (Role.SUPERVISOR, Role.ADMIN))

    def _enable(self, on: bool) -> None:
        self.tabs.setEnabled(on)
        has_rgpd = getattr(self._services, "rgpd", None) is not None
        for button in (self.export_button, self.erase_button):
            button.setEnabled(on and has_rgpd)

    def set_discreet(self, on: bool) -> None:
        self.discreet = on
        self._show_found(self._found, self.search.text())
        if self.record is not None:
            self._title()
            self._show_household()
        else:
            self.stack.setCurrentIndex(1 if on else 0)

    # -- saving -----------------------------------------------------------------------------------------

    def save(self) -> None:
        """Ctrl+S: the record as edited; a refused save keeps everything typed and marks the fields at fault."""
        if self.record is None or self.discreet:
            return
        for w in self.fields.values():
            set_error(w, False)
        typed = {k: w.text() for k, w in self.fields.items()}
        born = None
        if typed["birth_date"].strip():
            born = parse_birth_date(typed["birth_date"], local_day(now()))
            if born is None:
                self._refused(ValidationError({"birth_date": "Date de naissance non reconnue : tapez-la ainsi, "
                                                             "04/03/1980."}))  # fmt: skip
                return
        typed.pop("birth_date")
        self._worker.submit(
            self._services.citizens.update, citizen_id=self.record.citizen.id, **self._who, **typed, birth_date=born,
            civility=combo_enum(self.civility, Civility), preferred_channel=combo_enum(self.preferred, PreferredChannel),
            on_done=lambda _c: self._saved(), on_error=self._refused,
        )  # fmt: skip

    def _saved(self) -> None:
        self.message.emit("Fiche enregistrée.")
        self._load(self.record.citizen.id, viewed=False)

    def _refused(self, error: BaseException) -> None:
        self.form_message.setText(error_text(error))
        if isinstance(error, ValidationError):
            first = None
            for field in error.errors:
                widget = self.fields.get(field)
                if widget is not None:
                    set_error(widget, True)
                    first = first or widget
            if first is not None:
                self.tabs.setCurrentIndex(0)
                first.setFocus()

    def _failed(self, error: BaseException) -> None:
        self.message.emit(error_text(error))

    def _after_change(self, _result=None) -> None:  # noqa: ANN001
        if self.record is not None:
            self._load(self.record.citizen.id, viewed=False)

    # -- consents, household ----------------------------------------------------------------------------

    def _give_consent(self) -> None:
        self._worker.submit(self._services.citizens.give_consent, citizen_id=self.record.citizen.id,
                            kind=combo_enum(self.consent_kind, ConsentKind), **self._who,
                            on_done=self._after_change, on_error=self._failed)  # fmt: skip

    def _withdraw_consent(self) -> None:
        item = self.consents.currentItem()
        if item is None:
            return
        self._worker.submit(self._services.citizens.withdraw_consent, consent_id=item.data(Qt.ItemDataRole.UserRole).id,
                            **self._who, on_done=self._after_change, on_error=self._failed)  # fmt: skip

    def _create_household(self) -> None:
        self._worker.submit(self._services.households.create, citizen_id=self.record.citizen.id,
                            role=combo_enum(self.role, HouseholdRole), **self._who, on_done=self._after_change,
                            on_error=self._failed)  # fmt: skip

    def _add_member(self) -> None:
        text = self.member_search.text()
        households = self.record.households if self.record else ()
        if not text.strip() or not households:
            return

        def found(people: list[CitizenSummary]) -> None:
            people = [p for p in people if p.id not in {m.citizen.id for m in households[0].members}]
            if not people:
                self.message.emit(f"Personne ne correspond à « {text} ».")
                return
            labels = [discreet_line(p) if self.discreet else _line(p) for p in people]
            role = combo_enum(self.role, HouseholdRole)
            chooser = QInputDialog(self)  # opened, not exec'd: the desk keeps running while the agent chooses
            chooser.setWindowTitle("Ajouter au foyer")
            chooser.setLabelText("Qui ?")
            chooser.setComboBoxItems(labels)
            chooser.setComboBoxEditable(False)

            def chosen(label: str) -> None:
                person = people[labels.index(label)]
                self._worker.submit(self._services.households.add_member, household_id=households[0].id,
                                    citizen_id=person.id, role=role, **self._who, on_done=self._after_change,
                                    on_error=self._failed)  # fmt: skip
                self.member_search.clear()

            chooser.textValueSelected.connect(chosen)
            chooser.finished.connect(chooser.deleteLater)
            self.member_chooser = chooser
            chooser.open()

        self._worker.submit(self._services.citizens.search, query=text, limit=10, on_done=found, owner=self)

    def _remove_member(self) -> None:
        row = self.members.currentRow()
        if row < 0 or row >= len(self._members):
            return
        self._worker.submit(self._services.households.remove_member, member_id=self._members[row].member_id,
                            **self._who, on_done=self._after_change, on_error=self._failed)  # fmt: skip

    def _open_member(self, row: int) -> None:
        if 0 <= row < len(self._members):
            self.open_citizen(self._members[row].citizen.id)

    def _history_activated(self, row: int, _col: int) -> None:
        item = self.history[row] if 0 <= row < len(self.history) else None
        if item is not None and item.request_id is not None:
            self.open_request.emit(item.request_id)

    # -- merge, access export, erasure ------------------------------------------------------------------

    def _compare(self) -> None:
        item = self.duplicates.currentItem()
        if item is None or self.record is None or self._session.role not in (Role.SUPERVISOR, Role.ADMIN):
            return
        dialog = MergeDialog(self._worker, self._services, self._session, self.record.citizen,
                             item.data(Qt.ItemDataRole.UserRole).citizen, parent=self)  # fmt: skip
        dialog.merged.connect(self._merged)
        dialog.finished.connect(dialog.deleteLater)
        self.merge_dialog = dialog
        dialog.open()

    def _merged(self, result) -> None:  # noqa: ANN001 - MergeResult
        self.message.emit(f"Fiches fusionnées : {sum(result.moved.values())} lien(s) déplacé(s).")
        self.open_citizen(result.kept.id)
        self._ask()

    def _export(self) -> None:
        """The right-of-access export (PDF and JSON), in its own dialog: run, then saved or opened."""
        if getattr(self._services, "rgpd", None) is None or self.record is None:
            return
        from guichet.ui.audit.rgpd_dialogs import AccessExportDialog

        dialog = AccessExportDialog(self._worker, self._services, self._session, self.record.citizen.id, self,
                                    citizen_label=self.record.citizen.display_name)  # fmt: skip
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()

    def _erase(self) -> None:
        """Erasure: a reason and an explicit confirmation in its dialog; the record is reloaded once erased."""
        if getattr(self._services, "rgpd", None) is None or self.record is None:
            return
        from guichet.ui.audit.rgpd_dialogs import EraseDialog

        dialog = EraseDialog(self._worker, self._services, self._session, self.record.citizen.id, self,
                             citizen_label=self.record.citizen.display_name)  # fmt: skip
        dialog.erased.connect(lambda done: (self.message.emit(done.summary), self._after_change()))
        dialog.finished.connect(dialog.deleteLater)
        self.erase_dialog = dialog
        dialog.open()
