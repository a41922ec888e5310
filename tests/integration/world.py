"""The test world: a central database holding two communes and six sites, and sites that sync with it."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import psycopg
from sqlalchemy import select

from guichet.config import SyncSettings
from guichet.db import Database
from guichet.domain import Role, SiteKind
from guichet.models import Agent, Commune, Counter, CounterQueue, Queue, Site, SiteQueueSettings, Theme
from guichet.services.auth import hash_password
from guichet.services.demo import seed_reference
from guichet.services.queue_seed import seed_queues
from guichet.sync.service import SyncService
from guichet.sync.tables import SPECS

# (commune code, site code): VEN-HDV and VEN-MAV come from the demo; the others are added.
SITES = ("VEN-HDV", "VEN-MAV", "VEN-PAR", "GIV-HDV", "GIV-CEN", "GIV-PLA")
EXTRA_SITES = {"VEN": ("PAR",), "GIV": ("HDV", "CEN", "PLA")}
PASSWORD_HASH = hash_password("guichet2026")
_files = itertools.count()


def role_name(site: str) -> str:
    return "site_" + site.lower().replace("-", "_")


def role_password(site: str) -> str:
    return f"mot-de-passe-{site.lower()}"


def build_reference(db: Database) -> None:
    """The demo town (VEN: HDV, MAV and their queues) plus VEN-PAR and a second commune GIV with three sites,
    each with two counters, one agent per counter and a queue "A" served by both."""
    seed_reference(db)
    seed_queues(db, open_all_day=True)
    with db.write() as s:
        ven = s.scalars(select(Commune).where(Commune.code == "VEN")).one()
        giv = Commune(code="GIV", insee="69091", name="Givors")
        s.add(giv)
        s.flush()
        theme = s.scalars(select(Theme).where(Theme.code == "etat_civil")).one()
        communes = {"VEN": ven, "GIV": giv}
        for commune_code, codes in EXTRA_SITES.items():
            for code in codes:
                site = Site(
                    commune_id=communes[commune_code].id, code=code, name=f"Site {code}", kind=SiteKind.SATELLITE
                )
                s.add(site)
                s.flush()
                s.add(SiteQueueSettings(site_id=site.id))
                queue = Queue(site_id=site.id, letter="A", name="Accueil", theme_id=theme.id)
                s.add(queue)
                s.flush()
                for n in (1, 2):
                    counter = Counter(site_id=site.id, number=n, name=f"Guichet {n}")
                    s.add(counter)
                    s.flush()
                    s.add(CounterQueue(counter_id=counter.id, queue_id=queue.id, weight=1))
                    s.add(
                        Agent(
                            login=f"agent{n}.{commune_code}.{code}".lower(), first_name="Agent", last_name=f"{code} {n}",
                            role=Role.AGENT, password_hash=PASSWORD_HASH, site_id=site.id,
                        )
                    )  # fmt: skip


@dataclass
class SiteHandle:
    """One simulated site: its own SQLite file and its sync service."""

    code: str
    path: Path
    db: Database
    settings: SyncSettings
    service: SyncService

    def close(self) -> None:
        self.service.close()
        self.db.close()


def open_site(code: str, folder: Path, template: Path, url: str, **settings: Any) -> SiteHandle:
    """A brand-new site PC: an empty database at the current schema, the password in the keyring."""
    path = folder / f"{code.lower()}-{next(_files)}.sqlite3"
    shutil.copyfile(template, path)
    db = Database.open(path)
    keyring.set_password("guichet-sync", role_name(code), role_password(code))
    config = SyncSettings(central_url=url, site_code=code, **settings)
    return SiteHandle(code, path, db, config, SyncService(db, config))


def central_rows(conn: psycopg.Connection, table: str, where: str = "", params: tuple = ()) -> dict[str, dict]:
    """A central table's rows in the site format, by id."""
    spec = SPECS[table]
    found = conn.execute(f"SELECT {', '.join(spec.columns)} FROM {table} {where}", params).fetchall()
    return {r[spec.columns.index("id")].hex: dict(zip(spec.columns, spec.site_row(r), strict=True)) for r in found}


def site_rows(db: Database, table: str) -> dict[str, dict]:
    spec = SPECS[table]
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        found = raw.execute(f"SELECT {', '.join(spec.columns)} FROM {table}").fetchall()
    return {r[spec.columns.index("id")]: dict(zip(spec.columns, r, strict=True)) for r in found}


def outbox_size(db: Database) -> int:
    with db.engine.connect() as conn:
        return conn.connection.dbapi_connection.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]
