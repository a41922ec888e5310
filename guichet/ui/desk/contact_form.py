"""The contact form: log a visit, a call, a letter, an e-mail or an SMS from the keyboard alone.

Keys: F1–F6 choose the channel; the citizen and the theme are found by typing (arrows + Entrée);
the outcome is picked by its number (1–5); Entrée saves (Ctrl+Entrée from the notes);
Échap clears; Ctrl+N creates a citizen.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import Channel, Outcome
from guichet.hub.client import ContactKeptError
from guichet.services.auth import AgentSession
from guichet.services.citizens import CitizenService, CitizenSummary
from guichet.services.clock import PARIS, now
from guichet.services.contacts import ContactInput, ContactRow, ContactService
from guichet.services.errors import ValidationError
from guichet.services.queue_types import TicketInfo
from guichet.services.reference import ReferenceData
from guichet.ui.common.messages import error_text
from guichet.ui.common.search_field import SearchField
from guichet.ui.common.style import combo_enum, set_error
from guichet.ui.desk.citizen_dialog import CitizenDialog
from guichet.ui.desk.privacy import discreet_citizen, discreet_line
from guichet.ui.worker import Worker

CHANNEL_KEYS = {
    Channel.IN_PERSON: "F1",
    Channel.PHONE: "F2",
    Channel.MAIL: "F3",
    Channel.EMAIL: "F4",
    Channel.SMS: "F5",
    Channel.WEB: "F6",
}
_ORIENT_SERVICE = (Outcome.ORIENTED_SERVICE, Outcome.REQUEST_OPENED)


class ContactForm(QGroupBox):
    saved = Signal(object)  # ContactRow
    kept = Signal(object)  # a contact's id: kept on this PC while the site's hub is away (guichet.hub.outbox)
    citizen_shown = Signal(object)  # CitizenSummary: a record opened on screen (the audit log notes it)
    theme_changed = Signal(object)  # the theme's id, or None: the answer sheets beside the form follow it

    def __init__(
        self,
        worker: Worker,
        contacts: ContactService,
        citizens: CitizenService,
        session: AgentSession,
        reference: ReferenceData,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Nouveau contact", parent)
        self._worker = worker
        self._contacts = contacts
        self._citizens = citizens
        self._session = session
        self._ref = reference
        self._themes = {t.id: t for t in reference.themes}
        self._citizen: CitizenSummary | None = None
        self._editing: ContactRow | None = None
        self.ticket: TicketInfo | None = None
        self._started_at: datetime | None = None
        self._saving = False
        self.citizen_dialog: CitizenDialog | None = None
        self.discreet = False  # Ctrl+Maj+M: the citizen as initials while a visitor stands at the counter
        self.sheet_id: uuid.UUID | None = None  # the answer sheet used (set by the sheets panel, Alt+U)

        # Channel: one key each.
        self.ticket_chip = QLabel()
        self.ticket_chip.setObjectName("chip")
        self.ticket_chip.hide()
        self.channel_label = QLabel("Canal :")
        self.channel_group = QButtonGroup(self)
        self.channel_group.setExclusive(True)
        channels = QHBoxLayout()
        self.channel_buttons: dict[Channel, QPushButton] = {}
        for channel in Channel:
            button = QPushButton(f"{CHANNEL_KEYS[channel]}  {channel.label}")
            button.setCheckable(True)
            button.setProperty("channel", True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # reached by F-keys, not by Tab
            button.clicked.connect(lambda _=False, c=channel: self.set_channel(c))
            self.channel_group.addButton(button)
            self.channel_buttons[channel] = button
            channels.addWidget(button)
            shortcut = QShortcut(QKeySequence(CHANNEL_KEYS[channel]), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda c=channel: self.set_channel(c, focus=True))
        channels.addStretch(1)

        # Citizen: found as you type, or anonymous.
        self.citizen_search = SearchField()
        self.citizen_search.setPlaceholderText("Nom, prénom, téléphone ou courriel… (vide : contact anonyme)")
        self.citizen_search.set_remote(self._ask_citizens)
        self.citizen_search.picked.connect(self._citizen_picked)
        self.citizen_search.cleared.connect(self._citizen_cleared)
        self.citizen_chip = QLabel()
        self.citizen_chip.setObjectName("chip")
        self.citizen_chip.hide()
        self.new_citizen_button = QPushButton("Nouveau citoyen (Ctrl+N)")
        self.new_citizen_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_citizen_button.clicked.connect(self.create_citizen)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.create_citizen)
        citizen_row = QHBoxLayout()
        citizen_row.addWidget(self.citizen_search, 1)
        citizen_row.addWidget(self.new_citizen_button)
        citizen_box = QVBoxLayout()
        citizen_box.setSpacing(4)
        citizen_box.addLayout(citizen_row)
        citizen_box.addWidget(self.citizen_chip)

        # Theme: picked by typing any part of its name.
        self.theme = SearchField()
        self.theme.setPlaceholderText("Tapez une partie du thème : cantine, passeport, graffitis…")
        self.theme.set_items([(t.full_label, t.id) for t in reference.themes], [t.search_key for t in reference.themes])
        self.theme.picked.connect(self._theme_picked)
        self.theme.cleared.connect(self._theme_cleared)

        self.subject = QLineEdit()
        self.subject.setMaxLength(200)
        self.subject.setPlaceholderText("Objet en quelques mots")
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(48)
        self.notes.setMaximumHeight(80)
        self.notes.setPlaceholderText("Notes (facultatif) — Ctrl+Entrée pour enregistrer")

        self.outcome = QComboBox()
        for i, o in enumerate(Outcome, start=1):
            self.outcome.addItem(f"{i} · {o.label}", o)
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        self.orientation = SearchField()
        self.orientation_label = QLabel("Orien&tation :")
        self.orientation_label.setBuddy(self.orientation)

        self.duration = QLabel("Durée : —")
        self.duration.setObjectName("hint")
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._show_duration)
        self._tick.start()

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton("Enregistrer (Entrée)")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton("Effacer (Échap)")
        self.clear_button.clicked.connect(self.reset)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.save)
        esc = QShortcut(QKeySequence("Escape"), self, activated=self._escape)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(self.channel_label, channels)
        form.addRow("", self.ticket_chip)
        citizen_label = QLabel("&Citoyen :")
        citizen_label.setBuddy(self.citizen_search)
        form.addRow(citizen_label, citizen_box)
        theme_label = QLabel("T&hème :")
        theme_label.setBuddy(self.theme)
        form.addRow(theme_label, self.theme)
        subject_label = QLabel("&Objet :")
        subject_label.setBuddy(self.subject)
        form.addRow(subject_label, self.subject)
        notes_label = QLabel("No&tes :")
        notes_label.setBuddy(self.notes)
        form.addRow(notes_label, self.notes)
        outcome_label = QLabel("&Suite donnée :")
        outcome_label.setBuddy(self.outcome)
        form.addRow(outcome_label, self.outcome)
        form.addRow(self.orientation_label, self.orientation)
        buttons = QHBoxLayout()
        buttons.addWidget(self.duration)
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addLayout(buttons)

        self.setTabOrder(self.citizen_search, self.theme)
        self.setTabOrder(self.theme, self.subject)
        self.setTabOrder(self.subject, self.notes)
        self.setTabOrder(self.notes, self.outcome)
        self.setTabOrder(self.outcome, self.orientation)
        self.setTabOrder(self.orientation, self.save_button)
        for w in (self.citizen_search, self.theme, self.subject, self.notes, self.outcome, self.orientation):
            w.installEventFilter(self)
        self._error_widgets = {
            "citizen": self.citizen_search,
            "theme": self.theme,
            "subject": self.subject,
            "outcome": self.outcome,
            "orientation": self.orientation,
        }
        self.set_channel(Channel.PHONE)
        self._outcome_changed()

    # -- public API ------------------------------------------------------------------------------

    @property
    def channel(self) -> Channel | None:
        for channel, button in self.channel_buttons.items():
            if button.isChecked():
                return channel
        return None

    def set_channel(self, channel: Channel, focus: bool = False) -> None:
        self.channel_buttons[channel].setChecked(True)
        self._arm()
        if focus:
            self.citizen_search.setFocus()

    def set_theme(self, theme_id: uuid.UUID) -> None:
        theme = self._themes.get(theme_id)
        if theme is not None:
            self.theme.set_value(theme.full_label, theme.id)
            self._theme_picked(theme.id)

    def attach_ticket(self, ticket: TicketInfo) -> None:
        """The visitor of a called ticket: accueil physique, the queue's theme, the ticket linked to the contact."""
        if self._editing is not None:
            self.reset()
        if self.ticket is not None and self.ticket.id != ticket.id:
            self.reset()  # what was typed for the previous visitor does not belong to this one
        self.ticket = ticket
        self.ticket_chip.setText(f"Visite du ticket <b>{ticket.number}</b> · {ticket.queue_name}")
        self.ticket_chip.show()
        self.setTitle(f"Contact — ticket {ticket.number}")
        self.set_channel(Channel.IN_PERSON)
        if self.theme.value is None and ticket.theme_id is not None:
            self.set_theme(ticket.theme_id)

    def set_citizen(self, citizen: CitizenSummary | None) -> None:
        shown = self._citizen
        self._citizen = citizen
        if citizen is None:
            self.citizen_chip.hide()
            self.citizen_chip.clear()
            return
        if self.discreet:
            self.citizen_chip.setText(f"<b>{discreet_citizen(citizen)}</b>  (mode discret)")
            self.citizen_search.set_value(discreet_citizen(citizen), citizen)
        else:
            details = " · ".join(p for p in (citizen.phone_display, citizen.email, citizen.full_address) if p)
            self.citizen_chip.setText(f"<b>{citizen.display_name}</b>  {details}")
            self.citizen_search.set_value(citizen.display_name, citizen)
        self.citizen_chip.show()
        set_error(self.citizen_search, False)
        if shown is None or shown.id != citizen.id:
            self.citizen_shown.emit(citizen)

    def set_discreet(self, on: bool) -> None:
        """Show the citizen (and the suggestions) as initials, or in full again."""
        self.discreet = on
        self.citizen_search.hide_suggestions()
        if self._citizen is not None:
            self.set_citizen(self._citizen)

    def load(self, row: ContactRow) -> None:
        """Put a contact of today back in the form to correct it."""
        self.reset()
        self._editing = row
        self.setTitle(f"Modifier le contact de {row.started_at.astimezone(PARIS):%H:%M}")
        self.set_channel(row.channel)
        if row.citizen_id is not None:
            self._worker.submit(self._citizens.get, citizen_id=row.citizen_id, on_done=self.set_citizen)
        self.set_theme(row.theme_id)
        self.sheet_id = row.sheet_id
        self.subject.setText(row.subject)
        self.notes.setPlainText(row.notes)
        self.outcome.setCurrentIndex(self.outcome.findData(row.outcome))
        self._outcome_changed()
        target = row.oriented_service_id or row.oriented_body_id
        if target is not None:
            self.orientation.set_value(row.orientation_label, target)
        self._started_at = row.started_at
        self.message.clear()
        self.citizen_search.setFocus()

    def reset(self) -> None:
        """Empty the form for the next contact; the channel stays (a phone desk takes call after call)."""
        self._editing = None
        self.setTitle("Nouveau contact")
        self.citizen_search.clear_value()
        self.set_citizen(None)
        self.theme.clear_value()
        self._theme_cleared()
        self.subject.clear()
        self.notes.clear()
        self.outcome.setCurrentIndex(0)
        self._outcome_changed()
        self._started_at = None
        self.ticket = None
        self.ticket_chip.hide()
        self._show_duration()
        for w in self._error_widgets.values():
            set_error(w, False)

    def collect(self) -> ContactInput:
        outcome = combo_enum(self.outcome, Outcome)
        target = self.orientation.value
        return ContactInput(
            channel=self.channel,
            theme_id=self.theme.value,
            outcome=outcome,
            citizen_id=self._citizen.id if self._citizen else None,
            subject=self.subject.text(),
            notes=self.notes.toPlainText(),
            oriented_service_id=target if outcome in _ORIENT_SERVICE else None,
            oriented_body_id=target if outcome is Outcome.ORIENTED_EXTERNAL else None,
            started_at=self._started_at if self._editing else None,
            duration_s=self._elapsed(),
            ticket_id=self.ticket.id if self.ticket else (self._editing.ticket_id if self._editing else None),
            sheet_id=self.sheet_id,
        )

    def save(self) -> None:
        if self._saving:
            return
        data = self.collect()
        self._saving = True
        self.save_button.setEnabled(False)
        self._set_message("Enregistrement…", ok=True)
        if self._editing is not None:
            self._worker.submit(
                self._contacts.update, contact_id=self._editing.id, agent_id=self._session.agent_id, data=data,
                on_done=self._saved, on_error=self._failed,
            )  # fmt: skip
        else:
            self._worker.submit(
                self._contacts.log, agent_id=self._session.agent_id, site_id=self._session.site_id, data=data,
                on_done=self._saved, on_error=self._failed,
            )  # fmt: skip

    def create_citizen(self) -> None:
        """Open the new-citizen dialog (window-modal, no nested event loop); its result fills the form."""
        dialog = CitizenDialog(
            self._worker, self._citizens, typed=self.citizen_search.text() if self._citizen is None else "",
            city=self._session.commune_name, parent=self, agent_id=self._session.agent_id,
            site_id=self._session.site_id, discreet=self.discreet,
        )  # fmt: skip
        dialog.accepted.connect(lambda: self._citizen_created(dialog.created))
        dialog.finished.connect(dialog.deleteLater)
        self.citizen_dialog = dialog
        dialog.open()

    def _citizen_created(self, citizen: CitizenSummary | None) -> None:
        if citizen is not None:
            self._arm()
            self.set_citizen(citizen)
            self.window().activateWindow()
            self.theme.setFocus()

    # -- reactions -------------------------------------------------------------------------------

    def _ask_citizens(self, text: str) -> None:
        self._worker.submit(
            self._citizens.search,
            query=text,
            limit=12,
            on_done=lambda found, t=text: self.citizen_search.show_suggestions(
                [(discreet_line(c) if self.discreet else self._citizen_line(c), c) for c in found], for_text=t
            ),
            owner=self,
        )

    @staticmethod
    def _citizen_line(c: CitizenSummary) -> str:
        return "  ·  ".join(p for p in (c.display_name, c.phone_display, c.email, c.full_address) if p)

    def _citizen_picked(self, citizen: CitizenSummary) -> None:
        self._arm()
        self.set_citizen(citizen)
        self.theme.setFocus()

    def _citizen_cleared(self) -> None:
        self.set_citizen(None)

    @property
    def citizen(self) -> CitizenSummary | None:
        return self._citizen

    def set_orientation(self, outcome: Outcome, target_id: uuid.UUID, label: str) -> None:
        """Orient the contact (a directory entry chosen beside the form): its outcome, then its service or body."""
        self._arm()
        self.outcome.setCurrentIndex(self.outcome.findData(outcome))
        self._outcome_changed()
        self.orientation.set_value(label, target_id)
        set_error(self.orientation, False)

    def _theme_picked(self, theme_id: uuid.UUID) -> None:
        self._arm()
        set_error(self.theme, False)
        self.sheet_id = None  # a sheet of the previous theme is not this contact's
        self.theme_changed.emit(theme_id)
        self._prefill_orientation()
        if self.theme.hasFocus():
            self.subject.setFocus()

    def _theme_cleared(self) -> None:
        self.sheet_id = None
        self.theme_changed.emit(None)

    def _outcome_changed(self) -> None:
        outcome = combo_enum(self.outcome, Outcome)
        if outcome in _ORIENT_SERVICE:
            self.orientation.set_items([(s.name, s.id) for s in self._ref.services])
            self.orientation.setPlaceholderText("Service municipal concerné")
            self.orientation.setEnabled(True)
            self.orientation.clear_value()
            self._prefill_orientation()
        elif outcome is Outcome.ORIENTED_EXTERNAL:
            self.orientation.set_items(
                [(b.name, b.id) for b in self._ref.external_bodies],
                [f"{b.name} {b.handles}" for b in self._ref.external_bodies],
            )
            self.orientation.setPlaceholderText("Organisme : CAF, CPAM, France Travail, préfecture…")
            self.orientation.setEnabled(True)
            self.orientation.clear_value()
        else:
            self.orientation.clear_value()
            self.orientation.setPlaceholderText("Sans objet pour cette suite")
            self.orientation.setEnabled(False)

    def _prefill_orientation(self) -> None:
        theme = self._themes.get(self.theme.value) if self.theme.value else None
        if combo_enum(self.outcome, Outcome) in _ORIENT_SERVICE and theme and theme.default_service_id:
            service = next((s for s in self._ref.services if s.id == theme.default_service_id), None)
            if service is not None and self.orientation.value is None:
                self.orientation.set_value(service.name, service.id)

    def _saved(self, row: ContactRow) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        verb = "modifié" if self._editing else "enregistré"
        self.reset()
        self._set_message(
            f"Contact {verb} à {row.started_at.astimezone(PARIS):%H:%M} — {row.channel.label}, {row.theme_label}.",
            ok=True,
        )
        self.saved.emit(row)
        self.citizen_search.setFocus()

    def _failed(self, error: BaseException) -> None:
        # Everything typed stays in place; the fields at fault are marked and the first one gets the focus.
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, ContactKeptError):  # the site's hub is away: kept on this PC, delivered on its return
            self.reset()
            self._set_message(error.message, ok=True)
            self.kept.emit(error.contact_id)
            self.citizen_search.setFocus()
            return
        self._set_message(error_text(error), ok=False)
        if isinstance(error, ValidationError):
            first = None
            for field, widget in self._error_widgets.items():
                on = field in error.errors
                set_error(widget, on)
                if on and first is None:
                    first = widget
            if first is not None:
                first.setFocus()

    def _escape(self) -> None:
        for field in (self.citizen_search, self.theme, self.orientation):
            if field.suggestions_visible():
                field.hide_suggestions()
                return
        self.reset()
        self.message.clear()
        self.citizen_search.setFocus()

    def _set_message(self, text: str, *, ok: bool) -> None:
        self.message.setObjectName("ok" if ok else "error")
        self.message.setText(text)
        set_error(self.message, False)  # re-polish for the new object name

    # -- duration --------------------------------------------------------------------------------

    def _arm(self) -> None:
        if self._started_at is None:
            self._started_at = now()

    def _elapsed(self) -> int:
        if self._started_at is None:
            return 0
        if self._editing is not None:
            return self._editing.duration_s
        return max(0, int((now() - self._started_at).total_seconds()))

    def _show_duration(self) -> None:
        seconds = self._elapsed()
        self.duration.setText(f"Durée : {seconds // 60} min {seconds % 60:02d} s" if self._started_at else "Durée : —")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(obj, SearchField) and obj.suggestions_visible():
                return False  # the field picks its suggestion
            if obj is self.notes and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                return False  # a new line in the notes
            if obj is self.outcome and self.outcome.view().isVisible():
                return False
            self.save()
            return True
        if event.type() == QEvent.Type.KeyPress and obj in (self.subject, self.citizen_search, self.theme):
            self._arm()
        return super().eventFilter(obj, event)
