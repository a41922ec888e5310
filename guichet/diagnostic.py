"""« Copier le diagnostic » and ``guichet diagnostic``: what the SITIV help desk needs to know about a PC, in French.

Versions (Guichet, Python, Qt, the libraries, the system), the settings in force with every secret masked, the
database (file, schema revision, what waits for the central database), where the logs are and their last
warnings and errors. No password, token or key is ever read for it: passwords live in the OS keyring, which is
only named; whatever looks like a secret in the settings or the log lines is replaced by « *** ».
"""

from __future__ import annotations

import dataclasses
import getpass
import importlib.metadata
import locale
import os
import platform
import re
import socket
import sqlite3
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from guichet import __version__
from guichet.config import Settings, config_dir
from guichet.logs import log_dir, recent_records

MASK = "***"
MAX_RECORDS = 50
MAX_RECORD_LINES = 25  # of one record (its traceback): the end of a traceback says the most
TAIL_BYTES = 512_000  # read from the end of each log file
_SECRET_KEY = re.compile(r"(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential)", re.I)
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/\s:@]*):(?P<secret>[^@\s/]+)@", re.I)
_KEY_VALUE = re.compile(
    r"(?P<key>\b[\w.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential)[\w.-]*)"
    r"(?P<closing>[\"']?)(?P<sep>\s*[=:]\s*)(?P<quote>[\"']?)(?P<secret>[^\s\"',;&]+)",
    re.I,
)
_BEARER = re.compile(r"\b(?P<scheme>Bearer|Basic|Token)\s+(?P<secret>[A-Za-z0-9._~+/=-]{6,})", re.I)
_RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")
_LEVEL = re.compile(r"^\S+ \S+ \d+ .*? (WARNING|ERROR|CRITICAL) ")


def mask_secrets(text: str) -> str:
    """The text with URL passwords, ``password=…``-like pairs and bearer tokens replaced by « *** »."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}:{MASK}@", text)
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{m['closing']}{m['sep']}{m['quote']}{MASK}", text)
    return _BEARER.sub(lambda m: f"{m['scheme']} {MASK}", text)


def _masked(key: str, value: Any) -> Any:
    if isinstance(value, str) and value and _SECRET_KEY.search(key):
        return MASK
    if isinstance(value, str):
        return mask_secrets(value)
    return value


def _settings_lines(values: Mapping[str, Any], prefix: str = "") -> list[str]:
    """TOML-like lines: plain values first, then one ``[table]`` line per table, secrets masked."""
    plain: list[str] = []
    tables: list[str] = []
    for key, value in values.items():
        if key == "path":
            continue
        if isinstance(value, Mapping):
            inner = _settings_lines(value, f"{prefix}{key}.")
            tables += inner
        elif isinstance(value, list | tuple) and value and all(isinstance(v, Mapping) for v in value):
            for i, item in enumerate(value):
                tables += _settings_lines(item, f"{prefix}{key}[{i}].")
        else:
            shown = _masked(key, str(value) if isinstance(value, Path) else value)
            plain.append(f"{key} = {shown!r}" if isinstance(shown, str) else f"{key} = {shown}")
    head = [f"[{prefix.rstrip('.')}] " + " · ".join(plain)] if prefix and plain else plain
    return head + tables


def _versions() -> list[str]:
    def version_of(distribution: str, module: str = "") -> str:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            pass
        if module and module in sys.modules:  # a bundle may not carry the packages' metadata
            return str(getattr(sys.modules[module], "__version__", "?"))
        return "?"

    libraries = (
        ("SQLAlchemy", "sqlalchemy"), ("alembic", "alembic"), ("psycopg", "psycopg"), ("keyring", "keyring"),
        ("python-escpos", "escpos"), ("reportlab", "reportlab"), ("pillow", "PIL"), ("platformdirs", "platformdirs"),
    )  # fmt: skip
    frozen = getattr(sys, "frozen", False)
    how = "exécutable autonome" if frozen else "installation Python"
    bits = "64 bits" if sys.maxsize > 2**32 else "32 bits"
    return [
        f"Guichet : {__version__} ({how}, {Path(sys.executable).parent})",
        f"Python : {platform.python_version()} ({platform.python_implementation()}, {bits})",
        "Bibliothèques : " + ", ".join(f"{name} {version_of(name, module)}" for name, module in libraries),
        f"SQLite : {sqlite3.sqlite_version}",
    ]


def _system() -> list[str]:
    try:
        release = platform.freedesktop_os_release().get("PRETTY_NAME", "")  # type: ignore[attr-defined]
    except (OSError, AttributeError):
        release = ""
    system = f"{platform.system()} {platform.release()}" + (f" ({release})" if release else "")
    if platform.system() == "Windows":
        system = f"Windows {platform.version()} ({platform.win32_edition() or ''})".replace(" ()", "")
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not worth failing the diagnostic
        user = "?"
    try:
        import keyring

        vault = type(keyring.get_keyring()).__module__ + "." + type(keyring.get_keyring()).__name__
    except Exception as e:  # noqa: BLE001
        vault = f"inaccessible ({type(e).__name__})"
    encoding = locale.getpreferredencoding(False)
    return [
        f"Système : {system}, {platform.machine()}",
        f"Poste : {socket.gethostname()} — utilisateur : {user}",
        f"Langue : {locale.getlocale()[0] or '?'} ({encoding}) — fuseau : {datetime.now().astimezone().tzname()}",
        f"Trousseau du système : {vault} (les mots de passe n'en sont pas lus)",
        "Environnement : " + (", ".join(f"{k}={v}" for k, v in _environment().items()) or "rien de particulier"),
    ]


def _settings(settings: Settings | None, path: Path, error: str) -> list[str]:
    lines: list[str] = []
    if path.exists():
        stamp = datetime.fromtimestamp(path.stat().st_mtime).strftime("%d/%m/%Y %H:%M")
        lines.append(f"Fichier : {path} (modifié le {stamp})")
    else:
        lines.append(f"Fichier : {path} (absent : valeurs par défaut)")
    if error:
        lines.append(f"Réglages illisibles : {mask_secrets(error)}")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return lines
        lines.append("Contenu du fichier :")
        return lines + [f"  {line}" for line in _settings_lines(raw)]
    if settings is not None:
        lines += [f"  {line}" for line in _settings_lines(dataclasses.asdict(settings))]
    return lines


def _database(path: Path) -> list[str]:
    lines = [f"Fichier : {path}"]
    if not path.exists():
        return lines + ["  absent (créé au premier démarrage du poste)"]
    wal = Path(f"{path}-wal")
    size = f"{path.stat().st_size / 1e6:.1f} Mo"
    if wal.exists():
        size += f", journal WAL {wal.stat().st_size / 1e6:.1f} Mo"
    lines[0] += f" ({size})"
    try:
        from guichet.db.migrate import head_revision

        head = head_revision()
    except Exception as e:  # noqa: BLE001
        head = f"? ({type(e).__name__})"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error as e:
        return lines + [f"  illisible : {e}"]
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = ""
        if "alembic_version" in tables:
            revision = ", ".join(r[0] for r in conn.execute("SELECT version_num FROM alembic_version"))
        state = "à jour" if revision == head else "à mettre à jour au prochain démarrage"
        lines.append(f"  révision du schéma : {revision or 'aucune'} (cette version de Guichet : {head} — {state})")
        if {"site", "commune"} <= tables:
            sites = conn.execute(
                "SELECT c.code || '-' || s.code, s.name FROM site s JOIN commune c ON c.id = s.commune_id "
                "WHERE s.deleted_at IS NULL ORDER BY 1"
            ).fetchall()
            lines.append("  sites : " + (", ".join(f"{code} ({name})" for code, name in sites) or "aucun"))
        if "sync_outbox" in tables:
            waiting = conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]
            lines.append(f"  modifications en attente d'envoi au serveur central : {waiting}")
    except sqlite3.Error as e:
        lines.append(f"  lecture impossible : {e}")
    finally:
        conn.close()
    return lines


def _age(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _log_files(directory: Path) -> list[Path]:
    """The log files of every program, oldest first (guichet.log.5 … guichet.log, then the others)."""
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.glob("guichet*.log*") if p.is_file()), key=_age)


def _tail(path: Path, max_bytes: int = TAIL_BYTES) -> str:
    """The end of a log file: the diagnostic runs on the desk's worker, it reads a few hundred kilobytes at most."""
    with path.open("rb") as f:
        size = f.seek(0, 2)
        f.seek(max(0, size - max_bytes))
        data = f.read()
    if size > max_bytes:
        data = data.split(b"\n", 1)[-1]  # the first line is cut
    return data.decode("utf-8", errors="replace")


def _records(lines: Iterable[str]) -> list[list[str]]:
    """Log lines grouped into records (a record's traceback lines follow it without a timestamp)."""
    records: list[list[str]] = []
    for line in lines:
        if _RECORD_START.match(line) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    return records


def last_problems(directory: Path, *, limit: int = MAX_RECORDS, recent: Sequence[str] = ()) -> list[str]:
    """The last ``limit`` warnings and errors of the log files (every program), oldest first, secrets masked.

    Without any log file (the folder is not writable), those this process kept in memory (``recent``).
    """
    found: list[tuple[str, str]] = []  # (timestamp, text)
    files = _log_files(directory)
    # Each program's current file and the one before it: enough for the last errors, whatever the rotation.
    recent_files = [p for p in files if p.suffix == ".log" or p.name.endswith(".log.1")]
    for path in recent_files:
        try:
            text = _tail(path)
        except OSError:
            continue
        for record in _records(text.splitlines()):
            if _LEVEL.match(record[0]):
                if len(record) > MAX_RECORD_LINES:
                    record = record[:1] + ["  […]"] + record[-(MAX_RECORD_LINES - 2) :]
                found.append((record[0][:23], "\n".join(record)))
    if not files:
        found = [(r[:23], r) for r in recent]
    found.sort(key=lambda item: item[0])  # stable: the order within one file is kept
    return [mask_secrets(text) for _, text in found[-limit:]]


def build_diagnostic(
    settings: Settings | None = None,
    *,
    settings_path: Path | None = None,
    db_path: Path | None = None,
    qt: Mapping[str, str] | None = None,
    log_directory: Path | None = None,
    limit: int = MAX_RECORDS,
) -> str:
    """The diagnostic text. ``settings``: those in force (read from ``settings_path`` when not given; a file
    that cannot be read is reported, not raised). ``qt``: facts only the GUI side can tell (Qt's versions)."""
    path = settings_path or (settings.path if settings is not None else None) or config_dir() / "guichet.toml"
    error = ""
    if settings is None:
        try:
            settings = Settings.load(path)
        except Exception as e:  # noqa: BLE001 - the diagnostic is wanted most when the settings are broken
            error = f"{type(e).__name__} : {e}"
    database = db_path or (settings.db_path if settings is not None else None)
    logs = log_directory or log_dir()
    now = datetime.now().astimezone()
    out = [
        f"Diagnostic de Guichet — {now:%d/%m/%Y %H:%M:%S} (UTC{now:%z})",
        "À transmettre à l'assistance du SITIV. Aucun mot de passe ni jeton n'y figure.",
        "",
        "== Logiciel ==",
        *_versions(),
        *(f"{name} : {value}" for name, value in (qt or {}).items()),
        *_system(),
        "",
        "== Réglages ==",
        *_settings(settings, path, error),
        "",
        "== Base de données du poste ==",
        *(_database(database) if database is not None else ["inconnue (réglages illisibles)"]),
        "",
        "== Journaux ==",
        f"Dossier : {logs}",
    ]
    for file in reversed(_log_files(logs)):
        stat = file.stat()
        out.append(f"  {file.name} : {stat.st_size / 1000:.0f} ko, {datetime.fromtimestamp(stat.st_mtime):%d/%m %H:%M}")
    problems = last_problems(logs, limit=limit, recent=recent_records())
    out += ["", f"== Dernières alertes et erreurs ({len(problems)}, les plus récentes en dernier) =="]
    out += problems or ["aucune"]
    return mask_secrets("\n".join(out)) + "\n"


def _environment() -> dict[str, str]:
    """Variables that change how Qt and Guichet start (no secret is read from the environment)."""
    names = ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR", "WAYLAND_DISPLAY", "DISPLAY", "PYTHON_KEYRING_BACKEND")
    return {name: os.environ[name] for name in names if os.environ.get(name)}
