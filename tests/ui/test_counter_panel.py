"""The counter's queue panel inside the desk: open, call, finish, and the visit logged in one step."""

from __future__ import annotations

from PySide6.QtCore import Qt

from guichet.domain import Channel, TicketStatus
from tests.ui.helpers import press, type_keys


def _issue(desk, letter: str, n: int = 1):
    queue = desk.services.queue
    site_id = desk.window.counter_panel._session.site_id
    status = next(q for q in queue.queue_statuses(site_id=site_id) if q.letter == letter)
    return [queue.issue_ticket(site_id=site_id, queue_id=status.id) for _ in range(n)]


def _open(qtbot, panel):
    qtbot.waitUntil(lambda: panel.panel is not None, timeout=5_000)
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.panel.counter.is_open, timeout=5_000)


def test_call_finish_and_log_the_visit(qtbot, desk):
    window = desk.window
    panel = window.counter_panel
    assert panel is not None
    tickets = _issue(desk, "A", 2)
    _open(qtbot, panel)
    qtbot.waitUntil(lambda: any(q.waiting_count == 2 for q in panel.panel.queues if q.letter == "A"), timeout=5_000)

    press(qtbot, Qt.Key.Key_F7)  # Appeler
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.number == tickets[0].number, timeout=5_000)
    assert panel.number.text() == tickets[0].number
    form = window.form
    assert form.ticket is not None and form.ticket.id == tickets[0].id
    assert form.channel is Channel.IN_PERSON
    assert form.theme.value == tickets[0].theme_id  # the queue's theme, prefilled

    press(qtbot, Qt.Key.Key_F12)  # Terminer
    qtbot.waitUntil(lambda: panel.current is None or panel.current.status is TicketStatus.DONE, timeout=5_000)
    # The focus is on the citizen (anonymous visit here); go to the subject and save.
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "Déclaration de perte")
    press(qtbot, Qt.Key.Key_Return)

    def logged():
        return [r for r in window.journal.model.rows if r.ticket_id == tickets[0].id]

    qtbot.waitUntil(lambda: len(logged()) == 1, timeout=5_000)
    row = logged()[0]
    assert row.channel is Channel.IN_PERSON
    assert row.subject == "Déclaration de perte"
    assert desk.services.queue.ticket(ticket_id=tickets[0].id).status is TicketStatus.DONE
    assert form.ticket is None and not form.ticket_chip.isVisible()


def test_illegal_steps_are_refused_in_french(qtbot, desk):
    panel = desk.window.counter_panel
    qtbot.waitUntil(lambda: panel.panel is not None, timeout=5_000)
    # Closed counter: nothing can be called, and the buttons say so by being disabled.
    assert not panel.call_button.isEnabled()
    assert not panel.finish_button.isEnabled()
    panel.finish()
    assert "Aucun ticket en cours" in panel.message.text()
    _open(qtbot, panel)
    press(qtbot, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: panel.message.text() == "Aucun ticket en attente.", timeout=5_000)


def test_no_show_recall_and_transfer(qtbot, desk):
    panel = desk.window.counter_panel
    tickets = _issue(desk, "A", 2)
    _open(qtbot, panel)
    press(qtbot, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: panel.current is not None, timeout=5_000)
    press(qtbot, Qt.Key.Key_F8)  # Rappeler at once: refused by the cool-down, with a French message
    qtbot.waitUntil(lambda: panel.message.objectName() == "error", timeout=5_000)
    assert panel.message.text()
    press(qtbot, Qt.Key.Key_F10)  # Absent
    qtbot.waitUntil(lambda: "absent" in panel.message.text(), timeout=5_000)
    assert desk.services.queue.ticket(ticket_id=tickets[0].id).status is TicketStatus.NO_SHOW

    press(qtbot, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.id == tickets[1].id, timeout=5_000)
    target = next(q for q in panel.panel.transfer_targets if q.letter != "A")
    panel.transfer_to(target.id)
    qtbot.waitUntil(lambda: "transféré" in panel.message.text(), timeout=5_000)
    moved = desk.services.queue.ticket(ticket_id=tickets[1].id)
    assert moved.status is TicketStatus.WAITING and moved.queue_letter == target.letter
    assert moved.issued_at == tickets[1].issued_at  # keeps its place by arrival time
