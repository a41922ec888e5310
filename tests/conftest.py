"""Fixtures shared by every test: a real SQLite file per test, at the current schema."""

import os

# Before anything imports Qt or keyring: no display, no OS keyring prompts in tests.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.models import Agent, Commune, ExternalBody, MunicipalService, Site, Theme
from guichet.services import Services
from guichet.services.demo import seed_reference


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Database files made once per run, copied for each test: an empty one at head, one with the demo reference.

    Upgrading and seeding cost ~0.1 s (Alembic, one scrypt hash); copying a closed file costs nothing.
    """
    folder = tmp_path_factory.mktemp("templates")
    templates = {"empty": folder / "empty.sqlite3", "demo": folder / "demo.sqlite3"}
    for kind, path in templates.items():
        database = Database.open(path)
        upgrade(database.engine)
        if kind == "demo":
            seed_reference(database)
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database.close()
        assert not path.with_name(path.name + "-wal").exists(), "template not fully checkpointed"
    return templates


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a SQLite file that does not exist yet."""
    return tmp_path / "guichet.sqlite3"


@pytest.fixture
def db(db_path: Path, request: pytest.FixtureRequest, _templates: dict[str, Path]) -> Iterator[Database]:
    """A database on a real file, upgraded to the latest schema, empty (unless the test asks for ``demo_db``)."""
    # A test that uses demo_db starts from the seeded template: same content as seeding here, without the cost.
    shutil.copyfile(_templates["demo" if "demo_db" in request.fixturenames else "empty"], db_path)
    database = Database.open(db_path)
    upgrade(database.engine)
    yield database
    database.close()


@pytest.fixture
def demo_db(db: Database) -> Database:
    """The database with the demo town's reference data (sites, agents, themes...), no contacts."""
    seed_reference(db)  # a no-op on the seeded copy; real work if someone changes the db fixture
    return db


@pytest.fixture
def services(db: Database) -> Services:
    """Every service wired on ``db`` (request ``demo_db`` too for reference data)."""
    return Services.on(db)


@dataclass(frozen=True)
class DemoRefs:
    """Ids of the demo reference data, by their human keys."""

    commune_id: uuid.UUID
    sites: dict[str, uuid.UUID]  # by code: "HDV", "MAV"
    agents: dict[str, uuid.UUID]  # by login: "mdurand", "sperrin"...
    themes: dict[str, uuid.UUID]  # by code: "etat_civil", "etat_civil.naissance"...
    services: dict[str, uuid.UUID]  # by name
    bodies: dict[str, uuid.UUID]  # by name


@pytest.fixture
def refs(demo_db: Database) -> DemoRefs:
    """The ids of ``demo_db``'s reference rows."""
    with demo_db.read() as s:
        return DemoRefs(
            commune_id=s.scalars(select(Commune.id)).one(),
            sites={x.code: x.id for x in s.scalars(select(Site))},
            agents={x.login: x.id for x in s.scalars(select(Agent))},
            themes={x.code: x.id for x in s.scalars(select(Theme))},
            services={x.name: x.id for x in s.scalars(select(MunicipalService))},
            bodies={x.name: x.id for x in s.scalars(select(ExternalBody))},
        )
