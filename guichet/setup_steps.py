"""First start on a new PC: what the setup assistant reads, checks and writes (no Qt; guichet/ui/setup shows it).

The assistant asks where the PC's data lives (its own database, or the site's hub), the site and the counter, the
printer and the central database (optional, not behind a hub: the hub synchronises). Here: the sites of an
existing local database, the pairing with the site's hub (the administrator's one-time code traded for this PC's
token, the sites read through the hub), the printer's test page, the test of the connection to the central
database, and the writing of guichet.toml (merged into the existing file: what the assistant does not ask is kept)
with the central database's password and the hub's token in the OS keyring, never in the file. Every error is a SetupError with a French
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
from dataclasses import dataclass, field
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


class PairingRefusedError(SetupError):
    """The hub answered, and refused the pairing code (unknown, expired or already used)."""


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


def _tcp_probe(host: str, port: int, timeout_s: float, *, what: str, refused: str, silent: str) -> None:
    """A TCP connection first: it tells a wrong name, a closed port and a silent network apart. ``what`` names the
    server in the messages (« Le serveur », « Le serveur du site »); ``refused`` and ``silent`` say what to check."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return
    except socket.gaierror:
        raise SetupError(f"Le serveur « {host} » est inconnu : vérifiez son nom (ou donnez son adresse IP).") from None
    except ConnectionRefusedError:
        raise SetupError(f"{what} {host} refuse les connexions sur le port {port} : {refused}") from None
    except TimeoutError:
        raise SetupError(f"{what} {host}:{port} ne répond pas (délai de {timeout_s:g} s dépassé) : {silent}") from None
    except OSError as e:
        raise SetupError(f"{what} {host}:{port} est injoignable : {e.strerror or e}.") from None


def _probe(host: str, port: int, timeout_s: float) -> None:
    """The central database's server, before libpq (whose own messages are less telling)."""
    if not host or host.startswith("/"):
        return  # a Unix socket: libpq will say
    _tcp_probe(
        host, port, timeout_s, what="Le serveur",
        refused="vérifiez le port, ou que PostgreSQL y écoute (un pare-feu peut aussi refuser).",
        silent="vérifiez le réseau, le VPN ou le pare-feu entre ce poste et le SITIV.",
    )  # fmt: skip


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


def _store_secret(service: str, user: str, secret: str, what: str) -> None:
    """``secret`` in the OS keyring, read back to be sure it was kept; ``what`` names it in the messages."""
    import keyring
    import keyring.errors

    try:
        keyring.set_password(service, user, secret)
        stored = keyring.get_password(service, user)
    except keyring.errors.KeyringError as e:
        raise SetupError(
            f"Le trousseau du système refuse d'enregistrer {what} ({e or type(e).__name__}). Sous Linux, ouvrez une "
            "session de bureau (le trousseau s'y déverrouille), puis relancez l'assistant."
        ) from None
    if stored != secret:
        raise SetupError(f"Le trousseau du système n'a pas gardé {what} : relancez l'assistant.")


def store_central_password(role: str, password: str) -> None:
    """The role's password in the OS keyring, where the synchronisation reads it (service « guichet-sync »)."""
    from guichet.sync.central import KEYRING_SERVICE

    _store_secret(KEYRING_SERVICE, role, password, "le mot de passe")


# -- the site hub ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedHub:
    """This PC paired with the site's hub: its token, the name and role the hub knows it by, the sites it sees."""

    url: str  # "http://192.168.1.10:8765": also the token's user name in the keyring
    token: str = field(repr=False)
    name: str = ""  # "" when the hub could not be asked (an earlier pairing, the hub away)
    role: str = ""  # "poste", "borne", "ecran"
    site_id: str = ""  # the site the administrator paired it for
    sites: tuple[SiteChoice, ...] = ()  # what the site page offers (empty: the code is typed)
    site_code: str = ""  # the paired site's code ("VEN-HDV"), when the hub told it
    note: str = ""  # what could not be read, said on the page
    kept: bool = False  # an earlier pairing: its token is in the keyring already

    @property
    def role_label(self) -> str:
        from guichet.services.hub_devices import ROLES

        return ROLES.get(self.role, self.role)

    @property
    def summary(self) -> str:
        if not self.name:
            return f"Ce poste a déjà son jeton pour le serveur du site {self.url}."
        where = f", site {self.site_code}" if self.site_code else ""
        if self.kept:
            return (
                f"Ce poste est déjà appairé avec le serveur du site {self.url} sous le nom « {self.name} » "
                f"({self.role_label}{where})."
            )
        return f"Poste appairé sous le nom « {self.name} » ({self.role_label}{where})."


def hub_url_of(address: str) -> str:
    """``192.168.1.10`` → ``http://192.168.1.10:8765`` ("" stays ""), unchecked: what the settings file names."""
    if not address.strip():
        return ""  # most PCs: the hub's client (httpx, pydantic) is not even imported
    from guichet.hub.client import hub_url

    return hub_url(address)


def check_hub_address(address: str) -> str:
    """The hub's URL (``http://192.168.1.10:8765``) from what was typed, or a SetupError."""
    from guichet.hub.client import hub_url

    address = address.strip()
    if not address or any(c.isspace() for c in address):
        raise SetupError("Donnez l'adresse du serveur du site (ex. 192.168.1.10, ou 192.168.1.10:8765).")
    url = hub_url(address)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SetupError("L'adresse du serveur du site commence par http:// (ou ne donne que l'adresse IP).")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or not port:
        raise SetupError(
            "Adresse du serveur du site : le port est un nombre (8765 d'ordinaire), ex. 192.168.1.10:8765."
        )
    return url


def check_pairing_code(code: str) -> str:
    """The pairing code as the hub shows it (« K7QF-3MZD »), whatever the case and separators typed."""
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    if not letters:
        raise SetupError("Tapez le code d'appairage donné par l'administrateur (ex. K7QF-3MZD).")
    if len(letters) != 8 or not letters.isascii():
        raise SetupError(
            "Le code d'appairage a 8 lettres et chiffres (ex. K7QF-3MZD) : vérifiez-le, ou demandez-en un nouveau."
        )
    return f"{letters[:4]}-{letters[4:]}"


def _hub_probe(url: str, timeout_s: float) -> None:
    """Reach the hub before trading the code: a wrong name, a closed port, a silent network, another program."""
    import httpx

    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 0
    _tcp_probe(
        host, port, timeout_s, what="Le serveur du site",
        refused="le serveur du site n'y est pas démarré (« guichet hub serve »), le port n'est pas le bon (8765 "
        "d'ordinaire), ou un pare-feu refuse.",
        silent="vérifiez son adresse, qu'il est allumé, et le réseau entre les deux postes.",
    )  # fmt: skip
    try:
        answer = httpx.get(f"{url}/api/health", timeout=timeout_s)
        ok = answer.status_code == 200 and answer.json().get("status") == "ok"
    except httpx.TimeoutException:
        raise SetupError(
            f"Le serveur du site {host}:{port} accepte la connexion mais ne répond pas (délai de {timeout_s:g} s "
            "dépassé) : réessayez dans un instant ; s'il ne répond toujours pas, redémarrez-le."
        ) from None
    except (httpx.HTTPError, ValueError, AttributeError):
        ok = False
    if not ok:
        raise SetupError(
            f"À l'adresse {url} répond un autre programme que le serveur du site de Guichet : vérifiez l'adresse "
            "et le port (8765 d'ordinaire)."
        )


def _hub_sites(link: Any, role: str, site_id: str, site_code: str) -> tuple[tuple[SiteChoice, ...], str, str]:
    """(sites to offer, the paired site's code, a note) read through the hub with this PC's own token.

    A desk's token reaches the services: every site, and its counters. A kiosk's or a call screen's reaches only
    the public calls, which find a site by its code: the code known (``site_code``) is checked against the
    site the device was paired for."""
    from guichet.hub.client import RemotePublicServices, RemoteServices
    from guichet.services.errors import NotFoundError

    if role == "poste":
        services = RemoteServices(link)
        infos = services.sites.list()
        sites = tuple(
            SiteChoice(
                info.full_code, info.name, info.commune_name,
                tuple(sorted(c.number for c in services.queue.site_status(site_id=info.id).counters)),
            )
            for info in infos
        )  # fmt: skip
        mine = next((info.full_code for info in infos if str(info.id) == site_id), "")
        return sites, mine, ""
    kind, paired = ("cette borne", "appairée") if role == "borne" else ("cet écran d'appel", "appairé")
    try:
        info = RemotePublicServices(link).sites.find(code=site_code)
    except NotFoundError:
        return (), "", (
            f"Le serveur du site ne donne pas la liste des sites à {kind} : tapez à la page suivante le code du "
            f"site pour lequel l'administrateur l'a {paired} (ex. VEN-HDV)."
        )  # fmt: skip
    if str(info.id) != site_id:
        return (), "", (
            f"{kind.capitalize()} est {paired} pour un autre site que {info.full_code} : tapez à la page suivante "
            f"le code du site pour lequel l'administrateur l'a {paired}."
        )  # fmt: skip
    return (SiteChoice(info.full_code, info.name, info.commune_name, ()),), info.full_code, ""


def _with_sites(paired: PairedHub, site_code: str, timeout_s: float) -> PairedHub:
    """The pairing with the sites the hub shows this PC (a failure to read them is a note, never a lost token)."""
    from guichet.hub.client import HubLink
    from guichet.services.errors import ServiceError

    link = HubLink(paired.url, paired.token, connect_timeout_s=timeout_s, read_timeout_s=max(timeout_s, 10.0))
    try:
        sites, mine, note = _hub_sites(link, paired.role, paired.site_id, site_code)
    except ServiceError as e:
        return dataclasses.replace(paired, note=f"Sites du serveur non lus ({e.message}) : tapez le code du site.")
    finally:
        link.close()
    return dataclasses.replace(paired, sites=sites, site_code=mine, note=note)


def pair_with_hub(address: str, code: str, *, site_code: str = "", timeout_s: float = 5.0) -> PairedHub:
    """Trade the administrator's one-time code (« guichet hub pair » on the hub) for this PC's token, then read
    the sites through the hub. Nothing is stored: the token goes into the keyring with the settings."""
    from guichet.hub.client import HubUnreachableError, pair_with
    from guichet.services.errors import AuthenticationError, ServiceError

    url = check_hub_address(address)
    code = check_pairing_code(code)
    _hub_probe(url, timeout_s)
    try:
        answer = pair_with(url, code, timeout_s=timeout_s)
    except HubUnreachableError:
        raise SetupError(
            f"Le serveur du site {url} n'a pas répondu à la demande d'appairage (délai de {timeout_s:g} s dépassé "
            "ou liaison coupée) : réessayez ; si le code est refusé ensuite, demandez-en un nouveau."
        ) from None
    except AuthenticationError as e:
        raise PairingRefusedError(e.message) from None
    except ServiceError as e:
        raise SetupError(f"Le serveur du site refuse l'appairage : {e.message}") from None
    paired = PairedHub(
        url=url, token=str(answer["token"]), name=str(answer["name"]), role=str(answer["role"]),
        site_id=str(answer["site_id"]),
    )  # fmt: skip
    return _with_sites(paired, site_code, timeout_s)


def stored_hub(address: str, *, site_code: str = "", timeout_s: float = 5.0) -> PairedHub | None:
    """This PC's earlier pairing with the hub at ``address`` (its token in the keyring), asked to the hub; None
    when the keyring has no token for it. A hub away is a note (the token is kept); a revoked token, a SetupError."""
    import httpx
    import keyring
    import keyring.errors

    from guichet.hub.client import HubLink
    from guichet.hub.settings import KEYRING_SERVICE
    from guichet.services.errors import ServiceError

    url = check_hub_address(address)
    try:
        token = keyring.get_password(KEYRING_SERVICE, url)
    except keyring.errors.KeyringError as e:
        raise SetupError(f"Le trousseau du système est illisible ({e or type(e).__name__}).") from None
    if not token:
        return None
    link = HubLink(url, token, connect_timeout_s=timeout_s, read_timeout_s=timeout_s)
    try:
        me = link.whoami()
    except httpx.HTTPError:
        return PairedHub(
            url=url, token=token, kept=True,
            note="Le serveur du site ne répond pas pour l'instant : l'appairage est gardé, le site se tape à la main.",
        )  # fmt: skip
    except ServiceError as e:
        raise SetupError(f"{e.message} Demandez un nouveau code d'appairage à l'administrateur.") from None
    finally:
        link.close()
    paired = PairedHub(
        url=url, token=token, name=str(me["name"]), role=str(me["role"]), site_id=str(me["site_id"]), kept=True
    )
    return _with_sites(paired, site_code, timeout_s)


def store_hub_token(url: str, token: str) -> None:
    """This PC's token in the OS keyring (service « guichet-hub », user: the hub's URL), where the desk, the kiosk
    and the call screen read it."""
    from guichet.hub.settings import KEYRING_SERVICE

    _store_secret(KEYRING_SERVICE, url, token, "le jeton du serveur du site")


# -- guichet.toml ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupChoices:
    """What the assistant writes. ``printer`` None: the file's printer is kept as it is. ``hub_url`` None: the
    file's ``[hub] url`` is kept; "": removed (this PC has its own database); else this PC uses that hub."""

    site_code: str
    counter_number: int | None = None
    printer: PrinterSettings | None = None
    central_url: str = ""  # "": this PC does not synchronise
    tls: str = "auto"
    ca_file: str = ""
    db_path: Path | None = None  # written when given (None: the file's, or the default, stays)
    hub_url: str | None = None  # "http://192.168.1.10:8765"


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
    if choices.hub_url is not None:  # only the url: the hub's own PC keeps listen, printers, outbox
        hub = dict(raw.get("hub", {}))
        if choices.hub_url:
            hub["url"] = choices.hub_url
        else:
            hub.pop("url", None)
        if hub:
            raw["hub"] = hub
        else:
            raw.pop("hub", None)
    return raw


def write_settings(path: Path, choices: SetupChoices, *, password: str = "", hub_token: str = "") -> Settings:
    """Write guichet.toml (the previous one kept as guichet.toml.bak) and, with a central database, its password
    in the OS keyring (with a hub, this PC's token). Checked before anything is replaced: a refused file leaves
    the old one in place."""
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
        if choices.hub_url and hub_token:
            store_hub_token(choices.hub_url, hub_token)
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
