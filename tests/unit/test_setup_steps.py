"""What the setup assistant reads, checks and writes (guichet.setup_steps), without Qt: the settings file merged and
checked before it replaces the old one, the password and the hub's token in the keyring only, the printer's test
page on the printer emulator, the central database's refusals in French, the pairing with a real site hub."""

from __future__ import annotations

import socket
import threading
import tomllib
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import keyring
import keyring.backends.fail
import pytest

from guichet import setup_steps as steps
from guichet.config import PrinterSettings, Settings
from guichet.db import Database
from guichet.hub.client import HubLink
from guichet.hub.settings import KEYRING_SERVICE as HUB_KEYRING_SERVICE
from guichet.printing.emulator import EmulatorMode, PrinterEmulator
from guichet.sync.central import KEYRING_SERVICE
from tests.hub.harness import ServedHub, hub_settings
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


# -- the site hub: a real one, served in the test process (tests/hub/harness.py) -----------------------------


@pytest.fixture
def served(demo_db: Database) -> Iterator[ServedHub]:
    demo_db.close()  # the hub holds the database now
    hub = ServedHub(hub_settings(demo_db.path)).start()
    yield hub
    hub.close()


def test_hub_addresses_and_pairing_codes():
    assert steps.check_hub_address(" 192.168.1.10 ") == "http://192.168.1.10:8765"
    assert steps.check_hub_address("http://serveur-accueil:9000/") == "http://serveur-accueil:9000"
    assert steps.hub_url_of("") == "" and steps.hub_url_of("10.0.0.5") == "http://10.0.0.5:8765"
    with pytest.raises(steps.SetupError, match="ex. 192.168.1.10"):
        steps.check_hub_address("  ")
    with pytest.raises(steps.SetupError, match="le port est un nombre"):
        steps.check_hub_address("10.0.0.5:huit")
    with pytest.raises(steps.SetupError, match="commence par http://"):
        steps.check_hub_address("ftp://10.0.0.5:21")
    assert steps.check_pairing_code(" k7qf 3mzd ") == "K7QF-3MZD" == steps.check_pairing_code("K7QF-3MZD")
    with pytest.raises(steps.SetupError, match="Tapez le code d'appairage"):
        steps.check_pairing_code(" - ")
    with pytest.raises(steps.SetupError, match="8 lettres et chiffres"):
        steps.check_pairing_code("K7QF-3MZ")


def test_a_desk_pairs_and_sees_the_sites_through_the_hub(served):
    pairing = served.hub.devices.pair(name="Guichet 3", role="poste", site_code="HDV")
    paired = steps.pair_with_hub(served.url.removeprefix("http://"), pairing.code.lower())
    assert (paired.url, paired.name, paired.role, paired.role_label) == (
        served.url, "Guichet 3", "poste", "poste d'accueil"
    )  # fmt: skip
    assert [(s.full_code, s.counters) for s in paired.sites] == [("VEN-HDV", (1, 2, 3, 4, 5)), ("VEN-MAV", (1, 2))]
    assert paired.site_code == "VEN-HDV" and paired.note == "" and not paired.kept
    assert paired.summary == "Poste appairé sous le nom « Guichet 3 » (poste d'accueil, site VEN-HDV)."
    assert paired.token not in repr(paired)
    link = HubLink(served.url, paired.token)
    try:
        assert link.whoami()["name"] == "Guichet 3"
    finally:
        link.close()
    with pytest.raises(steps.PairingRefusedError, match="^Code d'appairage inconnu ou expiré"):
        steps.pair_with_hub(served.url, pairing.code)  # spent


def test_a_kiosk_pairs_for_its_site_only(served):
    code = served.hub.devices.pair(name="Borne hall", role="borne", site_code="MAV").code
    paired = steps.pair_with_hub(served.url, code, site_code="VEN-MAV")
    assert [s.full_code for s in paired.sites] == ["VEN-MAV"] and paired.site_code == "VEN-MAV"
    assert paired.sites[0].counters == ()
    # Its site unknown (two sites, no code typed): a kiosk's token cannot list them, so the code is asked.
    code = served.hub.devices.pair(name="Écran hall", role="ecran", site_code="HDV").code
    paired = steps.pair_with_hub(served.url, code)
    assert paired.sites == () and paired.site_code == "" and paired.token
    assert paired.note.startswith("Le serveur du site ne donne pas la liste des sites à cet écran d'appel")
    code = served.hub.devices.pair(name="Borne 2", role="borne", site_code="HDV").code
    paired = steps.pair_with_hub(served.url, code, site_code="VEN-MAV")
    assert paired.sites == () and paired.note.startswith("Cette borne est appairée pour un autre site que VEN-MAV")


def test_a_hub_out_of_reach_or_another_program_is_said_in_french(served):
    port = _closed_port()
    with pytest.raises(steps.SetupError, match=f"refuse les connexions sur le port {port}"):
        steps.pair_with_hub(f"127.0.0.1:{port}", "K7QF-3MZD")
    with pytest.raises(steps.SetupError, match="est inconnu : vérifiez son nom"):
        steps.pair_with_hub("serveur-qui-n-existe-pas.invalid", "K7QF-3MZD")
    with socket.socket() as silent:  # accepts, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        with pytest.raises(steps.SetupError, match="accepte la connexion mais ne répond pas"):
            steps.pair_with_hub(f"127.0.0.1:{silent.getsockname()[1]}", "K7QF-3MZD", timeout_s=0.5)
    other = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)  # a web server, not the hub (501)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        with pytest.raises(steps.SetupError, match="un autre programme que le serveur du site"):
            steps.pair_with_hub(f"127.0.0.1:{other.server_address[1]}", "K7QF-3MZD", timeout_s=1)
    finally:
        other.shutdown()
        other.server_close()


def test_an_earlier_pairing_is_found_in_the_keyring(served, vault):
    assert steps.stored_hub(served.url) is None  # no token: not paired
    pairing = served.hub.devices.pair(name="Guichet 2", role="poste", site_code="HDV")
    token = served.hub.devices.claim(code=pairing.code).token
    vault.set_password(HUB_KEYRING_SERVICE, served.url, token)
    kept = steps.stored_hub(f"127.0.0.2:{served.port}")
    assert kept is not None and kept.kept and (kept.name, kept.token, kept.site_code) == ("Guichet 2", token, "VEN-HDV")
    assert kept.summary.startswith(f"Ce poste est déjà appairé avec le serveur du site {served.url}")
    url, port = served.url, served.port
    served.stop()  # the hub away: the pairing is kept, said
    away = steps.stored_hub(url, timeout_s=0.5)
    assert away is not None and away.token == token and away.name == "" and away.sites == ()
    assert away.note.startswith("Le serveur du site ne répond pas pour l'instant")
    served.port = port
    served.start()
    served.hub.devices.revoke(name="Guichet 2")
    with pytest.raises(steps.SetupError, match=r"^Ce poste n'est pas appairé .* Demandez un nouveau code d'appairage"):
        steps.stored_hub(url)


def test_the_hub_url_and_its_token_are_written_and_taken_away(tmp_path, vault):
    path = tmp_path / "guichet.toml"
    path.write_text(
        'site_code = "VEN-HDV"\n[sync]\ncentral_url = "postgresql://site_ven_hdv@h/guichet"\n'
        '[hub]\nlisten = "0.0.0.0:9000"\noutbox = "/srv/contacts"\n',
        encoding="utf-8",
    )
    url = "http://192.168.1.10:8765"
    choices = steps.SetupChoices(site_code="VEN-HDV", counter_number=2, hub_url=url)
    settings = steps.write_settings(path, choices, hub_token="jeton-du-poste")
    assert settings.hub.url == url and settings.hub.listen == "0.0.0.0:9000" and settings.hub.outbox == "/srv/contacts"
    assert settings.sync.central_url == ""  # behind a hub, the hub synchronises
    assert vault.get_password(HUB_KEYRING_SERVICE, url) == "jeton-du-poste"
    assert "jeton-du-poste" not in path.read_text(encoding="utf-8")
    # None: the file's [hub] url is kept (callers that do not ask); "": taken away, the rest of [hub] stays.
    assert steps.write_settings(path, steps.SetupChoices(site_code="VEN-HDV")).hub.url == url
    own = steps.write_settings(path, steps.SetupChoices(site_code="VEN-HDV", hub_url=""))
    assert own.hub.url == "" and own.hub.listen == "0.0.0.0:9000"
    assert "url" not in tomllib.loads(path.read_text(encoding="utf-8"))["hub"]
    path.write_text(f'[hub]\nurl = "{url}"\n', encoding="utf-8")
    steps.write_settings(path, steps.SetupChoices(site_code="VEN-HDV", hub_url=""))
    assert "hub" not in tomllib.loads(path.read_text(encoding="utf-8"))  # an empty table is not left behind


def test_a_keyring_that_refuses_the_token_writes_nothing(tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        choices = steps.SetupChoices("VEN-HDV", hub_url="http://10.0.0.5:8765")
        with pytest.raises(steps.SetupError, match="refuse d'enregistrer le jeton du serveur du site"):
            steps.write_settings(tmp_path / "guichet.toml", choices, hub_token="jeton")
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "guichet.toml").exists()
