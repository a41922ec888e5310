"""Today's journal of the site: every contact, filters, and counts by channel."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import Channel, Outcome
from guichet.services.auth import AgentSession
from guichet.services.clock import PARIS, local_day, now
from guichet.services.contacts import ContactRow, ContactService, Journal
from guichet.services.reference import ReferenceData
from guichet.ui.common.messages import error_text
from guichet.ui.common.rows_model import RowsModel
from guichet.ui.common.style import combo_enum
from guichet.ui.desk.privacy import initials_of
from guichet.ui.worker import Worker

COLUMNS = ["Heure", "Canal", "Citoyen", "Thème", "Objet", "Suite donnée", "Orientation", "Agent", "Durée"]


class JournalModel(RowsModel):
    """The contacts of the day; ``discreet``: citizens as initials, no notes in the tooltips (Ctrl+Maj+M)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._shown(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = "" if self.discreet else row.notes
            return "\n".join(p for p in (self._shown(row, index.column()), notes) if p)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 8):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def _shown(self, row: ContactRow, column: int) -> str:
        if self.discreet and column == 2 and row.citizen_name:
            return initials_of(row.citizen_name)
        return self._text(row, column)

    @staticmethod
    def _text(row: ContactRow, column: int) -> str:
        match column:
            case 0:
                return f"{row.started_at.astimezone(PARIS):%H:%M}"
            case 1:
                return row.channel.label
            case 2:
                return row.citizen_name or "Anonyme"
            case 3:
                return row.theme_label
            case 4:
                return row.subject
            case 5:
                return row.outcome.short_label
            case 6:
                return row.orientation_label
            case 7:
                return row.agent_name
            case _:
                return f"{row.duration_s // 60}:{row.duration_s % 60:02d}"


class JournalPanel(QGroupBox):
    edit_requested = Signal(object)  # ContactRow

    def __init__(
        self, worker: Worker, contacts: ContactService, session: AgentSession, reference: ReferenceData,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__("Journal du jour", parent)
        self._worker = worker
        self._contacts = contacts
        self._session = session
        self.journal: Journal | None = None
        self._loading = False
        self._again = False

        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.setDate(self._qdate(local_day(now())))
        self.day.setMaximumDate(self._qdate(local_day(now())))
        self.today_button = QPushButton("Aujourd'hui")
        self.today_button.clicked.connect(lambda: self.day.setDate(self._qdate(local_day(now()))))
        self.channel = QComboBox()
        self.channel.addItem("Tous les canaux", None)
        for c in Channel:
            self.channel.addItem(c.label, c)
        self.theme = QComboBox()
        self.theme.addItem("Tous les thèmes", None)
        for t in reference.themes:
            if t.parent_id is None:
                self.theme.addItem(t.label, t.id)
        self.agent = QComboBox()
        self.agent.addItem("Tous les agents", None)
        for a in reference.agents:
            self.agent.addItem(a.name, a.id)
        self.outcome = QComboBox()
        self.outcome.addItem("Toutes les suites", None)
        for o in Outcome:
            self.outcome.addItem(o.label, o)
        for combo in (self.channel, self.theme, self.agent, self.outcome):
            # Sized to eight letters, not to the longest item: the desk must fit a 1366-pixel screen.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            combo.currentIndexChanged.connect(self.refresh)
        self.day.dateChanged.connect(self.refresh)

        self.counts = QLabel()
        self.counts.setObjectName("counts")
        self.counts.setWordWrap(True)
        self.model = JournalModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for col, width in enumerate((64, 130, 180, 190, 160, 150, 150, 110, 60)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._edit)
        self.table.activated.connect(self._edit)

        filters = QHBoxLayout()
        filters.addWidget(self.day)
        filters.addWidget(self.today_button)
        filters.addWidget(self.channel)
        filters.addWidget(self.theme)
        filters.addWidget(self.agent)
        filters.addWidget(self.outcome)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)

    @staticmethod
    def _qdate(d: date) -> QDate:
        return QDate(d.year, d.month, d.day)

    def selected_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def refresh(self) -> None:
        """Reload off the GUI thread; a refresh asked while one runs is done once, afterwards."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._worker.submit(
            self._contacts.journal,
            site_id=self._session.site_id,
            day=self.selected_day(),
            channel=combo_enum(self.channel, Channel),
            theme_id=self.theme.currentData(),
            agent_id=self.agent.currentData(),
            outcome=combo_enum(self.outcome, Outcome),
            on_done=self._show,
            on_error=self._failed,
        )

    def _show(self, journal: Journal) -> None:
        self._loading = False
        self.journal = journal
        self.model.set_rows(journal.rows)
        today = journal.day == local_day(now())
        self.setTitle(
            ("Journal du jour" if today else f"Journal du {journal.day:%d/%m/%Y}") + f" — {self._session.site_name}"
        )
        parts = [f"{c.label} : <b>{n}</b>" for c, n in journal.counts_by_channel.items()]
        shown = f" — {len(journal.rows)} affiché(s)" if self.channel.currentData() is not None else ""
        self.counts.setText(" · ".join(parts) + f" — <b>Total : {journal.total}</b>{shown}")
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self._again = False
        self.counts.setText(f"<span style='color:#b71c1c'>Journal indisponible : {error_text(error)}</span>")

    def _edit(self, index: QModelIndex) -> None:
        row = self.model.data(index, Qt.ItemDataRole.UserRole)
        if row is not None and local_day(row.started_at) == local_day(now()):
            self.edit_requested.emit(row)
