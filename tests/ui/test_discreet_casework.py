"""Discreet mode (Ctrl+Maj+M) on the "Demandes" and "Courrier" pages: citizens as initials, organisations named."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.ui.helpers import press
from tests.ui.test_requests_ui import CTRL, CTRL_SHIFT, open_late_request, open_requests


def test_requests_and_mail_follow_the_discreet_mode(qtbot, desk):
    window = desk.window
    request = open_late_request(desk)
    page = open_requests(qtbot, window)
    qtbot.waitUntil(lambda: request.id in [r.id for r in page.model.rows], timeout=5_000)
    row = [r.id for r in page.model.rows].index(request.id)
    full = page.model.data(page.model.index(row, 2))
    assert full == request.citizen_name and len(full) > 6
    page.table.selectRow(row)
    page.table.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.current_request is not None, timeout=5_000)
    citizen = desk.services.requests.get(request_id=request.id).citizen
    assert citizen.email and citizen.email in page.detail.citizen_label.text()

    press(qtbot, Qt.Key.Key_M, CTRL_SHIFT)
    assert window.discreet
    shown = page.model.data(page.model.index(row, 2))
    assert shown.endswith(".") and len(shown) <= 5  # "A. B."
    texts = " ".join(w.text() for w in page.detail.findChildren(QLabel)).lower()
    # Neither the name nor anything else of the record in the open request.
    assert citizen.last_name.lower() not in texts and citizen.email not in texts and citizen.phone[-4:] not in texts

    press(qtbot, Qt.Key.Key_4, CTRL)  # the register, opened while discreet
    qtbot.waitUntil(lambda: window.mail_page is not None and bool(window.mail_page.model.rows), timeout=10_000)
    model = window.mail_page.model
    people = [i for i, r in enumerate(model.rows) if r.citizen_id is not None]
    bodies = [i for i, r in enumerate(model.rows) if r.citizen_id is None and r.correspondent]
    assert people, "the demo register has letters from citizens"
    for i in people:
        assert model.data(model.index(i, 4)).endswith(".")
    for i in bodies:  # an association or a firm is not personal data: it stays named
        assert model.data(model.index(i, 4)) == model.rows[i].correspondent

    press(qtbot, Qt.Key.Key_M, CTRL_SHIFT)  # and back
    assert model.data(model.index(people[0], 4)) == model.rows[people[0]].correspondent
    assert page.model.data(page.model.index(row, 2)) == full
