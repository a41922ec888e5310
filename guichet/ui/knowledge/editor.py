"""The editor of an answer sheet (supervisors): its details, and its content kept as a draft until published.

Two columns, so the whole sheet fits a 1366 × 768 screen: on the left the title, theme, owner, review date,
question and answer; on the right the documents to bring (one per line), the service in charge, the orientation
proposed, where and when, fees, links and keywords. Ctrl+S saves the draft, Ctrl+Entrée saves and publishes
(one transaction), Échap cancels. A refusal keeps everything typed and marks the fields at fault.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.clock import local_day, now
from guichet.services.errors import ValidationError
from guichet.services.knowledge_types import DirectoryKind, SheetContent, SheetDetail, SheetInput
from guichet.services.reference import ReferenceData
from guichet.ui.common.dates import DATE_HINT, parse_day
from guichet.ui.common.messages import error_text
from guichet.ui.common.search_field import SearchField
from guichet.ui.common.style import set_error
from guichet.ui.worker import Worker


def _text_box(placeholder: str, height: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setPlaceholderText(placeholder)
    box.setMinimumHeight(height)
    return box


class SheetEditorDialog(QDialog):
    saved = Signal(object)  # SheetDetail, as saved (or published)

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, reference: ReferenceData,
        detail: SheetDetail | None = None, *, may_create_sitiv: bool = False, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._services = services
        self._session = session
        self._detail = detail
        self._busy = False
        self.setWindowTitle("Nouvelle fiche" if detail is None else f"Modifier la fiche — {detail.summary.title}")
        self.resize(1200, 640)

        self.title = QLineEdit()
        self.title.setMaxLength(200)
        self.title.setPlaceholderText("La question telle que les citoyens la posent : « Carte d'identité »…")
        self.theme = SearchField()
        self.theme.set_items([(t.full_label, t.id) for t in reference.themes], [t.search_key for t in reference.themes])
        self.theme.setPlaceholderText("Tapez une partie du thème")
        self.scope = QComboBox()
        self.scope.addItem(f"Ville de {session.commune_name}", False)
        if may_create_sitiv or (detail is not None and detail.summary.commune_id is None):
            self.scope.addItem("Toutes les villes du SITIV", True)
        self.scope.setEnabled(detail is None and self.scope.count() > 1)  # the scope is chosen once, at creation
        self.owner = QLineEdit()
        self.owner.setMaxLength(150)
        self.owner.setPlaceholderText("Service et personne qui valident la fiche")
        self.review_on = QLineEdit()
        self.review_on.setPlaceholderText("jj/mm/aaaa — " + DATE_HINT.split(":")[0].lower())
        self.question = _text_box("La question du citoyen, en une ou deux phrases", 44)
        self.question.setMaximumHeight(70)
        self.answer = _text_box("La réponse validée, telle que l'agent la donne (une ligne vide sépare les paragraphes)",
                                170)  # fmt: skip
        self.documents = _text_box("Une pièce par ligne : « Justificatif de domicile de moins de 3 mois »", 130)
        self.in_charge = QLineEdit()
        self.in_charge.setMaxLength(200)
        self.in_charge.setPlaceholderText("Service État civil — formalités administratives")
        self.orientation = SearchField()
        entries = [(f"{x.name} (service)", (DirectoryKind.SERVICE, x.id)) for x in reference.services]
        entries += [(f"{b.name} (organisme)", (DirectoryKind.BODY, b.id)) for b in reference.external_bodies]
        self.orientation.set_items(entries)
        self.orientation.setPlaceholderText("Service ou organisme vers lequel orienter (facultatif)")
        self.where_when = _text_box("Lieu, jours et horaires, rendez-vous", 44)
        self.fees = _text_box("Gratuit ; ou le tarif (« 40 € en timbre fiscal »)", 40)
        self.links = _text_box("Un lien par ligne : « Pré-demande | https://ants.gouv.fr »", 40)
        self.keywords = QLineEdit()
        self.keywords.setMaxLength(300)
        self.keywords.setPlaceholderText("Les mots des citoyens : cni, papiers, carte…")

        left = QFormLayout()
        right = QFormLayout()
        rows = (
            (left, "&Titre* :", self.title, "title"), (left, "T&hème* :", self.theme, "theme"),
            (left, "Portée :", self.scope, ""), (left, "Res&ponsable :", self.owner, "owner"),
            (left, "À re&voir le :", self.review_on, "review_on"), (left, "Q&uestion :", self.question, ""),
            (left, "&Réponse validée* :", self.answer, "answer"),
            (right, "Pièces à &fournir :", self.documents, ""), (right, "Service en &charge :", self.in_charge, "in_charge"),
            (right, "&Orientation :", self.orientation, "orientation"), (right, "Où et &quand :", self.where_when, ""),
            (right, "T&arif :", self.fees, ""), (right, "&Liens :", self.links, "links"),
            (right, "&Mots-clés :", self.keywords, "keywords"),
        )  # fmt: skip
        self._fields: dict[str, QWidget] = {}
        for form, label, widget, field in rows:
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addRow(caption, widget)
            if field:
                self._fields[field] = widget
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("error")
        self.save_button = QPushButton("Enregistrer le brouillon (Ctrl+S)")
        self.publish_button = QPushButton("Enregistrer et publier (Ctrl+Entrée)")
        self.publish_button.setObjectName("primary")
        self.cancel_button = QPushButton("Annuler (Échap)")
        self.save_button.clicked.connect(lambda: self.submit(publish=False))
        self.publish_button.clicked.connect(lambda: self.submit(publish=True))
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=lambda: self.submit(publish=False))
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, activated=lambda: self.submit(publish=True))
        hint = QLabel("Les agents lisent la version publiée ; le brouillon ne se voit qu'ici jusqu'à sa publication.")
        hint.setObjectName("hint")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.publish_button)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        self.message.hide()
        self._fill(detail, reference)
        self.title.setFocus()

    def _fill(self, detail: SheetDetail | None, reference: ReferenceData) -> None:
        if detail is None:
            self.review_on.setText(f"{local_day(now()) + timedelta(days=365):%d/%m/%Y}")
            return
        shown = detail.draft or detail.published
        summary = detail.summary
        self.theme.set_value(summary.theme_label, summary.theme_id)
        self.owner.setText(summary.owner)
        self.review_on.setText(f"{summary.review_on:%d/%m/%Y}" if summary.review_on else "")
        self.scope.setCurrentIndex(max(0, self.scope.findData(summary.commune_id is None)))
        if shown is None:
            return
        c = shown.content
        self.title.setText(c.title)
        self.question.setPlainText(c.question)
        self.answer.setPlainText(c.answer)
        self.documents.setPlainText("\n".join(c.documents))
        self.in_charge.setText(c.in_charge)
        if shown.orientation is not None:
            target = shown.orientation
            suffix = "service" if target.kind is DirectoryKind.SERVICE else "organisme"
            self.orientation.set_value(f"{target.name} ({suffix})", (target.kind, target.id))
        self.where_when.setPlainText(c.where_when)
        self.fees.setPlainText(c.fees)
        self.links.setPlainText("\n".join(c.links))
        self.keywords.setText(c.keywords)

    def collect(self) -> SheetInput | None:
        """What was typed; None (and the date marked) when the review date cannot be read."""
        review: date | None = None
        if self.review_on.text().strip():
            review = parse_day(self.review_on.text(), local_day(now()), ahead=True)
            if review is None:
                self._show({"review_on": f"Date de revue illisible. {DATE_HINT}"})
                return None
        target = self.orientation.value
        kind, target_id = target if target else (None, None)
        content = SheetContent(
            title=self.title.text(), question=self.question.toPlainText(), answer=self.answer.toPlainText(),
            documents=tuple(self.documents.toPlainText().splitlines()), in_charge=self.in_charge.text(),
            where_when=self.where_when.toPlainText(), fees=self.fees.toPlainText(),
            links=tuple(self.links.toPlainText().splitlines()), keywords=self.keywords.text(),
            service_id=target_id if kind is DirectoryKind.SERVICE else None,
            body_id=target_id if kind is DirectoryKind.BODY else None,
        )  # fmt: skip
        return SheetInput(
            theme_id=self.theme.value, content=content, owner=self.owner.text(), review_on=review,
            sitiv_wide=bool(self.scope.currentData()),
        )  # fmt: skip

    def submit(self, *, publish: bool) -> None:
        if self._busy:
            return
        for widget in self._fields.values():
            set_error(widget, False)
        data = self.collect()
        if data is None:
            return
        self._busy = True
        self.message.hide()
        self._worker.submit(
            self._services.knowledge.save_draft, agent_id=self._session.agent_id, data=data,
            sheet_id=self._detail.sheet_id if self._detail else None, publish=publish,
            on_done=self._saved, on_error=self._failed, owner=self,
        )  # fmt: skip

    def _saved(self, detail: SheetDetail) -> None:
        self._busy = False
        self.saved.emit(detail)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self._show(error.errors if isinstance(error, ValidationError) else {"": error_text(error)})

    def _show(self, errors: dict[str, str]) -> None:
        first = None
        for field, widget in self._fields.items():
            on = field in errors
            set_error(widget, on)
            if on and first is None:
                first = widget
        self.message.setText("\n".join(errors.values()))
        self.message.show()
        if first is not None:
            first.setFocus()

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802 - Entrée alone must not close the dialog
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            return
        super().keyPressEvent(event)
