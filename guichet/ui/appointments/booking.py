"""Booking an appointment from the desk, during a call or a visit: the next free slots, one key books.

The dialog (window-modal, opened with ``open()``): the citizen (given by the contact form, or found as you
type), the agenda and the kind, « à partir du » a day; the next nine free slots are listed, numbered 1 to 9.
A digit books that slot, Entrée the one selected; Ctrl+→ shows the next ones. The confirmation goes by the
channel chosen (the citizen's preferred one by default). A refusal (the slot was just taken) keeps the dialog
and shows the slots again. :class:`BookingFlow` does what follows a booking: the e-mail or SMS is sent on the
network thread, the printed receipt is sent to the printer, the letter opens in the print dialog.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import Channel, ConfirmationChannel, DispatchStatus
from guichet.services import Services
from guichet.services.appointment_rules import day_text, default_confirmation, hour_text, is_mobile, when_text
from guichet.services.appointment_types import AgendaInfo, AppointmentRow, BookingResult, KindInfo, Slot
from guichet.services.auth import AgentSession
from guichet.services.citizens import CitizenSummary
from guichet.services.clock import PARIS, local_day, now
from guichet.ui.common.dates import parse_day
from guichet.ui.common.messages import error_text
from guichet.ui.common.search_field import SearchField
from guichet.ui.desk.privacy import discreet_citizen, discreet_line
from guichet.ui.requests.common import find_data
from guichet.ui.worker import Worker

PROPOSED = 9

STYLE = """
QLabel#bookedCode { font-size: 26pt; font-weight: bold; color: #0b4f8a; letter-spacing: 4px; }
QLabel#bookedBanner { background: #e8f5e9; border: 1px solid #81c784; border-radius: 6px; padding: 8px 12px;
                      font-size: 13pt; font-weight: bold; color: #1b5e20; }
QLabel#error { color: #b71c1c; font-weight: bold; }
QLabel#hint { color: #57606a; }
QLabel#section { font-weight: bold; color: #0b4f8a; }
QListWidget#slots { font-size: 12pt; }
QListWidget#slots::item { padding: 4px 6px; }
QListWidget#slots::item:selected { background: #0b63b6; color: #ffffff; }
"""


def slot_text(n: int, slot: Slot) -> str:
    """ "3   mardi 10 mars à 9 h 15 — 2 places libres"."""
    local = slot.start.astimezone(PARIS)
    day = day_text(local.date()).rsplit(" ", 1)[0]  # without the year
    places = f" — {slot.free} places libres" if slot.free > 1 else ""
    return f"{n}   {day} à {hour_text(slot.start)}{places}"


class SlotList(QListWidget):
    """The proposed slots; a digit 1–9 books that slot at once."""

    digit = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        text = event.text()
        if text.isdigit() and text != "0" and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.digit.emit(int(text))
            return
        super().keyPressEvent(event)


class BookingDialog(QDialog):
    """Book (or, with ``moving``, move) an appointment. ``booked`` carries the BookingResult."""

    booked = Signal(object)

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, *, citizen: CitizenSummary | None = None,
        channel: Channel = Channel.PHONE, moving: AppointmentRow | None = None, agenda_id: uuid.UUID | None = None,
        kind_id: uuid.UUID | None = None, start_at: datetime | None = None, printer_key: str | None = None,
        discreet: bool = False, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Déplacer le rendez-vous" if moving else "Prendre un rendez-vous")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(720)
        self._worker = worker
        self._services = services
        self._session = session
        self._channel = channel
        self.moving = moving
        self._printer_key = printer_key
        self._discreet = discreet
        self.citizen: CitizenSummary | None = citizen
        self.agendas: list[AgendaInfo] = []
        self.slots: list[Slot] = []
        self.result_: BookingResult | None = None
        self._busy = False
        self._wanted_agenda = moving.agenda_id if moving else agenda_id
        self._wanted_kind = moving.kind_id if moving else kind_id
        self._start_at = start_at  # a slot chosen on the grid: proposed first

        self.citizen_search = SearchField()
        self.citizen_search.setPlaceholderText("Nom, prénom, téléphone ou courriel du citoyen…")
        self.citizen_search.set_remote(self._ask_citizens)
        self.citizen_search.picked.connect(self.set_citizen)
        self.citizen_chip = QLabel()
        self.citizen_chip.setObjectName("chip")
        self.agenda = QComboBox()
        self.agenda.currentIndexChanged.connect(self._agenda_changed)
        self.kind = QComboBox()
        self.kind.currentIndexChanged.connect(lambda _i: self.propose())
        self.from_day = QLineEdit()
        self.from_day.setPlaceholderText("aujourd'hui, ou 22/11…")
        self.from_day.setMaximumWidth(160)
        self.from_day.returnPressed.connect(self.propose)
        self.later_button = QPushButton("Suivants (Ctrl+→)")
        self.later_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.later_button.clicked.connect(self.later)
        QShortcut(QKeySequence("Ctrl+Right"), self, activated=self.later)
        day_row = QHBoxLayout()
        day_row.addWidget(self.from_day)
        day_row.addWidget(self.later_button)
        day_row.addStretch(1)
        self.slot_list = SlotList()
        self.slot_list.setObjectName("slots")
        self.slot_list.digit.connect(self.book_number)
        self.slot_list.itemActivated.connect(lambda _item: self.book_selected())
        self.slot_list.setMinimumHeight(250)
        self.confirmation = QComboBox()
        self.form = QFormLayout()
        citizen_label = QLabel("&Citoyen :")
        citizen_label.setBuddy(self.citizen_search)
        citizen_box = QVBoxLayout()
        citizen_box.addWidget(self.citizen_search)
        citizen_box.addWidget(self.citizen_chip)
        self.form.addRow(citizen_label, citizen_box)
        for text, widget in (("A&genda :", self.agenda), ("&Type :", self.kind), ("À &partir du :", day_row),
                             ("C&onfirmation :", self.confirmation)):  # fmt: skip
            label = QLabel(text)
            if isinstance(widget, QWidget):
                label.setBuddy(widget)
            else:
                label.setBuddy(self.from_day)
            self.form.addRow(label, widget)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        hint = QLabel("1 … 9 : prendre ce créneau · Entrée : le créneau choisi · Ctrl+→ : créneaux suivants · "
                      "Échap : fermer")  # fmt: skip
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.hint = hint
        # What shows once booked: the code, large, and how the confirmation goes.
        self.done_banner = QLabel()
        self.done_banner.setObjectName("bookedBanner")
        self.done_banner.setWordWrap(True)
        self.done_code = QLabel()
        self.done_code.setObjectName("bookedCode")
        self.done_code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.close_button = QPushButton("Fermer (Entrée)")
        self.close_button.clicked.connect(self.accept)
        for w in (self.done_banner, self.done_code, self.close_button):
            w.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        slots_label = QLabel("Prochains créneaux libres :")
        slots_label.setObjectName("section")
        layout.addWidget(slots_label)
        layout.addWidget(self.slot_list, 1)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addWidget(self.done_banner)
        layout.addWidget(self.done_code)
        layout.addWidget(self.close_button)
        self._fill_confirmations()
        if citizen is not None or moving is not None:
            self.citizen_search.hide()
            self._show_citizen()
        else:
            self.citizen_chip.hide()
        self._worker.submit(self._services.appointments.agendas, site_id=session.site_id, everywhere=False,
                            on_done=self._agendas_loaded, on_error=self._failed, owner=self)  # fmt: skip

    # -- citizen ----------------------------------------------------------------------------------------------

    def _ask_citizens(self, text: str) -> None:
        def show(found: list[CitizenSummary], t: str = text) -> None:
            line = discreet_line if self._discreet else (lambda c: "  ·  ".join(
                p for p in (c.display_name, c.phone_display, c.email) if p))  # fmt: skip
            self.citizen_search.show_suggestions([(line(c), c) for c in found], for_text=t)

        self._worker.submit(self._services.citizens.search, query=text, limit=10, on_done=show, owner=self)

    def set_citizen(self, citizen: CitizenSummary) -> None:
        self.citizen = citizen
        self._show_citizen()
        self._fill_confirmations()
        self.slot_list.setFocus()

    def _show_citizen(self) -> None:
        if self.moving is not None:
            name = self.moving.citizen_name
            text = f"<b>{name}</b> — rendez-vous du {when_text(self.moving.starts_at)}, code {self.moving.code}"
            if self._discreet:
                text = f"Rendez-vous du {when_text(self.moving.starts_at)}, code {self.moving.code}"
        elif self.citizen is not None:
            shown = discreet_citizen(self.citizen) if self._discreet else self.citizen.display_name
            details = "" if self._discreet else " · ".join(p for p in (self.citizen.phone_display, self.citizen.email)
                                                           if p)  # fmt: skip
            text = f"<b>{shown}</b>  {details}"
        else:
            return
        self.citizen_chip.setText(text)
        self.citizen_chip.show()

    def _fill_confirmations(self) -> None:
        previous = self.confirmation.currentData()
        self.confirmation.clear()
        c = self.citizen
        options = []
        if self.moving is not None:
            options.append(("Comme la réservation", None))
        elif c is not None:
            usual = default_confirmation(c.preferred_channel, email=c.email, phone=c.phone,
                                         has_address=bool(c.address), at_desk=self._channel is Channel.IN_PERSON)  # fmt: skip
            if usual is ConfirmationChannel.RECEIPT and not self._printer_key:
                usual = ConfirmationChannel.LETTER if c.address else ConfirmationChannel.NONE
            options.append((f"Canal préféré du citoyen : {usual.label.lower()}", None))
        else:
            options.append(("Canal préféré du citoyen", None))
        if c is None or c.email:
            options.append((ConfirmationChannel.EMAIL.label + (f" ({c.email})" if c and c.email else ""),
                            ConfirmationChannel.EMAIL))  # fmt: skip
        if c is None or is_mobile(c.phone):
            options.append((ConfirmationChannel.SMS.label + (f" ({c.phone_display})" if c else ""),
                            ConfirmationChannel.SMS))  # fmt: skip
        if self._printer_key:
            options.append((ConfirmationChannel.RECEIPT.label, ConfirmationChannel.RECEIPT))
        options.append((ConfirmationChannel.LETTER.label, ConfirmationChannel.LETTER))
        options.append((ConfirmationChannel.NONE.label, ConfirmationChannel.NONE))
        for label, value in options:
            self.confirmation.addItem(label, value)
        self.confirmation.setCurrentIndex(max(0, find_data(self.confirmation, previous)))

    # -- agendas, kinds, slots -----------------------------------------------------------------------------------

    def _agendas_loaded(self, agendas: list[AgendaInfo]) -> None:
        self.agendas = [a for a in agendas if a.kinds]
        self.agenda.blockSignals(True)
        for a in self.agendas:
            self.agenda.addItem(a.name, a.id)
        self.agenda.blockSignals(False)
        if not self.agendas:
            self.message.setText("Aucun agenda de rendez-vous n'est ouvert sur ce site.")
            return
        index = find_data(self.agenda, self._wanted_agenda) if self._wanted_agenda else 0
        self.agenda.setCurrentIndex(max(0, index))
        self._agenda_changed()
        if self.citizen is None and self.moving is None:
            self.citizen_search.setFocus()
        else:
            self.slot_list.setFocus()

    def current_agenda(self) -> AgendaInfo | None:
        agenda_id = self.agenda.currentData()
        return next((a for a in self.agendas if a.id == agenda_id), None)

    def current_kind(self) -> KindInfo | None:
        agenda = self.current_agenda()
        kind_id = self.kind.currentData()
        return next((k for k in agenda.kinds if k.id == kind_id), None) if agenda else None

    def _agenda_changed(self) -> None:
        agenda = self.current_agenda()
        self.kind.blockSignals(True)
        self.kind.clear()
        for k in agenda.kinds if agenda else ():
            self.kind.addItem(k.label, k.id)
        if self._wanted_kind is not None:
            self.kind.setCurrentIndex(max(0, find_data(self.kind, self._wanted_kind)))
        self.kind.blockSignals(False)
        self.propose()

    def propose(self, after: datetime | None = None) -> None:
        """Ask for the next free slots of the kind (from the day typed, or after ``after``)."""
        kind = self.current_kind()
        if kind is None:
            return
        typed = self.from_day.text().strip()
        if after is None and not typed and self._start_at is not None:
            after = self._start_at
        if after is None:
            day = parse_day(typed, local_day(now()), ahead=True) if typed else local_day(now())
            if day is None:
                self.message.setText("Date non comprise : tapez par exemple 22/11 ou 22/11/2026.")
                return
            after = datetime.combine(day, time(0), tzinfo=PARIS)
        self.message.clear()
        self._worker.submit(self._services.appointments.next_free_slots, kind_id=kind.id, after=after,
                            limit=PROPOSED, on_done=self._show_slots, on_error=self._failed, owner=self)  # fmt: skip

    def later(self) -> None:
        if self.slots:
            self.propose(after=self.slots[-1].start + timedelta(seconds=1))

    def _show_slots(self, slots: list[Slot]) -> None:
        self.slots = slots
        self.slot_list.clear()
        for n, slot in enumerate(slots, start=1):
            item = QListWidgetItem(slot_text(n, slot))
            item.setData(Qt.ItemDataRole.UserRole, slot)
            self.slot_list.addItem(item)
        if slots:
            self.slot_list.setCurrentRow(0)
        else:
            self.message.setText("Aucun créneau libre dans l'horizon de l'agenda pour ce type de rendez-vous.")

    # -- booking -------------------------------------------------------------------------------------------------

    def book_number(self, n: int) -> None:
        if 1 <= n <= len(self.slots):
            self.slot_list.setCurrentRow(n - 1)
            self.book(self.slots[n - 1])

    def book_selected(self) -> None:
        row = self.slot_list.currentRow()
        if 0 <= row < len(self.slots):
            self.book(self.slots[row])

    def book(self, slot: Slot) -> None:
        if self._busy or self.result_ is not None:
            return
        kind = self.current_kind()
        if kind is None:
            return
        if self.moving is None and self.citizen is None:
            self.message.setText("Choisissez d'abord le citoyen (tapez son nom).")
            self.citizen_search.setFocus()
            return
        self._busy = True
        self.message.clear()
        appointments = self._services.appointments
        chosen = self.confirmation.currentData()  # Qt hands enums back as plain strings
        common = dict(agent_id=self._session.agent_id, site_id=self._session.site_id, starts_at=slot.start,
                      confirmation=ConfirmationChannel(chosen) if chosen else None,
                      printer_key=self._printer_key)  # fmt: skip
        if self.moving is not None:
            self._worker.submit(appointments.move, appointment_id=self.moving.id, kind_id=kind.id, **common,
                                on_done=self._booked, on_error=self._refused, owner=self)  # fmt: skip
        else:
            self._worker.submit(appointments.book, kind_id=kind.id, citizen_id=self.citizen.id, channel=self._channel,
                                **common, on_done=self._booked, on_error=self._refused, owner=self)  # fmt: skip

    def _booked(self, result: BookingResult) -> None:
        self._busy = False
        self.result_ = result
        self.done_banner.setText(result.message)
        self.done_code.setText(f"Code : {result.appointment.code}")
        for w in (self.done_banner, self.done_code, self.close_button):
            w.show()
        self.hint.hide()
        self.slot_list.setEnabled(False)
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.booked.emit(result)

    def _refused(self, error: BaseException) -> None:
        self._busy = False
        self.message.setText(error_text(error))
        self.propose()  # the slots as they are now (the one chosen may just have gone)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.result_ is not None:
                self.accept()
                return
            if self.slot_list.hasFocus():
                self.book_selected()
                return
        super().keyPressEvent(event)


class BookingFlow:
    """What follows a booking, move or cancellation at a desk: the e-mail or SMS sent on the network thread,
    the printed receipt sent to the printer, the letter opened in the print dialog. ``say`` shows a line."""

    def __init__(
        self, parent: QWidget, worker: Worker, services: Services, session: AgentSession, *, say: Callable[[str], None],
        notifier=None, net_worker: Worker | None = None, printer_key: str | None = None,  # noqa: ANN001
        notify_printer: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        self._parent = parent
        self._worker = worker
        self._services = services
        self._session = session
        self._say = say
        self.notifier = notifier  # guichet.notify.appointments.AppointmentNotifier, or None
        self._net = net_worker
        self.printer_key = printer_key
        self._notify_printer = notify_printer
        self.dialog: BookingDialog | None = None
        self.print_dialog = None

    def open(
        self, *, citizen: CitizenSummary | None = None, channel: Channel = Channel.PHONE,
        moving: AppointmentRow | None = None, agenda_id: uuid.UUID | None = None, kind_id: uuid.UUID | None = None,
        start_at: datetime | None = None, discreet: bool = False,
        on_done: Callable[[BookingResult], None] | None = None,
    ) -> BookingDialog:  # fmt: skip
        dialog = BookingDialog(
            self._worker, self._services, self._session, citizen=citizen, channel=channel, moving=moving,
            agenda_id=agenda_id, kind_id=kind_id, start_at=start_at, printer_key=self.printer_key,
            discreet=discreet, parent=self._parent,
        )  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.booked.connect(self.after)
        if on_done is not None:
            dialog.booked.connect(on_done)
        self.dialog = dialog
        dialog.open()
        return dialog

    def after(self, result: BookingResult) -> None:
        self._say(result.message)
        if result.notice is not None:
            self.send(result.notice.id)
        if result.print_job_id is not None and self._notify_printer is not None:
            self._notify_printer()  # committed: print now rather than at the next poll
        if result.letter_due:
            self.print_letter(result.appointment)

    def printed(self) -> None:
        """A print job was committed (a check-in's ticket): print it now rather than at the next poll."""
        if self._notify_printer is not None:
            self._notify_printer()

    def send(self, notice_id: uuid.UUID) -> None:
        if self.notifier is None or self._net is None:
            self._say("Le message de confirmation attend : l'envoi n'est pas disponible sur ce poste.")
            return

        def done(row) -> None:  # noqa: ANN001 - NoticeRow
            if row.status is DispatchStatus.SENT:
                self._say(f"Confirmation envoyée ({row.channel.label.lower()} : {row.address}).")
            else:
                self._say(f"Confirmation non envoyée : {row.last_error}")

        self._net.submit(self.notifier.deliver, notice_id=notice_id, on_done=done,
                         on_error=lambda e: self._say(error_text(e)), owner=self._parent)  # fmt: skip

    def print_letter(self, row: AppointmentRow) -> None:
        """The letter (confirmation, or cancellation) of an appointment, through the print dialog."""
        if self.notifier is None:
            self._say("Les courriers PDF ne sont pas disponibles sur ce poste.")
            return
        letters = self.notifier.letters
        title = f"Rendez-vous {row.code}"

        def shown(data: bytes) -> None:
            from guichet.ui.common.pdf_actions import print_pdf

            self.print_dialog = print_pdf(self._parent, data, title, on_done=self._say)

        self._worker.submit(letters.letter, appointment_id=row.id, on_done=shown,
                            on_error=lambda e: self._say(error_text(e)), owner=self._parent)  # fmt: skip
