"""The sheets of the contact's theme, under the contact form, in a tab beside the journal of the day.

Picking a theme in the form shows its published sheets (its own, its sub-themes', then its parent theme's); the
tab comes forward by itself when the theme has sheets, and the journal comes back once the contact is saved.
(Beside the form there is no room on a 1366-pixel screen: the form, the journal's filters and the queue panel
take it all.) Ctrl+J shows the journal.
Keys, written on the buttons: Alt+← / Alt+→ previous and next sheet; Alt+U « fiche utilisée » (the contact
records the sheet when it is saved); Alt+I prints the documents to bring on the counter's thermal printer
(with the on-screen preview of the strip); Alt+D the sheet as a PDF (print, open or save); Alt+E sends it by
e-mail to the form's citizen; Alt+R orients the contact to the service or body the sheet names; Alt+A searches
the directory of services and external bodies (what they handle), and picking one orients the contact there.
Printing, the PDF and the e-mail mark the sheet used.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.clock import local_day, now
from guichet.services.knowledge_types import DirectoryEntry, SheetView
from guichet.ui.common.messages import error_text
from guichet.ui.common.pdf_actions import PdfAction, deliver_pdf
from guichet.ui.common.search_field import SearchField
from guichet.ui.knowledge.render import EMPTY_HTML, GREY, entry_html, sheet_html
from guichet.ui.worker import Worker


class SheetPanel(QWidget):
    message = Signal(str)  # a line for the status bar
    print_job = Signal(object)  # PrintJobInfo: the documents list queued (the window previews it)
    wanted = Signal()  # one of its keys was pressed: bring it forward
    changed = Signal(int)  # the number of sheets shown

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, form, *,  # noqa: ANN001 - ContactForm
        printer_key: str | None = None, net_worker: Worker | None = None, mailer=None,  # noqa: ANN001 - SheetMailer
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._net_worker = net_worker or worker
        self._services = services
        self._session = session
        self._form = form
        self._printer_key = printer_key
        self._mailer = mailer
        self._handouts = None  # guichet.reports.sheet_pdf.SheetHandouts, made on the worker at first use
        self.sheets: tuple[SheetView, ...] = ()
        self.index = 0
        self.entry: DirectoryEntry | None = None  # the directory entry last chosen as orientation
        self._asked = 0  # answers to an older theme are dropped
        self.pdf_dialog: QWidget | None = None

        self.position = QLabel("")
        self.position.setObjectName("hint")
        self.prev_button = QPushButton("◀ Alt+←")
        self.next_button = QPushButton("Alt+→ ▶")
        self.directory = SearchField()
        self.directory.setPlaceholderText("Annuaire (Alt+A) : CAF, impôts, allocations, carte grise…")
        self.directory.set_remote(self._ask_directory)
        self.directory.picked.connect(self.orient_to)
        top = QHBoxLayout()
        top.addWidget(self.prev_button)
        top.addWidget(self.position)
        top.addWidget(self.next_button)
        top.addWidget(self.directory, 1)

        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setStyleSheet("QTextBrowser { font-size: 10pt; }")  # a whole sheet in the space left
        self.browser.setHtml(EMPTY_HTML)

        self.used_button = QPushButton("Fiche utilisée (Alt+U)")
        self.used_button.setCheckable(True)
        self.print_button = QPushButton("Pièces au ticket (Alt+I)")
        self.pdf_button = QPushButton("PDF (Alt+D)")
        self.mail_button = QPushButton("Courriel (Alt+E)")
        self.orient_button = QPushButton("Orienter (Alt+R)")
        self.pdf_menu = QMenu(self)
        for action in PdfAction:
            self.pdf_menu.addAction(action.label).triggered.connect(lambda _=False, a=action: self.make_pdf(a))
        buttons = QHBoxLayout()
        self.keys = (
            (self.prev_button, "Alt+Left", self.previous),
            (self.next_button, "Alt+Right", self.next),
            (self.used_button, "Alt+U", self.toggle_used),
            (self.print_button, "Alt+I", self.print_documents),
            (self.pdf_button, "Alt+D", self.show_pdf_menu),
            (self.mail_button, "Alt+E", self.send_email),
            (self.orient_button, "Alt+R", self.orient),
            (None, "Alt+A", self.focus_directory),
        )
        for button, _key, slot in self.keys:
            if button is None:
                continue
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys, not Tab: the form keeps the focus
            button.clicked.connect(slot)
            if button not in (self.prev_button, self.next_button):
                buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        form.theme_changed.connect(self.show_theme)
        self._render()

    def install_keys(self, host: QWidget) -> None:
        """The keys work while ``host`` is on screen (the journal's tab too): each brings the sheets forward."""
        for _button, key, slot in self.keys:
            QShortcut(QKeySequence(key), host, activated=lambda s=slot: (self.wanted.emit(), s()))

    # -- what is shown ---------------------------------------------------------------------------

    @property
    def current(self) -> SheetView | None:
        return self.sheets[self.index] if self.sheets else None

    def show_theme(self, theme_id: uuid.UUID | None) -> None:
        """The form's theme changed: load its sheets (none for no theme)."""
        self._asked += 1
        if theme_id is None:
            self.sheets, self.index, self.entry = (), 0, None
            self._render()
            return
        self._render()  # the sheet used is forgotten at once; the new theme's sheets follow
        self._worker.submit(
            self._services.knowledge.for_theme, theme_id=theme_id, commune_id=self._session.commune_id,
            on_done=lambda sheets, n=self._asked: self._loaded(sheets, n), owner=self,
        )  # fmt: skip

    def _loaded(self, sheets: tuple[SheetView, ...], asked: int) -> None:
        if asked != self._asked:
            return
        self.sheets = sheets
        used = [i for i, s in enumerate(sheets) if s.sheet_id == self._form.sheet_id]
        self.index = used[0] if used else 0
        self._render()

    def refresh_state(self) -> None:
        """The form changed what the panel depends on (the sheet used, the citizen): draw again."""
        self._render()

    def _render(self) -> None:
        sheet = self.current
        parts = []
        if self.entry is not None:
            parts.append(
                f"<p style='margin:0 0 6px 0; background:#e8f1fb'>&nbsp;Orientation choisie : {entry_html(self.entry)}</p>"
            )
        if sheet is None:
            parts.append(
                EMPTY_HTML if self._form.theme.value is None
                else f"<p style='color:{GREY}'>Aucune fiche validée pour ce thème. Alt+A : l'annuaire des services "
                     "et organismes.</p>"
            )  # fmt: skip
        else:
            parts.append(sheet_html(sheet, today=local_day(now()), used=self._used(sheet)))
        self.browser.setHtml("".join(parts))
        count = len(self.sheets)
        self.position.setText(f"Fiche {self.index + 1} sur {count}" if count else "Aucune fiche")
        self.changed.emit(count)
        for button in (self.used_button, self.print_button, self.pdf_button, self.mail_button):
            button.setEnabled(sheet is not None)
        self.prev_button.setEnabled(count > 1)
        self.next_button.setEnabled(count > 1)
        self.orient_button.setEnabled(sheet is not None and sheet.orientation is not None)
        self.orient_button.setToolTip(f"Orienter vers : {sheet.orientation.name}" if sheet and sheet.orientation else
                                      "Cette fiche ne propose pas d'orientation")  # fmt: skip
        self.used_button.setChecked(sheet is not None and self._used(sheet))
        if self._printer_key is None:
            self.print_button.setToolTip("Aucune imprimante de tickets n'est réglée sur ce poste.")

    def _used(self, sheet: SheetView) -> bool:
        return self._form.sheet_id == sheet.sheet_id

    # -- keys ------------------------------------------------------------------------------------

    def next(self) -> None:
        if len(self.sheets) > 1:
            self.index = (self.index + 1) % len(self.sheets)
            self._render()

    def previous(self) -> None:
        if len(self.sheets) > 1:
            self.index = (self.index - 1) % len(self.sheets)
            self._render()

    def toggle_used(self) -> None:
        """Alt+U: the contact records this sheet when it is saved (again: it records none)."""
        sheet = self.current
        if sheet is None:
            return
        used = not self._used(sheet)
        self._form.sheet_id = sheet.sheet_id if used else None
        self._render()
        self.message.emit(
            f"Fiche « {sheet.title} » notée pour ce contact." if used else "Le contact n'utilise plus de fiche."
        )

    def mark_used(self) -> None:
        sheet = self.current
        if sheet is not None and not self._used(sheet):
            self._form.sheet_id = sheet.sheet_id
            self._render()

    def print_documents(self) -> None:
        """Alt+I: the documents to bring, on the counter's thermal printer, with the preview of the strip."""
        sheet = self.current
        if sheet is None:
            return
        if self._printer_key is None:
            self.message.emit("Aucune imprimante de tickets n'est réglée sur ce poste (section [printer]).")
            return
        self._worker.submit(
            self._services.knowledge.enqueue_documents, sheet_id=sheet.sheet_id, site_id=self._session.site_id,
            printer_key=self._printer_key, on_done=self._queued, on_error=self._failed,
        )  # fmt: skip

    def _queued(self, job) -> None:  # noqa: ANN001 - PrintJobInfo
        self.mark_used()
        self.print_job.emit(job)

    def show_pdf_menu(self) -> None:
        if self.current is None:
            return
        above = QPoint(0, -self.pdf_menu.sizeHint().height())
        self.pdf_menu.popup(self.pdf_button.mapToGlobal(above))

    def make_pdf(self, action: PdfAction) -> None:
        """The sheet as an A4 handout, made on the worker, then printed, opened or saved."""
        sheet = self.current
        if sheet is None:
            return
        self._worker.submit(
            self._pdf, sheet_id=sheet.sheet_id, on_done=lambda data: self._pdf_ready(data, action, sheet),
            on_error=self._failed, owner=self,
        )  # fmt: skip

    def _pdf(self, *, sheet_id: uuid.UUID) -> bytes:  # on the worker: reportlab is loaded there, not here
        if self._handouts is None:
            from guichet.reports.sheet_pdf import SheetHandouts

            self._handouts = SheetHandouts(self._services)
        return self._handouts.pdf(sheet_id=sheet_id, commune_id=self._session.commune_id, on=local_day(now()))

    def _pdf_ready(self, data: bytes, action: PdfAction, sheet: SheetView) -> None:
        self.mark_used()
        title = f"Fiche pratique — {sheet.title}"
        self.pdf_dialog = deliver_pdf(self, action, data, title=title, file_name=f"{title}.pdf",
                                      on_done=self.message.emit)  # fmt: skip

    def send_email(self) -> None:
        """Alt+E: the sheet to the form's citizen, by e-mail (the address on their record)."""
        sheet = self.current
        if sheet is None:
            return
        citizen = self._form.citizen
        if citizen is None:
            self.message.emit("Choisissez d'abord le citoyen dans le formulaire : la fiche part à son adresse.")
            return
        if not citizen.email:
            self.message.emit("La fiche de ce citoyen n'a pas d'adresse électronique : ajoutez-la, ou imprimez.")
            return
        if self._mailer is None:
            self.message.emit("L'envoi de courriels n'est pas disponible sur ce poste.")
            return
        self.message.emit(f"Envoi de la fiche « {sheet.title} »…")
        self._net_worker.submit(
            self._mailer.send, sheet_id=sheet.sheet_id, citizen_id=citizen.id, commune_id=self._session.commune_id,
            on_done=self._sent, on_error=self._failed, owner=self,
        )  # fmt: skip

    def _sent(self, text: str) -> None:
        self.mark_used()
        self.message.emit(text)

    def orient(self) -> None:
        """Alt+R: the contact oriented to the service or body the sheet names."""
        sheet = self.current
        if sheet is not None and sheet.orientation is not None:
            self.orient_to(sheet.orientation)

    def orient_to(self, entry: DirectoryEntry) -> None:
        """A directory entry chosen: the contact's outcome and orientation follow; its details stay on screen."""
        self.entry = entry
        self._form.set_orientation(entry.kind.outcome, entry.id, entry.name)
        if self.directory.hasFocus():
            self._form.orientation.setFocus()  # back in the form: Entrée saves the contact
        self.directory.clear_value()
        self._render()
        self.message.emit(f"Orientation : {entry.name}" + (f" — tél. {entry.phone}" if entry.phone else ""))

    def focus_directory(self) -> None:
        self.directory.setFocus()
        self.directory.selectAll()

    def _ask_directory(self, text: str) -> None:
        self._worker.submit(
            self._services.knowledge.directory, commune_id=self._session.commune_id, query=text,
            on_done=lambda found, t=text: self.directory.show_suggestions(
                [(f"{e.name} — {e.handles}" if e.handles else e.name, e) for e in found[:12]], for_text=t
            ),
            owner=self,
        )  # fmt: skip

    def _failed(self, error: BaseException) -> None:
        self.message.emit(error_text(error))


class JournalAndSheets(QTabWidget):
    """The journal of the day and the sheets of the contact's theme, in two tabs under the contact form."""

    def __init__(self, journal: QWidget, panel: SheetPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        self.journal = journal
        self.panel = panel
        self.addTab(journal, "Journal du jour (Ctrl+J)")
        self.addTab(panel, "Fiches du thème")
        panel.install_keys(self)
        panel.wanted.connect(self.show_sheets)
        panel.changed.connect(self._count)
        self._shown = 0

    def show_journal(self) -> None:
        self.setCurrentWidget(self.journal)

    def show_sheets(self) -> None:
        self.setCurrentWidget(self.panel)

    def _count(self, count: int) -> None:
        self.setTabText(1, f"Fiches du thème ({count})" if count else "Fiches du thème")
        if count and not self._shown:
            self.show_sheets()  # a theme with sheets: they come forward
        elif not count and self._shown and self.panel.entry is None:
            self.show_journal()  # the contact saved or cleared: back to the journal
        self._shown = count
