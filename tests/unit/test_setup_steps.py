"""What the setup assistant reads, checks and writes (guichet.setup_steps), without Qt: the settings file merged and
checked before it replaces the old one, the password in the keyring only, the printer's test page on the printer
emulator, the central database's refusals in French."""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Iterator
from datetime import date

import keyring
import keyring.backends.fail
import pytest

from guichet import setup_steps as steps
from guichet.config import PrinterSettings, Settings
from guichet.printing.emulator import EmulatorMode, PrinterEmulator
from guichet.sync.central import KEYRING_SERVICE
from tests.integration.keyring_file import TestKeyring


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


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_toml_writer_reads_back_what_it_wrote():
    data = {
        "db_path": "C:\\Users\\accueil\\guichet.sqlite3",
        "site_code": "VEN-HDV",
        "counter_number": 3,
        "ui": {"font_size": 12, "lock_after_min": 0},
        "printer": {
            "backend": "network",
            "host": "10.0.0.5",
            "port": 9100,
            "footer": 'Merci « à bientôt »\n"ok"\t\x01',
        },
        "hub": {"printers": {"guichet-2": {"backend": "file", "file_path": "/tmp/x"}}},
        "rgpd": {"ratio": 0.5, "since": date(2026, 1, 2), "codes": ["a", "b"], "on": True},
        "list": [{"a": 1, "sub": {"b": 2}}, {"a": 2}],
        "empty": {},
        "clé accentuée": "é",
    }
    assert tomllib.loads(steps.dumps(data)) == data


def test_site_codes_and_central_addresses():
    assert steps.check_site_code(" ven-hdv ") == "VEN-HDV"
    with pytest.raises(steps.SetupError, match="ex. VEN-HDV"):
        steps.check_site_code("Hôtel de ville")
    assert steps.central_url("central.sitiv.fr:5433/guichet", "site_ven_hdv") == (
        "postgresql://site_ven_hdv@central.sitiv.fr:5433/guichet"
    )
    assert steps.central_url("postgresql://ancien@10.0.0.9/guichet?sslmode=require", "site_ven_mav") == (
        "postgresql://site_ven_mav@10.0.0.9/guichet?sslmode=require"
    )
    with pytest.raises(steps.SetupError, match="mot de passe ne va pas dans l'adresse"):
        steps.central_url("postgresql://r:secret@h/db", "site_ven_hdv")
    with pytest.raises(steps.SetupError, match="le serveur et la base"):
        steps.central_url("central.sitiv.fr", "site_ven_hdv")
    with pytest.raises(steps.SetupError, match="Rôle PostgreSQL"):
        steps.central_url("h/db", "Site VEN")


def test_the_settings_file_is_merged_and_keeps_what_the_assistant_does_not_ask(tmp_path, vault):
    path = tmp_path / "guichet.toml"
    path.write_text(
        'db_path = "/srv/guichet/site.sqlite3"\nsite_code = "VEN-MAV"\ncounter_number = 2\n'
        '[ui]\nfont_size = 14\n[printer]\nbackend = "usb"\nusb_vendor_id = 1208\nfooter = "Bonne journée"\n'
        '[smtp]\nhost = "smtp.venissieux.fr"\nusername = "accueil"\nfrom_address = "accueil@venissieux.fr"\n[hub]\nurl = "10.0.0.5"\n',
        encoding="utf-8",
    )
    printer = steps.printer_settings(backend="network", host="10.0.0.7", port=9100, paper_mm=58, key="guichet-3")
    url = steps.central_url("127.0.0.1:5432/guichet", "site_ven_hdv")
    choices = steps.SetupChoices(site_code="VEN-HDV", counter_number=3, printer=printer, central_url=url)
    settings = steps.write_settings(path, choices, password="mot de passe du rôle")
    assert settings.site_code == "VEN-HDV" and settings.counter_number == 3
    assert settings.printer.backend == "network" and settings.printer.host == "10.0.0.7"
    assert settings.printer.paper_mm == 58 and settings.printer.key == "guichet-3"
    assert settings.printer.footer == "Bonne journée" and settings.printer.usb_vendor_id is None
    assert settings.sync.central_url == url and settings.sync.site_code == "VEN-HDV"
    assert settings.ui.font_size == 14 and settings.smtp.host == "smtp.venissieux.fr"
    assert settings.hub.url == "10.0.0.5" and str(settings.db_path) == "/srv/guichet/site.sqlite3"
    text = path.read_text(encoding="utf-8")
    assert "mot de passe du rôle" not in text and text.startswith("# Réglages de Guichet")
    assert vault.get_password(KEYRING_SERVICE, "site_ven_hdv") == "mot de passe du rôle"
    assert 'site_code = "VEN-MAV"' in (tmp_path / "guichet.toml.bak").read_text(encoding="utf-8")
    # Again without the central database: [sync] loses its server, the rest stays.
    again = steps.write_settings(path, steps.SetupChoices(site_code="VEN-HDV"))
    assert again.sync.central_url == "" and again.printer.host == "10.0.0.7" and again.counter_number is None


def test_settings_the_program_would_refuse_leave_the_old_file_untouched(tmp_path, vault):
    path = tmp_path / "guichet.toml"
    path.write_text('site_code = "VEN-HDV"\n', encoding="utf-8")
    url = steps.central_url("h:5432/guichet", "site_ven_hdv")
    with pytest.raises(steps.SetupError, match="refusés au démarrage"):
        steps.write_settings(path, steps.SetupChoices(site_code="VEN-MAV", central_url=url, tls="jamais"), password="x")
    assert path.read_text(encoding="utf-8") == 'site_code = "VEN-HDV"\n'
    assert vault.get_password(KEYRING_SERVICE, "site_ven_hdv") is None  # checked before anything is stored
    assert [p.name for p in tmp_path.iterdir()] == ["guichet.toml"]


def test_a_keyring_that_refuses_the_password_writes_nothing(tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        url = steps.central_url("h:5432/guichet", "site_ven_hdv")
        with pytest.raises(steps.SetupError, match="trousseau du système refuse"):
            steps.write_settings(
                tmp_path / "guichet.toml", steps.SetupChoices("VEN-HDV", central_url=url), password="x"
            )
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "guichet.toml").exists()


def test_an_unreadable_settings_file_is_kept_aside(tmp_path):
    path = tmp_path / "guichet.toml"
    path.write_text("site_code = [non fermé\n", encoding="utf-8")
    settings = steps.write_settings(path, steps.SetupChoices(site_code="VEN-HDV", counter_number=1))
    assert settings.counter_number == 1
    assert "illisible" in path.read_text(encoding="utf-8")
    assert (tmp_path / "guichet.toml.bak").read_text(encoding="utf-8") == "site_code = [non fermé\n"


def test_the_printer_fields_are_checked():
    base = PrinterSettings(code_page="CP1252", footer="Merci")
    printer = steps.printer_settings(backend="network", base=base, host=" 10.0.0.5 ", port=9101, key="guichet-1")
    assert (printer.host, printer.port, printer.code_page, printer.footer) == ("10.0.0.5", 9101, "CP1252", "Merci")
    with pytest.raises(steps.SetupError, match="adresse IP"):
        steps.printer_settings(backend="network", host="")
    with pytest.raises(steps.SetupError, match="fichier ou le périphérique"):
        steps.printer_settings(backend="file")
    assert steps.printer_key_for(3) == "guichet-3" and steps.printer_key_for(None) == "kiosque"


def test_the_test_page_reaches_the_printer(emulator):
    printer = steps.printer_settings(backend="network", host="127.0.0.1", port=emulator.port, paper_mm=58)
    text = steps.test_printer(printer)
    assert text.startswith("Page de test envoyée en ")
    [job] = emulator.wait_for_jobs(1)
    assert job.complete and len(job.payload) > 500


def test_a_printer_that_refuses_is_said_in_french(emulator):
    emulator.set_mode(EmulatorMode.REFUSE)
    printer = steps.printer_settings(backend="network", host="127.0.0.1", port=emulator.port)
    printer = PrinterSettings(**{**printer.__dict__, "timeout_s": 1.0})
    with pytest.raises(steps.SetupError, match=r"^Page de test non imprimée : Imprimante hors ligne"):
        steps.test_printer(printer)


def test_a_closed_port_is_told_apart_from_a_wrong_password():
    port = _closed_port()
    url = steps.central_url(f"127.0.0.1:{port}/guichet", "site_ven_hdv")
    with pytest.raises(steps.SetupError, match=f"refuse les connexions sur le port {port}"):
        steps.check_central(url=url, password="x", timeout_s=2)
    with pytest.raises(steps.SetupError, match="mot de passe du rôle"):
        steps.check_central(url=url, password="")


def test_the_sites_of_an_existing_database(demo_db, db_path, tmp_path):
    sites = steps.local_sites(db_path)
    assert [s.full_code for s in sites] == ["VEN-HDV", "VEN-MAV"]
    assert sites[0].label == "VEN-HDV — Hôtel de ville (Vénissieux)"
    assert steps.local_sites(tmp_path / "absente.sqlite3") == ()
    assert not (tmp_path / "absente.sqlite3").exists()


def test_settings_remember_the_file_they_come_from(tmp_path):
    path = tmp_path / "guichet.toml"
    assert Settings.load(path).path == path
    path.write_text('site_code = "VEN-HDV"\n', encoding="utf-8")
    assert Settings.load(path).path == path and Settings.load(path) == Settings(site_code="VEN-HDV")


def test_the_desk_opens_the_assistant_on_a_new_pc_only(tmp_path):
    from argparse import Namespace

    from guichet.__main__ import _first_start

    fresh = Settings.load(tmp_path / "guichet.toml")
    assert _first_start(fresh, Namespace(db=None, startup_probe=False))
    assert not _first_start(fresh, Namespace(db=tmp_path / "site.sqlite3", startup_probe=False))  # --db: chosen
    assert not _first_start(fresh, Namespace(db=None, startup_probe=True))  # the benchmarks' probe
    (tmp_path / "guichet.toml").write_text('site_code = "VEN-HDV"\n', encoding="utf-8")
    assert not _first_start(Settings.load(tmp_path / "guichet.toml"), Namespace(db=None, startup_probe=False))
    assert not _first_start(Settings(), Namespace(db=None, startup_probe=False))  # built in code: no file to miss
