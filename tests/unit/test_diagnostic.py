"""« Copier le diagnostic » / ``guichet diagnostic``: what the help desk needs, and never a secret."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from guichet.diagnostic import build_diagnostic, last_problems, mask_secrets
from guichet.logs import RecentRecords, log_file_name, recent_records, setup_logging
from tests.integration.keyring_file import TestKeyring

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("S3cr3t-sync", "P4ss-smtp", "tok-3n-sms-0123456789", "mdp-url-4242", "Bearer-ab12cd34ef56")


@pytest.fixture
def site(tmp_path: Path, demo_db, db_path: Path) -> dict[str, Path]:
    """A PC with settings (every kind of secret nearby), a database and logs of two programs."""
    config = tmp_path / "guichet.toml"
    config.write_text(
        f'db_path = "{db_path.as_posix()}"\nsite_code = "VEN-HDV"\ncounter_number = 2\n'
        '[sync]\ncentral_url = "postgresql://site_ven_hdv@central.sitiv.fr:5432/guichet"\n'
        '[smtp]\nhost = "smtp.venissieux.fr"\nusername = "accueil"\nfrom_address = "accueil@venissieux.fr"\n'
        '[sms]\nbackend = "http"\nhttp_url = "https://sms.example.fr/send"\nhttp_sender = "Mairie"\n',
        encoding="utf-8",
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "guichet.log").write_text(
        "2026-11-20 09:00:00,000 101 MainThread INFO guichet.app: démarrage\n"
        "2026-11-20 09:00:01,000 101 MainThread WARNING guichet.sync: serveur postgresql://site:mdp-url-4242@h/db "
        "injoignable\n"
        "2026-11-20 09:00:02,000 101 Thread-1 (run) ERROR guichet.notify: refus password=P4ss-smtp\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "RuntimeError: Authorization: Bearer Bearer-ab12cd34ef56 refusé\n"
        "2026-11-20 09:00:03,000 101 MainThread INFO guichet.app: fin\n",
        encoding="utf-8",
    )
    (logs / "guichet-kiosk.log").write_text(
        "2026-11-20 09:00:01,500 202 MainThread ERROR guichet.app: guichet-kiosk : imprimante hors ligne\n",
        encoding="utf-8",
    )
    return {"config": config, "logs": logs}


@pytest.fixture
def vault():
    previous = keyring.get_keyring()
    backend = TestKeyring()
    backend.set_password("guichet-sync", "site_ven_hdv", SECRETS[0])
    backend.set_password("guichet-smtp", "accueil", SECRETS[1])
    backend.set_password("guichet-sms", "sms.example.fr", SECRETS[2])
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_the_diagnostic_says_what_the_help_desk_needs_and_no_secret(site, vault, db_path):
    text = build_diagnostic(settings_path=site["config"], log_directory=site["logs"], qt={"Qt": "6.x (essai)"})
    for expected in (
        "Guichet : 0.1.0", "Python : 3.", "Qt : 6.x (essai)", "SQLite : ", "Système : ",
        f"Fichier : {site['config']}", "site_code = 'VEN-HDV'", "counter_number = 2",
        "central_url = 'postgresql://site_ven_hdv@central.sitiv.fr:5432/guichet'",
        "révision du schéma : ", "— à jour)", "sites : VEN-HDV (Hôtel de ville), VEN-MAV",
        "modifications en attente d'envoi au serveur central : ", f"Dossier : {site['logs']}",
        "guichet.log : ", "guichet-kiosk.log : ", "Dernières alertes et erreurs (3,",
    ):  # fmt: skip
        assert expected in text, expected
    # The warnings and errors of both programs, in time order, the tracebacks with them; no INFO line.
    problems = text.split("Dernières alertes et erreurs")[1]
    assert problems.index("injoignable") < problems.index("imprimante hors ligne") < problems.index("RuntimeError")
    assert "démarrage" not in problems
    for secret in SECRETS:
        assert secret not in text
    assert "postgresql://site:***@h/db" in text and "password=***" in text and "Bearer ***" in text


def test_broken_settings_are_reported_not_raised(tmp_path):
    config = tmp_path / "guichet.toml"
    config.write_text(
        '[sync]\ncentral_url = "postgresql://site_ven_hdv:mdp-url-4242@h/guichet"\n[smtp]\npassword = "P4ss-smtp"\n',
        encoding="utf-8",
    )
    text = build_diagnostic(settings_path=config, log_directory=tmp_path / "aucun")
    assert "Réglages illisibles : ValueError : [sync] central_url : le mot de passe ne doit pas figurer" in text
    assert "central_url = 'postgresql://site_ven_hdv:***@h/guichet'" in text and "password = '***'" in text
    assert "mdp-url-4242" not in text and "P4ss-smtp" not in text
    assert "Base de données du poste ==\ninconnue" in text


def test_secrets_are_masked_wherever_they_hide():
    assert mask_secrets("postgresql://r:abc@h:5432/db") == "postgresql://r:***@h:5432/db"
    assert mask_secrets("host=h password=abc user=r") == "host=h password=*** user=r"
    assert mask_secrets('{"api_key": "abc", "token":"def"}') == '{"api_key": "***", "token":"***"}'
    assert mask_secrets("Authorization: Bearer abcdef123") == "Authorization: Bearer ***"
    assert mask_secrets("le mot de passe est refusé, http_url = https://h/x") == (
        "le mot de passe est refusé, http_url = https://h/x"
    )


def test_without_a_log_file_the_errors_kept_in_memory_are_used(tmp_path):
    handler = RecentRecords(capacity=3)
    logger = logging.getLogger("guichet.test_diagnostic")
    logger.addHandler(handler)
    try:
        for n in range(5):
            logger.error("erreur %d token=abc%d", n, n)
        logger.info("rien")
    finally:
        logger.removeHandler(handler)
    kept = list(handler.records)
    assert [line.split(": ", 1)[1] for line in kept] == [f"erreur {n} token=abc{n}" for n in (2, 3, 4)]
    problems = last_problems(tmp_path / "absent", recent=kept)
    assert len(problems) == 3 and all("token=***" in p for p in problems)


def test_each_program_logs_to_its_own_file_and_setup_does_not_pile_up_handlers(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        for program in ("desk", "kiosk"):
            target = setup_logging(directory=tmp_path, program=program)
            assert target == tmp_path / log_file_name(program)
        ours = [h for h in root.handlers if getattr(h, "_guichet", False)]
        assert len(ours) == 3  # console, memory, the kiosk's file: the desk's were replaced
        logging.getLogger("guichet.test").warning("borne : papier bas")
        assert "papier bas" in (tmp_path / "guichet-kiosk.log").read_text(encoding="utf-8")
        assert any("papier bas" in r for r in recent_records())
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
    assert log_file_name("desk") == "guichet.log" and log_file_name("display") == "guichet-display.log"


def test_the_command_prints_it(tmp_path, site):
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "PATH": "/usr/bin:/bin"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "guichet", "--config", str(site["config"]), "diagnostic"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Diagnostic de Guichet — ")
    assert "Qt : 6." in done.stdout and "Traductions de Qt : présentes" in done.stdout


def test_only_the_end_of_big_log_files_is_read(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    old = "2026-11-19 08:00:00,000 1 MainThread ERROR guichet.app: ancienne erreur\n"
    filler = "2026-11-19 08:00:01,000 1 MainThread INFO guichet.app: " + "x" * 200 + "\n"
    recent = "2026-11-20 08:00:00,000 1 MainThread ERROR guichet.app: erreur récente\n"
    (logs / "guichet.log").write_text(old + filler * 5000 + recent, encoding="utf-8")  # 1 MB
    (logs / "guichet.log.4").write_text(old, encoding="utf-8")  # an old rotation: not read
    problems = last_problems(logs)
    assert len(problems) == 1 and problems[0].endswith("erreur récente")
