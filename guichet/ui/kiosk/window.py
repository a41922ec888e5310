"""The kiosk ("borne"): a citizen touches a service and leaves with a ticket number.

No login and no personal data: the kiosk only ever shows queues, numbers and counts. Every service call
goes through the worker, so a slow database never freezes the screen; a second touch while a ticket is
being issued is ignored (one touch, one ticket).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from guichet.services.clock import now as system_now
from guichet.services.errors import ServiceError
from guichet.services.queue import PriorityReason, QueueService, QueueState, QueueStatus, TicketInfo
from guichet.services.sites import SiteInfo
from guichet.ui.common.public import (
    FitLabel,
    Scaler,
    ahead_text,
    date_text,
    icon_pixmap,
    public_header,
    public_stylesheet,
    time_text,
    wait_short,
    wait_text,
    waiting_text,
)
from guichet.ui.kiosk.check_in import CodePage
from guichet.ui.worker import Worker

log = logging.getLogger(__name__)

PRIORITY_OFFER = "Priorité : personne à mobilité réduite, femme enceinte, personne âgée"
APPOINTMENT_OFFER = "J'ai un rendez-vous"
CHECK_IN_FAILED = "L'enregistrement n'a pas pu se faire. Réessayez, ou adressez-vous à l'accueil."
PRINT_NOTICE = "Pas d'impression sur cette borne — notez votre numéro"
PRINTING = "Impression de votre ticket…"
PRINTED = "Prenez votre ticket ci-dessous"
UNAVAILABLE = "Borne momentanément indisponible : adressez-vous à l'accueil."
ISSUE_FAILED = "Le ticket n'a pas pu être délivré. Réessayez, ou adressez-vous à l'accueil."

ICON_ON = "#0b1d33"  # on the white buttons of open queues
ICON_OFF = "#9aa7b5"  # on the grey buttons of closed queues


def _repolish(*widgets: QWidget) -> None:
    for w in widgets:
        w.style().unpolish(w)
        w.style().polish(w)


def _columns(count: int) -> int:
    return {1: 1, 2: 2, 3: 3, 4: 2}.get(count, 3)


class QueueButton(QPushButton):
    """A queue of the site as a large touch target: icon, name, people waiting and estimated wait."""

    chosen = Signal(object)  # QueueStatus

    def __init__(self, status: QueueStatus, scaler: Scaler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queueButton")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.icon_label = QLabel()
        self.icon_label.setObjectName("queueIcon")
        self.name_label = QLabel()
        self.name_label.setObjectName("queueName")
        self.detail_label = QLabel()
        self.detail_label.setObjectName("queueDetail")
        for label in (self.icon_label, self.name_label, self.detail_label):
            # The button takes every touch, wherever it lands on it.
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        for label in (self.name_label, self.detail_label):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QVBoxLayout()
        text.setSpacing(6)
        text.addStretch(1)
        text.addWidget(self.name_label)
        text.addWidget(self.detail_label)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.setSpacing(24)
        layout.addWidget(self.icon_label)
        layout.addLayout(text, 1)
        self._scaler = scaler
        scaler.font(self.name_label, 40, bold=True)
        scaler.font(self.detail_label, 29)
        scaler.min_height(self, 150)
        self.clicked.connect(lambda: self.chosen.emit(self.status))
        self.status = status
        self.show_status(status)

    @property
    def is_open(self) -> bool:
        return self.status.state is QueueState.OPEN

    def show_status(self, status: QueueStatus) -> None:
        self.status = status
        self.name_label.setText(status.name)
        if status.state is QueueState.OPEN:
            lines = [waiting_text(status.waiting)]
            if wait := wait_short(status.estimated_wait_min):
                lines.append(wait)
            detail = "\n".join(lines)
        else:
            detail = status.message or status.state.label
            if status.state is QueueState.CLOSED and status.message:
                detail = f"Fermée — {status.message}"
        self.detail_label.setText(detail)
        self.setAccessibleName(f"{status.name}. {detail}")
        if self.property("state") != status.state.value:
            self.setProperty("state", status.state.value)
            _repolish(self, self.name_label, self.detail_label)
        self.draw_icon()

    def draw_icon(self) -> None:
        size = max(40, round(104 * self._scaler.scale))
        color = ICON_ON if self.is_open else ICON_OFF
        self.icon_label.setPixmap(icon_pixmap(self.status.icon, size, color, self.devicePixelRatioF()))
        self.icon_label.setFixedWidth(size + 8)


class TouchPage(QFrame):
    """A page that reacts to a touch anywhere on it."""

    touched = Signal()

    def mousePressEvent(self, event) -> None:  # noqa: ANN001, N802
        self.touched.emit()
        super().mousePressEvent(event)


class KioskWindow(QWidget):
    """Home (queues), priority reason, confirmation (the number), on one full-screen window."""

    ticket_issued = Signal(object)  # TicketInfo, once it is on screen
    statuses_shown = Signal()

    def __init__(
        self, worker: Worker, queue: QueueService, site: SiteInfo, *, refresh_ms: int = 5_000,
        confirm_ms: int = 8_000, notice_ms: int = 8_000, idle_ms: int = 30_000,
        clock: Callable[[], datetime] = system_now, printer_key: str | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.setObjectName("kiosk")
        self.setWindowTitle(f"Guichet — borne — {site.name}")
        self.setStyleSheet(public_stylesheet())
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._worker = worker
        self._queue = queue
        self.site = site
        self._clock = clock
        # The printer this kiosk's tickets are queued for (None: no printer, the number is read off the screen).
        self.printer_key = printer_key
        self.scaler = Scaler()
        self.priority: PriorityReason | None = None
        self.ticket: TicketInfo | None = None
        self.statuses: tuple[QueueStatus, ...] = ()
        self.buttons: dict[object, QueueButton] = {}
        self._issuing = False
        self._refreshing = False
        self._loaded = False
        self._failing = False

        self.pages = QStackedWidget()
        self.home = self._build_home()
        self.reasons = self._build_reasons()
        self.confirm = self._build_confirm()
        self.code_page = CodePage(self.scaler)
        self.code_page.submitted.connect(self.check_in)
        self.code_page.back.connect(self.go_home)
        self.code_page.touched.connect(self._activity)
        for page in (self.home, self.reasons, self.confirm, self.code_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())
        layout.addWidget(self.pages, 1)

        self._refresh_timer = QTimer(self, interval=refresh_ms, timeout=self.refresh)
        self._back_timer = QTimer(self, singleShot=True, interval=confirm_ms, timeout=self.go_home)
        self._notice_timer = QTimer(self, singleShot=True, interval=notice_ms, timeout=self._hide_notice)
        self._idle_timer = QTimer(self, singleShot=True, interval=idle_ms, timeout=self._idle)
        self._clock_timer = QTimer(self, interval=1_000, timeout=self._tick)
        self._clock_timer.start()
        self._refresh_timer.start()
        self._tick()
        self.setMinimumSize(640, 360)  # below the layouts' own minimum: fonts follow the size, nothing blocks it
        self.resize(1366, 768)
        self.refresh()

    # -- building ----------------------------------------------------------------------------------

    def _build_header(self) -> QWidget:
        bar, self.site_label, self.date_label, self.time_label = public_header(
            self.site.name, self.scaler, sizes=(36, 32, 40), spacing=28
        )
        return bar

    def _build_home(self) -> QWidget:
        page = QWidget()
        self.title_label = QLabel("Touchez le service qui vous concerne pour prendre un ticket")
        self.title_label.setObjectName("kioskTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(24)
        self.empty_label = QLabel("Chargement…")
        self.empty_label.setObjectName("kioskEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.addWidget(self.empty_label, 0, 0)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("kioskNotice")
        self.notice_label.setWordWrap(True)
        self.notice_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice_label.hide()
        self.priority_button = QPushButton(PRIORITY_OFFER)
        self.priority_button.setObjectName("priorityButton")
        self.priority_button.setCheckable(True)
        self.priority_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.priority_button.clicked.connect(self._priority_touched)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(36, 20, 36, 28)
        layout.setSpacing(20)
        layout.addWidget(self.title_label)
        layout.addWidget(self.grid_host, 1)
        layout.addWidget(self.notice_label)
        # « J'ai un rendez-vous » beside the priority offer: both lead off the queues' buttons.
        self.appointment_button = QPushButton(APPOINTMENT_OFFER)
        self.appointment_button.setObjectName("appointmentButton")
        self.appointment_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.appointment_button.clicked.connect(self.show_code_page)
        self.scaler.font(self.appointment_button, 30, bold=True)
        self.scaler.min_height(self.appointment_button, 120)
        bottom = QHBoxLayout()
        bottom.setSpacing(24)
        bottom.addWidget(self.priority_button, 1)
        bottom.addWidget(self.appointment_button, 0)  # as wide as its words: the priority offer is long
        layout.addLayout(bottom)
        self.scaler.font(self.title_label, 42, bold=True)
        self.scaler.font(self.empty_label, 40, bold=True)
        self.scaler.font(self.notice_label, 34, bold=True)
        self.scaler.font(self.priority_button, 28, bold=True)  # shares its row with « J'ai un rendez-vous »
        self.scaler.min_height(self.priority_button, 120)
        return page

    def _build_reasons(self) -> QWidget:
        page = TouchPage()
        page.touched.connect(self._activity)
        title = QLabel("Ticket prioritaire")
        title.setObjectName("reasonTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        question = QLabel("Pour quelle raison ?")
        question.setObjectName("reasonQuestion")
        question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel("Les tickets prioritaires sont appelés en premier : merci de réserver ce choix aux personnes qui en ont besoin.")  # fmt: skip
        hint.setObjectName("reasonHint")
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reason_buttons: dict[PriorityReason, QPushButton] = {}
        row = QHBoxLayout()
        row.setSpacing(28)
        for reason in PriorityReason:
            button = QPushButton(reason.label)
            button.setObjectName("reasonButton")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, r=reason: self.choose_priority(r))
            self.scaler.font(button, 38, bold=True)
            self.scaler.min_height(button, 220)
            self.reason_buttons[reason] = button
            row.addWidget(button)
        self.reason_back = QPushButton("Retour, sans priorité")
        self.reason_back.setObjectName("backButton")
        self.reason_back.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reason_back.clicked.connect(self.go_home)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(60, 30, 60, 36)
        layout.setSpacing(24)
        layout.addWidget(title)
        layout.addWidget(question)
        layout.addStretch(1)
        layout.addLayout(row, 4)
        layout.addStretch(1)
        layout.addWidget(hint)
        layout.addWidget(self.reason_back)
        self.scaler.font(title, 56, bold=True)
        self.scaler.font(question, 44)
        self.scaler.font(hint, 28)
        self.scaler.font(self.reason_back, 32, bold=True)
        self.scaler.min_height(self.reason_back, 120)
        return page

    def _build_confirm(self) -> QWidget:
        page = TouchPage()
        page.setObjectName("confirmPage")
        page.touched.connect(self.go_home)
        caption = QLabel("Votre numéro")
        caption.setObjectName("confirmCaption")
        self.number_label = FitLabel()
        self.number_label.setObjectName("confirmNumber")
        self.queue_label = QLabel()
        self.queue_label.setObjectName("confirmQueue")
        self.priority_label = QLabel()
        self.priority_label.setObjectName("confirmPriority")
        self.ahead_label = QLabel()
        self.ahead_label.setObjectName("confirmAhead")
        self.wait_label = QLabel()
        self.wait_label.setObjectName("confirmWait")
        self.issued_label = QLabel()
        self.issued_label.setObjectName("confirmIssued")
        self.print_label = QLabel(PRINT_NOTICE)
        self.print_label.setObjectName("confirmPrint")
        hint = QLabel("Touchez l'écran pour terminer")
        hint.setObjectName("confirmHint")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 16, 48, 28)
        layout.setSpacing(6)
        for w in (caption, self.number_label, self.queue_label, self.priority_label, self.ahead_label,
                  self.wait_label, self.issued_label, self.print_label, hint):  # fmt: skip
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            if w is self.priority_label:  # a badge, as wide as its text
                layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
                continue
            if w is not self.number_label:
                w.setWordWrap(True)
                w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            layout.addWidget(w, 3 if w is self.number_label else 0)
        layout.insertSpacing(layout.indexOf(self.print_label), 12)
        self.scaler.font(caption, 44)
        self.scaler.font(self.number_label, 330, bold=True)
        self.scaler.font(self.queue_label, 48, bold=True)
        self.scaler.font(self.priority_label, 36, bold=True)
        self.scaler.font(self.ahead_label, 40)
        self.scaler.font(self.wait_label, 40)
        self.scaler.font(self.issued_label, 30)
        self.scaler.font(self.print_label, 32, bold=True)
        self.scaler.font(hint, 26)
        return page

    # -- queues ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask for the queues' statuses (never two requests at once)."""
        if self._refreshing:
            return
        self._refreshing = True
        self._worker.submit(
            self._queue.queue_statuses, site_id=self.site.id, on_done=self._show_statuses, on_error=self._refresh_failed
        )

    def _show_statuses(self, statuses: tuple[QueueStatus, ...]) -> None:
        self._refreshing = False
        self._loaded = True
        if self._failing:
            log.info("borne : statuts des files de nouveau disponibles")
            self._failing = False
        if [s.id for s in statuses] != [s.id for s in self.statuses] or not self.buttons:
            self._rebuild(statuses)
        else:
            for status in statuses:
                self.buttons[status.id].show_status(status)
        self.statuses = statuses
        self.statuses_shown.emit()

    def _rebuild(self, statuses: tuple[QueueStatus, ...]) -> None:
        old = set(self.buttons.values())
        self.scaler.forget({w for b in old for w in (b, b.name_label, b.detail_label)})
        for button in old:
            button.setParent(None)
            button.deleteLater()
        self.buttons = {}
        while self.grid.count():
            self.grid.takeAt(0)
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 0)
        for c in range(self.grid.columnCount()):
            self.grid.setColumnStretch(c, 0)
        if not statuses:
            self.empty_label.setText("Aucun service ne délivre de tickets sur ce site pour le moment.")
            self.grid.addWidget(self.empty_label, 0, 0)
            self.empty_label.show()
            return
        self.empty_label.hide()
        columns = _columns(len(statuses))
        rows = math.ceil(len(statuses) / columns)
        # Each button spans two half-columns, so that a last, shorter row sits in the middle.
        for i, status in enumerate(statuses):
            button = QueueButton(status, self.scaler)
            button.chosen.connect(self.choose_queue)
            self.buttons[status.id] = button
            row, col = divmod(i, columns)
            shift = columns - (len(statuses) - row * columns) if row == rows - 1 else 0
            self.grid.addWidget(button, row, 2 * col + shift, 1, 2)
        for r in range(rows):
            self.grid.setRowStretch(r, 1)
        for c in range(2 * columns):
            self.grid.setColumnStretch(c, 1)

    def _refresh_failed(self, error: BaseException) -> None:
        self._refreshing = False
        if not self._failing:
            log.warning("borne : statuts des files indisponibles (%s)", error, exc_info=error)
            self._failing = True
        if not self._loaded:
            self.empty_label.setText(UNAVAILABLE)

    # -- taking a ticket ---------------------------------------------------------------------------

    def choose_queue(self, status: QueueStatus) -> None:
        """A touch on a queue: a ticket when it is open, its message when it is not."""
        self._activity()
        if self._issuing or self.pages.currentWidget() is not self.home:
            return
        if status.state is QueueState.CLOSED:
            self.show_notice(f"{status.name} : fermé en ce moment. {status.message}".strip())
            return
        if status.state is not QueueState.OPEN:
            self.show_notice(f"{status.name} : {status.message or status.state.label}")
            return
        self._issuing = True
        self._hide_notice()
        self._worker.submit(
            self._queue.issue_ticket, site_id=self.site.id, queue_id=status.id, priority_reason=self.priority,
            print_on=self.printer_key, on_done=self._issued, on_error=self._issue_failed,
        )  # fmt: skip

    def _issued(self, ticket: TicketInfo) -> None:
        self._issuing = False
        self.ticket = ticket
        self.number_label.setText(ticket.number)
        self.queue_label.setText(ticket.queue_name)
        reason = ticket.priority_reason
        self.priority_label.setText(f"Ticket prioritaire : {reason.label.lower()}" if reason else "")
        self.priority_label.setVisible(reason is not None)
        self.ahead_label.setText(ahead_text(ticket.people_ahead))
        wait = wait_text(ticket.estimated_wait_min)
        self.wait_label.setText(wait or "Aucun guichet n'est encore ouvert pour ce service : attente non estimée")
        issued = ticket.issued_at
        self.issued_label.setText(f"Délivré le {date_text(issued)} à {time_text(issued)}")
        self._set_priority(None)
        self._show_print(PRINTING if self.printer_key else PRINT_NOTICE, failed=False)
        self.pages.setCurrentWidget(self.confirm)
        self._back_timer.start()
        self.ticket_issued.emit(ticket)
        self.refresh()

    def on_print_event(self, event) -> None:  # noqa: ANN001 - guichet.printing.worker.PrintEvent
        """The print worker's word on this ticket: printed, or why not (the ticket stays valid either way)."""
        if self.ticket is None or event.ticket_id != self.ticket.id:
            return
        if event.kind == "imprime":
            self._show_print(PRINTED, failed=False)
        elif event.kind == "echec":
            self._show_print(f"{event.message} — notez votre numéro", failed=True)  # « Imprimante hors ligne — … »

    def _show_print(self, text: str, *, failed: bool) -> None:
        self.print_label.setText(text)
        self.print_label.setProperty("failed", failed)
        self.print_label.style().unpolish(self.print_label)
        self.print_label.style().polish(self.print_label)

    def _issue_failed(self, error: BaseException) -> None:
        self._issuing = False
        if isinstance(error, ServiceError):
            self.show_notice(error.message)  # closed in the meantime, cap reached: the service says it
        else:
            log.error("borne : ticket non délivré", exc_info=(type(error), error, error.__traceback__))
            self.show_notice(ISSUE_FAILED)
        self.refresh()

    def go_home(self) -> None:
        self._back_timer.stop()
        if self.pages.currentWidget() is self.confirm:
            self.ticket = None
        self.code_page.clear()
        self.code_page.say("")
        self.pages.setCurrentWidget(self.home)

    # -- appointments: check-in by code --------------------------------------------------------------

    def show_code_page(self) -> None:
        self._activity()
        if self._issuing:
            return
        self._set_priority(None)
        self.code_page.clear()
        self.code_page.say("")
        self.pages.setCurrentWidget(self.code_page)

    def check_in(self, code: str) -> None:
        """The code typed or scanned: the appointment's ticket joins its queue; only its number is shown."""
        self._activity()
        if self._issuing:
            return
        self._issuing = True
        self.code_page.busy = True
        self.code_page.say("Un instant…")
        self._worker.submit(
            self._queue.check_in, site_id=self.site.id, code=code, print_on=self.printer_key,
            on_done=self._checked_in, on_error=self._check_in_failed,
        )  # fmt: skip

    def _checked_in(self, ticket: TicketInfo) -> None:
        self.code_page.busy = False
        self.code_page.clear()
        self.code_page.say("")
        self._issued(ticket)
        if ticket.appointment_at is not None:
            self.ahead_label.setText(f"Rendez-vous de {time_text(ticket.appointment_at)}")
        else:
            self.ahead_label.setText("Rendez-vous")
        self.wait_label.setText(ticket.note)
        self.issued_label.setText(f"Enregistré le {date_text(ticket.issued_at)} à {time_text(ticket.issued_at)}")

    def _check_in_failed(self, error: BaseException) -> None:
        self._issuing = False
        self.code_page.busy = False
        if isinstance(error, ServiceError):
            self.code_page.say(error.message)  # too early, another day, unknown code: the service says which
        else:
            log.error("borne : enregistrement de rendez-vous impossible", exc_info=(type(error), error,
                                                                                    error.__traceback__))  # fmt: skip
            self.code_page.say(CHECK_IN_FAILED)
        self.code_page.clear()

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802
        """A QR scanner (or a keyboard) types the code and Entrée: taken on the home page and the code page."""
        if self.pages.currentWidget() not in (self.home, self.code_page) or self._issuing:
            super().keyPressEvent(event)
            return
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.code_page.typed:
                self.pages.setCurrentWidget(self.code_page)
                self.code_page.submit()
            return
        if key == Qt.Key.Key_Backspace:
            self.code_page.erase()
            return
        if key == Qt.Key.Key_Escape:
            self.go_home()
            return
        text = event.text()
        if text and text.isprintable() and not text.isspace():
            if self.pages.currentWidget() is not self.code_page:
                self.show_code_page()
            self.code_page.type_char(text)
            return
        super().keyPressEvent(event)

    # -- priority ----------------------------------------------------------------------------------

    def _priority_touched(self) -> None:
        self._activity()
        if self.priority is not None:
            self._set_priority(None)
            return
        self.priority_button.setChecked(False)  # checked only once a reason is chosen
        self.pages.setCurrentWidget(self.reasons)

    def choose_priority(self, reason: PriorityReason) -> None:
        self._activity()
        self._set_priority(reason)
        self.pages.setCurrentWidget(self.home)

    def _set_priority(self, reason: PriorityReason | None) -> None:
        self.priority = reason
        self.priority_button.setChecked(reason is not None)
        if reason is None:
            self.priority_button.setText(PRIORITY_OFFER)
            self.title_label.setText("Touchez le service qui vous concerne pour prendre un ticket")
        else:
            self.priority_button.setText(f"Priorité : {reason.label.lower()} ✓ — touchez ici pour l'annuler")
            self.title_label.setText("Ticket prioritaire : touchez maintenant le service qui vous concerne")
        self.title_label.setProperty("priority", reason is not None)
        _repolish(self.title_label)

    def _activity(self) -> None:
        self._idle_timer.start()

    def _idle(self) -> None:
        """Nobody touched the kiosk for a while: the next person must not inherit a priority."""
        if self.pages.currentWidget() in (self.reasons, self.code_page):
            self.go_home()
        self._set_priority(None)

    # -- notices, clock, size ----------------------------------------------------------------------

    def show_notice(self, text: str) -> None:
        self.notice_label.setText(text)
        self.notice_label.show()
        self._notice_timer.start()

    def _hide_notice(self) -> None:
        self._notice_timer.stop()
        self.notice_label.hide()
        self.notice_label.clear()

    def _tick(self) -> None:
        current = self._clock()
        self.date_label.setText(date_text(current).capitalize())
        self.time_label.setText(time_text(current))

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        self.scaler.apply(self.width(), self.height())
        for button in self.buttons.values():
            button.draw_icon()
        super().resizeEvent(event)

    def stop(self) -> None:
        """Stop asking the database (before the worker shuts down)."""
        for timer in (self._refresh_timer, self._back_timer, self._notice_timer, self._idle_timer, self._clock_timer):
            timer.stop()
        self._refreshing = True  # no new request

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        self.stop()
        super().closeEvent(event)
