"""« Journal d'audit »: who viewed or changed a personal record, logged in, exported or erased, and when.

A sub-page of the supervision tab. Filters: period, agent, action, person (found by name as in the contact
form); the newest entries first; CSV export. From an entry about a person, a supervisor opens the right-of-access
export or the erasure of that person's data. Loaded when first shown.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import AuditAction, Role
from guichet.services import Services
from guichet.services.audit import NOT_ALLOWED, AuditRow, AuditScope, rows_csv
from guichet.services.auth import AgentSession
from guichet.services.clock import day_bounds, local_day, now
from guichet.ui.audit.rgpd_dialogs import AccessExportDialog, EraseDialog
from guichet.ui.common.messages import error_text
from guichet.ui.worker import Worker

LIMIT = 500
COLUMNS = ("Date et heure", "Action", "Agent", "Site", "Objet", "Détail")


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class AuditModel(QAbstractTableModel):
    """The journal's rows (frozen AuditRow dataclasses), read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AuditRow] = []

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):  # noqa: N802, ANN201
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (r.at_text, r.action_label, r.agent_name, r.site_name, r.subject_label, r.detail)
            return values[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and r.action in (AuditAction.LOGIN_FAILED, AuditAction.ERASED):
            return QColor("#b71c1c")
        return None


class AuditView(QWidget):
    loaded = Signal(int)  # rows shown

    def __init__(self, worker: Worker, services: Services, session: AgentSession,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._services = services
        self._session = session
        self._started = False
        self.scope: AuditScope | None = None
        self.dialog: QWidget | None = None
        today = local_day(now())
        self.start = QDateEdit(_qdate(today - timedelta(days=30)))
        self.end = QDateEdit(_qdate(today))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setMaximumDate(_qdate(today))
        self.agent = QComboBox()
        self.agent.addItem("Tous les agents", None)
        self.agent.setMinimumContentsLength(12)
        self.agent.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.action = QComboBox()
        self.action.addItem("Toutes les actions", None)
        for action in AuditAction:
            self.action.addItem(action.label, action.value)
        self.action.setMinimumContentsLength(14)
        self.action.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.person_search = QLineEdit()
        self.person_search.setPlaceholderText("Personne : nom, téléphone… puis Entrée")
        self.person_search.setClearButtonEnabled(True)
        self.person_search.setMinimumWidth(190)
        self.person_search.returnPressed.connect(self.find_person)
        self.person = QComboBox()
        self.person.addItem("Toutes les personnes", None)
        self.person.setMinimumContentsLength(16)
        self.person.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.show_button = QPushButton("Afficher")
        self.show_button.setObjectName("primary")
        self.show_button.clicked.connect(self.refresh)
        filters = QHBoxLayout()
        for widget in (QLabel("Du"), self.start, QLabel("au"), self.end, self.agent, self.action, self.person_search,
                       self.person, self.show_button):  # fmt: skip
            filters.addWidget(widget)
        filters.addStretch(1)

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((175, 250, 150, 190, 320)):
            header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda _i: self.export_person())

        self.message = QLabel("")
        self.message.setObjectName("hint")
        self.export_button = QPushButton("Droit d'accès…")
        self.export_button.setToolTip("Exporter tout ce qui est détenu sur la personne de l'entrée choisie (PDF, JSON)")
        self.erase_button = QPushButton("Effacer la fiche…")
        self.erase_button.setToolTip("Anonymiser la fiche de la personne de l'entrée choisie (droit à l'effacement)")
        self.csv_button = QPushButton("Exporter en CSV…")
        self.export_button.clicked.connect(self.export_person)
        self.erase_button.clicked.connect(self.erase_person)
        self.csv_button.clicked.connect(self.choose_csv)
        for button in (self.export_button, self.erase_button, self.csv_button):
            button.setEnabled(False)
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        for button in (self.export_button, self.erase_button, self.csv_button):
            actions.addWidget(button)

        self.refused = QLabel(NOT_ALLOWED)
        self.refused.setObjectName("notice")
        self.refused.setWordWrap(True)
        self.refused.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.refused)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

    # -- loading ------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self.start_loading()

    def start_loading(self) -> None:
        """The first time the page is on screen: the agents' list, then the last 30 days."""
        if self._started:
            return
        self._started = True
        if self._session.role is Role.AGENT:
            self._refuse(NOT_ALLOWED)
            return
        self._worker.submit(self._services.audit.scope, agent_id=self._session.agent_id, on_done=self._scoped,
                            on_error=lambda e: self._refuse(error_text(e)), owner=self)  # fmt: skip

    def _scoped(self, scope: AuditScope) -> None:
        self.scope = scope
        for agent in scope.agents:
            self.agent.addItem(agent.name, str(agent.id))
        self.refresh()

    def _refuse(self, message: str) -> None:
        self.refused.setText(message)
        self.refused.show()
        self.table.hide()
        for widget in (self.show_button, self.person_search, self.csv_button):
            widget.setEnabled(False)

    def refresh(self) -> None:
        if self.scope is None:
            return
        first, last = _date(self.start.date()), _date(self.end.date())
        if last < first:
            self.message.setText("La date de fin doit suivre la date de début.")
            return
        agent = self.agent.currentData()
        action = self.action.currentData()
        person = self.person.currentData()
        self.message.setText("Chargement…")
        self._worker.submit(
            self._services.audit.entries, agent_id=self._session.agent_id, commune_id=self.scope.commune_id,
            subject_id=uuid.UUID(person) if person else None, actor_id=uuid.UUID(agent) if agent else None,
            action=AuditAction(action) if action else None, since=day_bounds(first)[0], until=day_bounds(last)[1],
            limit=LIMIT, on_done=self._show, on_error=lambda e: self.message.setText(error_text(e)), owner=self,
        )  # fmt: skip

    def _show(self, rows: list[AuditRow]) -> None:
        self.model.set_rows(rows)
        more = (
            f" (les {LIMIT} plus récentes : resserrez les filtres pour voir les autres)" if len(rows) >= LIMIT else ""
        )
        self.message.setText(f"{len(rows)} entrée{'s' if len(rows) > 1 else ''}{more}.")
        self.csv_button.setEnabled(bool(rows))
        self._selected()
        self.loaded.emit(len(rows))

    # -- the person filter --------------------------------------------------------------------------

    def find_person(self) -> None:
        query = self.person_search.text().strip()
        if not query:
            self.set_person(None, "")
            return
        self._worker.submit(self._services.citizens.search, query=query, limit=20, on_done=self._found,
                            on_error=lambda e: self.message.setText(error_text(e)), owner=self)  # fmt: skip

    def _found(self, people: list) -> None:  # list[CitizenSummary]
        self.person.clear()
        self.person.addItem("Toutes les personnes", None)
        for p in people:
            self.person.addItem(p.display_name, str(p.id))
        if people:
            self.person.setCurrentIndex(1)
            self.refresh()
        else:
            self.message.setText("Aucune personne ne correspond à cette recherche.")

    def set_person(self, citizen_id: uuid.UUID | None, label: str) -> None:
        """Show the journal of one person (another screen may call it), or of everybody with None."""
        self.person.clear()
        self.person.addItem("Toutes les personnes", None)
        if citizen_id is not None:
            self.person.addItem(label, str(citizen_id))
            self.person.setCurrentIndex(1)
        self.refresh()

    # -- the person of the selected entry -----------------------------------------------------------

    def selected_row(self) -> AuditRow | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() and index.row() < len(self.model.rows) else None

    def _person_of_selection(self) -> tuple[uuid.UUID, str] | None:
        row = self.selected_row()
        if row is None or row.subject_table != "citizen" or row.subject_id is None:
            return None
        return row.subject_id, row.subject_label.split(" — ", 1)[-1]

    def _selected(self, *_args) -> None:  # noqa: ANN002
        person = self._person_of_selection()
        self.export_button.setEnabled(person is not None)
        self.erase_button.setEnabled(person is not None)

    def export_person(self) -> None:
        person = self._person_of_selection()
        if person is not None:
            self.dialog = AccessExportDialog(self._worker, self._services, self._session, person[0], self,
                                             citizen_label=person[1])  # fmt: skip
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.open()

    def erase_person(self) -> None:
        person = self._person_of_selection()
        if person is not None:
            dialog = EraseDialog(self._worker, self._services, self._session, person[0], self, citizen_label=person[1])
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.erased.connect(lambda _e: self.refresh())
            self.dialog = dialog
            dialog.open()

    # -- CSV ----------------------------------------------------------------------------------------

    def choose_csv(self) -> None:
        start, end = _date(self.start.date()), _date(self.end.date())
        name = f"Journal d'audit {start:%Y-%m-%d} au {end:%Y-%m-%d}.csv"
        dialog = QFileDialog(self, "Exporter le journal d'audit", str(Path.home() / name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("Fichier CSV (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.write_csv)
        self.dialog = dialog
        dialog.open()

    def write_csv(self, path: str) -> None:
        try:
            Path(path).write_bytes(rows_csv(self.model.rows))
        except OSError as exc:
            self.message.setText(error_text(exc))
        else:
            self.message.setText(f"Journal exporté : {path}")
