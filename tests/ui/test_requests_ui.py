"""The "Demandes" page driven from the keyboard: lists and counts, then one request's whole life."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import shiboken6
from aiosmtpd.controller import Controller
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

import guichet.ui.common.pdf_actions as pdf_actions
from guichet.domain import Channel, DispatchStatus, PreferredChannel, RequestEventKind, RequestStatus
from guichet.notify.dispatcher import Dispatcher
from guichet.notify.settings import SmtpSettings
from guichet.reports.request_letters import RequestLetters
from guichet.services.clock import local_day, now
from guichet.services.requests_types import RequestInput, RequestView
from guichet.ui.desk.window import DeskWindow
from guichet.ui.requests.common import RED, find_data
from guichet.ui.requests.page import VIEWS
from guichet.ui.worker import Worker
from tests.ui.helpers import focused, press, screenshot_dir, type_keys
from tests.unit.test_notify_email import free_port

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class Mailbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture
def net_worker() -> Iterator[Worker]:
    worker = Worker(name="guichet-net-test")
    yield worker
    worker.shutdown()


@pytest.fixture
def printed(monkeypatch) -> list[tuple[bytes, str]]:
    """The print dialog is replaced: what would have been printed is kept here."""
    jobs: list[tuple[bytes, str]] = []

    def fake_print(parent, data, title, *, on_done=None):
        jobs.append((data, title))
        if on_done is not None:
            on_done(f"{title} : 1 page envoyée à l'imprimante.")

    monkeypatch.setattr(pdf_actions, "print_pdf", fake_print)
    return jobs


def casework_window(qtbot, desk, **extra) -> DeskWindow:
    """The desk window as app.py builds it once the letters and the dispatcher are wired in."""
    old = desk.window
    session = old.session
    reference = desk.services.reference.load(commune_id=session.commune_id, site_id=session.site_id)
    window = DeskWindow(desk.worker, desk.services, session, reference, database_label="démo", **extra)
    qtbot.addWidget(window)
    old.hide()
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.journal.journal is not None, timeout=10_000)
    return window


def open_requests(qtbot, window):
    press(qtbot, Qt.Key.Key_3, CTRL)
    qtbot.waitUntil(
        lambda: window.requests_page is not None and window.requests_page.result is not None, timeout=10_000
    )
    return window.requests_page


def active(qtbot, dialog) -> None:
    """A dialog opened: the keys go to it (offscreen, the activation comes a moment later)."""
    qtbot.waitUntil(lambda: dialog.isVisible() and QApplication.activeWindow() is dialog, timeout=5_000)


def back_on_desk(qtbot, dialog, window) -> None:
    """A dialog closed: the keys are the desk's again."""
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=5_000)
    qtbot.waitUntil(
        lambda: QApplication.activeWindow() is window and QApplication.focusWidget() is not None, timeout=5_000
    )


def wait_idle(qtbot, *workers: Worker) -> None:
    qtbot.waitUntil(lambda: all(w.idle for w in workers), timeout=20_000)


def open_late_request(desk, days: int = 40):
    """A request received ``days`` ago, by the service (the small demo has none late yet)."""
    session = desk.window.session
    citizen = desk.services.citizens.search(query="a", limit=1)[0]
    theme = next(t for t in desk.services.reference.load(commune_id=session.commune_id, site_id=session.site_id).themes
                 if t.code == "technique.graffitis")  # fmt: skip
    data = RequestInput(channel=Channel.MAIL, theme_id=theme.id, subject="Graffitis sur le mur de l'école",
                        citizen_id=citizen.id, received_on=local_day(now()) - timedelta(days=days))  # fmt: skip
    return desk.services.requests.open(agent_id=session.agent_id, site_id=session.site_id, data=data)


def test_lists_with_counts_late_in_red(qtbot, desk, tmp_path):
    window = desk.window
    late_one = open_late_request(desk)
    page = open_requests(qtbot, window)
    assert window.pages.tabText(window.pages.currentIndex()) == "Demandes (Ctrl+3)"
    counts = page.result.counts
    assert counts[RequestView.OPEN] > 0 and counts[RequestView.OVERDUE] > 0  # the demo has some late ones
    assert page.views.tabText(VIEWS.index(RequestView.OVERDUE)) == f"En retard ({counts[RequestView.OVERDUE]})"
    assert page.views.tabTextColor(VIEWS.index(RequestView.OVERDUE)) == RED
    assert page.views.tabText(VIEWS.index(RequestView.SERVICE)) == "Demandes du service (—)"

    press(qtbot, Qt.Key.Key_3, ALT)  # "En retard"
    assert focused() is page.table
    qtbot.waitUntil(
        lambda: page.view is RequestView.OVERDUE and page.summary.text().endswith("En retard"), timeout=5_000
    )
    assert len(page.model.rows) == counts[RequestView.OVERDUE]
    assert late_one.id in [r.id for r in page.model.rows]
    late = page.model.index(0, 7)
    assert "J+" in page.model.data(late) and page.model.data(late, Qt.ItemDataRole.ForegroundRole) == RED
    shots = screenshot_dir(tmp_path)
    window.resize(1366, 768)
    assert window.grab().save(str(shots / "requests_list_overdue_1366x768.png"))

    # The text search finds a request by the number of its reference, accents and case ignored.
    target = page.model.rows[0]
    press(qtbot, Qt.Key.Key_6, ALT)  # "Toutes"
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert focused() is page.search
    type_keys(qtbot, target.reference.rsplit("-", 1)[1].lstrip("0"))
    qtbot.waitUntil(lambda: target.id in [r.id for r in page.model.rows], timeout=5_000)
    page.search.selectAll()
    type_keys(qtbot, target.citizen_name.split()[1].lower())  # the last name, lower case
    qtbot.waitUntil(lambda: target.id in [r.id for r in page.model.rows], timeout=5_000)

    # The service filter is also "my service": its list and its count.
    page.service.setCurrentIndex(find_data(page.service, target.service_id))
    press(qtbot, Qt.Key.Key_2, ALT)
    qtbot.waitUntil(
        lambda: page.view is RequestView.SERVICE and page.result.counts.get(RequestView.SERVICE, 0) > 0, timeout=5_000
    )
    page.search.clear()
    page.refresh()
    qtbot.waitUntil(lambda: bool(page.model.rows), timeout=5_000)
    assert {r.service_id for r in page.model.rows} == {target.service_id}
    item = page.views.tabText(VIEWS.index(RequestView.SERVICE))
    assert item == f"Demandes du service ({page.result.counts[RequestView.SERVICE]})"

    # Entrée opens the detail; Échap comes back to the list.
    page.table.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.current_request is not None, timeout=5_000)
    assert page.detail.title.text() == page.current_request.reference
    press(qtbot, Qt.Key.Key_Escape)
    assert page.current_request is None and page.stack.currentIndex() == 0


def test_a_request_from_opening_to_closing_by_keyboard(qtbot, desk, net_worker, printed, tmp_path, monkeypatch):
    opened_files: list[Path] = []
    monkeypatch.setattr(pdf_actions, "open_file", lambda path: opened_files.append(path) or True)
    port = free_port()  # nothing listens there yet: the first send fails
    letters = RequestLetters(desk.services)
    smtp = SmtpSettings(host="127.0.0.1", port=port, security="none", from_address="accueil@mairie-venissieux.fr",
                        from_name="Mairie de Vénissieux", timeout_s=3)  # fmt: skip
    dispatcher = Dispatcher(desk.services, letters, smtp=smtp)
    window = casework_window(qtbot, desk, letters=letters, dispatcher=dispatcher, net_worker=net_worker)
    page = open_requests(qtbot, window)
    shots = screenshot_dir(tmp_path)

    # Open a request directly (Ctrl+Maj+N), for a citizen created on the spot (Ctrl+N).
    press(qtbot, Qt.Key.Key_N, CTRL_SHIFT)
    dialog = page.new_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.citizen, timeout=2_000)
    type_keys(qtbot, "Garnier Éloïse")
    press(qtbot, Qt.Key.Key_N, CTRL)
    citizen_dialog = dialog.citizen_dialog
    qtbot.waitUntil(citizen_dialog.isVisible)
    citizen_dialog.email.setText("eloise.garnier@example.fr")
    citizen_dialog.address.setText("12 rue Paul-Bert")
    citizen_dialog.postal_code.setText("69200")
    citizen_dialog.preferred.setCurrentIndex(find_data(citizen_dialog.preferred, PreferredChannel.EMAIL))
    qtbot.keyClick(citizen_dialog.last_name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.citizen.value is not None, timeout=5_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.theme, timeout=2_000)
    type_keys(qtbot, "graffitis")
    qtbot.waitUntil(dialog.theme.suggestions_visible)
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.service.text() == "Services techniques"  # the theme's service
    assert focused() is dialog.subject
    type_keys(qtbot, "Tags sur la façade du 12 rue Paul-Bert")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "Depuis une semaine, côté rue.")
    assert dialog.grab().save(str(shots / "request_new_dialog.png"))
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: page.current_request is not None, timeout=10_000)
    qtbot.waitUntil(lambda: page.detail.data is not None, timeout=10_000)
    request = page.current_request
    detail = page.detail
    assert request.status is RequestStatus.NEW and request.channel is Channel.PHONE
    assert window.last_request == (request.reference, Channel.PHONE)
    assert "Ctrl+Maj+A" in window.statusBar().currentMessage()

    # Ctrl+E: a change of state that is refused keeps the dialog, what was chosen, and marks the comment.
    press(qtbot, Qt.Key.Key_E, CTRL)
    state = detail.dialog
    active(qtbot, state)
    assert [state.state.itemText(i) for i in range(state.state.count())] == [
        "1 · Affectée", "2 · En cours", "3 · Sans suite"]  # fmt: skip
    qtbot.keyClick(state.state, Qt.Key.Key_3)
    qtbot.keyClick(state.state, Qt.Key.Key_Return)
    qtbot.waitUntil(state.message.isVisible, timeout=5_000)
    assert state.comment.property("error") is True and "sans suite" in state.message.text()
    assert state.target is RequestStatus.DROPPED and state.isVisible()
    assert state.grab().save(str(shots / "request_state_refused.png"))
    qtbot.keyClick(state.comment, Qt.Key.Key_Escape)
    back_on_desk(qtbot, state, window)

    press(qtbot, Qt.Key.Key_E, CTRL)
    state = detail.dialog
    active(qtbot, state)
    qtbot.keyClick(state.state, Qt.Key.Key_2)
    qtbot.keyClick(state.state, Qt.Key.Key_Tab)
    type_keys(qtbot, "Photos demandées au citoyen")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: detail.data.row.status is RequestStatus.IN_PROGRESS, timeout=5_000)
    back_on_desk(qtbot, state, window)

    # Ctrl+R: to another service and agent.
    press(qtbot, Qt.Key.Key_R, CTRL)
    reassign = detail.dialog
    active(qtbot, reassign)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is reassign.service, timeout=2_000)
    type_keys(qtbot, "urbanisme")
    qtbot.waitUntil(reassign.service.suggestions_visible)
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is reassign.assignee
    reassign.assignee.setCurrentIndex(reassign.assignee.findText("Karim Benali"))
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "Façade classée : avis de l'urbanisme")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: detail.data.row.service_name == "Service Urbanisme", timeout=5_000)
    back_on_desk(qtbot, reassign, window)
    assert detail.data.row.assignee_name == "Karim Benali"

    # Ctrl+M: a comment.
    press(qtbot, Qt.Key.Key_M, CTRL)
    comment = detail.dialog
    active(qtbot, comment)
    type_keys(qtbot, "Le citoyen a déposé ses photos à l'accueil")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: detail.data.events[-1].kind is RequestEventKind.COMMENT, timeout=5_000)
    back_on_desk(qtbot, comment, window)

    # Ctrl+D documents: the acknowledgement opened in the viewer; Ctrl+Maj+A prints the phone confirmation.
    detail.make_document("accuse", pdf_actions.PdfAction.OPEN)
    qtbot.waitUntil(lambda: bool(opened_files), timeout=10_000)
    assert opened_files[0].read_bytes().startswith(b"%PDF") and request.reference in opened_files[0].name
    press(qtbot, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(lambda: bool(printed), timeout=10_000)
    assert printed[0][0].startswith(b"%PDF") and printed[0][1] == f"Confirmation écrite {request.reference}"
    assert len(pdf_actions.render_pages(printed[0][0], dpi=30)) >= 1

    # Ctrl+T: the answer, prefilled from the theme's model; it will go by e-mail (the citizen's choice).
    press(qtbot, Qt.Key.Key_T, CTRL)
    assert focused() is detail.answer.editor
    assert request.reference in detail.answer.editor.toPlainText()
    assert (
        "eloise.garnier@example.fr" in detail.answer.route_label.text()
        and "courriel" in detail.answer.route_label.text()
    )
    window.resize(1366, 768)
    qtbot.wait(50)  # the layout settles
    assert window.width() == 1366
    assert window.grab().save(str(shots / "request_answer_1366x768.png"))
    press(qtbot, Qt.Key.Key_Return, CTRL)
    box = detail.answer.confirm_box
    active(qtbot, box)
    assert "eloise.garnier@example.fr" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    back_on_desk(qtbot, box, window)

    # No mail server yet: the send fails, visibly, and stays to be sent again.
    qtbot.waitUntil(lambda: bool(detail.data.dispatches) and detail.data.dispatches[0].status is DispatchStatus.FAILED
                    and not detail.answer.sending, timeout=20_000)  # fmt: skip
    assert detail.data.row.status is RequestStatus.ANSWERED
    assert "1 en échec" in detail.files_tabs.tabText(2)
    assert detail.answer.dispatches.item(0, 3).text().startswith("Échec")
    assert detail.answer.dispatches.item(0, 3).foreground().color() == RED

    # The server is back: Ctrl+Maj+E sends it again.
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ready_timeout=5)
    controller.start()
    try:
        press(qtbot, Qt.Key.Key_E, CTRL_SHIFT)
        qtbot.waitUntil(lambda: detail.data.dispatches[0].status is DispatchStatus.SENT, timeout=20_000)
    finally:
        controller.stop()
    assert len(mailbox.received) == 1 and request.reference.encode() in mailbox.received[0]
    assert detail.data.dispatches[0].attempts == 2
    assert any(a.file_name.endswith(".pdf") and "reponse" in a.file_name for a in detail.data.attachments)

    # Closed; the whole history is on screen.
    press(qtbot, Qt.Key.Key_E, CTRL)
    state = detail.dialog
    active(qtbot, state)
    assert state.state.itemText(0) == "1 · Clôturée"
    qtbot.keyClick(state.state, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: detail.data.row.status is RequestStatus.CLOSED, timeout=5_000)
    wait_idle(qtbot, desk.worker, net_worker)
    detail.right_tabs.setCurrentIndex(0)
    history = [detail.timeline.item(r, 2).text() for r in range(detail.timeline.rowCount())]
    expected = [
        "Ouverte, confiée à Services techniques",
        "Nouvelle → En cours — Photos demandées au citoyen",
        "Confiée à Service Urbanisme (Karim Benali) — Façade classée : avis de l'urbanisme",
        "Commentaire — Le citoyen a déposé ses photos à l'accueil",
        "En cours → Répondue — Réponse par courriel",
        "Échec d'envoi de la réponse — ",
        "Réponse envoyée au citoyen — Courriel envoyé à eloise.garnier@example.fr",
        "Répondue → Clôturée",
    ]
    assert len(history) == len(expected)
    for line, start in zip(history, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert all(detail.timeline.item(r, 1).text() == "Marie Durand" for r in range(len(history)))
    assert detail.status_chip.text() == "Clôturée" and not detail.state_button.isEnabled()
    detail.files_tabs.setCurrentIndex(2)
    qtbot.wait(50)
    assert window.width() == 1366
    assert window.grab().save(str(shots / "request_detail_history_1366x768.png"))

    # The list knows: the request is no longer among the open ones.
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_5, ALT)
    qtbot.waitUntil(lambda: page.view is RequestView.OPEN and not page._loading, timeout=5_000)
    wait_idle(qtbot, desk.worker)
    assert request.id not in [r.id for r in page.model.rows]


def test_contact_opening_a_request_offers_its_confirmation(qtbot, desk, printed):
    letters = RequestLetters(desk.services)
    window = casework_window(qtbot, desk, letters=letters)
    form = window.form
    press(qtbot, Qt.Key.Key_F2)
    type_keys(qtbot, "lefe")
    qtbot.waitUntil(form.citizen_search.suggestions_visible, timeout=5_000)
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, "espaces verts")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, "Haie à tailler impasse des Lilas")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "5")  # demande ouverte
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.last_request is not None, timeout=10_000)
    reference, channel = window.last_request
    assert channel is Channel.PHONE and reference.startswith("VEN-HDV-")
    message = window.statusBar().currentMessage()
    assert message == f"Demande {reference} ouverte — Ctrl+Maj+A : imprimer la confirmation écrite."
    press(qtbot, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(lambda: bool(printed), timeout=10_000)
    assert printed[0][1] == f"Confirmation écrite {reference}" and printed[0][0].startswith(b"%PDF")


def test_pdf_pages_drawn_on_a_printer(desk, tmp_path):
    # The print path without the dialog: each page rendered by QtPdf and drawn on a (PDF) printer.
    detail = desk.services.requests.list(commune_id=desk.window.session.commune_id, view=RequestView.OPEN).rows[0]
    data = RequestLetters(desk.services).acknowledgement(request_id=detail.id)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "imprime.pdf"
    printer.setOutputFileName(str(out))
    pages = pdf_actions.paint_pdf(data, printer)
    assert pages == len(pdf_actions.render_pages(data, dpi=20)) >= 1
    assert len(pdf_actions.render_pages(out.read_bytes(), dpi=20)) == pages
    with pytest.raises(pdf_actions.PdfError):
        pdf_actions.render_pages(b"pas un PDF")
    assert pdf_actions.safe_file_name("Accusé de réception VEN/HDV:2026*1") == "Accusé de réception VEN HDV 2026 1.pdf"


def test_the_answer_being_written_is_kept_when_leaving(qtbot, desk):
    window = desk.window
    page = open_requests(qtbot, window)
    qtbot.waitUntil(lambda: bool(page.model.rows), timeout=5_000)
    target = page.model.rows[0]
    page.table.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    detail = page.detail
    qtbot.waitUntil(lambda: detail.data is not None and detail.data.row.id == target.id, timeout=5_000)
    press(qtbot, Qt.Key.Key_T, CTRL)
    assert focused() is detail.answer.editor
    detail.answer.editor.selectAll()
    type_keys(qtbot, "Votre demande est à l'étude : réponse définitive sous huit jours.")
    press(qtbot, Qt.Key.Key_Escape)  # back to the list: the draft is saved on the way
    assert page.stack.currentIndex() == 0
    wait_idle(qtbot, desk.worker)
    assert desk.services.requests.get(request_id=target.id).answer_text.startswith("Votre demande est à l'étude")
    page.show_request(target.id)
    qtbot.waitUntil(lambda: detail.answer.editor.toPlainText().startswith("Votre demande est à l'étude"), timeout=5_000)
