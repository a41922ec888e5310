"""The answer to the citizen, inside a request: written from the theme's model, sent on their channel.

Sending is two steps: ``AnswerService.answer`` records the text, marks the request « Répondue » and queues
one dispatch (database worker); the dispatcher then sends it (network worker: an e-mail may wait seconds on
the server). What was sent, when and how stays in the dispatches table; a failed one says why in red and is
sent again with Ctrl+Maj+E. The text typed is never overwritten by a reload, and is kept as a draft when
the agent leaves the request.
"""

from __future__ import annotations

import uuid
from datetime import date
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import DispatchStatus, PreferredChannel
from guichet.services import Services
from guichet.services.answers import CHANNEL_NAMES, AnswerRoute
from guichet.services.auth import AgentSession
from guichet.services.clock import PARIS, local_day, now
from guichet.services.errors import ValidationError
from guichet.services.letter_templates import DEFAULT_TEMPLATES, fill_template, french_date
from guichet.services.reference import ReferenceData
from guichet.services.requests_types import DispatchRow, Letterhead, RequestDetail
from guichet.ui.common.messages import error_text
from guichet.ui.common.style import set_error
from guichet.ui.requests.common import GREEN, GREY, ORANGE, RED, fill_table, find_data, make_table
from guichet.ui.worker import Worker

_DISPATCH_COLOURS = {DispatchStatus.FAILED: RED, DispatchStatus.PENDING: ORANGE, DispatchStatus.SENT: GREEN}


def template_code(theme_id: uuid.UUID, reference: ReferenceData) -> str:
    """The model answers are kept per theme of the taxonomy (the parent of a sub-theme)."""
    themes = {t.id: t for t in reference.themes}
    theme = themes.get(theme_id)
    if theme is None:
        return ""
    parent = themes.get(theme.parent_id) if theme.parent_id else None
    return (parent or theme).code.split(".")[0]


def answer_template(
    detail: RequestDetail, *, services_reference: ReferenceData | None, agent_name: str,
    letterhead: Letterhead | None, today: date | None = None,
) -> str:  # fmt: skip
    """The theme's model answer with this request's values; what is unknown stays as {name} to complete
    (used when the letters module is not there: RequestLetters.suggested_answer does the same)."""
    row = detail.row
    citizen = detail.citizen
    today = today or local_day(now())
    code = detail.theme_code or (template_code(row.theme_id, services_reference) if services_reference else "")
    _title, body = DEFAULT_TEMPLATES.get(code) or DEFAULT_TEMPLATES[""]
    first_last = ""
    if citizen is not None:
        first_last = citizen.formal_name.removeprefix("Madame ").removeprefix("Monsieur ")
    values = {
        "civilite_nom": citizen.civility_name if citizen else "",
        "citoyen": first_last,
        "reference": row.reference,
        "date_demande": french_date(row.received_on),
        "date_reception": french_date(row.received_on),
        "date_limite": french_date(row.due_on),
        "service": row.service_name,
        "telephone_service": detail.service_phone,
        "courriel_service": detail.service_email or (letterhead.email if letterhead else ""),
        "objet": row.subject,
        "agent": agent_name,
        "commune": detail.commune_name,
        "date_du_jour": french_date(today),
    }
    try:
        return fill_template(body, values, keep_missing=True)
    except ValidationError:
        return ""


class AnswerPanel(QWidget):
    """The editor and its channel (this widget), and the dispatches table (``dispatch_page``, shown by the
    detail among the request's files)."""

    say = Signal(str, bool)  # a message for the request's status line: text, ok
    changed = Signal()  # the request changed (answered, sent): reload it, lists are stale

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData, *,
        dispatcher=None, net_worker: Worker | None = None, parent: QWidget | None = None,  # noqa: ANN001
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._services = services
        self._session = session
        self._ref = reference
        self._dispatcher = dispatcher
        self._net_worker = net_worker
        self.data: RequestDetail | None = None
        self.route: AnswerRoute | None = None
        self.letterhead: Letterhead | None = None
        self.suggestion = ""  # the theme's model answer for this request, filled
        self._loaded_text = ""  # the answer as last put in the editor (to tell a changed draft)
        self.sending: set[uuid.UUID] = set()
        self.confirm_box: QMessageBox | None = None

        self.discreet = False  # the desk's discreet mode: the answer and the citizen's address are hidden
        self.veil = QLabel("<i>Réponse masquée en mode discret — Ctrl+Maj+M pour l'afficher.</i>")
        self.veil.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.veil.hide()
        self.route_label = QLabel()
        self.route_label.setWordWrap(True)
        self.channel = QComboBox()
        self.editor = QPlainTextEdit()
        self.editor.setTabChangesFocus(True)
        self.editor.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.editor.setPlaceholderText("La réponse au citoyen : le corps de la lettre, du courriel ou du SMS.")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.template_button = QPushButton("Modèle du thème")
        self.template_button.setToolTip("Remet dans l'éditeur la réponse type du thème, remplie pour cette demande")
        self.template_button.clicked.connect(self.use_template)
        self.draft_button = QPushButton("Brouillon (Ctrl+S)")
        self.draft_button.setToolTip("Garde la réponse en cours d'écriture, sans l'envoyer")
        self.draft_button.clicked.connect(self.save_draft)
        self.send_button = QPushButton("Envoyer (Ctrl+Entrée)")
        self.send_button.setToolTip("Enregistre la réponse, passe la demande à « Répondue » et l'envoie au citoyen")
        self.send_button.setObjectName("primary")
        self.send_button.clicked.connect(self.send_answer)
        for button in (self.template_button, self.draft_button, self.send_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            send = QShortcut(QKeySequence(key), self.editor, activated=self.send_answer)
            send.setContext(Qt.ShortcutContext.WidgetShortcut)
        channel_row = QHBoxLayout()
        channel_caption = QLabel("Envoyer par :")
        channel_caption.setBuddy(self.channel)
        channel_row.addWidget(channel_caption)
        channel_row.addWidget(self.channel, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.template_button)
        buttons.addStretch(1)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addWidget(self.route_label)
        layout.addLayout(channel_row)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.veil, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        # What was sent: shown by the detail with the request's letters and files.
        self.dispatches = make_table(["Créé le", "Canal", "Adresse", "État"], (104, 76, 120, 230), 2)
        self.dispatches.activated.connect(lambda _i: self.resend_selected())
        self.resend_button = QPushButton("Renvoyer (Ctrl+Maj+E)")
        self.resend_button.setToolTip("Envoie à nouveau l'envoi choisi, ou le premier qui n'est pas parti")
        self.resend_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.resend_button.clicked.connect(self.resend_selected)
        self.dispatch_page = QWidget()
        dispatch_layout = QVBoxLayout(self.dispatch_page)
        dispatch_layout.setContentsMargins(0, 4, 0, 0)
        dispatch_layout.addWidget(self.dispatches, 1)
        dispatch_layout.addWidget(self.resend_button, 0, Qt.AlignmentFlag.AlignRight)

    # -- showing a request -----------------------------------------------------------------------

    def clear(self) -> None:
        """Another request: its own answer (the previous one's draft was kept by ``keep_draft``)."""
        self.data = None
        self.suggestion = ""
        self._loaded_text = ""
        self.editor.clear()
        self.message.clear()

    def show_request(
        self, detail: RequestDetail, route: AnswerRoute | None, letterhead: Letterhead | None, suggestion: str
    ) -> None:
        keep_typed = self.data is not None and self.data.row.id == detail.row.id
        self.data, self.route, self.letterhead = detail, route, letterhead
        if detail.row.status.is_open and suggestion:
            self.suggestion = suggestion
        self._show_route(detail)
        typed = self.editor.toPlainText()
        if not (keep_typed and typed != self._loaded_text):  # what the agent is writing is never overwritten
            text = detail.answer_text or (self.template() if detail.row.status.is_open else "")
            self.editor.setPlainText(text)
            self._loaded_text = text if detail.answer_text else ""
        self.show_dispatches(detail)

    def set_discreet(self, on: bool) -> None:
        """Discreet mode: the answer being written and where it goes are not shown (they name the citizen)."""
        self.discreet = on
        self.editor.setVisible(not on)
        self.channel.setVisible(not on)
        self.veil.setVisible(on)
        if self.data is not None:
            self._show_route(self.data)

    def update_request(self, detail: RequestDetail) -> None:
        """The request after an action (state, comment…): same route, the editor untouched."""
        self.show_request(detail, self.route, self.letterhead, "")

    def _show_route(self, detail: RequestDetail) -> None:
        route = self.route
        is_open = detail.row.status.is_open
        self.channel.clear()
        if route is not None:
            for channel, address in route.available.items():
                self.channel.addItem(f"{channel.label} — {address}", channel)
            if route.channel is not None:
                self.channel.setCurrentIndex(max(0, find_data(self.channel, route.channel)))
                where = "" if self.discreet else f" à <b>{escape(route.address)}</b>"
                self.route_label.setText(f"Partira par <b>{CHANNEL_NAMES[route.channel]}</b>{where} — {route.reason}.")
            else:
                self.route_label.setText(f"<span style='color:#b71c1c'><b>La réponse ne peut pas partir :</b> "
                                         f"{route.reason}</span>")  # fmt: skip
        if not is_open:
            status = detail.row.status.label.lower()
            self.route_label.setText(f"Demande « {status} » : la réponse ci-dessous est celle qui est partie.")
        self.editor.setReadOnly(not is_open)
        self.channel.setEnabled(is_open and self.channel.count() > 0)
        for button in (self.template_button, self.draft_button, self.send_button):
            button.setEnabled(is_open)

    def show_dispatches(self, detail: RequestDetail) -> None:
        rows, colours = [], []
        for d in detail.dispatches:
            state = "Envoi en cours…" if d.id in self.sending else d.status.label
            if d.status is DispatchStatus.SENT and d.sent_at is not None:
                state = f"Envoyé le {d.sent_at.astimezone(PARIS):%d/%m à %H:%M}"
            elif d.status is DispatchStatus.FAILED and d.last_error and d.id not in self.sending:
                state = f"Échec : {d.last_error}"
            if d.attempts > 1:
                state += f" ({d.attempts} essais)"
            rows.append([f"{d.created_at.astimezone(PARIS):%d/%m %H:%M}", d.channel.label, d.address, state])
            colours.append(GREY if d.id in self.sending else _DISPATCH_COLOURS.get(d.status))
        fill_table(self.dispatches, rows, colours)
        self.resend_button.setEnabled(any(d.status is not DispatchStatus.SENT for d in detail.dispatches))

    def template(self) -> str:
        if self.data is None:
            return ""
        if self.suggestion:
            return self.suggestion
        return answer_template(self.data, services_reference=self._ref, agent_name=self._session.display_name,
                               letterhead=self.letterhead)  # fmt: skip

    # -- the draft -------------------------------------------------------------------------------

    def use_template(self) -> None:
        if self.data is not None:
            self.editor.setPlainText(self.template())
            self.editor.setFocus()

    def save_draft(self) -> None:
        """Ctrl+S: keep the answer being written, without sending it."""
        if self.data is None or not self.data.row.status.is_open:
            return
        text = self.editor.toPlainText()
        self._worker.submit(
            self._services.requests.save_answer, request_id=self.data.row.id, agent_id=self._session.agent_id,
            site_id=self._session.site_id, text_=text, on_done=lambda d, t=text: self._draft_saved(d, t),
            on_error=self._failed, owner=self,
        )  # fmt: skip

    def _draft_saved(self, detail: RequestDetail, text: str) -> None:
        self._loaded_text = text
        self.data = detail
        self._note("Brouillon enregistré : il sera repris à la prochaine ouverture.", ok=True)

    def keep_draft(self) -> None:
        """Leaving the request: the answer being written is saved as a draft, not lost."""
        if self.data is None or not self.data.row.status.is_open:
            return
        text = self.editor.toPlainText()
        if text.strip() and text != self._loaded_text and text != self.template():
            reference = self.data.row.reference
            self._worker.submit(
                self._services.requests.save_answer, request_id=self.data.row.id, agent_id=self._session.agent_id,
                site_id=self._session.site_id, text_=text,
                on_done=lambda _d: self.say.emit(f"Brouillon de réponse de {reference} enregistré.", True),
                on_error=lambda e: self.say.emit(error_text(e), False),
            )  # fmt: skip
            self._loaded_text = text

    # -- sending ---------------------------------------------------------------------------------

    def send_answer(self) -> None:
        """Ctrl+Entrée: confirm the channel and address, then record the answer and send it."""
        if self.data is None or not self.data.row.status.is_open:
            return
        set_error(self.editor, False)
        if not self.editor.toPlainText().strip():
            set_error(self.editor, True)
            self._note("Écrivez la réponse avant de l'envoyer.", ok=False)
            return
        channel = self.channel.currentData()
        if channel is None:
            self._note(self.route.reason if self.route else "Aucun canal d'envoi.", ok=False)
            return
        channel = PreferredChannel(channel)
        address = self.route.available.get(channel, "") if self.route else ""
        box = QMessageBox(QMessageBox.Icon.Question, "Envoyer la réponse",
                          f"Envoyer la réponse par {CHANNEL_NAMES[channel]} à {address} ?\n\n"
                          "La demande passera à l'état « Répondue ».", parent=self)  # fmt: skip
        send = box.addButton("Envoyer (Entrée)", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Annuler (Échap)", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(send)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda clicked: self._record(channel) if clicked is send else None)
        box.finished.connect(lambda _result: self._box_closed())
        self.confirm_box = box
        box.open()

    def _box_closed(self) -> None:
        self.window().activateWindow()  # the keys come back to the request
        self.editor.setFocus()

    def _record(self, channel: PreferredChannel) -> None:
        assert self.data is not None
        self.send_button.setEnabled(False)
        self._note("Enregistrement de la réponse…", ok=True)
        self._worker.submit(
            self._services.answers.answer, request_id=self.data.row.id, agent_id=self._session.agent_id,
            site_id=self._session.site_id, answer_text=self.editor.toPlainText(), channel=channel,
            on_done=self._answered, on_error=self._failed, owner=self,
        )  # fmt: skip

    def _answered(self, dispatch: DispatchRow) -> None:
        self._loaded_text = self.editor.toPlainText()
        self._note("Réponse enregistrée : la demande est « Répondue ».", ok=True)
        self.deliver(dispatch)
        self.changed.emit()

    def _failed(self, error: BaseException) -> None:
        # The text stays in the editor whatever happened.
        self.send_button.setEnabled(bool(self.data and self.data.row.status.is_open))
        if isinstance(error, ValidationError) and "answer" in error.errors:
            set_error(self.editor, True)
            self.editor.setFocus()
        if isinstance(error, ValidationError) and "channel" in error.errors:
            set_error(self.channel, True)
        self._note(error_text(error), ok=False)

    def deliver(self, dispatch: DispatchRow) -> None:
        """Send (or send again) on the network worker: an e-mail or SMS may take seconds, the desk goes on."""
        if self._dispatcher is None or self._net_worker is None:
            self.say.emit("Réponse enregistrée ; l'envoi attend : aucun expéditeur n'est réglé sur ce poste.", False)
            return
        if dispatch.id in self.sending:
            return
        self.sending.add(dispatch.id)
        self.say.emit(f"Envoi par {CHANNEL_NAMES[dispatch.channel]} en cours…", True)
        self._net_worker.submit(
            self._dispatcher.deliver, dispatch_id=dispatch.id, agent_id=self._session.agent_id,
            on_done=self._delivered, on_error=lambda e, d=dispatch.id: self._delivery_failed(d, e), owner=self,
        )  # fmt: skip
        if self.data is not None:
            self.show_dispatches(self.data)

    def _delivered(self, row: DispatchRow) -> None:
        self.sending.discard(row.id)
        if row.status is DispatchStatus.SENT:
            text = {
                PreferredChannel.POST: "Lettre de réponse éditée : imprimez-la (Ctrl+D) et postez-la.",
                PreferredChannel.EMAIL: f"Réponse envoyée par courriel à {row.address}.",
                PreferredChannel.SMS: f"Réponse envoyée par SMS au {row.address}.",
            }.get(row.channel, "Réponse envoyée.")
            self.say.emit(text, True)
        else:
            reason = row.last_error or "raison inconnue"
            self.say.emit(f"L'envoi a échoué : {reason} — Ctrl+Maj+E pour le refaire.", False)
        self.changed.emit()

    def _delivery_failed(self, dispatch_id: uuid.UUID, error: BaseException) -> None:
        self.sending.discard(dispatch_id)
        self.say.emit(f"L'envoi a échoué : {error_text(error)}", False)
        self.changed.emit()

    def resend_selected(self) -> bool:
        """Ctrl+Maj+E: the dispatch chosen in the table, or the first one not sent. False if there is none."""
        if self.data is None:
            return False
        rows = self.dispatches.selectionModel().selectedRows()
        waiting = [d for d in self.data.dispatches if d.status is not DispatchStatus.SENT]
        dispatch = self.data.dispatches[rows[0].row()] if rows else None
        if dispatch is None or (dispatch.status is DispatchStatus.SENT and waiting):
            dispatch = waiting[0] if waiting else None
        if dispatch is None:
            self.say.emit("Aucun envoi à refaire pour cette demande.", True)
            return False
        if dispatch.status is DispatchStatus.SENT:
            self.say.emit("Cet envoi est déjà parti.", True)
            return False
        self.deliver(dispatch)
        return True

    def _note(self, text: str, *, ok: bool) -> None:
        colour = "#1b5e20" if ok else "#b71c1c"
        self.message.setText(f"<span style='color:{colour}; font-weight:bold'>{text}</span>")
