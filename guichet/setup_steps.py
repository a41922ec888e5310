"""First start on a new PC: what the setup assistant reads, checks and writes (no Qt; guichet/ui/setup shows it).

The assistant asks the site and the counter, the printer and the central database (optional). Here: the sites of
an existing local database, the printer's test page, the test of the connection to the central database, and
the writing of guichet.toml (merged into the existing file: what the assistant does not ask is kept) with the
central database's password in the OS keyring, never in the file. Every error is a SetupError with a French
message for the technician. Each function may block (disk, network, printer): the assistant calls them off the
GUI thread.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import re
import socket
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from guichet.config import PrinterSettings, Settings, SyncSettings

SITE_CODE = re.compile(r"^[A-Z0-9]{2,10}(-[A-Z0-9]{2,10})?$")
DEFAULT_PG_PORT = 5432
# The printers the assistant offers (the others: usb, serial, are kept when the file already names one).
PRINTER_CHOICES: dict[str, str] = {
    "none": "Aucune imprimante",
    "network": "Imprimante réseau (Ethernet, port 9100)",
    "windows": "Imprimante installée dans Windows",
    "cups": "Imprimante installée dans le système (CUPS)",
    "file": "Fichier ou périphérique (essais, /dev/usb/lp0)",
}
_BACKEND_KEYS = {
    "network": ("host", "port"),
    "usb": ("usb_vendor_id", "usb_product_id"),
    "serial": ("serial_device", "serial_baudrate"),
    "windows": ("printer_name",),
    "cups": ("printer_name",),
    "file": ("file_path",),
}


class SetupError(Exception):
    """Something the technician must fix; ``str()`` is French."""


# -- the site and the counter ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteChoice:
    """A site of the local database, with the numbers of its counters."""

    full_code: str  # "VEN-HDV"
    name: str
    commune_name: str
    counters: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.full_code} — {self.name} ({self.commune_name})"


def local_sites(db_path: Path) -> tuple[SiteChoice, ...]:
    """The sites of the local database, if it exists (it is brought to the current schema, never created)."""
    if not db_path.exists():
        return ()
    from guichet.db import Database
    from guichet.db.migrate import DatabaseTooNewError, upgrade
    from guichet.services.queue import QueueService
    from guichet.services.sites import SiteService

    db = Database.open(db_path)
    try:
        upgrade(db.engine)
        queue = QueueService(db)
        return tuple(
            SiteChoice(
                site.full_code, site.name, site.commune_name,
                tuple(sorted(c.number for c in queue.site_status(site_id=site.id).counters)),
            )
            for site in SiteService(db).list()
        )  # fmt: skip
    except DatabaseTooNewError as e:
        raise SetupError(str(e)) from None
    finally:
        db.close()


def check_site_code(code: str) -> str:
    """The site code in capitals (« VEN-HDV »), or a SetupError saying what is expected."""
    wanted = code.strip().upper()
    if not SITE_CODE.match(wanted):
        raise SetupError(
            "Code du site : donnez le code de la commune et celui du site, séparés par un tiret (ex. VEN-HDV)."
        )
    return wanted


# -- the printer -------------------------------------------------------------------------------------------


def printer_settings(
    *, backend: str, base: PrinterSettings | None = None, host: str = "", port: int = 9100, file_path: str = "",
    printer_name: str = "", paper_mm: int = 80, key: str = "",
) -> PrinterSettings:  # fmt: skip
    """The printer the assistant's fields describe, on top of ``base`` (code page, logo, footer… are kept)."""
    base = base or PrinterSettings()
    if backend not in PRINTER_CHOICES:
        raise SetupError(f"Type d'imprimante inconnu : {backend}.")
    host = host.strip()
    if backend == "network":
        if not host or any(c.isspace() for c in host):
            raise SetupError("Imprimante réseau : donnez son adresse IP ou son nom (ex. 192.168.1.50).")
        if not 0 < port < 65536:
            raise SetupError("Imprimante réseau : le port est un nombre entre 1 et 65535 (9100 d'ordinaire).")
    if backend == "file" and not file_path.strip():
        raise SetupError("Donnez le fichier ou le périphérique où écrire les tickets.")
    if backend == "cups" and not printer_name.strip():
        raise SetupError("Donnez le nom de l'imprimante dans CUPS (commande « lpstat -p »).")
    if paper_mm not in (58, 80):
        raise SetupError("Largeur du papier : 58 ou 80 mm.")
    return dataclasses.replace(
        base, backend=backend, host=host if backend == "network" else "", port=port if backend == "network" else 9100,
        file_path=file_path.strip() if backend == "file" else "",
        printer_name=printer_name.strip() if backend in ("windows", "cups") else "",
        paper_mm=paper_mm, key=key.strip() or base.key,
    )  # fmt: skip


def printer_key_for(counter_number: int | None) -> str:
    """The name of this PC's printer in the print jobs: the counter's (« guichet-3 »), else the kiosk's."""
    return f"guichet-{counter_number}" if counter_number else "kiosque"


def test_printer(settings: PrinterSettings) -> str:
    """Print the test page now (blocks up to the printer's time limits); a French line saying how it went."""
    from guichet.printing.commands import print_test_page
    from guichet.printing.errors import PrinterError

    if settings.backend == "none":
        raise SetupError("Aucune imprimante choisie : rien à tester.")
    try:
        report = print_test_page(settings)
    except PrinterError as e:
        raise SetupError(f"Page de test non imprimée : {e.message}.") from None
    except OSError as e:
        raise SetupError(f"Page de test non imprimée : {e.strerror or e}.") from None
    return f"Page de test envoyée en {report.elapsed_s * 1000:.0f} ms — {report.status.label}."


test_printer.__test__ = False  # type: ignore[attr-defined] - not a pytest test despite its name


# -- the central database ----------------------------------------------------------------------------------


def central_url(address: str, role: str) -> str:
    """``postgresql://ROLE@HOST:PORT/DB`` from the server's address (« serveur:5432/guichet », or a
    postgresql:// URL) and the site's role. Refuses an address carrying a password."""
    address, role = address.strip(), role.strip()
    if not address:
        raise SetupError("Donnez l'adresse du serveur central (ex. central.sitiv.fr:5432/guichet).")
    if not re.fullmatch(r"[a-z_][a-z0-9_$]*", role):
        raise SetupError("Rôle PostgreSQL du site : lettres minuscules, chiffres et _ (ex. site_ven_hdv).")
    if "://" not in address:
        address = f"postgresql://{address}"
    parts = urlsplit(address)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SetupError("L'adresse du serveur central commence par postgresql:// (ou ne donne que serveur:port/base).")
    if parts.password is not None or "password" in parts.query:
        raise SetupError("Le mot de passe ne va pas dans l'adresse : tapez-le dans le champ « Mot de passe ».")
    try:
        port = parts.port
    except ValueError:
        raise SetupError("Le port du serveur central est un nombre (5432 d'ordinaire).") from None
    host = parts.hostname or ""
    database = parts.path.lstrip("/")
    if not host or not database:
        raise SetupError("Adresse du serveur central : donnez le serveur et la base (ex. central.sitiv.fr/guichet).")
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"postgresql://{quote(role)}@{netloc}/{database}{query}"


def role_in(url: str) -> str:
    """The role named in a central URL, "" when the URL does not name one."""
    try:
        return urlsplit(url).username or ""
    except ValueError:
        return ""


@dataclass(frozen=True)
class CentralCheck:
    role: str
    site_code: str  # the site the role stands for on the central database: "VEN-HDV"
    server: str  # "central.sitiv.fr:5432/guichet"
    elapsed_ms: float

    @property
    def summary(self) -> str:
        return (
            f"Connexion réussie en {self.elapsed_ms:.0f} ms : le rôle « {self.role} » est celui du site "
            f"{self.site_code} sur {self.server}."
        )


def _probe(host: str, port: int, timeout_s: float) -> None:
    """A TCP connection to the server first: it tells a wrong name, a closed port and a silent network apart."""
    if not host or host.startswith("/"):
        return  # a Unix socket: libpq will say
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return
    except socket.gaierror:
        raise SetupError(f"Le serveur « {host} » est inconnu : vérifiez son nom (ou donnez son adresse IP).") from None
    except ConnectionRefusedError:
        raise SetupError(
            f"Le serveur {host} refuse les connexions sur le port {port} : vérifiez le port, ou que PostgreSQL y "
            "écoute (un pare-feu peut aussi refuser)."
        ) from None
    except TimeoutError:
        raise SetupError(
            f"Le serveur {host}:{port} ne répond pas (délai de {timeout_s:g} s dépassé) : vérifiez le réseau, le "
            "VPN ou le pare-feu entre ce poste et le SITIV."
        ) from None
    except OSError as e:
        raise SetupError(f"Le serveur {host}:{port} est injoignable : {e.strerror or e}.") from None


def check_central(
    *, url: str, password: str, tls: str = "auto", ca_file: str = "", expected_site: str = "", timeout_s: float = 10
) -> CentralCheck:
    """Connect as the site's role with this password (nothing is stored) and ask which site the role stands for."""
    from guichet.sync.central import CentralLink, build_conninfo, role_of
    from guichet.sync.errors import SyncError

    if not password:
        raise SetupError("Donnez le mot de passe du rôle du site (remis par le SITIV).")
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PG_PORT
    server = f"{parts.hostname}:{port}{parts.path}"
    started = time.perf_counter()
    _probe(parts.hostname or "", port, timeout_s)
    try:
        settings = SyncSettings(central_url=url, tls=tls, ca_file=ca_file, timeout_s=timeout_s)
        role = role_of(url)
        link = CentralLink(build_conninfo(settings, password), timeout_s=timeout_s)
        try:
            identity = link.identity()
        finally:
            link.close()
    except SyncError as e:
        raise SetupError(str(e)) from None
    except ValueError as e:
        raise SetupError(str(e)) from None
    found = CentralCheck(role, identity.full_code, server, (time.perf_counter() - started) * 1000)
    if expected_site and identity.full_code.upper() != expected_site.upper():
        raise SetupError(
            f"Le rôle « {role} » est celui du site {identity.full_code}, pas de {expected_site.upper()} : "
            "choisissez ce site, ou demandez au SITIV le rôle du vôtre."
        )
    return found


def store_central_password(role: str, password: str) -> None:
    """The role's password in the OS keyring, where the synchronisation reads it (service « guichet-sync »)."""
    import keyring.errors

    from guichet.sync.central import KEYRING_SERVICE, store_password

    try:
        store_password(role, password)
        stored = keyring.get_password(KEYRING_SERVICE, role)
    except keyring.errors.KeyringError as e:
        raise SetupError(
            f"Le trousseau du système refuse d'enregistrer le mot de passe ({e or type(e).__name__}). Sous Linux, "
            "ouvrez une session de bureau (le trousseau s'y déverrouille), puis relancez l'assistant."
        ) from None
    if stored != password:
        raise SetupError("Le trousseau du système n'a pas gardé le mot de passe : relancez l'assistant.")


# -- guichet.toml ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupChoices:
    """What the assistant writes. ``printer`` None: the file's printer is kept as it is."""

    site_code: str
    counter_number: int | None = None
    printer: PrinterSettings | None = None
    central_url: str = ""  # "": this PC does not synchronise
    tls: str = "auto"
    ca_file: str = ""
    db_path: Path | None = None  # written when given (None: the file's, or the default, stays)


def _printer_table(current: Mapping[str, Any], printer: PrinterSettings) -> dict[str, Any]:
    table = {k: v for k, v in current.items() if not any(k in keys for keys in _BACKEND_KEYS.values())}
    table["backend"] = printer.backend
    table["key"] = printer.key
    table["paper_mm"] = printer.paper_mm
    for name in _BACKEND_KEYS.get(printer.backend, ()):
        value = getattr(printer, name)
        if value not in (None, ""):
            table[name] = value
    return table


def merged_settings(current: Mapping[str, Any], choices: SetupChoices) -> dict[str, Any]:
    """The settings file's tables with the assistant's answers (whatever it did not ask is kept)."""
    raw: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else v for k, v in current.items()}
    raw["site_code"] = choices.site_code
    if choices.db_path is not None:
        raw["db_path"] = str(choices.db_path)
    if choices.counter_number is None:
        raw.pop("counter_number", None)
    else:
        raw["counter_number"] = choices.counter_number
    if choices.printer is not None:
        raw["printer"] = _printer_table(raw.get("printer", {}), choices.printer)
    sync = dict(raw.get("sync", {}))
    if choices.central_url:
        sync.update(central_url=choices.central_url, site_code=choices.site_code, tls=choices.tls)
        if choices.ca_file:
            sync["ca_file"] = choices.ca_file
        else:
            sync.pop("ca_file", None)
    else:
        sync.pop("central_url", None)
    if sync:
        raw["sync"] = sync
    else:
        raw.pop("sync", None)
    return raw


def write_settings(path: Path, choices: SetupChoices, *, password: str = "") -> Settings:
    """Write guichet.toml (the previous one kept as guichet.toml.bak) and, with a central database, its password
    in the OS keyring. Checked before anything is replaced: a refused file leaves the old one in place."""
    current: dict[str, Any] = {}
    note = ""
    if path.exists():
        try:
            current = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            note = f"# L'ancien fichier était illisible ({e}) : il est gardé dans {path.name}.bak.\n"
    raw = merged_settings(current, choices)
    stamp = datetime.now().strftime("%d/%m/%Y %H:%M")
    text = (
        f"# Réglages de Guichet sur ce poste — écrits par l'assistant de configuration le {stamp}.\n"
        "# Aucun mot de passe ici : ils sont dans le trousseau du système.\n" + note + "\n" + dumps(raw)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        try:
            Settings.load(temporary)
        except (ValueError, TypeError) as e:
            raise SetupError(f"Ces réglages seraient refusés au démarrage : {e}") from None
        if choices.central_url and password:
            from guichet.sync.central import role_of

            store_central_password(role_of(choices.central_url), password)
        if path.exists():
            backup = path.with_name(path.name + ".bak")
            with contextlib.suppress(OSError):
                backup.write_bytes(path.read_bytes())
        os.replace(temporary, path)
    except OSError as e:
        raise SetupError(f"Impossible d'écrire {path} : {e.strerror or e}.") from None
    finally:
        temporary.unlink(missing_ok=True)
    return Settings.load(path)


# -- a small TOML writer (the standard library reads TOML, it does not write it) ---------------------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Path):
        return _string(str(value))
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"valeur impossible à écrire en TOML : {value!r}")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, Mapping) for v in value)


def dumps(data: Mapping[str, Any], _prefix: tuple[str, ...] = (), _header: str = "") -> str:
    """TOML text of nested dicts (what tomllib returns): plain values, then tables, then arrays of tables."""
    lines: list[str] = []
    plain = {k: v for k, v in data.items() if not isinstance(v, Mapping) and not _is_table_array(v)}
    if not _header and _prefix and (plain or not data):
        _header = "[" + ".".join(_key(p) for p in _prefix) + "]"
    if _header:
        lines.append(_header)
    lines += [f"{_key(k)} = {_value(v)}" for k, v in plain.items()]
    if lines:
        lines.append("")
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(dumps(value, (*_prefix, key)))
        elif _is_table_array(value):
            header = "[[" + ".".join(_key(p) for p in (*_prefix, key)) + "]]"
            lines += [dumps(item, (*_prefix, key), header) for item in value]
    return "\n".join(lines).rstrip("\n") + "\n"
