"""The setup assistant of a new PC, driven from the keyboard offscreen: the database's sites, the printer's test page
on a real printer emulator (the window keeps answering while a printer hangs), the central database's test, the
settings written and the password in the (test) keyring. Also: Qt's own buttons are French, and the desk's
« Copier le diagnostic »."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import keyring
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox, QWizard

from guichet.config import PrinterSettings, Settings
from guichet.printing.emulator import EmulatorMode, PrinterEmulator
from guichet.sync.central import KEYRING_SERVICE
from guichet.ui.common.style import apply_style
from guichet.ui.setup.wizard import SetupWizard
from guichet.ui.worker import Worker
from tests.integration.keyring_file import TestKeyring
from tests.ui.helpers import press, screenshot_dir, type_keys


@pytest.fixture
def vault() -> Iterator[TestKeyring]:
    previous = keyring.get_keyring()
    backend = TestKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def emulator() -> Iterator[PrinterEmulator]:
    with PrinterEmulator() as printer:
        yield printer


@pytest.fixture
def open_wizard(qtbot, qapp, demo_db, db_path, tmp_path, vault):
    apply_style(qapp)
    made: list[tuple[SetupWizard, Worker, Worker]] = []

    def make(**settings: object) -> SetupWizard:
        worker, net_worker = Worker(name="test-setup"), Worker(name="test-setup-net")
        base = Settings(db_path=db_path, path=tmp_path / "guichet.toml", printer=PrinterSettings(timeout_s=1.0))
        wizard = SetupWizard(worker, net_worker, replace(base, **settings))
        made.append((wizard, worker, net_worker))
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.activateWindow()
        qtbot.waitUntil(lambda: bool(wizard.site_page.sites), timeout=10_000)
        return wizard

    yield make
    for _wizard, worker, net_worker in made:
        qtbot.waitUntil(lambda w=worker, n=net_worker: w.idle and n.idle, timeout=15_000)
        worker.shutdown()
        net_worker.shutdown()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_technician_sets_up_a_desk_from_the_keyboard(qtbot, open_wizard, emulator, tmp_path, vault):
    wizard = open_wizard()
    shots = screenshot_dir(tmp_path)
    site = wizard.site_page
    assert [site.site_combo.itemText(i) for i in range(3)] == [
        "VEN-HDV — Hôtel de ville (Vénissieux)",
        "VEN-MAV — Mairie annexe du Moulin-à-Vent (Vénissieux)",
        "Autre site (taper son code)…",
    ]
    assert QApplication.focusWidget() is site.site_combo
    assert "Guichets de ce site : 1, 2, 3, 4, 5" in site.counters_hint.text()
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is site.counter_spin
    qtbot.keyClick(site.counter_spin.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, "9")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is site and "n'a pas de guichet n° 9 (guichets : 1, 2, 3, 4, 5)" in site.error.text()
    qtbot.keyClick(site.counter_spin.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, "3")
    wizard.grab().save(str(shots / "assistant_site.png"))
    press(qtbot, Qt.Key.Key_Return)

    printer = wizard.printer_page
    assert wizard.currentPage() is printer and QApplication.focusWidget() is printer.kind
    press(qtbot, Qt.Key.Key_Down)  # « Imprimante réseau »
    assert printer.backend == "network" and printer.host_edit.isVisible() and not printer.file_edit.isVisible()
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "127.0.0.1")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClick(printer.port_spin.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, str(emulator.port))
    press(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # « &Tester l'imprimante »
    qtbot.waitUntil(lambda: printer.result.text().startswith("Page de test envoyée"), timeout=10_000)
    [job] = emulator.wait_for_jobs(1)
    assert job.complete and printer.result.objectName() == "ok"
    wizard.grab().save(str(shots / "assistant_imprimante.png"))
    press(qtbot, Qt.Key.Key_Return)

    central = wizard.central_page
    assert wizard.currentPage() is central and not central.enabled.isChecked()
    assert not central.fields.isEnabled()
    press(qtbot, Qt.Key.Key_Return)

    summary = wizard.summary_page
    assert wizard.currentPage() is summary
    text = summary.text.text()
    for expected in ("VEN-HDV — Hôtel de ville (Vénissieux)", "n° 3", f"réseau 127.0.0.1:{emulator.port}, papier 80",
                     "guichet-3", "aucun : ce poste ne se synchronise pas"):  # fmt: skip
        assert expected in text, expected
    wizard.grab().save(str(shots / "assistant_recapitulatif.png"))
    press(qtbot, Qt.Key.Key_Return)  # « Terminer »
    qtbot.waitUntil(lambda: wizard.written is not None, timeout=10_000)
    assert wizard.result() == QWizard.DialogCode.Accepted
    written = Settings.load(tmp_path / "guichet.toml")
    assert (written.site_code, written.counter_number) == ("VEN-HDV", 3)
    assert (written.printer.backend, written.printer.port, written.printer.key) == (
        "network",
        emulator.port,
        "guichet-3",
    )
    assert written.db_path == wizard.settings.db_path  # not the default one: written
    assert written.sync.central_url == ""


def test_a_hanging_printer_never_freezes_the_window(qtbot, open_wizard, emulator):
    wizard = open_wizard()
    wizard.next()
    printer = wizard.printer_page
    printer.kind.setCurrentIndex(printer.kind.findData("network"))
    printer.host_edit.setText("127.0.0.1")
    printer.port_spin.setValue(emulator.port)
    emulator.set_mode(EmulatorMode.HANG)
    ticks: list[float] = []
    timer = QTimer(interval=20, timeout=lambda: ticks.append(time.perf_counter()))
    timer.start()
    qtbot.mouseClick(printer.test_button, Qt.MouseButton.LeftButton)
    assert printer.testing and not printer.test_button.isEnabled()
    assert printer.result.text() == "Impression de la page de test…"
    qtbot.keyClicks(printer.host_edit, "0")  # typing goes on while the printer does not answer
    assert printer.host_edit.text() == "127.0.0.10"
    qtbot.waitUntil(lambda: not printer.testing, timeout=15_000)
    timer.stop()
    assert printer.result.objectName() == "error"
    assert printer.result.text().startswith("Page de test non imprimée : L'imprimante ne répond pas")
    assert max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.5  # the event loop never stopped
    assert printer.test_button.isEnabled()


def test_the_central_database_page_tests_and_stores_the_password(qtbot, open_wizard, tmp_path, vault):
    wizard = open_wizard()
    wizard.site_page.site_combo.setCurrentIndex(1)  # VEN-MAV
    wizard.next()
    wizard.next()
    central = wizard.central_page
    assert QApplication.focusWidget() is central.enabled
    press(qtbot, Qt.Key.Key_Space)
    assert central.enabled.isChecked() and central.role_edit.text() == "site_ven_mav"
    port = _closed_port()
    central.address_edit.setFocus()
    type_keys(qtbot, f"127.0.0.1:{port}/guichet")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is central and "mot de passe du rôle" in central.result.text()
    central.password_edit.setFocus()
    type_keys(qtbot, "Mot-de-passe-2026")
    press(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # « &Tester la connexion » (clicks 100 ms later)
    qtbot.waitUntil(lambda: "port" in central.result.text(), timeout=15_000)
    assert central.result.text() == (
        f"Le serveur 127.0.0.1 refuse les connexions sur le port {port} : vérifiez le port, ou que PostgreSQL y "
        "écoute (un pare-feu peut aussi refuser)."
    )
    wizard.grab().save(str(screenshot_dir(tmp_path) / "assistant_serveur.png"))
    wizard.next()
    assert "connexion non testée" in wizard.summary_page.text.text()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: wizard.written is not None, timeout=10_000)
    assert wizard.written.sync.central_url == f"postgresql://site_ven_mav@127.0.0.1:{port}/guichet"
    assert wizard.written.sync.site_code == "VEN-MAV" == wizard.written.site_code
    assert vault.get_password(KEYRING_SERVICE, "site_ven_mav") == "Mot-de-passe-2026"
    assert "Mot-de-passe-2026" not in (tmp_path / "guichet.toml").read_text(encoding="utf-8")


def test_a_refused_save_says_why_and_keeps_the_wizard_open(qtbot, open_wizard, tmp_path):
    (tmp_path / "guichet.toml").write_text("[ui]\nlock_after_min = 999\n", encoding="utf-8")
    wizard = open_wizard()
    for _ in range(3):
        wizard.next()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: "refusés au démarrage" in wizard.summary_page.error.text(), timeout=10_000)
    assert wizard.isVisible() and wizard.written is None
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert (tmp_path / "guichet.toml").read_text(encoding="utf-8") == "[ui]\nlock_after_min = 999\n"


def _mnemonics(wizard: SetupWizard) -> list[str]:
    """The Alt+letter of every visible button and labelled field of the page on screen."""
    found = []
    labelled = [label for label in wizard.findChildren(QLabel) if label.buddy()]
    for widget in wizard.findChildren(QAbstractButton) + labelled:
        text = widget.text()
        if widget.isVisible() and "&" in text.replace("&&", ""):
            found.append(text[text.index("&") + 1].lower())
    return found


def test_no_two_keys_of_a_page_share_their_alt_letter(qtbot, open_wizard):
    wizard = open_wizard()
    wizard.printer_page.kind.setCurrentIndex(wizard.printer_page.kind.findData("network"))
    wizard.printer_page.host_edit.setText("127.0.0.1")
    wizard.central_page.enabled.setChecked(True)
    wizard.central_page.address_edit.setText("central.sitiv.fr/guichet")
    wizard.central_page.password_edit.setText("x")
    seen = []
    for _ in range(4):
        letters = _mnemonics(wizard)
        assert len(letters) == len(set(letters)), f"{wizard.currentPage().title()} : {sorted(letters)}"
        seen.append(wizard.currentPage())
        wizard.next()
    assert seen == [wizard.site_page, wizard.printer_page, wizard.central_page, wizard.summary_page]


def test_qt_standard_buttons_are_french(qapp):
    apply_style(qapp)
    apply_style(qapp)  # called by every window builder: one translator, not a pile
    assert len([t for t in qapp.children() if t.objectName() == "guichet-qtbase-fr"]) == 1
    box = QMessageBox(QMessageBox.Icon.Question, "Guichet", "Enregistrer ?")
    box.setStandardButtons(
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel
    )
    texts = {box.button(b).text() for b in (QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No,
                                            QMessageBox.StandardButton.Cancel)}  # fmt: skip
    assert texts == {"&Oui", "&Non", "Annuler"}
    wizard = QWizard()
    assert wizard.buttonText(QWizard.WizardButton.NextButton).replace("&", "") == "Suivant >"
    assert wizard.buttonText(QWizard.WizardButton.FinishButton).replace("&", "") == "Terminer"
    box.deleteLater()
    wizard.deleteLater()


def test_the_desk_copies_its_diagnostic(qtbot, login_as):
    desk = login_as("mdurand")
    window = desk.window
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith("Diagnostic de Guichet"), timeout=10_000)
    text = QGuiApplication.clipboard().text()
    assert "Qt : 6." in text and "sites : VEN-HDV (Hôtel de ville)" in text
    assert window.statusBar().currentMessage().startswith("Diagnostic copié (")
    menu = window.account_button.menu()
    assert "Copier le diagnostic\tCtrl+Maj+D" in [a.text() for a in menu.actions()]
