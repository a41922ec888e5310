"""The desk window, driven from the keyboard like an agent at the counter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from guichet.domain import Channel, Outcome
from guichet.services.validation import PHONE_MESSAGE
from tests.ui.helpers import focused, press, screenshot_dir, type_keys


def _wait_row(qtbot, window, predicate):
    def found():
        return any(predicate(r) for r in window.journal.model.rows)

    qtbot.waitUntil(found, timeout=10_000)
    return next(r for r in window.journal.model.rows if predicate(r))


def test_phone_call_logged_with_the_keyboard_alone(qtbot, desk):
    window = desk.window
    form = window.form
    press(qtbot, Qt.Key.Key_F2)
    assert form.channel is Channel.PHONE
    assert focused() is form.citizen_search

    type_keys(qtbot, "lefe")
    qtbot.waitUntil(form.citizen_search.suggestions_visible, timeout=5_000)
    assert all("LEF" in label for label in form.citizen_search.suggestion_labels())
    press(qtbot, Qt.Key.Key_Return)
    assert form.citizen_search.value is not None
    assert focused() is form.theme

    type_keys(qtbot, "annulation repas")  # any words of the theme, in any order, accents ignored
    assert form.theme.suggestions_visible()
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is form.subject
    type_keys(qtbot, "Repas de jeudi annulé")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.notes
    type_keys(qtbot, "Enfant malade")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.outcome
    type_keys(qtbot, "1")
    press(qtbot, Qt.Key.Key_Return)

    row = _wait_row(qtbot, window, lambda r: r.subject == "Repas de jeudi annulé")
    assert row.channel is Channel.PHONE
    assert row.outcome is Outcome.ANSWERED
    assert row.theme_label == "Annulation d'un repas"
    assert row.citizen_name.split()[1].startswith("LEF")
    assert row.notes == "Enfant malade"
    # The form is empty again, ready for the next call, on the same channel.
    assert form.subject.text() == "" and form.channel is Channel.PHONE
    assert "enregistré" in form.message.text()
    assert window.journal.journal.counts_by_channel[Channel.PHONE] >= 1


def test_visit_oriented_to_a_service_with_the_keyboard(qtbot, desk):
    window = desk.window
    form = window.form
    press(qtbot, Qt.Key.Key_F1)
    assert form.channel is Channel.IN_PERSON
    press(qtbot, Qt.Key.Key_Tab)  # anonymous visitor: leave the citizen empty
    assert focused() is form.theme
    type_keys(qtbot, "passeport")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, "Pièces pour un passeport")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "2")  # Orientation vers un service
    assert Outcome(form.outcome.currentData()) is Outcome.ORIENTED_SERVICE
    assert form.orientation.text() == "Service État civil"  # the theme's service, proposed
    press(qtbot, Qt.Key.Key_Return)

    row = _wait_row(qtbot, window, lambda r: r.subject == "Pièces pour un passeport")
    assert row.channel is Channel.IN_PERSON
    assert row.citizen_id is None
    assert row.orientation_label == "Service État civil"


def test_refused_save_keeps_the_form_and_says_why(qtbot, desk):
    form = desk.window.form
    press(qtbot, Qt.Key.Key_F3)  # a letter needs its sender
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "graffitis")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, "Tags sur le mur du garage")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "expéditeur" in form.message.text(), timeout=5_000)
    assert form.subject.text() == "Tags sur le mur du garage"
    assert form.theme.value is not None
    assert form.citizen_search.property("error") is True
    assert focused() is form.citizen_search
    assert not any(r.subject == "Tags sur le mur du garage" for r in desk.window.journal.model.rows)


def test_new_citizen_with_a_bad_phone_keeps_what_was_typed(qtbot, desk):
    form = desk.window.form
    press(qtbot, Qt.Key.Key_F2)
    type_keys(qtbot, "Crépieux Hélène")
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = form.citizen_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.last_name.text() == "CRÉPIEUX"
    assert dialog.first_names.text() == "Hélène"
    dialog.phone.setText("06 12 34")
    dialog.email.setText("helene.crepieux@laposte.net")
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=5_000)
    assert dialog.message.text() == PHONE_MESSAGE
    assert dialog.isVisible()
    assert dialog.phone.text() == "06 12 34" and dialog.email.text() == "helene.crepieux@laposte.net"
    assert dialog.phone.property("error") is True

    dialog.phone.setText("06 12 34 56 78")
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.citizen_search.value is not None, timeout=5_000)
    assert form.citizen_search.value.last_name == "CRÉPIEUX"
    assert form.citizen_search.value.phone == "+33612345678"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.theme, timeout=2_000)


def test_contact_corrected_the_same_day(qtbot, desk):
    window = desk.window
    form = window.form
    press(qtbot, Qt.Key.Key_F2)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "clubs sport")
    press(qtbot, Qt.Key.Key_Return)
    type_keys(qtbot, "Cours de judo")
    press(qtbot, Qt.Key.Key_Return)
    row = _wait_row(qtbot, window, lambda r: r.subject == "Cours de judo")
    form.load(row)
    assert form.title().startswith("Modifier")
    form.subject.setText("Cours de judo adultes")
    form.save()
    _wait_row(qtbot, window, lambda r: r.subject == "Cours de judo adultes")
    assert not any(r.subject == "Cours de judo" for r in window.journal.model.rows)


def test_journal_filters_and_counts(qtbot, desk):
    journal = desk.window.journal
    journal.day.setDate(journal.day.date().addDays(-1))
    qtbot.waitUntil(lambda: journal.journal is not None and journal.journal.day == journal.selected_day())
    total = journal.journal.total
    journal.channel.setCurrentIndex(journal.channel.findData(Channel.PHONE))
    qtbot.waitUntil(lambda: all(r.channel is Channel.PHONE for r in journal.model.rows))
    assert journal.journal.total == total  # the counts keep showing every channel
    assert len(journal.model.rows) == journal.journal.counts_by_channel[Channel.PHONE]
    assert "Total" in journal.counts.text()


def test_unhandled_errors_reach_the_window(qtbot, desk):
    def boom():
        raise RuntimeError("disque plein")

    with qtbot.waitSignal(desk.worker.unhandled_error, timeout=5_000) as signal:
        desk.worker.submit(boom)
    assert isinstance(signal.args[0], RuntimeError)
    box = desk.window.findChild(QMessageBox, "errorMessage")
    assert box is not None and box.isVisible()
    assert "Erreur inattendue (RuntimeError)" in box.text()
    assert "saisie est conservée" in box.text()
    box.accept()


def test_window_renders(qtbot, desk, tmp_path):
    window = desk.window
    window.resize(1280, 860)
    path = screenshot_dir(tmp_path) / "desk.png"
    assert window.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() >= 1200 and image.height() >= 800
    # Not a blank surface: the status bar's blue and the white form are both there.
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 5
    assert "agent" in window.agent_label.text().lower()
    # The bundled proportional face, not the monospaced one kept for printer strips.
    assert QApplication.font().family() == "DejaVu Sans"


def test_agents_have_no_supervision_tab(qtbot, desk):
    pages = desk.window.pages
    titles = [pages.tabText(i) for i in range(pages.count())]
    # requests, mail and residents: every role (other pages may follow)
    assert titles[:4] == ["Accueil (Ctrl+1)", "Demandes (Ctrl+3)", "Courrier (Ctrl+4)", "Usagers (Ctrl+5)"]
    assert not any(t.startswith("Supervision") for t in titles)
    assert pages.tabBar().isVisible()


def test_supervisors_open_supervision_with_ctrl_2(qtbot, login_as):
    window = login_as("sperrin").window
    assert window.pages.count() >= 5 and window.pages.tabBar().isVisible()
    assert window.pages.tabText(1) == "Supervision (Ctrl+2)"
    assert window.supervision is None  # built on first use only
    press(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.supervision is not None and window.supervision.isVisible(), timeout=5_000)
    assert window.pages.currentWidget() is window.supervision
    press(qtbot, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentIndex() == 0


def test_login_says_where_the_data_is_and_the_demo_accounts(qtbot, qapp, demo_file, db_path):
    from guichet.app import build_desk
    from guichet.config import Settings

    desk = build_desk(Settings(db_path=db_path), demo_file, hint="Démonstration : identifiants mdurand…")
    qtbot.addWidget(desk.login)
    texts = [label.text() for label in desk.login.findChildren(QLabel)]
    assert any("Démonstration : identifiants mdurand" in t for t in texts)
    assert any(str(db_path) in t for t in texts)
    desk.worker.shutdown()
