"""The « Fiches » page (Ctrl+7): the catalogue of answers for everyone, its editor for supervisors, and the
directory of services and external bodies.

Keys: Ctrl+F searches (the sheets' full text, accents ignored), F9 reloads, ↑ ↓ move in the list. Supervisors:
Alt+N new sheet, Alt+M edit the one selected, Alt+P publish its draft, Alt+B drop its draft, Alt+V archive it
(or put it back), Alt+X show the archived sheets too. The « Util. 30 j » column counts the contacts of this
site that used each sheet over the last 30 days: what citizens ask about.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.clock import local_day, now
from guichet.services.knowledge_types import DirectoryEntry, SheetDetail, SheetList, SheetSummary
from guichet.services.reference import ReferenceData
from guichet.ui.common.messages import error_text
from guichet.ui.knowledge.editor import SheetEditorDialog
from guichet.ui.knowledge.render import ORANGE, entry_html, sheet_html
from guichet.ui.worker import Worker

COLUMNS = ["Titre", "Thème", "Portée", "État", "À revoir le", "Util. 30 j"]  # the owner: in the preview
DIRECTORY_COLUMNS = ["Nom", "Type", "S'occupe de", "Téléphone", "Adresse", "Horaires"]


class SheetTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[SheetSummary, ...] = ()
        self.usage_shown = False

    def set_rows(self, listing: SheetList) -> None:
        self.beginResetModel()
        self.rows = listing.rows
        self.usage_shown = listing.usage_shown
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS) - (0 if self.usage_shown else 1)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and (row.to_review or row.archived) and index.column() in (3, 4):
            return QColor(ORANGE if row.to_review else "#57606a")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def text(row: SheetSummary, column: int) -> str:
        match column:
            case 0:
                return row.title
            case 1:
                return row.theme_label
            case 2:
                return "SITIV" if row.commune_id is None else "Ville"
            case 3:
                return row.state_label
            case 4:
                return f"{row.review_on:%d/%m/%Y}" if row.review_on else "—"
            case _:
                return str(row.uses)


class DirectoryModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[DirectoryEntry, ...] = ()

    def set_rows(self, rows: tuple[DirectoryEntry, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(DIRECTORY_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return DIRECTORY_COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        e = self.rows[index.row()]
        return (e.name, e.kind.label, e.handles, e.phone, e.address, e.hours)[index.column()]


def _table(model: QAbstractTableModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


class KnowledgePage(QWidget):
    message = Signal(str)

    def __init__(self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._services = services
        self._session = session
        self._reference = reference
        self.listing: SheetList | None = None
        self.detail: SheetDetail | None = None
        self.editor: SheetEditorDialog | None = None
        self.confirm: QMessageBox | None = None
        self._keep: object = None  # the sheet to select again after a reload

        # -- the sheets
        self.search = QLineEdit()
        self.search.setPlaceholderText("Rechercher une fiche (Ctrl+F) : mots de la question, de la réponse, thème…")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=180, timeout=self.refresh)
        self.search.textEdited.connect(lambda _t: self._debounce.start())
        self.archived = QCheckBox("Archivées (Alt+X)")
        self.new_button = QPushButton("Nouvelle fiche (Alt+N)")
        self.edit_button = QPushButton("Modifier (Alt+M)")
        self.publish_button = QPushButton("Publier le brouillon (Alt+P)")
        self.discard_button = QPushButton("Abandonner le brouillon (Alt+B)")
        self.archive_button = QPushButton("Archiver (Alt+V)")
        self.model = SheetTableModel(self)
        self.table = _table(self.model)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._selected(current))
        self.preview = QTextBrowser()
        self.preview.setOpenExternalLinks(True)
        self.preview.setStyleSheet("QTextBrowser { font-size: 10pt; }")
        self.top_used = QLabel()
        self.top_used.setObjectName("hint")
        self.top_used.setWordWrap(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.archived)
        actions = QHBoxLayout()
        for button, key, slot in (
            (self.new_button, "Alt+N", self.new_sheet),
            (self.edit_button, "Alt+M", self.edit_sheet),
            (self.publish_button, "Alt+P", self.publish),
            (self.discard_button, "Alt+B", self.discard),
            (self.archive_button, "Alt+V", self.toggle_archive),
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            QShortcut(QKeySequence(key), self, activated=slot)
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)
        QShortcut(QKeySequence("Alt+X"), self, activated=self.archived.toggle)
        self.archived.toggled.connect(lambda _on: self.refresh())
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.top_used)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        sheets_tab = QWidget()
        sheets_layout = QVBoxLayout(sheets_tab)
        sheets_layout.addWidget(split, 1)
        sheets_layout.addLayout(actions)

        # -- the directory
        self.directory_search = QLineEdit()
        self.directory_search.setPlaceholderText("Service ou organisme, ou ce dont il s'occupe : allocations, impôts…")
        self.directory_search.setClearButtonEnabled(True)
        self.directory_search.textEdited.connect(lambda _t: self.refresh_directory())
        self.directory_model = DirectoryModel(self)
        self.directory_table = _table(self.directory_model)
        for column, width in enumerate((260, 150, 390, 120, 260)):
            self.directory_table.setColumnWidth(column, width)
        self.directory_table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self.directory_detail.setHtml(
                entry_html(self.directory_model.rows[current.row()]) if current.isValid() else ""
            )
        )
        self.directory_detail = QTextBrowser()
        self.directory_detail.setMaximumHeight(90)
        directory_tab = QWidget()
        directory_layout = QVBoxLayout(directory_tab)
        directory_layout.addWidget(self.directory_search)
        directory_layout.addWidget(self.directory_table, 1)
        directory_layout.addWidget(self.directory_detail)

        self.tabs = QTabWidget()
        self.tabs.addTab(sheets_tab, "Fiches")
        self.tabs.addTab(directory_tab, "Annuaire des services et organismes")
        self.tabs.currentChanged.connect(lambda i: self.refresh_directory() if i == 1 else None)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        self._show_actions()
        self.refresh()

    # -- the page API of the desk window (Ctrl+F, F9) -----------------------------------------------

    def focus_search(self) -> None:
        target = self.directory_search if self.tabs.currentIndex() == 1 else self.search
        target.setFocus()
        target.selectAll()

    def refresh(self) -> None:
        if self.tabs.currentIndex() == 1:
            self.refresh_directory()
            return
        self._worker.submit(
            self._services.knowledge.sheets, agent_id=self._session.agent_id, query=self.search.text(),
            include_archived=self.archived.isChecked(), on_done=self._listed, on_error=self._failed, owner=self,
        )  # fmt: skip

    def refresh_directory(self) -> None:
        self._worker.submit(
            self._services.knowledge.directory, commune_id=self._session.commune_id,
            query=self.directory_search.text(), on_done=self.directory_model.set_rows, owner=self,
        )  # fmt: skip

    # -- the list and the preview ---------------------------------------------------------------------

    def _listed(self, listing: SheetList) -> None:
        keep = self._keep or (self.detail.sheet_id if self.detail else None)
        self._keep = None
        self.listing = listing
        self.model.set_rows(listing)
        for column, width in enumerate((240, 190, 65, 170, 95)):
            self.table.setColumnWidth(column, width)
        self.archived.setVisible(listing.may_create)
        self.count_label.setText(f"{len(listing.rows)} fiche{'s' if len(listing.rows) > 1 else ''}")
        used = sorted((r for r in listing.rows if r.uses), key=lambda r: -r.uses)[:5]
        self.top_used.setVisible(listing.usage_shown)
        self.top_used.setText(
            "Les plus utilisées sur 30 jours : " + " · ".join(f"{r.title} ({r.uses})" for r in used)
            if used else "Aucun contact n'a encore noté de fiche sur 30 jours."
        )  # fmt: skip
        rows = [i for i, r in enumerate(listing.rows) if r.sheet_id == keep]
        if listing.rows:
            self.table.selectRow(rows[0] if rows else 0)
        else:
            self.detail = None
            self.preview.setHtml("<p>Aucune fiche ne correspond.</p>")
            self._show_actions()

    def _selected(self, index: QModelIndex) -> None:
        if not index.isValid() or self.listing is None:
            return
        row = self.listing.rows[index.row()]
        self._worker.submit(
            self._services.knowledge.detail, sheet_id=row.sheet_id, agent_id=self._session.agent_id,
            on_done=self._show_detail, on_error=self._failed, owner=self,
        )  # fmt: skip

    def _show_detail(self, detail: SheetDetail) -> None:
        self.detail = detail
        today = local_day(now())
        shown = detail.draft or detail.published
        if shown is None:
            self.preview.setHtml("<p>Fiche vide.</p>")
        else:
            banner = ""
            if detail.draft is not None:
                banner = (
                    "Brouillon en cours, pas encore lu aux guichets — Alt+P pour le publier"
                    if detail.published else "Brouillon : cette fiche n'a jamais été publiée — Alt+P pour la publier"
                )  # fmt: skip
            elif detail.summary.archived:
                banner = "Fiche archivée : elle n'apparaît plus aux guichets"
            self.preview.setHtml(sheet_html(shown, today=today, history=detail.history, banner=banner))
        self._show_actions()

    def _show_actions(self) -> None:
        listing, detail = self.listing, self.detail
        editor = bool(listing and listing.may_create)
        for button in (self.new_button, self.edit_button, self.publish_button, self.discard_button,
                       self.archive_button):  # fmt: skip
            button.setVisible(editor)
        can = detail is not None and detail.can_edit
        self.edit_button.setEnabled(can)
        self.publish_button.setEnabled(can and detail.draft is not None)
        self.discard_button.setEnabled(can and detail.draft is not None)
        self.archive_button.setEnabled(can and detail.published is not None)
        archived = detail is not None and detail.summary.archived
        self.archive_button.setText("Désarchiver (Alt+V)" if archived else "Archiver (Alt+V)")
        why = detail.why_not if detail is not None and not can else ""
        for button in (self.edit_button, self.publish_button, self.discard_button, self.archive_button):
            button.setToolTip(why)

    # -- supervisors' actions -------------------------------------------------------------------------

    def new_sheet(self) -> None:
        if self.listing is None or not self.listing.may_create:
            return
        self._open_editor(None)

    def edit_sheet(self) -> None:
        if self.detail is None or not self.detail.can_edit:
            if self.detail is not None and self.detail.why_not:
                self.message.emit(self.detail.why_not)
            return
        self._open_editor(self.detail)

    def _open_editor(self, detail: SheetDetail | None) -> None:
        dialog = SheetEditorDialog(
            self._worker, self._services, self._session, self._reference, detail,
            may_create_sitiv=bool(self.listing and self.listing.may_create_sitiv), parent=self,
        )  # fmt: skip
        dialog.saved.connect(self._edited)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _result: self.table.setFocus())  # back to the list, for the keys
        self.editor = dialog
        dialog.open()

    def _edited(self, detail: SheetDetail) -> None:
        self._keep = detail.sheet_id
        self.detail = detail
        state = "publiée" if detail.draft is None and detail.published else "enregistrée en brouillon"
        self.message.emit(f"Fiche « {detail.summary.title} » {state}.")
        self.refresh()

    def publish(self) -> None:
        detail = self.detail
        if detail is None or not detail.can_edit or detail.draft is None:
            return
        self._confirm(
            f"Publier le brouillon de « {detail.summary.title} » ? Tous les guichets liront cette nouvelle version ; "
            "la précédente reste dans l'historique.", "Publier",
            lambda: self._run(self._services.knowledge.publish, f"Fiche « {detail.summary.title} » publiée."),
        )  # fmt: skip

    def discard(self) -> None:
        detail = self.detail
        if detail is None or not detail.can_edit or detail.draft is None:
            return
        self._confirm(
            f"Abandonner le brouillon de « {detail.summary.title} » ?", "Abandonner",
            lambda: self._run(self._services.knowledge.discard_draft, "Brouillon abandonné."),
        )  # fmt: skip

    def toggle_archive(self) -> None:
        detail = self.detail
        if detail is None or not detail.can_edit or detail.published is None:
            return
        archived = not detail.summary.archived
        self._run(self._services.knowledge.archive, "Fiche archivée." if archived else "Fiche remise en service.",
                  archived=archived)  # fmt: skip

    def _run(self, call, done: str, **kwargs) -> None:  # noqa: ANN001, ANN003
        assert self.detail is not None
        self._keep = self.detail.sheet_id

        def finished(_result: object) -> None:
            self.message.emit(done)
            self.refresh()

        self._worker.submit(call, agent_id=self._session.agent_id, sheet_id=self.detail.sheet_id,
                            on_done=finished, on_error=self._failed, owner=self, **kwargs)  # fmt: skip

    def _confirm(self, text: str, yes: str, then) -> None:  # noqa: ANN001
        box = QMessageBox(QMessageBox.Icon.Question, "Fiches", text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)  # fmt: skip
        box.button(QMessageBox.StandardButton.Yes).setText(yes)
        box.button(QMessageBox.StandardButton.No).setText("Annuler")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(then)
        self.confirm = box
        box.open()

    def _failed(self, error: BaseException) -> None:
        self.message.emit(error_text(error))
