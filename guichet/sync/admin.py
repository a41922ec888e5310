"""SITIV's side: create or upgrade the central schema, give each site its role, load reference data.

These run with the central database's owner (the URL of ``guichet central ...``): the owner is not bound by
row-level security. Its password is taken from the OS keyring (service "guichet-sync", user = the owner
role) if there, else libpq finds it as usual (PGPASSWORD, ~/.pgpass) or the server trusts the socket.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from pathlib import Path

import keyring
import keyring.errors
import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import conninfo as pg_conninfo
from sqlalchemy import create_engine

from guichet.sync.central import KEYRING_SERVICE
from guichet.sync.errors import ConfigError
from guichet.sync.push import upsert_sql
from guichet.sync.tables import SPECS, SYNCED_TABLES

CENTRAL_MIGRATIONS = Path(__file__).parent / "central_migrations"
SITE_GROUP = "guichet_site"
# What SITIV loads from a site database it prepared (reference data and the sites' configuration).
REFERENCE_TABLES = (
    "commune",
    "external_body",
    "site",
    "municipal_service",
    "theme",
    "agent",
    "counter",
    "queue",
    "site_queue_settings",
    "counter_queue",
    # SITIV's answer sheets (commune_id NULL) are written in its reference database and loaded from there.
    "answer_sheet",
    "answer_sheet_version",
)
_ROLE = re.compile(r"^[a-z][a-z0-9_]{2,62}$")


def admin_conninfo(url: str) -> str:
    params = pg_conninfo.conninfo_to_dict(url)
    if not params.get("password") and params.get("user"):
        try:
            password = keyring.get_password(KEYRING_SERVICE, str(params["user"]))
        except keyring.errors.KeyringError:
            password = None
        if password:
            return pg_conninfo.make_conninfo(url, password=password)
    return url


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(CENTRAL_MIGRATIONS))
    return cfg


def central_head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def init_central(url: str) -> str:
    """Create the central schema, or bring it to the latest revision; returns the revision."""
    conninfo = admin_conninfo(url)
    engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(conninfo))
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            return MigrationContext.configure(conn).get_current_revision() or ""
    finally:
        engine.dispose()


def create_site_role(url: str, *, site_code: str, role: str, password: str | None = None) -> str:
    """A login role for one site ("VEN-HDV"), member of the sites' group; returns its password."""
    if not _ROLE.match(role):
        raise ConfigError("Nom de rôle invalide : lettres minuscules, chiffres et _, 3 à 63 caractères.")
    commune, _, site = site_code.upper().partition("-")
    password = password or secrets.token_urlsafe(24)
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn, conn.transaction():
        found = conn.execute(
            "SELECT s.id FROM site s JOIN commune c ON c.id = s.commune_id WHERE c.code = %s AND s.code = %s",
            (commune, site),
        ).fetchone()
        if found is None:
            raise ConfigError(f"Le site {site_code} n'existe pas sur le serveur central : importez-le d'abord.")
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            psycopg.sql.SQL(f"{verb} ROLE {{}} LOGIN PASSWORD {{}}").format(
                psycopg.sql.Identifier(role), psycopg.sql.Literal(password)
            )
        )
        conn.execute(
            psycopg.sql.SQL("GRANT {} TO {}").format(psycopg.sql.Identifier(SITE_GROUP), psycopg.sql.Identifier(role))
        )
        # A site that stalls inside a transaction must not hold locks (on citizens being merged) for long.
        conn.execute(
            psycopg.sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = '60s'").format(
                psycopg.sql.Identifier(role)
            )
        )
        conn.execute(
            "INSERT INTO sync_site_role (role_name, site_id) VALUES (%s, %s) "
            "ON CONFLICT (role_name) DO UPDATE SET site_id = EXCLUDED.site_id",
            (role, found[0]),
        )
    return password


def _json_rows(source: sqlite3.Connection, table: str, commune_id: str = "") -> list[str]:
    """The rows as the capture triggers write them (plus the commune of citizens)."""
    cols = SPECS[table].columns
    expr = "json_object(" + ", ".join(f"'{c}', {c}" for c in cols) + ")"
    if commune_id:
        expr = f"json_set({expr}, '$.commune_id', '{commune_id}')"
    order = "parent_id IS NOT NULL, rowid" if table == "theme" else "rowid"
    return [r[0] for r in source.execute(f"SELECT {expr} FROM {table} ORDER BY {order}")]


def import_site_database(url: str, sqlite_path: Path, *, citizens_of: str = "") -> dict[str, int]:
    """Load the reference data of a site database SITIV prepared (and its citizens, for the commune coded
    ``citizens_of``) into the central database. Rows already there are updated; returns the counts."""
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    counts: dict[str, int] = {}
    try:
        with psycopg.connect(admin_conninfo(url), autocommit=True) as conn, conn.transaction():
            for table in (t for t in SYNCED_TABLES if t in REFERENCE_TABLES):
                rows = _json_rows(source, table)
                if rows:
                    conn.execute(upsert_sql(table), ("[" + ",".join(rows) + "]",))
                counts[table] = len(rows)
            if citizens_of:
                commune = conn.execute("SELECT id FROM commune WHERE code = %s", (citizens_of.upper(),)).fetchone()
                if commune is None:
                    raise ConfigError(f"La commune {citizens_of} n'existe pas sur le serveur central.")
                rows = _json_rows(source, "citizen", commune[0].hex)
                sql = upsert_sql("citizen", extra=("commune_id",), keep=("commune_id",))
                for start in range(0, len(rows), 5000):
                    conn.execute(sql, ("[" + ",".join(rows[start : start + 5000]) + "]",))
                counts["citizen"] = len(rows)
    finally:
        source.close()
    return counts
