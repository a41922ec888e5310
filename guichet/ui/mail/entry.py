"""Quick entry of incoming mail: the morning's letters typed one after the other, each getting its chrono.

Keys: the date is typed « 22/11/2026 », « 22/11 » or « hier »; the type by its number (1 simple,
2 recommandé, 3 courriel, 4 fax, 5 dépôt); the sender is found by typing (citizens and organisations),
or written as is; Ctrl+N creates the citizen; 1/2/3 in *Suite* : register only, open a request, join a
request; Ctrl+O attaches the scan; Entrée registers. The date and the type stay for the next letter.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import MailType
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.citizens import CitizenSummary
from guichet.services.clock import local_day, now
from guichet.services.errors import NotFoundError, ValidationError
from guichet.services.reference import ExternalBodyInfo, ReferenceData
from guichet.services.requests_types import MailInput, MailRegistered
from guichet.text import fold
from guichet.ui.common.dates import DATE_HINT, long_day, parse_day
from guichet.ui.common.messages import error_text
from guichet.ui.common.numbered_combo import NumberedCombo
from guichet.ui.common.search_field import SearchField
from guichet.ui.common.style import combo_enum, set_error
from guichet.ui.desk.citizen_dialog import CitizenDialog
from guichet.ui.worker import Worker

REGISTER_ONLY, OPENS, JOINS = "enregistrer", "ouvre", "rejoint"
FOLLOW_UPS = ((REGISTER_ONLY, "Enregistrer seulement"), (OPENS, "Ouvre une demande"), (JOINS, "Rejoint une demande"))


def full_reference(typed: str, session: AgentSession, today: date) -> str:
    """« 123 » is this site's request 123 of this year; anything else is taken as a whole reference."""
    typed = typed.strip().upper()
    if typed.isdigit():
        return f"{session.commune_code}-{session.site_code}-{today.year}-{int(typed):06d}"
    return typed


def register_mail(
    *, services: Services, agent_id: uuid.UUID, site_id: uuid.UUID, data: MailInput, reference: str | None
) -> MailRegistered:
    """On the worker thread: find the request a letter joins, then register the letter (one transaction)."""
    if reference is not None:
        if not reference:
            raise ValidationError({"request": "Indiquez la référence de la demande que ce courrier rejoint."})
        try:
            data = replace(data, request_id=services.requests.find(reference=reference).row.id)
        except NotFoundError as exc:
            raise ValidationError({"request": exc.message}) from exc
    return services.mail.register_incoming(agent_id=agent_id, site_id=site_id, data=data)


class MailEntryForm(QGroupBox):
    registered = Signal(object)  # MailRegistered

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__("Courrier arrivé — saisie rapide", parent)
        self._worker = worker
        self._services = services
        self._session = session
        self._ref = reference
        self._themes = {t.id: t for t in reference.themes}
        self._saving = False
        self._scan_dir = ""
        self.last: MailRegistered | None = None
        self.citizen_dialog: CitizenDialog | None = None
        self.file_dialog: QFileDialog | None = None

        self.date = QLineEdit(f"{local_day(now()):%d/%m/%Y}")
        self.date.setMaximumWidth(130)
        self.date.setPlaceholderText("jj/mm/aaaa")
        self.date.setToolTip(DATE_HINT)
        self.date_hint = QLabel()
        self.date_hint.setObjectName("hint")
        self.date.textChanged.connect(self._show_date)
        self.mail_type = NumberedCombo()
        for mail_type in MailType:
            self.mail_type.add_numbered(mail_type.label, mail_type)
        self.mail_type.currentIndexChanged.connect(self._type_changed)
        self.registered_number = QLineEdit()
        self.registered_number.setPlaceholderText("N° de l'avis de réception")
        self.registered_number.setMaxLength(40)

        self.sender = SearchField()
        self.sender.setPlaceholderText("Citoyen ou organisme (tapez une partie du nom), ou le nom tel qu'écrit")
        self.sender.set_remote(self._ask_senders)
        self.sender.picked.connect(self._sender_picked)
        self.new_citizen_button = QPushButton("Nouveau citoyen (Ctrl+N)")
        self.new_citizen_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_citizen_button.clicked.connect(self.create_citizen)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.create_citizen)
        self.subject = QLineEdit()
        self.subject.setMaxLength(200)
        self.subject.setPlaceholderText("Objet du courrier en quelques mots")
        self.service = SearchField()
        self.service.setPlaceholderText("Service destinataire (facultatif)")
        self.service.set_items([(s.name, s.id) for s in reference.services])
        self.follow_up = NumberedCombo()
        for value, label in FOLLOW_UPS:
            self.follow_up.add_numbered(label, value)
        self.follow_up.currentIndexChanged.connect(self._follow_up_changed)
        self.theme = SearchField()
        self.theme.set_items([(t.full_label, t.id) for t in reference.themes], [t.search_key for t in reference.themes])
        self.theme.picked.connect(self._theme_picked)
        self.request_ref = QLineEdit()
        self.request_ref.setPlaceholderText("Référence (ou son numéro : 123)")
        self.scan = QLineEdit()
        self.scan.setReadOnly(True)
        self.scan.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scan.setPlaceholderText("Aucun scan joint")
        self.scan_path = ""
        self.scan_button = QPushButton("Joindre le scan… (Ctrl+O)")
        self.scan_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scan_button.clicked.connect(self.choose_scan)
        QShortcut(QKeySequence("Ctrl+O"), self, activated=self.choose_scan)
        self.save_button = QPushButton("Enregistrer le courrier (Entrée)")
        self.save_button.setObjectName("primary")
        self.save_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.save_button.clicked.connect(self.register)
        self.clear_button = QPushButton("Effacer (Échap)")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.reset)
        esc = QShortcut(QKeySequence("Escape"), self, activated=self._escape)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.banner = QLabel("Le chrono de chaque courrier s'affichera ici, en grand, pour le noter sur la lettre.")
        self.banner.setObjectName("hint")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)

        def label(text: str, buddy: QWidget) -> QLabel:
            caption = QLabel(text)
            caption.setBuddy(buddy)
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return caption

        first = QHBoxLayout()
        first.addWidget(self.date)
        first.addWidget(self.date_hint)
        first.addStretch(1)
        grid.addWidget(label("Reçu &le :", self.date), 0, 0)
        grid.addLayout(first, 0, 1)
        grid.addWidget(label("T&ype :", self.mail_type), 0, 2)
        grid.addWidget(self.mail_type, 0, 3)
        grid.addWidget(label("N° reco&mmandé :", self.registered_number), 0, 4)
        grid.addWidget(self.registered_number, 0, 5)
        sender_row = QHBoxLayout()
        sender_row.addWidget(self.sender, 1)
        sender_row.addWidget(self.new_citizen_button)
        grid.addWidget(label("E&xpéditeur :", self.sender), 1, 0)
        grid.addLayout(sender_row, 1, 1, 1, 5)
        grid.addWidget(label("&Objet :", self.subject), 2, 0)
        grid.addWidget(self.subject, 2, 1, 1, 3)
        grid.addWidget(label("Ser&vice :", self.service), 2, 4)
        grid.addWidget(self.service, 2, 5)
        grid.addWidget(label("&Suite :", self.follow_up), 3, 0)
        grid.addWidget(self.follow_up, 3, 1)
        grid.addWidget(label("T&hème :", self.theme), 3, 2)
        grid.addWidget(self.theme, 3, 3)
        grid.addWidget(label("Dema&nde :", self.request_ref), 3, 4)
        grid.addWidget(self.request_ref, 3, 5)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan, 1)
        scan_row.addWidget(self.scan_button)
        scan_row.addSpacing(16)
        scan_row.addWidget(self.clear_button)
        scan_row.addWidget(self.save_button)
        grid.addWidget(QLabel("Scan :"), 4, 0, Qt.AlignmentFlag.AlignRight)
        grid.addLayout(scan_row, 4, 1, 1, 5)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 3)
        grid.setColumnStretch(5, 3)
        outer = QVBoxLayout(self)
        outer.addLayout(grid)
        outer.addWidget(self.message)
        outer.addWidget(self.banner)

        order = (self.date, self.mail_type, self.registered_number, self.sender, self.subject, self.service,
                 self.follow_up, self.theme, self.request_ref)  # fmt: skip
        for a, b in zip(order, order[1:], strict=False):
            self.setTabOrder(a, b)
        for w in order:
            w.installEventFilter(self)
        self._error_widgets = {
            "mail_date": self.date,
            "received_on": self.date,
            "mail_type": self.mail_type,
            "channel": self.mail_type,
            "registered_number": self.registered_number,
            "correspondent": self.sender,
            "citizen": self.sender,
            "subject": self.subject,
            "service": self.service,
            "theme": self.theme,
            "request": self.request_ref,
            "attachment": self.scan,
        }
        self.message.hide()
        self._show_date()
        self._type_changed()
        self._follow_up_changed()

    # -- public API ------------------------------------------------------------------------------

    @property
    def day(self) -> date | None:
        return parse_day(self.date.text(), local_day(now()))

    @property
    def follow(self) -> str:
        return self.follow_up.currentData()

    def collect(self) -> MailInput:
        sender = self.sender.value
        mail_type = combo_enum(self.mail_type, MailType)
        return MailInput(
            mail_date=self.day,
            mail_type=mail_type,
            subject=self.subject.text(),
            citizen_id=sender.id if isinstance(sender, CitizenSummary) else None,
            body_id=sender.id if isinstance(sender, ExternalBodyInfo) else None,
            correspondent="" if sender is not None else self.sender.text(),
            registered_number=self.registered_number.text() if mail_type is MailType.REGISTERED else "",
            service_id=self.service.value,
            open_request=self.follow == OPENS,
            theme_id=self.theme.value if self.follow == OPENS else None,
            attachment_path=self.scan_path,
        )

    def register(self) -> None:
        """Entrée: register the letter; the chrono comes back and is shown big."""
        if self._saving:
            return
        for field in (self.sender, self.service, self.theme):
            if field.suggestions_visible():
                field.pick_current()
        for widget in set(self._error_widgets.values()):
            set_error(widget, False)
        self.message.hide()
        self._saving = True
        self.save_button.setEnabled(False)
        reference = None
        if self.follow == JOINS:
            reference = full_reference(self.request_ref.text(), self._session, local_day(now()))
        self._worker.submit(
            register_mail, services=self._services, agent_id=self._session.agent_id, site_id=self._session.site_id,
            data=self.collect(), reference=reference, on_done=self._registered, on_error=self._failed, owner=self,
        )  # fmt: skip

    def set_scan(self, path: str) -> None:
        self.scan_path = path
        self.scan.setText(Path(path).name if path else "")
        set_error(self.scan, False)
        if path:
            self._scan_dir = str(Path(path).parent)

    def choose_scan(self) -> None:
        """Ctrl+O: pick the scan (window-modal file dialog, no nested event loop)."""
        dialog = QFileDialog(self, "Joindre le scan du courrier", self._scan_dir,
                             "Scans (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;Tous les fichiers (*)")  # fmt: skip
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.set_scan)
        self.file_dialog = dialog
        dialog.open()

    def create_citizen(self) -> None:
        typed = self.sender.text() if self.sender.value is None else ""
        dialog = CitizenDialog(self._worker, self._services.citizens, typed=typed, city=self._session.commune_name,
                               parent=self)  # fmt: skip
        dialog.accepted.connect(lambda: self._citizen_created(dialog.created))
        dialog.finished.connect(dialog.deleteLater)
        self.citizen_dialog = dialog
        dialog.open()

    def reset(self) -> None:
        """Empty the form for the next letter; the date and the type stay (the morning's batch)."""
        self.sender.clear_value()
        self.registered_number.clear()
        self.subject.clear()
        self.service.clear_value()
        self.follow_up.setCurrentIndex(0)
        self.theme.clear_value()
        self.request_ref.clear()
        self.set_scan("")
        for widget in set(self._error_widgets.values()):
            set_error(widget, False)
        self.message.hide()
        self.focus_first()

    def focus_first(self) -> None:
        """Where the next letter starts: its recommandé number, else its sender."""
        if combo_enum(self.mail_type, MailType) is MailType.REGISTERED:
            self.registered_number.setFocus()
        else:
            self.sender.setFocus()

    # -- reactions -------------------------------------------------------------------------------

    def _registered(self, result: MailRegistered) -> None:
        self.date.setText(f"{result.mail.mail_date:%d/%m/%Y}")  # « hier » stays the day it meant
        self._saving = False
        self.save_button.setEnabled(True)
        self.last = result
        mail = result.mail
        lines = [f"Chrono <span style='font-size:18pt'>{mail.chrono}</span> — notez-le sur le courrier"]
        if result.request is not None and result.opened:
            lines.append(f"Demande <b>{result.request.reference}</b> ouverte ({result.request.service_name}) — "
                         "Ctrl+Maj+A : imprimer l'accusé de réception")  # fmt: skip
        elif result.request is not None:
            lines.append(f"Rattaché à la demande <b>{result.request.reference}</b>")
        self.banner.setObjectName("banner")
        self.banner.setText("<br>".join(lines))
        set_error(self.banner, False)
        self.reset()
        self.registered.emit(result)

    def _failed(self, error: BaseException) -> None:
        # Everything typed stays; the fields at fault are marked, the first one gets the focus.
        self._saving = False
        self.save_button.setEnabled(True)
        text = error_text(error)
        first = None
        if isinstance(error, ValidationError):
            errors = dict(error.errors)
            if "mail_date" in errors and self.date.text().strip() and self.day is None:
                errors["mail_date"] = f"Date « {self.date.text()} » illisible. {DATE_HINT}"
            text = "\n".join(dict.fromkeys(errors.values()))
            for field, widget in self._error_widgets.items():
                if field in errors:
                    set_error(widget, True)
            order = [self.date, self.mail_type, self.registered_number, self.sender, self.subject, self.service,
                     self.theme, self.request_ref, self.scan]  # fmt: skip
            marked = {w for f, w in self._error_widgets.items() if f in errors}
            first = next((w for w in order if w in marked), None)
        self.message.setText(text)
        self.message.show()
        if first is not None and first is not self.scan:
            first.setFocus()

    def _show_date(self) -> None:
        day = self.day
        if day is None:
            self.date_hint.setText("<span style='color:#b71c1c'>date illisible</span>")
        else:
            self.date_hint.setText(long_day(day))
            set_error(self.date, False)

    def _type_changed(self) -> None:
        registered = combo_enum(self.mail_type, MailType) is MailType.REGISTERED
        self.registered_number.setEnabled(registered)
        self.registered_number.setPlaceholderText("N° de l'avis de réception" if registered else "—")
        if not registered:
            self.registered_number.clear()
            set_error(self.registered_number, False)

    def _follow_up_changed(self) -> None:
        follow = self.follow
        self.theme.setEnabled(follow == OPENS)
        self.theme.setPlaceholderText("Thème de la demande ouverte" if follow == OPENS else "—")
        self.request_ref.setEnabled(follow == JOINS)
        if follow != OPENS:
            self.theme.clear_value()
        if follow != JOINS:
            self.request_ref.clear()

    def _ask_senders(self, text: str) -> None:
        words = fold(text).split()
        bodies = [b for b in self._ref.external_bodies if all(w in fold(f"{b.name} {b.handles}") for w in words)]

        def show(found: list[CitizenSummary], t: str = text) -> None:
            suggestions = [(f"{c.display_name}  ·  {c.full_address or c.phone_display or c.email}", c) for c in found]
            suggestions += [(f"Organisme · {b.name}", b) for b in bodies[:4]]
            self.sender.show_suggestions(suggestions, for_text=t)

        self._worker.submit(self._services.citizens.search, query=text, limit=8, on_done=show, owner=self)

    def _sender_picked(self, value: object) -> None:
        set_error(self.sender, False)
        if isinstance(value, CitizenSummary):
            self.sender.set_value(value.display_name, value)
        self.subject.setFocus()

    def _citizen_created(self, citizen: CitizenSummary | None) -> None:
        if citizen is not None:
            self.sender.set_value(citizen.display_name, citizen)
            set_error(self.sender, False)
            self.window().activateWindow()
            self.subject.setFocus()

    def _theme_picked(self, theme_id: uuid.UUID) -> None:
        set_error(self.theme, False)
        theme = self._themes.get(theme_id)
        if self.service.value is None and theme is not None and theme.default_service_id is not None:
            service = next((s for s in self._ref.services if s.id == theme.default_service_id), None)
            if service is not None:
                self.service.set_value(service.name, service.id)

    def _escape(self) -> None:
        for field in (self.sender, self.service, self.theme):
            if field.suggestions_visible():
                field.hide_suggestions()
                return
        self.reset()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(obj, SearchField) and obj.suggestions_visible():
                return False  # the field picks its suggestion
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False
            self.register()
            return True
        return super().eventFilter(obj, event)
