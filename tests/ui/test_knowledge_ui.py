"""The answer sheets at the desk: the theme's sheets beside the contact form, marked used, printed, as a PDF, the
directory as orientation, and the « Fiches » page where supervisors write them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from guichet.config import PrinterSettings, Settings
from guichet.domain import Outcome, PrintJobKind
from guichet.domain import PrintJobStatus as JobStatus
from guichet.printing.emulator import PrinterEmulator
from guichet.services.clock import local_day, now
from guichet.ui.common import pdf_actions
from guichet.ui.common.pdf_actions import PdfAction
from tests.ui.helpers import press, screenshot_dir, type_keys, visible_texts

ALT = Qt.KeyboardModifier.AltModifier


def _pick_theme(qtbot, window, words: str) -> None:
    window.form.theme.setFocus()
    type_keys(qtbot, words)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window._worker.idle and len(window.sheet_panel.sheets) > 0, timeout=5_000)


def test_picking_a_theme_shows_its_sheets_and_the_contact_records_the_one_used(qtbot, desk, tmp_path):
    window = desk.window
    window.resize(1366, 768)
    panel = window.sheet_panel
    assert window.lower.currentWidget() is window.journal  # no theme yet: the journal
    _pick_theme(qtbot, window, "passeport")
    assert window.lower.currentWidget() is panel  # the sheets come forward
    assert window.lower.tabText(1) == f"Fiches du thème ({len(panel.sheets)})"
    assert panel.current.title == "Carte d'identité et passeport"  # the theme's own sheet first
    html = panel.browser.toPlainText()
    assert "Pièces à fournir" in html and "86 €" in html and "pré-demande" in html
    assert window.grab().save(str(screenshot_dir(tmp_path) / "knowledge_panel.png"))
    # Alt+→ and Alt+← move between the sheets; the focus stays in the form.
    press(qtbot, Qt.Key.Key_Right, ALT)
    assert panel.index == 1 and panel.position.text() == f"Fiche 2 sur {len(panel.sheets)}"
    press(qtbot, Qt.Key.Key_Left, ALT)
    assert panel.index == 0
    press(qtbot, Qt.Key.Key_U, ALT)
    used = panel.current.sheet_id
    assert window.form.sheet_id == used and panel.used_button.isChecked()
    assert "Fiche utilisée" in panel.browser.toPlainText()
    window.form.subject.setFocus()
    type_keys(qtbot, "Renouvellement de passeport")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.last_saved is not None, timeout=5_000)
    assert window.last_saved.sheet_id == used
    saved = desk.services.contacts.journal(site_id=window.session.site_id, day=local_day(now())).rows[0]
    assert saved.subject == "Renouvellement de passeport" and saved.sheet_id == used
    # The form is empty again: no sheet, and the journal comes back with the new contact.
    assert window.form.sheet_id is None and panel.sheets == ()
    assert window.lower.currentWidget() is window.journal


def test_choosing_a_theme_again_forgets_the_sheet_of_the_previous_one(qtbot, desk):
    window = desk.window
    _pick_theme(qtbot, window, "passeport")
    press(qtbot, Qt.Key.Key_U, ALT)
    assert window.form.sheet_id is not None
    window.form.theme.clear_value()
    _pick_theme(qtbot, window, "restauration scolaire")
    assert window.form.sheet_id is None
    assert not window.sheet_panel.used_button.isChecked()


def test_the_directory_fills_the_orientation(qtbot, desk):
    window = desk.window
    panel = window.sheet_panel
    press(qtbot, Qt.Key.Key_A, ALT)
    assert window.lower.currentWidget() is panel and panel.directory.hasFocus()
    type_keys(qtbot, "allocations")
    qtbot.waitUntil(panel.directory.suggestions_visible, timeout=5_000)
    assert panel.directory.suggestion_labels()[0].startswith("CAF du Rhône")
    press(qtbot, Qt.Key.Key_Return)
    form = window.form
    assert form.outcome.currentData() == Outcome.ORIENTED_EXTERNAL
    assert form.orientation.text() == "CAF du Rhône" and form.orientation.value is not None
    assert "32 30" in panel.browser.toPlainText()  # how to reach them, on screen for the caller
    assert form.orientation.hasFocus()  # Entrée now saves the contact


def test_a_sheet_orients_to_the_service_it_names(qtbot, desk):
    window = desk.window
    _pick_theme(qtbot, window, "inscription scolaire")
    press(qtbot, Qt.Key.Key_R, ALT)
    assert window.form.outcome.currentData() == Outcome.ORIENTED_SERVICE
    assert window.form.orientation.text() == "Direction de l'Éducation"


def test_the_documents_list_prints_on_the_ticket_printer_with_its_preview(qtbot, login_as, db_path: Path, tmp_path):
    with PrinterEmulator() as printer:
        settings = Settings(db_path=db_path, printer=PrinterSettings(
            backend="network", key="accueil", host="127.0.0.1", port=printer.port, timeout_s=1.0, paper_mm=58,
        ))  # fmt: skip
        desk = login_as("mdurand", settings)
        window = desk.window
        _pick_theme(qtbot, window, "etat civil")  # the parent theme: its sheets and its sub-themes'
        titles = [s.title for s in window.sheet_panel.sheets]
        window.sheet_panel.index = titles.index("Attestation d'accueil d'un étranger")
        window.sheet_panel.refresh_state()
        press(qtbot, Qt.Key.Key_I, ALT)
        job = printer.wait_for_jobs(1, timeout=5.0)[0]
        text = job.payload.decode("cp858", errors="replace")
        assert "PIÈCES À FOURNIR" in text and "[ ] Timbre fiscal de 40 €" in text
        qtbot.waitUntil(lambda: getattr(window, "preview_dialog", None) is not None, timeout=5_000)
        assert window.preview_dialog.image.width() == 384 + 32
        assert window.preview_dialog.image.save(str(screenshot_dir(tmp_path) / "knowledge_slip.png"))
        assert window.form.sheet_id == window.sheet_panel.current.sheet_id  # printing it marks it used
        kinds = [j.kind for j in desk.services.printing.jobs(site_id=window.session.site_id, statuses=list(JobStatus))]
        assert kinds == [PrintJobKind.SHEET]
        desk.printer.stop()


def test_the_sheet_as_a_pdf_reads_back(qtbot, desk, monkeypatch):
    opened: list[Path] = []
    monkeypatch.setattr(pdf_actions, "open_file", lambda path: opened.append(path) or True)
    window = desk.window
    _pick_theme(qtbot, window, "permis de construire")
    window.sheet_panel.make_pdf(PdfAction.OPEN)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    words = " ".join(PdfReader(io.BytesIO(opened[0].read_bytes())).pages[0].extract_text().split())
    for expected in ("FICHE PRATIQUE", "Permis de construire", "Pièces à fournir", "Cerfa n° 13406",
                     "Dossier papier : en 4 exemplaires", "version 2"):  # fmt: skip
        assert expected in words, expected
    assert window.form.sheet_id == window.sheet_panel.current.sheet_id


def test_e_mail_needs_a_citizen_with_an_address(qtbot, desk):
    window = desk.window
    _pick_theme(qtbot, window, "passeport")
    messages: list[str] = []
    window.sheet_panel.message.connect(messages.append)
    press(qtbot, Qt.Key.Key_E, ALT)
    assert messages and "citoyen" in messages[-1]


@pytest.mark.parametrize("login", ["mdurand"])
def test_agents_browse_the_sheets_without_editing(qtbot, login_as, login):
    window = login_as(login).window
    press(qtbot, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: window.knowledge_page is not None and window.knowledge_page.detail is not None, timeout=5_000
    )
    page = window.knowledge_page
    assert not page.new_button.isVisible() and not page.edit_button.isVisible()
    assert page.model.columnCount() == 5  # no usage column for agents
    assert all(r.number > 0 and not r.archived for r in page.listing.rows)
    type_keys(qtbot, "timbre fiscal")  # Ctrl+7 put the cursor in the search
    qtbot.waitUntil(lambda: {r.title for r in page.listing.rows} == {
        "Attestation d'accueil d'un étranger", "Carte d'identité et passeport"}, timeout=5_000)  # fmt: skip


def test_a_supervisor_edits_and_publishes_and_the_desk_reads_the_new_version(qtbot, login_as, tmp_path):
    window = login_as("sperrin").window
    window.resize(1366, 768)
    window.show_knowledge()
    qtbot.waitUntil(
        lambda: window.knowledge_page is not None and window.knowledge_page.detail is not None, timeout=5_000
    )
    page = window.knowledge_page
    assert page.model.columnCount() == 6 and "Les plus utilisées" in page.top_used.text()
    type_keys(qtbot, "cantine tarifs")
    qtbot.waitUntil(lambda: [r.title for r in page.listing.rows] == ["Restauration scolaire : inscription et tarifs"],
                    timeout=5_000)  # fmt: skip
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.summary.title.startswith("Restauration"), timeout=5_000
    )
    assert "Brouillon en cours" in page.preview.toPlainText() and page.publish_button.isEnabled()
    assert window.grab().save(str(screenshot_dir(tmp_path) / "knowledge_page.png"))
    press(qtbot, Qt.Key.Key_M, ALT)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.isVisible(), timeout=5_000)
    editor = page.editor
    assert editor.answer.toPlainText().endswith("de 0,85 € à 5,35 €.")  # the draft, not the published text
    assert editor.grab().save(str(screenshot_dir(tmp_path) / "knowledge_editor.png"))
    editor.fees.setPlainText("De 0,85 € à 5,35 € le repas selon le quotient familial (tarifs 2026-2027).")
    editor.submit(publish=True)
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.published.number == 2, timeout=5_000)
    assert page.detail.draft is None and [v.number for v in page.detail.history] == [2, 1]
    # At the desk, the theme now shows version 2.
    window.activateWindow()  # the dialog gone, the window manager gives the window back its focus
    qtbot.waitUntil(lambda: page.table.hasFocus(), timeout=5_000)
    press(qtbot, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    _pick_theme(qtbot, window, "restauration scolaire")
    assert window.sheet_panel.current.number == 2 and "2026-2027" in window.sheet_panel.browser.toPlainText()


def test_a_refused_save_keeps_the_editor_open_with_the_fields_marked(qtbot, login_as):
    window = login_as("sperrin").window
    window.show_knowledge()
    qtbot.waitUntil(
        lambda: window.knowledge_page is not None and window.knowledge_page.listing is not None, timeout=5_000
    )
    page = window.knowledge_page
    press(qtbot, Qt.Key.Key_N, ALT)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.isVisible(), timeout=5_000)
    editor = page.editor
    editor.links.setPlainText("pas un lien")
    editor.submit(publish=False)
    qtbot.waitUntil(lambda: editor.message.isVisible(), timeout=5_000)
    assert editor.isVisible() and editor.title.property("error") and editor.links.property("error")
    assert "Donnez un titre" in editor.message.text()
    assert any("Donnez un titre" in t for t in visible_texts(window))
