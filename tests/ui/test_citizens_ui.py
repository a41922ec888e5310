"""The "Usagers" page and the duplicate check at the contact form, driven with the keyboard."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from guichet.domain import AuditAction
from guichet.models import AuditEntry, Citizen, HouseholdMember
from tests.ui.helpers import focused, press, screenshot_dir, type_keys


def _audit(desk, action):
    with desk.db.read() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _family_member(desk):
    """A demo resident who lives in a household, and has a phone."""
    with desk.db.read() as s:
        return s.scalars(
            select(Citizen).join(HouseholdMember, HouseholdMember.citizen_id == Citizen.id).where(Citizen.phone != "")
        ).first()


def test_usagers_page_search_record_edit_household_history(qtbot, login_as, tmp_path):
    desk = login_as("sperrin")
    window = desk.window
    press(qtbot, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    page = window.citizens_page
    assert page is not None and focused() is page.search
    person = _family_member(desk)
    type_keys(qtbot, f"{person.last_name} {person.first_names}")
    qtbot.waitUntil(lambda: page.results.count() > 0, timeout=5_000)
    press(qtbot, Qt.Key.Key_Return)  # to the list
    assert focused() is page.results
    page.results.setCurrentRow(next(i for i, c in enumerate(page._found) if c.id == person.id))
    press(qtbot, Qt.Key.Key_Return)  # opens the record
    qtbot.waitUntil(lambda: page.record is not None and page.history_table.rowCount() > 0, timeout=5_000)
    assert page.record.citizen.id == person.id
    assert [e.subject_id for e in _audit(desk, AuditAction.RECORD_VIEWED)] == [person.id]
    assert page.members.rowCount() >= 2 and "Foyer" in page.household_label.text()

    # A refused save keeps what was typed and marks the field.
    page.fields["phone"].setText("06 12")
    page.fields["email"].setText("nouvelle.adresse@free.fr")
    page.save()
    qtbot.waitUntil(lambda: page.form_message.text() != "", timeout=5_000)
    assert page.fields["phone"].property("error") is True
    assert page.fields["email"].text() == "nouvelle.adresse@free.fr"
    page.fields["phone"].setText("06 98 76 54 32")
    page.save()
    qtbot.waitUntil(lambda: page.record.citizen.phone == "+33698765432", timeout=5_000)
    assert _audit(desk, AuditAction.RECORD_CHANGED)[-1].detail == "champs modifiés : téléphone, courriel"

    window.resize(1366, 768)
    page.tabs.setCurrentIndex(0)
    qtbot.wait(50)
    window.grab().save(str(screenshot_dir(tmp_path) / "usagers_fiche.png"))
    page.tabs.setCurrentIndex(1)
    window.grab().save(str(screenshot_dir(tmp_path) / "usagers_foyer.png"))
    page.tabs.setCurrentIndex(2)
    window.grab().save(str(screenshot_dir(tmp_path) / "usagers_historique.png"))

    # Discreet mode: initials in the list, the record hidden.
    press(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert page.stack.currentIndex() == 1
    assert person.last_name.upper() not in page.title.text()
    assert all(person.last_name not in page.results.item(i).text() for i in range(page.results.count()))


def test_planted_duplicate_is_merged_by_a_supervisor(qtbot, login_as, tmp_path):
    desk = login_as("sperrin")
    page = desk.window.show_citizens()
    qtbot.waitUntil(lambda: desk.window.citizens_page is not None)
    page = desk.window.citizens_page
    with desk.db.read() as s:
        records = s.scalars(select(Citizen).where(Citizen.deleted_at.is_(None))).all()
    ids = {c.id for c in records}
    twins = [c for c in records if desk.services.citizens.duplicates_of(citizen_id=c.id, min_score=0.7)]
    assert twins, "the demo plants duplicates"
    page.open_citizen(twins[0].id)
    qtbot.waitUntil(lambda: page.duplicates.count() > 0, timeout=5_000)
    page.tabs.setCurrentIndex(3)
    page.duplicates.setCurrentRow(0)
    other = page.duplicates.currentItem().data(Qt.ItemDataRole.UserRole).citizen
    page.compare_button.click()
    dialog = page.merge_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.grab().save(str(screenshot_dir(tmp_path) / "usagers_fusion.png"))
    dialog.buttons.buttons()[0].click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=5_000)  # closed
    qtbot.waitUntil(lambda: len(_audit(desk, AuditAction.RECORDS_MERGED)) == 1, timeout=5_000)
    with desk.db.read() as s:
        assert s.get(Citizen, other.id).merged_into_id == twins[0].id
    assert len(_audit(desk, AuditAction.RECORDS_MERGED)) == 1
    assert other.id in ids


def test_inline_creation_proposes_the_existing_record_and_stays_one_step_otherwise(qtbot, desk):
    form = desk.window.form
    person = _family_member(desk)
    press(qtbot, Qt.Key.Key_F2)
    type_keys(qtbot, f"{person.last_name} {person.first_names}")
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = form.citizen_dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.isAncestorOf(QApplication.focusWidget()))
    dialog.phone.setText("0" + person.phone[3:])
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.duplicates.isVisible() or bool(dialog.message.text()), timeout=5_000)
    assert dialog.message.text() == "", (dialog.message.text(), dialog.last_name.text(), dialog.first_names.text())
    assert "même téléphone" in dialog.duplicates.list.item(0).text()
    assert focused() is dialog.duplicates.list
    press(qtbot, Qt.Key.Key_Return)  # « Utiliser cette fiche »
    qtbot.waitUntil(lambda: form.citizen_search.value is not None, timeout=5_000)
    assert form.citizen_search.value.id == person.id

    # Someone new: one Entrée creates the record, nothing asked.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.theme, timeout=2_000)
    form.set_citizen(None)
    form.citizen_search.clear_value()
    form.citizen_search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.citizen_search, timeout=2_000)
    type_keys(qtbot, "Zygomatique Philibert")
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = form.citizen_dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.isAncestorOf(QApplication.focusWidget()))
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.citizen_search.value is not None, timeout=5_000)
    assert form.citizen_search.value.last_name == "ZYGOMATIQUE"
    assert [e.subject_id for e in _audit(desk, AuditAction.RECORD_CREATED)] == [form.citizen_search.value.id]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.theme, timeout=2_000)


def test_household_member_export_and_erase_from_the_record(qtbot, login_as, tmp_path):
    """Adding a member goes through a chooser opened without blocking; export and erasure open their dialogs."""
    from guichet.ui.audit.rgpd_dialogs import AccessExportDialog, EraseDialog

    desk = login_as("sperrin")
    desk.window.show_citizens()
    qtbot.waitUntil(lambda: desk.window.citizens_page is not None)
    page = desk.window.citizens_page
    with desk.db.read() as s:
        member = s.scalars(select(HouseholdMember).where(HouseholdMember.deleted_at.is_(None))).first()
        outsider = s.scalars(
            select(Citizen).where(Citizen.deleted_at.is_(None), Citizen.id.not_in(select(HouseholdMember.citizen_id)))
        ).first()
    page.open_citizen(member.citizen_id)
    qtbot.waitUntil(lambda: page.record is not None and page.member_search.isEnabled(), timeout=5_000)
    before = len(page.record.households[0].members)
    page.member_search.setText(outsider.last_name)
    page._add_member()
    qtbot.waitUntil(lambda: getattr(page, "member_chooser", None) is not None and page.member_chooser.isVisible(),
                    timeout=5_000)  # fmt: skip
    page.member_chooser.setTextValue(page.member_chooser.comboBoxItems()[0])
    page.member_chooser.accept()
    qtbot.waitUntil(lambda: len(page.record.households[0].members) == before + 1, timeout=5_000)

    page.export_button.click()
    export = page.export_dialog
    assert isinstance(export, AccessExportDialog)
    qtbot.waitUntil(lambda: export.export is not None, timeout=10_000)
    assert export.export.pdf_bytes.startswith(b"%PDF") and str(member.citizen_id) in export.export.json_bytes.decode()
    export.reject()
    page.erase_button.click()
    assert isinstance(page.erase_dialog, EraseDialog) and page.erase_dialog.isVisible()
    page.erase_dialog.reject()
