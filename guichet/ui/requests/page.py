"""The "Demandes" page: the lists (mine, my service's, late, due soon, all) with their counts, and the detail.

Keys: Alt+1 … Alt+6 pick a list; Ctrl+F goes to the search (reference, subject, citizen); F9 reloads;
Entrée on a row opens the request, Échap comes back; Ctrl+Maj+N opens a request directly.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.clock import local_day, now
from guichet.services.reference import ReferenceData
from guichet.services.requests_types import RequestList, RequestRow, RequestView
from guichet.ui.common.messages import error_text
from guichet.ui.common.rows_model import RowsModel
from guichet.ui.common.search_field import SearchField
from guichet.ui.desk.privacy import initials_of
from guichet.ui.requests.common import RED, STYLE, deadline
from guichet.ui.requests.detail import RequestDetailView
from guichet.ui.requests.new_request import NewRequestDialog
from guichet.ui.worker import Worker

COLUMNS = ["Référence", "Objet", "Citoyen", "Thème", "Service", "Agent", "Reçue le", "Échéance", "État"]
SHORT_LABELS = {RequestView.OPEN: "Toutes en cours", RequestView.ALL: "Toutes"}
VIEWS = (
    RequestView.MINE,
    RequestView.SERVICE,
    RequestView.OVERDUE,
    RequestView.DUE_SOON,
    RequestView.OPEN,
    RequestView.ALL,
)


class RequestTableModel(RowsModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self.today = local_day(now())
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: tuple[RequestRow, ...]) -> None:
        self.today = local_day(now())  # "J+3" counts from the day the list is shown
        super().set_rows(rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 7:
            return deadline(row, self.today)[1]
        if role == Qt.ItemDataRole.FontRole and column == 7 and row.overdue(self.today):
            return self._bold
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def text(self, row: RequestRow, column: int) -> str:
        match column:
            case 0:
                return row.reference
            case 1:
                return row.subject
            case 2:
                return initials_of(row.citizen_name) if self.discreet else row.citizen_name
            case 3:
                return row.theme_label
            case 4:
                return row.service_name
            case 5:
                return row.assignee_name or "—"
            case 6:
                return f"{row.received_on:%d/%m/%Y}"
            case 7:
                return deadline(row, self.today)[0]
            case _:
                return row.status.label


class RequestsPage(QWidget):
    request_opened = Signal(object)  # RequestRow: a request opened from this page (for Ctrl+Maj+A)
    message = Signal(str)  # a line for the status bar

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData, *,
        letters=None, dispatcher=None, net_worker: Worker | None = None, parent: QWidget | None = None,  # noqa: ANN001
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self._worker = worker
        self._services = services
        self._session = session
        self._ref = reference
        self.result: RequestList | None = None
        self._loading = False
        self._again = False
        self._citizen_id: uuid.UUID | None = None
        self.new_dialog: NewRequestDialog | None = None

        # -- the lists, with their counts: a row of tabs (a column would take the table's width at 1366 px)
        self.views = QTabBar()
        self.views.setObjectName("views")
        self.views.setExpanding(False)
        self.views.setDrawBase(False)
        for i, view in enumerate(VIEWS, start=1):
            self.views.addTab(SHORT_LABELS.get(view, view.label))
            self.views.setTabData(i - 1, view.value)
            self.views.setTabToolTip(i - 1, f"{view.label} — Alt+{i}")
            QShortcut(QKeySequence(f"Alt+{i}"), self, activated=lambda r=i - 1: self.set_view(VIEWS[r], focus=True))
        self.views.setCurrentIndex(VIEWS.index(RequestView.OPEN))
        self.views.currentChanged.connect(lambda _index: self.refresh())
        self.new_button = QPushButton("Nouvelle demande (Ctrl+Maj+N)")
        self.new_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_button.clicked.connect(self.new_request)
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, activated=self.new_request)
        hint = QLabel("Alt+1 … Alt+6 : listes · Ctrl+F : rechercher · F9 : actualiser · Entrée : ouvrir")
        hint.setObjectName("hint")
        top = QHBoxLayout()
        top.addWidget(self.views)
        top.addStretch(1)
        top.addWidget(self.new_button)

        # -- filters
        self.search = QLineEdit()
        self.search.setPlaceholderText("Référence, objet ou nom du citoyen…")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=250, timeout=self.refresh)
        self.search.textEdited.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_done)
        self.theme = SearchField()
        self.theme.setPlaceholderText("Thème : tapez une partie du nom")
        self.theme.set_items([(t.full_label, t.id) for t in reference.themes], [t.search_key for t in reference.themes])
        self.theme.picked.connect(lambda _v: self.refresh())
        self.theme.cleared.connect(self.refresh)
        self.service = QComboBox()
        self.service.addItem("Tous les services", None)
        for s in reference.services:
            self.service.addItem(s.name, s.id)
        self.service.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.service.setMinimumContentsLength(16)
        self.service.setToolTip("Le service choisi est aussi celui de la liste « Demandes du service »")
        self.service.currentIndexChanged.connect(lambda _i: self.refresh())
        self.citizen_chip = QLabel()
        self.citizen_chip.setObjectName("chip")
        self.citizen_clear = QPushButton("Tous les citoyens")
        self.citizen_clear.clicked.connect(lambda: self.set_citizen(None))
        self.citizen_chip.hide()
        self.citizen_clear.hide()
        filters = QHBoxLayout()
        search_label = QLabel("&Rechercher :")
        search_label.setBuddy(self.search)
        filters.addWidget(search_label)
        filters.addWidget(self.search, 3)
        theme_label = QLabel("T&hème :")
        theme_label.setBuddy(self.theme)
        filters.addWidget(theme_label)
        filters.addWidget(self.theme, 2)
        service_label = QLabel("&Service :")
        service_label.setBuddy(self.service)
        filters.addWidget(service_label)
        filters.addWidget(self.service, 2)

        # -- the table
        self.summary = QLabel()
        self.summary.setObjectName("counts")
        self.model = RequestTableModel(self)
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
        for col, width in enumerate((196, 240, 150, 140, 130, 110, 96, 186, 110)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)

        chips = QHBoxLayout()
        chips.addWidget(self.summary, 1)
        chips.addWidget(self.citizen_chip)
        chips.addWidget(self.citizen_clear)
        chips.addWidget(hint)
        list_page = QWidget()
        rows = QVBoxLayout(list_page)
        rows.setContentsMargins(6, 6, 6, 6)
        rows.addLayout(top)
        rows.addLayout(filters)
        rows.addLayout(chips)
        rows.addWidget(self.table, 1)

        self.detail = RequestDetailView(
            worker, services, session, reference, letters=letters, dispatcher=dispatcher, net_worker=net_worker
        )
        self.detail.back.connect(self.show_list)
        self.detail.show_citizen.connect(self._citizen_requests)
        self.detail.message.connect(self.message)
        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.setTabOrder(self.views, self.search)
        self.setTabOrder(self.search, self.theme)
        self.setTabOrder(self.theme, self.service)
        self.setTabOrder(self.service, self.table)

    # -- public API ------------------------------------------------------------------------------

    def set_discreet(self, on: bool) -> None:
        """The desk's discreet mode: citizens of the list and of the open request as initials."""
        self.model.set_discreet(on)
        self.detail.set_discreet(on)

    @property
    def view(self) -> RequestView:
        data = self.views.tabData(self.views.currentIndex())
        return RequestView(data) if data else RequestView.OPEN

    def set_view(self, view: RequestView, *, focus: bool = False) -> None:
        self.show_list()
        self.views.setCurrentIndex(VIEWS.index(view))
        if view is RequestView.SERVICE and self.service.currentData() is None:
            self.service.setFocus()  # "my service" is the one chosen there
            return
        if focus:
            self.table.setFocus()

    def set_citizen(self, citizen_id: uuid.UUID | None, name: str = "") -> None:
        """Only this citizen's requests (every state), or everyone's again."""
        self._citizen_id = citizen_id
        self.citizen_chip.setText(f"Citoyen : <b>{name}</b>")
        self.citizen_chip.setVisible(citizen_id is not None)
        self.citizen_clear.setVisible(citizen_id is not None)
        if citizen_id is not None and self.view is not RequestView.ALL:
            self.views.setCurrentIndex(VIEWS.index(RequestView.ALL))  # refreshes
        else:
            self.refresh()

    def focus_search(self) -> None:
        """Ctrl+F (the window's key): the search of the list."""
        self.show_list()
        self.search.setFocus()
        self.search.selectAll()

    def show_list(self) -> None:
        if self.stack.currentIndex() != 0:
            self.stack.setCurrentIndex(0)
            self.refresh()
            self.table.setFocus()

    def show_request(self, request_id: uuid.UUID) -> None:
        """The detail of one request (from the list, the mail register, or a contact just saved)."""
        self.stack.setCurrentWidget(self.detail)
        self.detail.load(request_id)

    @property
    def current_request(self) -> RequestRow | None:
        """The request whose detail is on screen, if any (Ctrl+Maj+A prints its acknowledgement)."""
        if self.stack.currentWidget() is self.detail and self.detail.data is not None:
            return self.detail.data.row
        return None

    def new_request(self) -> None:
        dialog = NewRequestDialog(self._worker, self._services, self._session, self._ref, parent=self)
        dialog.created.connect(self._created)
        dialog.finished.connect(dialog.deleteLater)
        self.new_dialog = dialog
        dialog.open()

    def refresh(self) -> None:
        """Reload off the GUI thread; a refresh asked while one runs is done once, afterwards."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._worker.submit(
            self._services.requests.list,
            commune_id=self._session.commune_id,
            view=self.view,
            agent_id=self._session.agent_id,
            service_id=self.service.currentData(),
            theme_id=self.theme.value,
            citizen_id=self._citizen_id,
            query=self.search.text(),
            on_done=self._show,
            on_error=self._failed,
            owner=self,
        )

    # -- reactions -------------------------------------------------------------------------------

    def _show(self, result: RequestList) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.refresh()
            return
        self.result = result
        rows = result.rows  # the service filter is applied by the service, on every list
        service_id = self.service.currentData()
        selected = self._selected_id()
        self.model.set_rows(rows)
        for i, view in enumerate(VIEWS):
            label = SHORT_LABELS.get(view, view.label)
            count = result.counts.get(view)
            if view is RequestView.SERVICE and service_id is None:
                self.views.setTabText(i, f"{label} (—)")
                self.views.setTabToolTip(i, "Choisissez le service dans le filtre « Service » — Alt+2")
            else:
                self.views.setTabText(i, label if count is None else f"{label} ({count})")
            late = view is RequestView.OVERDUE and bool(count)
            self.views.setTabTextColor(i, RED if late else self.palette().text().color())
        plural = "s" if len(rows) > 1 else ""
        text = f"<b>{len(rows)}</b> demande{plural} — {self.view.label}"
        if result.truncated:
            text += " (les premières seulement : précisez la recherche)"
        if self.view is RequestView.SERVICE and service_id is None:
            text = "Choisissez le service dont vous voulez voir les demandes (filtre « Service »)."
        self.summary.setText(text)
        if rows:
            keep = next((i for i, r in enumerate(rows) if r.id == selected), 0)
            self.table.selectRow(keep)

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self._again = False
        self.summary.setText(f"<span style='color:#b71c1c'>Liste indisponible : {error_text(error)}</span>")

    def _selected_id(self) -> uuid.UUID | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()].id if rows and rows[0].row() < len(self.model.rows) else None

    def _open_index(self, index: QModelIndex) -> None:
        row = self.model.data(index, Qt.ItemDataRole.UserRole)
        if row is not None:
            self.show_request(row.id)

    def _search_done(self) -> None:
        self._debounce.stop()
        self.refresh()
        self.table.setFocus()

    def _created(self, row: RequestRow) -> None:
        self.window().activateWindow()  # the dialog was on top: the keys come back to the desk
        self.request_opened.emit(row)
        self.message.emit(f"Demande {row.reference} ouverte — Ctrl+Maj+A : imprimer l'accusé de réception.")
        self.show_request(row.id)

    def _citizen_requests(self, citizen_id: uuid.UUID, name: str) -> None:
        self.stack.setCurrentIndex(0)
        self.set_citizen(citizen_id, name)
        self.table.setFocus()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        if self.stack.currentIndex() == 0:
            self.refresh()
            if not self.table.hasFocus() and self.focusWidget() is None:
                self.table.setFocus()
