"""The "Courrier" page: quick entry of arrivals above, the register below (arrivals and departures).

Keys: see entry.py for the form; Ctrl+F searches the register (chrono, sender, subject, recommandé number,
accents ignored); F9 reloads it; Entrée on a letter opens its request, or its scan when it has no request.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import MailDirection
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.reference import ReferenceData
from guichet.services.requests_types import MailRegistered, MailRow
from guichet.ui.common.messages import error_text
from guichet.ui.common.pdf_actions import open_document
from guichet.ui.common.rows_model import RowsModel
from guichet.ui.common.style import combo_enum
from guichet.ui.desk.privacy import initials_of
from guichet.ui.mail.entry import MailEntryForm
from guichet.ui.requests.common import STYLE
from guichet.ui.worker import Worker

COLUMNS = ["Chrono", "Date", "Sens", "Type", "Correspondant", "Objet", "Service", "Demande"]


class MailTableModel(RowsModel):
    """The register; in discreet mode citizens show as initials, organisations stay named."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._scan_icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)  # "a scan is joined"

    def shown(self, row: MailRow, column: int) -> str:
        if self.discreet and column == 4 and row.citizen_id is not None:
            return initials_of(row.correspondent)
        return self.text(row, column)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.shown(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            scan = (
                "\nScan joint : Entrée l'ouvre (quand le courrier n'a pas de demande)" if row.attachment_count else ""
            )
            return self.shown(row, index.column()) + (scan if index.column() == 0 else "")
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0 and row.attachment_count:
            return self._scan_icon
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    @staticmethod
    def text(row: MailRow, column: int) -> str:
        match column:
            case 0:
                return row.chrono
            case 1:
                return f"{row.mail_date:%d/%m/%Y}"
            case 2:
                return "Arrivée" if row.direction is MailDirection.INCOMING else "Départ"
            case 3:
                label = row.mail_type.label if row.mail_type else ""
                return f"{label} {row.registered_number}" if row.registered_number else label
            case 4:
                return row.correspondent
            case 5:
                return row.subject
            case 6:
                return row.service_name
            case _:
                return row.request_reference


class MailPage(QWidget):
    open_request = Signal(object)  # request id: Entrée on a letter of a request
    request_opened = Signal(object)  # RequestRow: a letter opened a request (for Ctrl+Maj+A)
    message = Signal(str)

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self._worker = worker
        self._services = services
        self._session = session
        self._loading = False
        self._again = False
        self.entry = MailEntryForm(worker, services, session, reference)
        self.entry.registered.connect(self._registered)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Chrono, expéditeur, objet ou n° de recommandé (accents inutiles)…")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=250, timeout=self.refresh)
        self.search.textEdited.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_done)
        self.direction = QComboBox()
        self.direction.addItem("Arrivées et départs", None)
        for d in MailDirection:
            self.direction.addItem(d.label, d)
        self.direction.currentIndexChanged.connect(lambda _i: self.refresh())
        self.counts = QLabel()
        self.counts.setObjectName("counts")
        self.model = MailTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((236, 96, 76, 190, 200, 200, 150, 186)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._activate)
        self.table.doubleClicked.connect(self._activate)

        register = QGroupBox("Registre du courrier")
        filters = QHBoxLayout()
        search_label = QLabel("&Rechercher :")
        search_label.setBuddy(self.search)
        filters.addWidget(search_label)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.direction)
        box = QVBoxLayout(register)
        box.addLayout(filters)
        box.addWidget(self.counts)
        box.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.entry)
        splitter.addWidget(register)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 4)
        layout.addWidget(splitter)
        self.setTabOrder(self.entry.request_ref, self.search)
        self.setTabOrder(self.search, self.direction)
        self.setTabOrder(self.direction, self.table)

    # -- public API ------------------------------------------------------------------------------

    def set_discreet(self, on: bool) -> None:
        """The desk's discreet mode: citizens of the register as initials."""
        self.model.set_discreet(on)

    def focus_search(self) -> None:
        """Ctrl+F (the window's key): the register's search."""
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._worker.submit(
            self._services.mail.search, commune_id=self._session.commune_id, query=self.search.text(),
            direction=combo_enum(self.direction, MailDirection), on_done=self._show, on_error=self._failed, owner=self,
        )  # fmt: skip

    # -- reactions -------------------------------------------------------------------------------

    def _show(self, rows: list[MailRow]) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.refresh()
            return
        self.model.set_rows(tuple(rows))
        query = self.search.text().strip()
        found = f"{len(rows)} courrier{'s' if len(rows) > 1 else ''}"
        self.counts.setText(f"{found} trouvé{'s' if len(rows) > 1 else ''} pour « {query} »" if query
                            else f"{found}, les plus récents d'abord")  # fmt: skip
        if rows:
            self.table.selectRow(0)

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self._again = False
        self.counts.setText(f"<span style='color:#b71c1c'>Registre indisponible : {error_text(error)}</span>")

    def _search_done(self) -> None:
        self._debounce.stop()
        self.refresh()
        self.table.setFocus()

    def _registered(self, result: MailRegistered) -> None:
        if result.request is not None and result.opened:
            self.request_opened.emit(result.request)
        self.message.emit(f"Courrier {result.mail.chrono} enregistré.")
        self.refresh()

    def _activate(self, index: QModelIndex) -> None:
        row: MailRow | None = self.model.data(index, Qt.ItemDataRole.UserRole)
        if row is None:
            return
        if row.request_id is not None:
            self.open_request.emit(row.request_id)
        elif row.attachment_count:
            self._open_scan(row.id)
        else:
            self.message.emit(f"Le courrier {row.chrono} n'a ni demande ni scan.")

    def _open_scan(self, mail_item_id: uuid.UUID) -> None:
        def read() -> tuple[object, bytes] | None:
            found = self._services.mail.attachments(mail_item_id=mail_item_id)
            return self._services.mail.read_attachment(attachment_id=found[0].id) if found else None

        def show(loaded) -> None:  # noqa: ANN001
            if loaded is not None:
                path, opened = open_document(loaded[1], loaded[0].file_name)
                self.message.emit(f"Scan {path.name} ouvert." if opened else f"Le scan est ici : {path}")

        self._worker.submit(read, on_done=show, on_error=lambda e: self.message.emit(error_text(e)), owner=self)

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self.refresh()
        if self.focusWidget() is None:
            self.entry.focus_first()
