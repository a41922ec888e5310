"""The "Courrier" page driven from the keyboard: the morning mail typed letter after letter, then found again."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QApplication

from guichet.domain import MailDirection, MailType
from guichet.services.clock import local_day, now
from guichet.ui.common.dates import parse_day
from guichet.ui.mail.entry import JOINS, OPENS, REGISTER_ONLY
from tests.ui.helpers import focused, press, screenshot_dir, type_keys

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def make_pdf(path: Path, text: str = "Madame, Monsieur, je vous écris au sujet du square.") -> Path:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    painter.drawText(200, 400, text)
    painter.end()
    buffer.close()
    path.write_bytes(bytes(QByteArray(buffer.data())))
    return path


def open_mail_page(qtbot, window):
    press(qtbot, Qt.Key.Key_4, CTRL)
    qtbot.waitUntil(lambda: window.mail_page is not None and window.mail_page.isVisible(), timeout=5_000)
    page = window.mail_page
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.entry.sender, timeout=5_000)
    qtbot.waitUntil(lambda: desk_idle(window), timeout=10_000)
    return page


def desk_idle(window) -> bool:
    return window._worker.idle


def pick_citizen(qtbot, field, typed: str) -> None:
    type_keys(qtbot, typed)
    qtbot.waitUntil(field.suggestions_visible, timeout=5_000)
    press(qtbot, Qt.Key.Key_Return)
    assert field.value is not None


def test_dates_typed_the_agents_way():
    today = date(2026, 1, 3)
    assert parse_day("22/11/2026", today) == date(2026, 11, 22)
    assert parse_day("28/12", today) == date(2025, 12, 28)  # last December, not next
    assert parse_day("hier", today) == today - timedelta(days=1)
    assert parse_day("Avant-hier", today) == today - timedelta(days=2)
    assert parse_day("aujourd'hui", today) == today
    assert parse_day("020126", today) == date(2026, 1, 2)
    assert parse_day("31/02/2026", today) is None
    assert parse_day("28/12", today, ahead=True) == date(2026, 12, 28)


def test_morning_mail_typed_by_keyboard_then_found(qtbot, desk, tmp_path):
    window = desk.window
    page = open_mail_page(qtbot, window)
    entry = page.entry
    today = local_day(now())
    assert entry.date.text() == f"{today:%d/%m/%Y}" and MailType(entry.mail_type.currentData()) is MailType.SIMPLE

    # Letter 1: yesterday's simple letter from a new citizen (Ctrl+N), which opens a request, with its scan.
    press(qtbot, Qt.Key.Key_Tab, SHIFT)  # the recommandé number is skipped while the type is not recommandé
    press(qtbot, Qt.Key.Key_Tab, SHIFT)
    assert focused() is entry.date
    entry.date.selectAll()
    type_keys(qtbot, "hier")
    assert "hier" not in entry.date_hint.text() and entry.day == today - timedelta(days=1)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is entry.sender
    type_keys(qtbot, "Bénard-Rossi Hélène")
    press(qtbot, Qt.Key.Key_N, CTRL)
    dialog = entry.citizen_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.last_name.text() == "BÉNARD-ROSSI" and dialog.first_names.text() == "Hélène"
    dialog.email.setText("helene.benard@laposte.net")
    qtbot.keyClick(dialog.last_name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: entry.sender.value is not None, timeout=5_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is entry.subject, timeout=2_000)
    type_keys(qtbot, "Nettoyage du square Émile-Zola")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is entry.service
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is entry.follow_up
    type_keys(qtbot, "2")
    assert entry.follow == OPENS
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is entry.theme
    type_keys(qtbot, "espaces verts")
    qtbot.waitUntil(entry.theme.suggestions_visible)
    press(qtbot, Qt.Key.Key_Return)  # picks the theme; the theme's service is proposed
    assert entry.theme.value is not None and entry.service.text() == "Services techniques"
    entry.set_scan(str(make_pdf(tmp_path / "scan-square.pdf")))  # the file dialog (Ctrl+O) hands over a path
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: entry.last is not None, timeout=10_000)
    first = entry.last
    assert first.opened and first.request is not None
    assert first.mail.mail_date == today - timedelta(days=1)
    assert first.mail.correspondent.startswith("Mme BÉNARD-ROSSI") or "BÉNARD-ROSSI" in first.mail.correspondent
    assert first.mail.attachment_count == 1
    assert first.mail.chrono in entry.banner.text() and "notez-le sur le courrier" in entry.banner.text()
    assert first.request.reference in entry.banner.text()
    assert window.last_request == (first.request.reference, first.request.channel)
    # Ready for the next letter: the date and the type stay, the rest is empty, the sender has the focus.
    assert entry.day == today - timedelta(days=1) and entry.follow == REGISTER_ONLY
    assert entry.sender.text() == "" and entry.subject.text() == "" and entry.scan.text() == ""
    assert focused() is entry.sender

    # Letter 2: a recommandé from an organisation written as is; joins the request of letter 1 by its number.
    press(qtbot, Qt.Key.Key_Tab, SHIFT)
    assert focused() is entry.mail_type
    type_keys(qtbot, "2")
    assert MailType(entry.mail_type.currentData()) is MailType.REGISTERED
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is entry.registered_number
    type_keys(qtbot, "1a 123 456 7890 1")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "Syndic Résidence Les Érables")
    press(qtbot, Qt.Key.Key_Tab)  # before any suggestion: the name stays as written
    assert focused() is entry.subject
    type_keys(qtbot, "Relance square Émile-Zola")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "3")
    assert entry.follow == JOINS
    press(qtbot, Qt.Key.Key_Tab)  # the theme is skipped: only a letter opening a request has one
    assert focused() is entry.request_ref
    type_keys(qtbot, first.request.reference.rsplit("-", 1)[1].lstrip("0"))  # "123" is this site's request 123
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: entry.last is not first, timeout=10_000)
    second = entry.last
    assert not second.opened and second.request is not None and second.request.id == first.request.id
    assert second.mail.registered_number == "1A 123 456 7890 1"
    assert second.mail.correspondent == "Syndic Résidence Les Érables"
    assert int(second.mail.chrono.rsplit("-", 1)[1]) == int(first.mail.chrono.rsplit("-", 1)[1]) + 1
    assert MailType(entry.mail_type.currentData()) is MailType.REGISTERED
    assert focused() is entry.registered_number  # the next recommandé starts with its number

    # Found by chrono, and by sender typed without accents.
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert focused() is page.search
    type_keys(qtbot, first.mail.chrono.lower())
    qtbot.waitUntil(lambda: [r.chrono for r in page.model.rows] == [first.mail.chrono], timeout=5_000)
    page.search.selectAll()
    type_keys(qtbot, "residence erables")
    qtbot.waitUntil(lambda: [r.chrono for r in page.model.rows] == [second.mail.chrono], timeout=5_000)
    page.search.selectAll()
    type_keys(qtbot, "benard")
    qtbot.waitUntil(lambda: first.mail.chrono in [r.chrono for r in page.model.rows], timeout=5_000)
    assert all(r.direction is MailDirection.INCOMING for r in page.model.rows)
    page.search.selectAll()
    type_keys(qtbot, "7890")  # part of the recommandé number
    qtbot.waitUntil(lambda: second.mail.chrono in [r.chrono for r in page.model.rows], timeout=5_000)

    shots = screenshot_dir(tmp_path)
    window.resize(1366, 768)
    page.search.selectAll()
    type_keys(qtbot, "square")
    qtbot.waitUntil(lambda: len(page.model.rows) >= 2, timeout=5_000)
    qtbot.wait(50)
    assert window.width() == 1366
    assert window.grab().save(str(shots / "mail_page_1366x768.png"))

    # Entrée on a letter of a request opens that request in "Demandes".
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is page.table
    row = page.model.rows[page.table.currentIndex().row()]
    assert row.request_id == first.request.id
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.requests_page is not None and window.requests_page.current_request is not None,
                    timeout=10_000)  # fmt: skip
    assert window.requests_page.current_request.reference == first.request.reference
    detail = window.requests_page.detail
    assert detail.data.row.subject == "Nettoyage du square Émile-Zola"
    assert {m.chrono for m in detail.data.mails} == {first.mail.chrono, second.mail.chrono}
    assert [a.file_name for a in detail.data.attachments] == ["scan-square.pdf"]
    assert window.pages.currentWidget() is window._requests_tab
    detail.files_tabs.setCurrentIndex(1)
    qtbot.wait(50)  # the layout settles
    assert window.width() == 1366
    assert window.grab().save(str(shots / "request_from_mail_1366x768.png"))


def test_refused_entry_keeps_what_was_typed(qtbot, desk):
    window = desk.window
    page = open_mail_page(qtbot, window)
    entry = page.entry
    type_keys(qtbot, "Jean Dupuis")  # a free name cannot open a request: it must be a citizen of the file
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)  # no subject
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "2")  # opens a request, but no theme
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: entry.message.isVisible(), timeout=10_000)
    assert entry.last is None
    assert entry.sender.text() == "Jean Dupuis" and entry.follow == OPENS
    for field in (entry.sender, entry.subject, entry.theme):
        assert field.property("error") is True
    assert entry.date.property("error") is not True
    assert "Indiquez l'objet du courrier." in entry.message.text()
    assert "citoyen enregistré" in entry.message.text()
    assert focused() is entry.sender  # the first field at fault

    # An unreadable date is said as such; everything else stays.
    entry.date.setFocus()
    entry.date.selectAll()
    type_keys(qtbot, "32/13")
    assert "illisible" in entry.date_hint.text()
    entry.follow_up.setCurrentIndex(0)
    entry.subject.setText("Demande de rendez-vous")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: entry.date.property("error") is True, timeout=10_000)
    assert "« 32/13 » illisible" in entry.message.text()
    assert entry.sender.text() == "Jean Dupuis" and entry.subject.text() == "Demande de rendez-vous"
    assert focused() is entry.date

    entry.date.selectAll()
    type_keys(qtbot, "avant-hier")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: entry.last is not None, timeout=10_000)
    assert entry.last.mail.correspondent == "Jean Dupuis"
    assert entry.last.mail.mail_date == local_day(now()) - timedelta(days=2)
    assert entry.last.request is None
