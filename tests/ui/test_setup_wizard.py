"""The setup assistant of a new PC, driven from the keyboard offscreen: the database's sites, the pairing with a real
site hub served in the test (its sites, its refusal of a wrong code, the window answering while a hub hangs), the
printer's test page on a real printer emulator (the window keeps answering while a printer hangs), the central
database's test, the settings written and the password or the hub's token in the (test) keyring. Also: Qt's own
buttons are French, and the desk's « Copier le diagnostic »."""

from __future__ import annotations

import html
import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import keyring
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox, QWizard

from guichet.app import hub_link
from guichet.config import PrinterSettings, Settings
from guichet.db import Database
from guichet.hub.client import HubLink
from guichet.hub.settings import KEYRING_SERVICE as HUB_KEYRING_SERVICE
from guichet.printing.emulator import EmulatorMode, PrinterEmulator
from guichet.sync.central import KEYRING_SERVICE
from guichet.ui.common.style import apply_style
from guichet.ui.setup.wizard import SetupWizard
from guichet.ui.worker import Worker
from tests.hub.harness import ServedHub, hub_settings
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
        qtbot.waitUntil(lambda: wizard.site_page.local_read, timeout=10_000)
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


@pytest.fixture
def served(demo_db: Database) -> Iterator[ServedHub]:
    """The demo database served by a real site hub on 127.0.0.2 (the test's own connection closed first)."""
    demo_db.close()
    hub = ServedHub(hub_settings(demo_db.path)).start()
    yield hub
    hub.close()


def test_a_technician_sets_up_a_desk_from_the_keyboard(qtbot, open_wizard, emulator, tmp_path, vault):
    wizard = open_wizard()
    shots = screenshot_dir(tmp_path)
    mode = wizard.mode_page
    assert wizard.currentPage() is mode and QApplication.focusWidget() is mode.own_radio
    assert mode.own_radio.isChecked() and not mode.fields.isEnabled()
    press(qtbot, Qt.Key.Key_Return)  # « Ce poste a sa propre base »
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
    assert written.sync.central_url == "" and written.hub.url == ""


def test_a_hanging_printer_never_freezes_the_window(qtbot, open_wizard, emulator):
    wizard = open_wizard()
    wizard.next()
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
    wizard.next()
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
    for _ in range(4):
        wizard.next()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: "refusés au démarrage" in wizard.summary_page.error.text(), timeout=10_000)
    assert wizard.isVisible() and wizard.written is None
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert (tmp_path / "guichet.toml").read_text(encoding="utf-8") == "[ui]\nlock_after_min = 999\n"


def _new_pc(tmp_path):
    """A new PC of the site: no database of its own (nothing to read the sites from)."""
    return {"db_path": tmp_path / "poste" / "guichet.sqlite3"}


def _loaded(path):
    """What the wizard reads from an existing settings file (the database aside)."""
    loaded = Settings.load(path)
    return {"site_code": loaded.site_code, "counter_number": loaded.counter_number, "sync": loaded.sync,
            "hub": loaded.hub}  # fmt: skip


def _select_all_and_type(qtbot, text: str) -> None:
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, text)


def test_a_desk_is_paired_with_the_site_hub_from_the_keyboard(qtbot, open_wizard, served, tmp_path, vault):
    pairing = served.hub.devices.pair(name="Guichet 3", role="poste", site_code="HDV")
    wizard = open_wizard(**_new_pc(tmp_path))
    shots = screenshot_dir(tmp_path)
    mode = wizard.mode_page
    assert QApplication.focusWidget() is mode.own_radio
    press(qtbot, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)  # « … serveur du site (&hub) » (clicks 100 ms later)
    qtbot.waitUntil(mode.hub_radio.isChecked, timeout=2_000)
    assert mode.fields.isEnabled()
    assert QApplication.focusWidget() is mode.hub_radio
    press(qtbot, Qt.Key.Key_Return)  # « Suivant » before pairing: said, and the address asked
    assert wizard.currentPage() is mode and mode.result.text().startswith("Appairez d'abord ce poste")
    assert QApplication.focusWidget() is mode.address_edit
    type_keys(qtbot, f"127.0.0.2:{served.port}")
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is mode.code_edit
    type_keys(qtbot, "k7qf 3mzd")  # well formed, but not the code the hub gave
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # « &Appairer »
    qtbot.waitUntil(lambda: not mode.busy and "inconnu" in mode.result.text(), timeout=10_000)
    assert mode.result.objectName() == "error"
    assert mode.result.text().startswith("Code d'appairage inconnu ou expiré : demandez-en un nouveau")
    assert QApplication.focusWidget() is mode.code_edit and mode.paired is None
    wizard.grab().save(str(shots / "assistant_hub_refus.png"))
    assert not (tmp_path / "guichet.toml").exists() and vault.memory == {}  # nothing written, nothing stored

    _select_all_and_type(qtbot, pairing.code.lower())
    press(qtbot, Qt.Key.Key_Return)  # « Suivant » with a code typed: pairs first, stays on the page
    qtbot.waitUntil(lambda: mode.paired is not None, timeout=10_000)
    assert wizard.currentPage() is mode and mode.result.objectName() == "ok"
    assert mode.result.text().startswith("Poste appairé sous le nom « Guichet 3 » (poste d'accueil, site VEN-HDV).")
    assert mode.code_edit.text() == "" and mode.paired.url == served.url
    assert QApplication.focusWidget() is wizard.button(QWizard.WizardButton.NextButton)
    assert vault.memory == {}  # the token waits for « Terminer »
    wizard.grab().save(str(shots / "assistant_hub.png"))
    press(qtbot, Qt.Key.Key_Return)

    site = wizard.site_page  # the sites, read through the hub with the new token; the paired one chosen
    assert wizard.currentPage() is site and QApplication.focusWidget() is site.site_combo
    assert [site.site_combo.itemText(i) for i in range(site.site_combo.count())] == [
        "VEN-HDV — Hôtel de ville (Vénissieux)",
        "VEN-MAV — Mairie annexe du Moulin-à-Vent (Vénissieux)",
        "Autre site (taper son code)…",
    ]
    assert site.site_combo.currentIndex() == 0 and "Guichets de ce site : 1, 2, 3, 4, 5" in site.counters_hint.text()
    assert site.database_hint.text() == (
        f"Sites lus sur le serveur du site {served.url} (2 site(s)) ; ce poste est appairé pour VEN-HDV."
    )
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClick(site.counter_spin.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, "3")
    wizard.grab().save(str(shots / "assistant_hub_site.png"))
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.printer_page
    press(qtbot, Qt.Key.Key_Return)  # no printer

    summary = wizard.summary_page  # no central database page: the hub synchronises
    assert wizard.currentPage() is summary
    text = html.unescape(summary.text.text())
    for expected in (f"sur le serveur du site {served.url} — poste « Guichet 3 » (poste d'accueil)",
                     "sera enregistré dans le trousseau du système (service « guichet-hub »)",
                     "aucun sur ce poste : le serveur du site se synchronise", "n° 3"):  # fmt: skip
        assert expected in text, expected
    assert "Base de données" not in text
    wizard.grab().save(str(shots / "assistant_hub_recapitulatif.png"))
    press(qtbot, Qt.Key.Key_Return)  # « Terminer »
    qtbot.waitUntil(lambda: wizard.written is not None, timeout=10_000)

    written = Settings.load(tmp_path / "guichet.toml")
    assert written.hub.url == served.url and (written.site_code, written.counter_number) == ("VEN-HDV", 3)
    assert written.sync.central_url == ""
    token = vault.get_password(HUB_KEYRING_SERVICE, served.url)
    assert token == mode.paired.token and token not in (tmp_path / "guichet.toml").read_text(encoding="utf-8")
    link = hub_link(written)  # as the desk finds it at its start: the file's address, the keyring's token
    try:
        assert link.whoami()["name"] == "Guichet 3" and link.whoami()["role"] == "poste"
    finally:
        link.close()


def test_a_kiosk_is_paired_for_its_site_and_has_no_counter(qtbot, open_wizard, served, tmp_path, vault):
    pairing = served.hub.devices.pair(name="Borne hall", role="borne", site_code="HDV")
    wizard = open_wizard(site_code="VEN-HDV", counter_number=2, **_new_pc(tmp_path))
    mode = wizard.mode_page
    mode.hub_radio.setChecked(True)
    mode.address_edit.setText(served.url)
    mode.code_edit.setText(pairing.code)
    qtbot.mouseClick(mode.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mode.paired is not None, timeout=10_000)
    assert mode.result.text().startswith("Poste appairé sous le nom « Borne hall » (borne, site VEN-HDV).")
    wizard.next()
    site = wizard.site_page  # a kiosk's token reaches the public calls only: its own site, checked by its code
    assert [site.site_combo.itemText(i) for i in range(site.site_combo.count())] == [
        "VEN-HDV — Hôtel de ville (Vénissieux)",
        "Autre site (taper son code)…",
    ]
    assert site.counter_number is None
    wizard.grab().save(str(screenshot_dir(tmp_path) / "assistant_hub_borne.png"))
    site.site_combo.setCurrentIndex(1)
    site.code_edit.setText("VEN-MAV")
    wizard.next()
    assert wizard.currentPage() is site
    assert site.error.text().startswith("Ce poste est appairé comme borne du site VEN-HDV : choisissez ce site")
    site.site_combo.setCurrentIndex(0)
    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.summary_page
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: wizard.written is not None, timeout=10_000)
    assert (wizard.written.hub.url, wizard.written.site_code, wizard.written.counter_number) == (
        served.url,
        "VEN-HDV",
        None,
    )
    assert wizard.written.printer.backend == "none"
    link = HubLink(served.url, vault.get_password(HUB_KEYRING_SERVICE, served.url))
    try:
        assert link.whoami()["role"] == "borne"
    finally:
        link.close()


def test_an_earlier_pairing_is_kept_and_leaving_the_hub_is_said(qtbot, open_wizard, served, tmp_path, vault):
    path = tmp_path / "guichet.toml"
    pairing = served.hub.devices.pair(name="Guichet 2", role="poste", site_code="HDV")
    token = served.hub.devices.claim(code=pairing.code).token
    vault.set_password(HUB_KEYRING_SERVICE, served.url, token)
    path.write_text(
        f'site_code = "VEN-HDV"\ncounter_number = 2\n[sync]\ncentral_url = "postgresql://site_ven_hdv@h/guichet"\n'
        f'[hub]\nurl = "127.0.0.2:{served.port}"\noutbox = "/srv/contacts"\n',
        encoding="utf-8",
    )
    wizard = open_wizard(**_new_pc(tmp_path), **_loaded(path))
    mode = wizard.mode_page
    assert mode.hub_radio.isChecked() and mode.address_edit.text() == f"127.0.0.2:{served.port}"
    qtbot.waitUntil(lambda: mode.paired is not None, timeout=10_000)
    assert mode.result.text().startswith(
        f"Ce poste est déjà appairé avec le serveur du site {served.url} sous le nom « Guichet 2 » (poste d'accueil"
    )
    wizard.grab().save(str(screenshot_dir(tmp_path) / "assistant_hub_deja.png"))
    for _ in range(3):
        wizard.next()
    assert wizard.currentPage() is wizard.summary_page
    text = html.unescape(wizard.summary_page.text.text())
    assert "inchangé (déjà dans le trousseau du système)" in text
    assert "l'adresse postgresql://site_ven_hdv@h/guichet est retirée de ce poste" in text

    # Back to the first page: « sa propre base » takes the hub's address away, and says so.
    for _ in range(3):
        wizard.back()
    assert wizard.currentPage() is mode
    qtbot.keyClick(mode.hub_radio, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(mode.own_radio.isChecked, timeout=2_000)
    assert "« Terminer » retirera de ce poste le serveur du site" in mode.result.text()
    for _ in range(4):
        wizard.next()
    assert wizard.currentPage() is wizard.summary_page
    assert f"retiré : ce poste n'utilisera plus {served.url}" in html.unescape(wizard.summary_page.text.text())
    wizard.grab().save(str(screenshot_dir(tmp_path) / "assistant_hub_retire.png"))
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: wizard.written is not None, timeout=10_000)
    assert wizard.written.hub.url == "" and wizard.written.hub.outbox == "/srv/contacts"  # only the url goes
    assert wizard.written.sync.central_url == "postgresql://site_ven_hdv@h/guichet"  # own database: kept


def test_a_hub_that_does_not_answer_never_freezes_the_window(qtbot, open_wizard, tmp_path):
    wizard = open_wizard(**_new_pc(tmp_path))
    mode = wizard.mode_page
    mode.timeout_s = 1.0
    mode.hub_radio.setChecked(True)
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        mode.address_edit.setText(f"127.0.0.1:{port}")
        mode.code_edit.setText("K7QF-3MZD")
        ticks: list[float] = []
        timer = QTimer(interval=20, timeout=lambda: ticks.append(time.perf_counter()))
        timer.start()
        qtbot.mouseClick(mode.pair_button, Qt.MouseButton.LeftButton)
        assert mode.busy and not mode.pair_button.isEnabled()
        assert mode.result.text() == f"Appairage avec le serveur du site http://127.0.0.1:{port}…"
        qtbot.keyClicks(mode.code_edit, "X")  # typing goes on while the hub does not answer
        assert mode.code_edit.text() == "K7QF-3MZDX"
        qtbot.waitUntil(lambda: not mode.busy, timeout=10_000)
        timer.stop()
    assert mode.result.objectName() == "error"
    assert mode.result.text().startswith(f"Le serveur du site 127.0.0.1:{port} accepte la connexion mais ne répond pas")
    assert max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.5  # the event loop never stopped
    assert mode.pair_button.isEnabled() and QApplication.focusWidget() is mode.address_edit

    mode.address_edit.setText(f"127.0.0.1:{_closed_port()}")
    mode.code_edit.setText("K7QF-3MZD")
    qtbot.mouseClick(mode.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not mode.busy, timeout=10_000)
    assert "refuse les connexions" in mode.result.text() and "guichet hub serve" in mode.result.text()
    assert not (tmp_path / "guichet.toml").exists()


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
    for _ in range(5):
        letters = _mnemonics(wizard)
        assert len(letters) == len(set(letters)), f"{wizard.currentPage().title()} : {sorted(letters)}"
        seen.append(wizard.currentPage())
        if wizard.currentPage() is wizard.mode_page:  # the hub's fields too (they share the page)
            wizard.mode_page.hub_radio.setChecked(True)
            letters = _mnemonics(wizard)
            assert len(letters) == len(set(letters)), sorted(letters)
            assert {"b", "h", "d", "c", "a", "s"} <= set(letters)
            wizard.mode_page.own_radio.setChecked(True)
        wizard.next()
    assert seen == [wizard.mode_page, wizard.site_page, wizard.printer_page, wizard.central_page, wizard.summary_page]


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
