"""The « Rendez-vous » page (Ctrl+6): an agenda by day or week, and today's arrivals beside it.

Keys: Alt+A agenda · Alt+J day · Alt+S week · Alt+← / Alt+→ previous / next day or week · Alt+Origine
today · Ctrl+F a citizen or a code · F9 reload · Ctrl+Maj+N new appointment. In the list on the right
(Alt+R): Entrée checks the citizen in (their ticket joins the queue), Ctrl+D moves the appointment, Suppr
cancels it, Alt+L prints its letter, Échap comes back to today's list. Entrée on a free slot of the grid books
it; on a booked one, lists its appointments on the right.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import AppointmentStatus, Channel
from guichet.services import Services
from guichet.services.appointment_rules import day_text, normalise_code, when_text
from guichet.services.appointment_types import AgendaDay, AgendaInfo, AppointmentRow, Board, Slot, Standing
from guichet.services.auth import AgentSession
from guichet.services.citizens import CitizenSummary
from guichet.services.clock import PARIS, local_day, now
from guichet.ui.appointments.booking import BookingFlow
from guichet.ui.appointments.grid import RED, AgendaGrid, hhmm, monday_of, who
from guichet.ui.common.messages import error_text
from guichet.ui.common.search_field import SearchField
from guichet.ui.desk.privacy import discreet_line
from guichet.ui.requests.actions import ActionDialog
from guichet.ui.requests.common import STYLE
from guichet.ui.worker import Worker

PAGE_STYLE = (
    STYLE
    + """
QLabel#counts { color: #1b1f24; }
QLabel#listTitle { font-weight: bold; color: #0b4f8a; font-size: 12pt; }
QPushButton#mode:checked { background: #0b63b6; color: #ffffff; font-weight: bold; }
"""
)
REFRESH_MS = 30_000


class CancelDialog(ActionDialog):
    def __init__(self, row: AppointmentRow, parent: QWidget | None = None) -> None:
        super().__init__(f"Annuler le rendez-vous {row.code}", "Annuler le rendez-vous", parent)
        self.form.addRow(QLabel(f"{row.kind_name}, le {when_text(row.starts_at)}"))
        self.reason = QLineEdit("Demande du citoyen")
        self.reason.selectAll()
        self.add_row("&Motif :", self.reason, "reason")
        self.reason.setFocus()


class AppointmentsPage(QWidget):
    message = Signal(str)  # a line for the status bar

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, flow: BookingFlow,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setStyleSheet(PAGE_STYLE)
        self._worker = worker
        self._services = services
        self._session = session
        self.flow = flow
        self.discreet = False
        self.agendas: list[AgendaInfo] = []
        self.day = local_day(now())
        self.week_mode = False
        self.shown: tuple[AgendaDay, ...] = ()
        self.board: Board | None = None
        self.list_mode = "today"  # "today", "citizen", "slot"
        self.list_rows: list[AppointmentRow] = []
        self.cancel_dialog: CancelDialog | None = None
        self._loading = False

        # -- top: agenda, day or week, dates
        self.agenda = QComboBox()
        self.agenda.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.agenda.setMinimumContentsLength(24)
        self.agenda.currentIndexChanged.connect(lambda _i: self.refresh())
        agenda_label = QLabel("&Agenda :")
        agenda_label.setBuddy(self.agenda)
        self.day_button = QPushButton("Jour")
        self.week_button = QPushButton("Semaine")
        self.day_button.setToolTip("Un jour de l'agenda (Alt+J)")
        self.week_button.setToolTip("La semaine, du lundi au samedi (Alt+S)")
        modes = QButtonGroup(self)
        for b in (self.day_button, self.week_button):
            b.setObjectName("mode")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            bold = QFont(b.font())
            bold.setBold(True)
            b.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(b.text()) + 28)  # checked: bold, still whole
            modes.addButton(b)
        self.day_button.setChecked(True)
        self.day_button.clicked.connect(lambda: self.set_week(False))
        self.week_button.clicked.connect(lambda: self.set_week(True))
        self.previous_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        self.today_button = QPushButton("Aujourd'hui")
        for b, tip, fn in ((self.previous_button, "Précédent (Alt+←)", lambda: self.shift(-1)),
                           (self.next_button, "Suivant (Alt+→)", lambda: self.shift(1)),
                           (self.today_button, "Aujourd'hui (Alt+Origine)", self.go_today)):  # fmt: skip
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(fn)
        self.date_label = QLabel()
        self.date_label.setObjectName("listTitle")
        self.new_button = QPushButton("Nouveau (Ctrl+Maj+N)")
        self.new_button.setToolTip("Prendre un rendez-vous (Ctrl+Maj+N ; Ctrl+R depuis l'accueil)")
        self.new_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_button.clicked.connect(lambda: self.new_appointment())
        top = QHBoxLayout()
        for w in (agenda_label, self.agenda, self.day_button, self.week_button, self.previous_button, self.date_label,
                  self.next_button, self.today_button):  # fmt: skip
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.new_button)

        # -- search and counts
        self.search = SearchField()
        self.search.setPlaceholderText("Citoyen (nom, téléphone…) ou code du rendez-vous — Ctrl+F")
        self.search.set_remote(self._ask_citizens)
        self.search.picked.connect(self.show_citizen)
        self.search.returnPressed.connect(self._search_code)
        self.counts = QLabel()
        self.counts.setObjectName("counts")
        self.counts.setWordWrap(True)
        second = QHBoxLayout()
        second.addWidget(self.search, 2)
        second.addWidget(self.counts, 3)

        # -- the grid, and the list of the day on the right
        self.grid = AgendaGrid()
        self.grid.slot_chosen.connect(self._book_slot)
        self.grid.slot_opened.connect(self.show_slot)
        self.list_title = QLabel("Aujourd'hui")
        self.list_title.setObjectName("listTitle")
        self.list = QTreeWidget()
        self.list.setHeaderHidden(True)
        self.list.setRootIsDecorated(False)
        self.list.itemActivated.connect(lambda _item, _col: self.check_in())
        self.arrived_button = QPushButton("Arrivé : ticket (Entrée)")
        self.move_button = QPushButton("Déplacer (Ctrl+D)")
        self.cancel_button = QPushButton("Annuler (Suppr)")
        self.letter_button = QPushButton("Lettre (Alt+L)")
        actions = QGridLayout()  # two rows: the list keeps to two fifths of a 1366-pixel screen
        for i, (b, fn) in enumerate(((self.arrived_button, self.check_in), (self.move_button, self.move),
                                     (self.cancel_button, self.cancel), (self.letter_button, self.letter))):  # fmt: skip
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(fn)
            actions.addWidget(b, i // 2, i % 2)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.list_title)
        side_layout.addWidget(self.list, 1)
        side_layout.addLayout(actions)
        # A layout, not a splitter: the grid keeps three fifths of the width whatever the list's long lines ask.
        split = QHBoxLayout()
        split.addWidget(self.grid, 3)
        split.addWidget(side, 2)
        hint = QLabel("Alt+J / Alt+S : jour, semaine (pris/places par demi-heure) · Alt+← Alt+→ : précédent, suivant · "
                      "Entrée sur un créneau libre : le réserver · Alt+R : liste · Entrée : arrivé · Ctrl+D : déplacer · "
                      "Suppr : annuler")  # fmt: skip
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addLayout(split, 1)
        layout.addWidget(hint)

        for key, fn in (("Alt+J", lambda: self.set_week(False)), ("Alt+S", lambda: self.set_week(True)),
                        ("Alt+Left", lambda: self.shift(-1)), ("Alt+Right", lambda: self.shift(1)),
                        ("Alt+Home", self.go_today), ("Ctrl+Shift+N", lambda: self.new_appointment()),
                        ("Ctrl+D", self.move), ("Alt+L", self.letter), ("Alt+R", self.list.setFocus)):  # fmt: skip
            QShortcut(QKeySequence(key), self, activated=fn)
        delete = QShortcut(QKeySequence("Delete"), self.list, activated=self.cancel)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        back = QShortcut(QKeySequence("Escape"), self.list, activated=self.show_today)
        back.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._timer = QTimer(self, interval=REFRESH_MS, timeout=self.refresh_board)
        self._timer.start()
        self._worker.submit(self._services.appointments.agendas, site_id=session.site_id,
                            on_done=self._agendas_loaded, on_error=self._failed, owner=self)  # fmt: skip
        self.refresh_board()

    # -- loading ------------------------------------------------------------------------------------------------

    def _agendas_loaded(self, agendas: list[AgendaInfo]) -> None:
        self.agendas = agendas
        self.agenda.blockSignals(True)
        self.agenda.clear()
        for a in agendas:
            self.agenda.addItem(a.label, a.id)
        self.agenda.blockSignals(False)
        if not agendas:
            self.counts.setText("Aucun agenda de rendez-vous dans la commune.")
            return
        self.refresh()

    def current_agenda(self) -> AgendaInfo | None:
        agenda_id = self.agenda.currentData()
        return next((a for a in self.agendas if a.id == agenda_id), None)

    def refresh(self) -> None:
        """F9: the grid of the agenda shown, and today's list."""
        agenda = self.current_agenda()
        self._show_dates()
        if agenda is not None:
            appointments = self._services.appointments
            if self.week_mode:
                self._worker.submit(appointments.week, agenda_id=agenda.id, day=self.day,
                                    on_done=self._days_loaded, on_error=self._failed, owner=self)  # fmt: skip
            else:
                self._worker.submit(appointments.days, agenda_id=agenda.id, first_day=self.day, count=1,
                                    on_done=self._days_loaded, on_error=self._failed, owner=self)  # fmt: skip
        self.refresh_board()

    def _days_loaded(self, days: tuple[AgendaDay, ...]) -> None:
        agenda = self.current_agenda()
        if agenda is None:
            return
        self.shown = days
        if self.week_mode:
            self.grid.show_week(agenda, days, now())
        else:
            self.grid.show_day(agenda, days[0], now())
            self.grid.tag_kinds(agenda, days[0])

    def refresh_board(self) -> None:
        if self._loading:
            return
        self._loading = True
        self._worker.submit(self._board_and_month, on_done=self._board_loaded, on_error=self._failed, owner=self)

    def _board_and_month(self):  # noqa: ANN202 - on the worker thread
        today = local_day(now())
        appointments = self._services.appointments
        board = appointments.board(site_id=self._session.site_id)
        month = appointments.counts(site_id=self._session.site_id, first_day=today.replace(day=1), last_day=today)
        return board, month

    def _board_loaded(self, loaded) -> None:  # noqa: ANN001
        self._loading = False
        board, month = loaded
        self.board = board
        c = board.counts
        parts = [f"<b>Aujourd'hui</b> : {c.booked} rendez-vous", f"{c.checked_in} arrivé{'s' if c.checked_in > 1 else ''}",
                 f"<span style='color:#b71c1c'>{len(board.late)} en retard</span>", f"{len(board.expected)} attendus"]  # fmt: skip
        rate = month.missed_rate
        parts.append(f"<b>Ce mois</b> : {month.missed} non venu{'s' if month.missed > 1 else ''}"
                     + (f" ({rate:.0%})" if rate is not None else ""))  # fmt: skip
        self.counts.setText(" · ".join(parts).replace("%)", "\u00a0%)"))
        if self.list_mode == "today":
            self._fill_today(board)

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self.message.emit(error_text(error))

    # -- dates ----------------------------------------------------------------------------------------------------

    def set_week(self, on: bool) -> None:
        self.week_mode = on
        (self.week_button if on else self.day_button).setChecked(True)
        self.refresh()

    def shift(self, step: int) -> None:
        self.day += timedelta(days=7 * step if self.week_mode else step)
        self.refresh()

    def go_today(self) -> None:
        self.day = local_day(now())
        self.refresh()

    def show_day_of(self, day: date) -> None:
        self.day = day
        self.set_week(False)

    def _show_dates(self) -> None:
        if self.week_mode:
            monday = monday_of(self.day)
            self.date_label.setText(f"Semaine du {day_text(monday)}")
        else:
            self.date_label.setText(day_text(self.day).capitalize())

    # -- the list on the right ------------------------------------------------------------------------------

    def _line(self, row: AppointmentRow, *, with_day: bool = False) -> str:
        when = f"{row.starts_at.astimezone(PARIS):%d/%m %H:%M}" if with_day else hhmm(row.starts_at)
        ticket = f" · ticket {row.ticket_number}" if row.ticket_number else ""
        late = " (en retard)" if row.arrived_late else ""
        state = f" · {row.standing.label.lower()}" if with_day else ""
        return f"{when}  {who(row, self.discreet)} · {row.code}{ticket}{late}{state} — {row.kind_name}"

    def _add(self, parent: QTreeWidget | QTreeWidgetItem, row: AppointmentRow, *, with_day: bool = False) -> None:
        item = QTreeWidgetItem([self._line(row, with_day=with_day)])
        item.setData(0, Qt.ItemDataRole.UserRole, row)
        item.setToolTip(0, f"{row.agenda_name} — {row.site_name}\n{row.standing.label} · réservé par {row.booked_by}"
                           + (f"\n{row.notes}" if row.notes else ""))  # fmt: skip
        if row.standing is Standing.LATE:
            item.setForeground(0, RED)
        if isinstance(parent, QTreeWidget):
            parent.addTopLevelItem(item)
        else:
            parent.addChild(item)

    def _fill_today(self, board: Board) -> None:
        self.list_title.setText("Aujourd'hui sur ce site")
        self.list.clear()
        self.list.setRootIsDecorated(True)
        for title, rows in ((f"En retard ({len(board.late)})", board.late),
                            (f"Attendus ({len(board.expected)})", board.expected),
                            (f"Arrivés ({len(board.checked_in)})", board.checked_in)):  # fmt: skip
            head = QTreeWidgetItem([title])
            head.setFlags(head.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.list.addTopLevelItem(head)
            for row in rows:
                self._add(head, row)
            head.setExpanded(True)

    def show_today(self) -> None:
        self.list_mode = "today"
        if self.board is not None:
            self._fill_today(self.board)
        self.refresh_board()

    def _show_rows(self, title: str, rows: list[AppointmentRow], *, with_day: bool) -> None:
        self.list_title.setText(title)
        self.list_rows = rows
        self.list.clear()
        self.list.setRootIsDecorated(False)
        for row in rows:
            self._add(self.list, row, with_day=with_day)
        if not rows:
            self.list.addTopLevelItem(QTreeWidgetItem(["Aucun rendez-vous."]))
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self.list.setFocus()

    def show_slot(self, rows: list[AppointmentRow], title: str) -> None:
        self.list_mode = "slot"
        self._show_rows(f"Créneau : {title}", rows, with_day=False)

    def show_citizen(self, citizen: CitizenSummary) -> None:
        self.list_mode = "citizen"
        self._citizen = citizen
        self._worker.submit(self._services.appointments.for_citizen, citizen_id=citizen.id,
                            commune_id=self._session.commune_id,
                            on_done=lambda rows: self._show_rows(
                                f"Rendez-vous de {discreet_line(citizen) if self.discreet else citizen.display_name}",
                                rows, with_day=True),
                            on_error=self._failed, owner=self)  # fmt: skip

    def _search_code(self) -> None:
        code = normalise_code(self.search.text())
        if code is None:
            return
        self.list_mode = "citizen"
        self._worker.submit(self._services.appointments.find_code, commune_id=self._session.commune_id, code=code,
                            on_done=lambda rows: self._show_rows(f"Code {code}", rows, with_day=True),
                            on_error=self._failed, owner=self)  # fmt: skip

    def _ask_citizens(self, text: str) -> None:
        if normalise_code(text) is not None and text.strip().upper() == text.strip():
            return  # a code typed in capitals: Entrée looks it up
        self._worker.submit(
            self._services.citizens.search, query=text, limit=10, owner=self,
            on_done=lambda found, t=text: self.search.show_suggestions(
                [(discreet_line(c) if self.discreet else "  ·  ".join(p for p in (c.display_name, c.phone_display) if p),
                  c) for c in found], for_text=t),
        )  # fmt: skip

    def selected(self) -> AppointmentRow | None:
        item = self.list.currentItem()
        row = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if row is None:
            self.message.emit("Choisissez d'abord un rendez-vous dans la liste de droite (Alt+R).")
        return row

    # -- actions --------------------------------------------------------------------------------------------------

    def check_in(self) -> None:
        """Entrée: the citizen is here; their ticket joins the agenda's queue (printed at this desk's printer)."""
        row = self.selected()
        if row is None:
            return
        if row.status is AppointmentStatus.CHECKED_IN:
            self.message.emit(f"Déjà arrivé : ticket {row.ticket_number or '—'}.")
            return

        def done(result) -> None:  # noqa: ANN001 - CheckInResult
            ticket = result.ticket
            when = f", appelé vers {hhmm(ticket.appointment_at)}" if ticket.appointment_at else ""
            self.message.emit(f"{row.code} arrivé : ticket {ticket.number} ({ticket.queue_name}{when}). {ticket.note}")
            if ticket.print_job_id is not None:
                self.flow.printed()
            self.refresh()

        self._worker.submit(self._services.appointments.check_in, agent_id=self._session.agent_id,
                            site_id=self._session.site_id, appointment_id=row.id, printer_key=self.flow.printer_key,
                            on_done=done, on_error=self._failed, owner=self)  # fmt: skip

    def move(self) -> None:
        row = self.selected()
        if row is not None:
            self.flow.open(moving=row, discreet=self.discreet, on_done=lambda _r: self.refresh())

    def cancel(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = CancelDialog(row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def run(d: CancelDialog) -> None:
            def done(result) -> None:  # noqa: ANN001 - BookingResult
                d.done_ok()
                self.flow.after(result)
                self.refresh()

            self._worker.submit(self._services.appointments.cancel, agent_id=self._session.agent_id,
                                site_id=self._session.site_id, appointment_id=row.id, reason=d.reason.text(),
                                on_done=done, on_error=d.failed, owner=d)  # fmt: skip

        dialog.run = run
        self.cancel_dialog = dialog
        dialog.open()

    def letter(self) -> None:
        row = self.selected()
        if row is not None:
            self.flow.print_letter(row)

    def new_appointment(self, citizen: CitizenSummary | None = None, channel: Channel = Channel.PHONE) -> None:
        agenda = self.current_agenda()
        self.flow.open(citizen=citizen, channel=channel, agenda_id=agenda.id if agenda and agenda.bookable_here
                       else None, discreet=self.discreet, on_done=lambda _r: self.refresh())  # fmt: skip

    def _book_slot(self, kind_id: uuid.UUID | None, slot: Slot) -> None:
        agenda = self.current_agenda()
        if agenda is None or not agenda.bookable_here:
            self.message.emit(f"Les rendez-vous « {agenda.name if agenda else ''} » sont donnés par "
                              f"{agenda.site_name if agenda else 'un autre site'} ({agenda.site_phone if agenda else ''}).")  # fmt: skip
            return
        citizen = getattr(self, "_citizen", None) if self.list_mode == "citizen" else None
        self.flow.open(citizen=citizen, agenda_id=agenda.id, kind_id=kind_id, start_at=slot.start,
                       discreet=self.discreet, on_done=lambda _r: self.refresh())  # fmt: skip

    # -- the desk's keys ----------------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def set_discreet(self, on: bool) -> None:
        self.discreet = on
        self.grid.discreet = on
        self.search.hide_suggestions()
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self._timer.start()

    def hideEvent(self, event) -> None:  # noqa: ANN001, N802
        super().hideEvent(event)
        self._timer.stop()  # the board is polled only while it is looked at
