"""The detail of a request: who asked what, its whole history, its letters and files, and the answer.

Keys: Ctrl+E change the state (only the states allowed next) · Ctrl+R reassign · Ctrl+M comment ·
Ctrl+T write the answer (prefilled from the theme's model answer) · Ctrl+S keep the draft · Ctrl+Entrée in
the answer sends it · Ctrl+Maj+E sends a failed (or waiting) dispatch again · Ctrl+D documents (print, open
or save the acknowledgement, the answer letter, the phone confirmation) · Ctrl+K moves the deadline
(supervisors) · Ctrl+Maj+C every request of this citizen · Entrée on a file opens it · Échap back to the
list (the draft is kept).
"""

from __future__ import annotations

import uuid
from html import escape

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import Channel, DispatchStatus, MailDirection, Role
from guichet.services import Services
from guichet.services.answers import AnswerRoute
from guichet.services.auth import AgentSession
from guichet.services.clock import PARIS, local_day, now
from guichet.services.reference import ReferenceData
from guichet.services.requests_types import Letterhead, RequestDetail
from guichet.services.validation import format_phone
from guichet.ui.common.messages import error_text
from guichet.ui.common.pdf_actions import PdfAction, deliver_pdf, open_document
from guichet.ui.desk.privacy import initials_of
from guichet.ui.requests.actions import ActionDialog, CommentDialog, DeadlineDialog, ReassignDialog, StateDialog
from guichet.ui.requests.answer import AnswerPanel, answer_template
from guichet.ui.requests.common import RED, deadline, fill_table, make_table, status_chip_style
from guichet.ui.worker import Worker

# kind -> (menu title, document title, method of RequestLetters)
DOCUMENTS = {
    "accuse": ("&Accusé de réception", "Accusé de réception", "acknowledgement"),
    "reponse": ("Lettre de &réponse", "Réponse", "answer"),
    "telephone": ("Confirmation d'une demande &téléphonique", "Confirmation écrite", "phone_confirmation"),
}


def fetch_detail(
    *,
    services: Services,
    letters,
    request_id: uuid.UUID,
    agent_name: str,  # noqa: ANN001 - RequestLetters or None
) -> tuple[RequestDetail, AnswerRoute, Letterhead, str]:
    """Everything the detail shows, read on the worker thread; with the theme's model answer, filled."""
    detail = services.requests.get(request_id=request_id)
    route = services.answers.route(request_id=request_id)
    head = services.letterheads.get(commune_id=detail.commune_id)
    if letters is not None and detail.row.status.is_open:
        suggestion = letters.suggested_answer(detail=detail, letterhead=head, agent_name=agent_name)
    else:
        suggestion = answer_template(detail, services_reference=None, agent_name=agent_name, letterhead=head)
    return detail, route, head, suggestion


def _local(at) -> str:  # noqa: ANN001
    return f"{at.astimezone(PARIS):%d/%m/%Y %H:%M}" if at else ""


class RequestDetailView(QWidget):
    back = Signal()
    show_citizen = Signal(object, str)  # citizen id, name
    message = Signal(str)  # a line for the status bar
    changed = Signal()  # the request changed: lists and counts are stale

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData, *,
        letters=None, dispatcher=None, net_worker: Worker | None = None, parent: QWidget | None = None,  # noqa: ANN001
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._services = services
        self._session = session
        self._ref = reference
        self._letters = letters
        self.data: RequestDetail | None = None
        self.discreet = False  # the desk's discreet mode (Ctrl+Maj+M)
        self._request_id: uuid.UUID | None = None
        self.dialog: ActionDialog | None = None
        self.document_dialog: QWidget | None = None
        self.answer = AnswerPanel(worker, services, session, reference, dispatcher=dispatcher, net_worker=net_worker)
        self.answer.say.connect(lambda text, ok: self._say(text, ok=ok))
        self.answer.changed.connect(self._answer_changed)

        # -- header
        self.title = QLabel("Demande")
        self.title.setObjectName("bigTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_chip = QLabel()
        self.status_chip.setObjectName("statusChip")
        self.deadline_label = QLabel()
        self.subject = QLabel()
        self.subject.setWordWrap(True)
        self.subject.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setObjectName("hint")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.status_chip)
        top.addSpacing(12)
        top.addWidget(self.deadline_label)
        top.addStretch(1)

        # -- left: the citizen, the request, its letters, files and dispatches
        self.citizen_box = QGroupBox("Citoyen")
        self.citizen_label = QLabel()
        self.citizen_label.setWordWrap(True)
        self.citizen_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.citizen_button = QPushButton("Toutes ses demandes (Ctrl+Maj+C)")
        self.citizen_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.citizen_button.clicked.connect(self.citizen_requests)
        box = QVBoxLayout(self.citizen_box)
        box.addWidget(self.citizen_label)
        box.addWidget(self.citizen_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.description = QPlainTextEdit()
        self.description.setReadOnly(True)
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(90)
        self.mails = make_table(["Chrono", "Date", "Sens", "Objet", "Scan"], (206, 92, 74, 120, 48), 3)
        self.attachments = make_table(["Fichier", "Type", "Taille", "Rattaché à"], (170, 56, 70, 206), 0)
        self.attachments.activated.connect(lambda _i: self.open_attachment())
        self.files_tabs = QTabWidget()
        self.files_tabs.addTab(self.mails, "Courriers")
        self.files_tabs.addTab(self.attachments, "Pièces jointes")
        self.files_tabs.addTab(self.answer.dispatch_page, "Envois")
        description_label = QLabel("Description")
        description_label.setObjectName("section")
        left_widget = QWidget()
        left = QVBoxLayout(left_widget)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.citizen_box)
        left.addWidget(description_label)
        left.addWidget(self.description)
        left.addWidget(self.files_tabs, 1)

        # -- right: the history, and the answer
        self.timeline = make_table(["Date", "Agent", "Événement"], (150, 140, 400), 2)
        self.timeline.setWordWrap(True)
        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(self.timeline, "Historique")
        self.right_tabs.addTab(self.answer, "Réponse au citoyen")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_widget)
        splitter.addWidget(self.right_tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([540, 810])
        for tabs in (self.files_tabs, self.right_tabs):
            tabs.tabBar().setUsesScrollButtons(False)
            tabs.tabBar().setElideMode(Qt.TextElideMode.ElideNone)

        # -- actions: each has its key, written on its button
        self.state_button = QPushButton("Changer l'état (Ctrl+E)")
        self.reassign_button = QPushButton("Réaffecter (Ctrl+R)")
        self.comment_button = QPushButton("Commenter (Ctrl+M)")
        self.answer_button = QPushButton("Répondre (Ctrl+T)")
        self.documents_button = QPushButton("Documents (Ctrl+D)")
        self.deadline_button = QPushButton("Échéance (Ctrl+K)")
        self.back_button = QPushButton("Retour à la liste (Échap)")
        self.documents_menu = QMenu(self)
        for kind, (menu_title, _title, _method) in DOCUMENTS.items():
            sub = self.documents_menu.addMenu(menu_title)
            for action in PdfAction:
                sub.addAction(action.label).triggered.connect(
                    lambda _=False, k=kind, a=action: self.make_document(k, a)
                )
        self.phone_menu = self.documents_menu.actions()[2]
        actions = QHBoxLayout()
        for button, key, slot in (
            (self.state_button, "Ctrl+E", self.change_state),
            (self.reassign_button, "Ctrl+R", self.reassign),
            (self.comment_button, "Ctrl+M", self.comment),
            (self.answer_button, "Ctrl+T", self.write_answer),
            (self.documents_button, "Ctrl+D", self.show_documents),
            (self.deadline_button, "Ctrl+K", self.move_deadline),
            (self.back_button, "Escape", self.leave),
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            QShortcut(QKeySequence(key), self, activated=slot)
            actions.addWidget(button)
        actions.insertStretch(6, 1)
        self.deadline_button.setVisible(session.role in (Role.SUPERVISOR, Role.ADMIN))
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.answer.save_draft)
        QShortcut(QKeySequence("Ctrl+Shift+C"), self, activated=self.citizen_requests)
        QShortcut(QKeySequence("Ctrl+Shift+E"), self, activated=self.resend)
        self.status = QLabel()
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.subject)
        layout.addWidget(self.facts)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        self.setTabOrder(self.timeline, self.description)
        self.setTabOrder(self.description, self.files_tabs)

    # -- loading ---------------------------------------------------------------------------------

    def load(self, request_id: uuid.UUID) -> None:
        if self._request_id != request_id:
            self.answer.keep_draft()
            self.answer.clear()
            self.status.clear()
            self.right_tabs.setCurrentIndex(0)
        self._request_id = request_id
        self.reload()

    def reload(self) -> None:
        if self._request_id is None:
            return
        self._worker.submit(
            fetch_detail, services=self._services, letters=self._letters, request_id=self._request_id,
            agent_name=self._session.display_name, on_done=self._loaded, on_error=self._failed, owner=self,
        )  # fmt: skip

    def _loaded(self, loaded: tuple[RequestDetail, AnswerRoute, Letterhead, str]) -> None:
        detail, route, letterhead, suggestion = loaded
        if detail.row.id == self._request_id:
            self.show_detail(detail)
            self.answer.show_request(detail, route, letterhead, suggestion)

    def show_detail(self, detail: RequestDetail) -> None:
        first = self.data is None or self.data.row.id != detail.row.id
        self.data = detail
        row = detail.row
        self.title.setText(row.reference)
        self.status_chip.setText(row.status.label)
        self.status_chip.setStyleSheet(status_chip_style(row.status))
        text, colour = deadline(row, local_day(now()))
        colour_css = f"color: {colour.name()}; font-weight: bold;" if colour is not None else ""
        self.deadline_label.setText(f"<span style='{colour_css}'>Échéance : {text}</span>")
        self.subject.setText(row.subject)
        assignee = f" · Agent : {row.assignee_name}" if row.assignee_name else " · Aucun agent désigné"
        self.facts.setText(
            f"Reçue le {row.received_on:%d/%m/%Y} ({row.channel.label.lower()}) · Thème : {row.theme_label} · "
            f"Service : {row.service_name}{assignee} · Ouverte par {detail.opened_by_name} ({detail.site_name})"
        )
        self._show_citizen(detail)
        self.description.setPlainText(detail.description or "(pas de description)")
        self._show_history(detail)
        self._show_files(detail)
        is_open = row.status.is_open
        self.state_button.setEnabled(bool(detail.allowed))
        self.reassign_button.setEnabled(is_open)
        self.answer_button.setEnabled(is_open or bool(detail.answer_text))
        self.deadline_button.setEnabled(is_open)
        self.phone_menu.setEnabled(row.channel is Channel.PHONE)
        if first:
            self.timeline.setFocus()

    def set_discreet(self, on: bool) -> None:
        """Discreet mode: the citizen as initials, without address, phone or e-mail."""
        self.discreet = on
        self.answer.set_discreet(on)
        if self.data is not None:
            self._show_citizen(self.data)

    def _show_citizen(self, detail: RequestDetail) -> None:
        c = detail.citizen
        if c is None:
            self.citizen_label.setText("<i>Aucun citoyen</i>")
            self.citizen_button.setEnabled(False)
            return
        preferred = c.preferred_channel.label if c.preferred_channel else "non précisé"
        if self.discreet:
            self.citizen_label.setText(f"<b>{escape(initials_of(c.display_name))}</b><br><i>Mode discret</i>")
            self.citizen_button.setEnabled(True)
            return
        lines = [f"<b>{escape(c.formal_name or c.display_name)}</b>", *map(escape, c.address_lines)]
        reach = " · ".join(escape(p) for p in (format_phone(c.phone) if c.phone else "", c.email) if p)
        lines.append(reach or "<i>ni téléphone ni courriel</i>")
        lines.append(f"Canal préféré : {preferred}")
        self.citizen_label.setText("<br>".join(lines))
        self.citizen_button.setEnabled(True)

    def _show_history(self, detail: RequestDetail) -> None:
        fill_table(self.timeline, [[_local(e.at), e.agent_name, e.summary] for e in detail.events])
        self.timeline.resizeRowsToContents()
        if detail.events:
            self.timeline.selectRow(len(detail.events) - 1)
            self.timeline.scrollToBottom()
        self.right_tabs.setTabText(0, f"Historique ({len(detail.events)})")

    def _show_files(self, detail: RequestDetail) -> None:
        fill_table(
            self.mails,
            [
                [m.chrono, f"{m.mail_date:%d/%m/%Y}", "Arrivée" if m.direction is MailDirection.INCOMING else "Départ",
                 m.subject, "oui" if m.attachment_count else ""]
                for m in detail.mails
            ],
        )  # fmt: skip
        chronos = {m.id: m.chrono for m in detail.mails}
        fill_table(
            self.attachments,
            [
                [a.file_name, a.mime_type.split("/")[-1].upper(), f"{max(1, a.size // 1024)} Ko",
                 chronos.get(a.mail_item_id, "un courrier") if a.mail_item_id else "La demande"]
                for a in detail.attachments
            ],
        )  # fmt: skip
        failed = sum(d.status is DispatchStatus.FAILED for d in detail.dispatches)
        self.files_tabs.setTabText(0, f"Courriers ({len(detail.mails)})")
        self.files_tabs.setTabText(1, f"Pièces jointes ({len(detail.attachments)})")
        title = f"Envois ({len(detail.dispatches)})"
        self.files_tabs.setTabText(2, title + (f" — {failed} en échec" if failed else ""))
        self.files_tabs.tabBar().setTabTextColor(2, RED if failed else self.palette().text().color())

    def _answer_changed(self) -> None:
        self.changed.emit()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self._say(error_text(error), ok=False)

    # -- actions ---------------------------------------------------------------------------------

    def leave(self) -> None:
        """Échap: back to the list; a draft being written is kept first."""
        self.answer.keep_draft()
        self.back.emit()

    def citizen_requests(self) -> None:
        if self.data is not None and self.data.citizen is not None:
            self.answer.keep_draft()
            self.show_citizen.emit(self.data.citizen.id, self.data.citizen.display_name)

    def change_state(self) -> None:
        if self.data is None or not self.data.allowed:
            self._say("Cette demande est close : son état ne change plus.", ok=False)
            return
        dialog = StateDialog(self.data, self)

        def run(d: StateDialog) -> None:
            self._call(d, self._services.requests.change_status, to=d.target, comment=d.comment.text())

        self._open_dialog(dialog, run, "État changé.")

    def reassign(self) -> None:
        if self.data is None or not self.data.row.status.is_open:
            self._say("Une demande répondue ou close ne peut plus être réaffectée.", ok=False)
            return
        dialog = ReassignDialog(self.data, self._ref, self)

        def run(d: ReassignDialog) -> None:
            self._call(d, self._services.requests.reassign, service_id=d.service_id, assignee_id=d.assignee_id,
                       comment=d.comment.text())  # fmt: skip

        self._open_dialog(dialog, run, "Demande réaffectée.")

    def comment(self) -> None:
        if self.data is None:
            return
        dialog = CommentDialog(self.data, self)

        def run(d: CommentDialog) -> None:
            self._call(d, self._services.requests.add_comment, comment=d.comment.text())

        self._open_dialog(dialog, run, "Commentaire ajouté à l'historique.")

    def move_deadline(self) -> None:
        if self.data is None or self._session.role is Role.AGENT or not self.data.row.status.is_open:
            return
        dialog = DeadlineDialog(self.data, self)

        def run(d: DeadlineDialog) -> None:
            self._call(d, self._services.requests.change_deadline, due_on=d.due_on, comment=d.comment.text())

        self._open_dialog(dialog, run, "Échéance modifiée.")

    def _open_dialog(self, dialog: ActionDialog, run, done_message: str) -> None:  # noqa: ANN001
        dialog.run = run
        dialog.setProperty("done_message", done_message)
        focus = QApplication.focusWidget()
        back_to = focus if focus is not None and self.isAncestorOf(focus) else self.timeline
        dialog.finished.connect(lambda _result: self._dialog_closed(back_to))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, back_to: QWidget) -> None:
        self.window().activateWindow()  # the keys come back to the request
        back_to.setFocus()

    def _call(self, dialog: ActionDialog, fn, **kwargs) -> None:  # noqa: ANN001, ANN003
        assert self.data is not None
        message = dialog.property("done_message")

        def done(detail: RequestDetail) -> None:
            dialog.done_ok()
            self.show_detail(detail)
            self.answer.update_request(detail)
            self._say(f"{detail.row.reference} : {message}", ok=True)
            self.changed.emit()

        self._worker.submit(
            fn, request_id=self.data.row.id, agent_id=self._session.agent_id, site_id=self._session.site_id,
            on_done=done, on_error=dialog.failed, owner=dialog, **kwargs,
        )  # fmt: skip

    def write_answer(self) -> None:
        """Ctrl+T: the answer tab, the cursor in the text."""
        self.right_tabs.setCurrentWidget(self.answer)
        self.answer.editor.setFocus()

    def resend(self) -> None:
        """Ctrl+Maj+E: a failed (or waiting) dispatch sent again; the dispatches are shown."""
        if self.answer.resend_selected():
            self.files_tabs.setCurrentWidget(self.answer.dispatch_page)

    # -- documents -------------------------------------------------------------------------------

    def show_documents(self) -> None:
        above = QPoint(0, -self.documents_menu.sizeHint().height())
        self.documents_menu.popup(self.documents_button.mapToGlobal(above))

    def make_document(self, kind: str, action: PdfAction) -> None:
        """Make the PDF on the worker (a few tens of ms), then print, open or save it."""
        if self.data is None:
            return
        if self._letters is None:
            self._say("Les courriers PDF ne sont pas disponibles sur ce poste.", ok=False)
            return
        _menu, title, method = DOCUMENTS[kind]
        kwargs = {"request_id": self.data.row.id}
        if kind == "reponse":
            kwargs["text"] = self.answer.editor.toPlainText().strip() or None
        reference = self.data.row.reference
        self._worker.submit(
            getattr(self._letters, method),
            on_done=lambda data: self._document_ready(data, action, f"{title} {reference}"),
            on_error=self._failed, owner=self, **kwargs,
        )  # fmt: skip

    def _document_ready(self, data: bytes, action: PdfAction, title: str) -> None:
        self.document_dialog = deliver_pdf(
            self, action, data, title=title, file_name=f"{title}.pdf", on_done=lambda m: self._say(m, ok=True)
        )

    def open_attachment(self) -> None:
        if self.data is None:
            return
        rows = self.attachments.selectionModel().selectedRows()
        if not rows:
            return
        info = self.data.attachments[rows[0].row()]
        self._worker.submit(
            self._services.mail.read_attachment, attachment_id=info.id,
            on_done=lambda loaded: self._opened(*open_document(loaded[1], loaded[0].file_name)),
            on_error=self._failed, owner=self,
        )  # fmt: skip

    def _opened(self, path, opened: bool) -> None:  # noqa: ANN001
        self._say(f"{path.name} ouvert." if opened else f"Aucune visionneuse n'a pu l'ouvrir ; il est ici : {path}",
                  ok=opened)  # fmt: skip

    # -- messages --------------------------------------------------------------------------------

    def _say(self, text: str, *, ok: bool) -> None:
        colour = "#1b5e20" if ok else "#b71c1c"
        self.status.setText(f"<span style='color:{colour}; font-weight:bold'>{text}</span>")
        self.message.emit(text)

    def hideEvent(self, event) -> None:  # noqa: ANN001, N802
        super().hideEvent(event)
        self.answer.keep_draft()
