"""Printing seen from the kiosk and the desk, through the composition root, to the printer emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from guichet.app import build_kiosk
from guichet.config import PrinterSettings, Settings
from guichet.db import Database
from guichet.domain import TicketStatus
from guichet.printing.emulator import EmulatorMode, PrinterEmulator
from guichet.services.queue_seed import seed_queues
from guichet.ui.kiosk.window import PRINTED


@pytest.fixture
def printer():
    with PrinterEmulator() as emulator:
        yield emulator


def _settings(db_path: Path, port: int) -> Settings:
    printer = PrinterSettings(backend="network", key="kiosque", host="127.0.0.1", port=port, timeout_s=1.0, paper_mm=58)
    return Settings(db_path=db_path, site_code="HDV", printer=printer)


@pytest.fixture
def kiosk_screen(qtbot, qapp, demo_db: Database, db_path: Path, printer):
    seed_queues(demo_db, open_all_day=True)
    screen = build_kiosk(_settings(db_path, printer.port), demo_db, "HDV", refresh_ms=200)
    qtbot.addWidget(screen.window)
    screen.window.resize(1366, 768)
    screen.window.show()
    qtbot.waitUntil(lambda: len(screen.window.buttons) == 5, timeout=5_000)
    yield screen
    screen.printer.stop()
    screen.worker.shutdown()


def _touch_first_queue(qtbot, window):
    button = next(iter(window.buttons.values()))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.ticket is not None, timeout=5_000)
    return window.ticket


def test_kiosk_ticket_is_printed_and_says_so(qtbot, kiosk_screen, printer):
    window = kiosk_screen.window
    ticket = _touch_first_queue(qtbot, window)
    jobs = printer.wait_for_jobs(1, timeout=5.0)
    assert ticket.number.encode() in jobs[0].payload
    qtbot.waitUntil(lambda: window.print_label.text() == PRINTED, timeout=5_000)


def test_printer_off_keeps_the_ticket_and_tells_the_citizen(qtbot, kiosk_screen, printer):
    printer.set_mode(EmulatorMode.REFUSE)
    window = kiosk_screen.window
    ticket = _touch_first_queue(qtbot, window)
    qtbot.waitUntil(lambda: window.print_label.property("failed") is True, timeout=5_000)
    assert window.print_label.text().startswith("Imprimante hors ligne")
    assert window.print_label.text().endswith("notez votre numéro")
    assert ticket.number in window.print_label.text()
    # The number is on screen and the ticket waits in its queue, printed or not.
    assert window.number_label.text() == ticket.number
    assert kiosk_screen.services.queue.ticket(ticket_id=ticket.id).status is TicketStatus.WAITING
    # The printer comes back: the job is retried and printed once.
    printer.set_mode(EmulatorMode.NORMAL)
    jobs = printer.wait_for_jobs(1, timeout=8.0)
    assert ticket.number.encode() in jobs[0].payload


@pytest.fixture
def desk_with_printer(login_as, db_path: Path, printer):
    return login_as("mdurand", _settings(db_path, printer.port))


def test_desk_prints_the_receipt_of_the_contact_just_saved(qtbot, desk_with_printer, printer):
    from tests.ui.helpers import press, type_keys

    window = desk_with_printer.window
    press(qtbot, Qt.Key.Key_F2)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "graffitis")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, "Tags rue Gabriel-Péri")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.last_saved is not None, timeout=5_000)
    press(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    job = printer.wait_for_jobs(1, timeout=5.0)[0]
    text = job.payload.decode("cp858", errors="replace")
    assert "Enlèvement de graffitis" in text
    assert "Téléphone" in text
    qtbot.waitUntil(lambda: window.printer_label.text() == "Imprimante : prête", timeout=5_000)


def test_reprint_at_the_counter_shows_what_is_printed(qtbot, desk_with_printer, printer, tmp_path):
    from tests.ui.helpers import press, screenshot_dir

    window = desk_with_printer.window
    panel = window.counter_panel
    queue = desk_with_printer.services.queue
    site_id = window._session.site_id
    ticket = queue.issue_ticket(site_id=site_id, queue_id=queue.queue_statuses(site_id=site_id)[0].id)
    qtbot.waitUntil(lambda: panel.panel is not None, timeout=5_000)
    panel.toggle_open()
    qtbot.waitUntil(lambda: panel.panel.counter.is_open, timeout=5_000)
    press(qtbot, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.id == ticket.id, timeout=5_000)
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    job = printer.wait_for_jobs(1, timeout=5.0)[0]
    assert ticket.number.encode() in job.payload
    qtbot.waitUntil(lambda: getattr(window, "preview_dialog", None) is not None, timeout=5_000)
    image = window.preview_dialog.image
    assert image.width() == 384 + 32  # 58 mm paper: 384 dots, one pixel a dot, plus the margins
    assert image.height() > 400
    assert image.save(str(screenshot_dir(tmp_path) / "reprint_preview.png"))


def test_test_page_from_the_desk(qtbot, desk_with_printer, printer):
    from tests.ui.helpers import press

    press(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    job = printer.wait_for_jobs(1, timeout=5.0)[0]
    text = job.payload.decode("cp858", errors="replace")
    for ch in "éèêëàâçîïôùûü«»€":
        assert ch in text
