"""The link to the central PostgreSQL database: who this site is there, its password, TLS, and time limits.

Each site connects with its own PostgreSQL role (the user of ``central_url``). Its password lives in the
OS keyring (service ``guichet-sync``, user = the role), never in a settings file. TLS is required and the
server's certificate checked (``verify-full``) unless the server is on this machine (loopback) or the
settings say otherwise.

A network that stalls (a cut cable, a frozen VPN) would leave a query waiting forever: every step runs
under a watchdog that shuts the socket down when the step outlives ``timeout_s``; the step then fails as
"offline" and is tried again later, from the start (its transaction never committed, or committed in full).
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import keyring
import keyring.errors
import psycopg
from psycopg import conninfo as pg_conninfo

from guichet.config import SyncSettings
from guichet.sync.errors import ConfigError, OfflineError, translate

KEYRING_SERVICE = "guichet-sync"


def role_of(url: str) -> str:
    """The PostgreSQL role (user) named in the central URL."""
    try:
        params = pg_conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as e:
        raise ConfigError(f"L'adresse du serveur central est illisible ({e}).") from None
    role = str(params.get("user") or "")
    if not role:
        raise ConfigError("L'adresse du serveur central doit nommer le rôle du site : postgresql://ROLE@SERVEUR/BASE.")
    return role


def stored_password(role: str) -> str:
    """The role's password from the OS keyring."""
    try:
        password = keyring.get_password(KEYRING_SERVICE, role)
    except keyring.errors.KeyringError as e:
        raise ConfigError(f"Le trousseau du système est inaccessible ({e}).") from None
    if not password:
        raise ConfigError(
            f"Aucun mot de passe pour le rôle « {role} » dans le trousseau du système : "
            f"enregistrez-le avec « guichet sync --store-password »."
        )
    return password


def store_password(role: str, password: str) -> None:
    """Save the role's password in the OS keyring (the only place it is kept)."""
    keyring.set_password(KEYRING_SERVICE, role, password)


def _is_loopback(host: str) -> bool:
    if not host or host.startswith("/") or host == "localhost":
        return True  # a Unix socket, or this machine
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sslmode_for(settings: SyncSettings, host: str) -> str:
    """The libpq sslmode: certificate checked by default, TLS optional only on loopback or if configured."""
    if settings.tls != "auto":
        return settings.tls
    return "prefer" if _is_loopback(host) else "verify-full"


def build_conninfo(settings: SyncSettings, password: str) -> str:
    """The libpq connection string of the site's role: the URL, its password, TLS and time limits."""
    if not settings.central_url:
        raise ConfigError("Aucun serveur central n'est configuré (réglages : [sync] central_url).")
    params = pg_conninfo.conninfo_to_dict(settings.central_url)
    if params.get("password"):
        raise ConfigError("Le mot de passe ne doit pas figurer dans l'adresse du serveur central.")
    hosts = str(params.get("host") or "").split(",")
    modes = {sslmode_for(settings, h) for h in hosts}
    extra: dict[str, object] = {
        "password": password,
        "sslmode": "verify-full" if "verify-full" in modes else sorted(modes)[0],
        "connect_timeout": max(2, math.ceil(min(settings.timeout_s, 30))),
        "application_name": "guichet-sync",
        "keepalives_idle": 30,
    }
    if settings.ca_file:
        extra["sslrootcert"] = settings.ca_file
    return pg_conninfo.make_conninfo(settings.central_url, **extra)


@dataclass(frozen=True)
class SiteIdentity:
    """The site the connected role stands for, as the central database knows it."""

    role: str
    site_id: uuid.UUID
    commune_id: uuid.UUID
    full_code: str  # "VEN-HDV"


class CentralLink:
    """One connection to the central database, opened on demand and dropped at the first network error."""

    def __init__(self, conninfo: str, *, timeout_s: float) -> None:
        self._conninfo = conninfo
        self._timeout_s = timeout_s
        self._conn: psycopg.Connection | None = None
        self._lock = threading.Lock()

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed and not self._conn.broken

    def connection(self) -> psycopg.Connection:
        if self.connected:
            assert self._conn is not None
            return self._conn
        self.close()
        try:
            conn = psycopg.Connection.connect(self._conninfo, autocommit=True, prepare_threshold=None)
        except psycopg.Error as e:
            raise translate(e) from None
        self._conn = conn
        return conn

    def identity(self) -> SiteIdentity:
        with self.step():
            row = (
                self.connection()
                .execute(
                    "SELECT current_user, r.site_id, s.commune_id, c.code || '-' || s.code "
                    "FROM sync_site_role r JOIN site s ON s.id = r.site_id JOIN commune c ON c.id = s.commune_id "
                    "WHERE r.role_name = current_user"
                )
                .fetchone()
            )
        if row is None:
            raise ConfigError("Le rôle de ce site n'est rattaché à aucun site sur le serveur central.")
        return SiteIdentity(*row)

    @contextlib.contextmanager
    def step(self, timeout_s: float | None = None) -> Iterator[None]:
        """Run one network step under the watchdog; psycopg errors come out as sync errors (French)."""
        conn = self.connection()
        timer = threading.Timer(timeout_s or self._timeout_s, self._abort, args=(conn,))
        timer.daemon = True
        timer.start()
        try:
            yield
        except psycopg.Error as e:
            if conn.broken or conn.closed:
                self.close()
            raise translate(e) from None
        finally:
            timer.cancel()
        if conn.broken:
            self.close()
            raise OfflineError("Connexion au serveur central perdue ; nouvel essai plus tard, rien n'est perdu.")

    def _abort(self, conn: psycopg.Connection) -> None:
        # Shutting the socket down wakes up the query waiting on it: it fails at once, as a lost connection.
        with contextlib.suppress(Exception):
            sock = socket.socket(fileno=conn.pgconn.socket)
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.detach()  # the descriptor stays libpq's: it closes it itself

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
