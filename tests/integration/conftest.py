"""Integration tests against a real PostgreSQL server started for the run (see pgcluster.py).

They are skipped only when the PostgreSQL server binaries are not installed (``./dev test`` installs them).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import psycopg
import pytest

from guichet.db import Database
from guichet.sync.admin import create_site_role, import_site_database, init_central
from tests.integration.keyring_file import TestKeyring
from tests.integration.pgcluster import Cluster, find_bindir, start_cluster
from tests.integration.world import (
    SITES,
    SiteHandle,
    build_reference,
    open_site,
    role_name,
    role_password,
)

TEMPLATE_DB = "central_template"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if find_bindir() is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install the Debian package "
            "'postgresql' (./dev test does it) to run the sync integration tests"
        )
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@dataclass
class Central:
    """One central database of the test world."""

    cluster: Cluster
    name: str

    @property
    def admin_url(self) -> str:
        return self.cluster.admin_url(self.name)

    def site_url(self, site: str, port: int | None = None) -> str:
        return self.cluster.site_url(role_name(site), self.name, port)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True)

    def as_site(self, site: str) -> psycopg.Connection:
        return psycopg.connect(self.site_url(site), password=role_password(site), autocommit=True)


class CentralFactory:
    """Fresh copies of the template central database (one per test, or per hypothesis example)."""

    _numbers = itertools.count()

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def create(self) -> Central:
        name = f"central_{next(self._numbers)}"
        with psycopg.connect(self.cluster.admin_url(), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB} STRATEGY file_copy")
        return Central(self.cluster, name)

    def drop(self, central: Central) -> None:
        with psycopg.connect(self.cluster.admin_url(), autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {central.name} WITH (FORCE)")


@pytest.fixture(scope="session")
def reference_db(_templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site database SITIV prepared with the reference data of the test world (imported into the central)."""
    path = tmp_path_factory.mktemp("reference") / "reference.sqlite3"
    shutil.copyfile(_templates["empty"], path)
    db = Database.open(path)
    build_reference(db)
    db.close()
    return path


@pytest.fixture(scope="session")
def centrals(pg_cluster: Cluster, reference_db: Path) -> CentralFactory:
    with psycopg.connect(pg_cluster.admin_url(), autocommit=True) as c:
        c.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    url = pg_cluster.admin_url(TEMPLATE_DB)
    init_central(url)
    import_site_database(url, reference_db)
    for site in SITES:
        create_site_role(url, site_code=site, role=role_name(site), password=role_password(site))
    return CentralFactory(pg_cluster)


@pytest.fixture
def central(centrals: CentralFactory) -> Iterator[Central]:
    made = centrals.create()
    yield made
    centrals.drop(made)


@pytest.fixture(autouse=True)
def sync_keyring() -> Iterator[TestKeyring]:
    """The tests' OS keyring (the desk's passwords never touch the real one)."""
    previous = keyring.get_keyring()
    backend = TestKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def make_site(tmp_path: Path, _templates: dict[str, Path], central: Central) -> Iterator[Callable[..., SiteHandle]]:
    """``make_site("VEN-HDV")``: a new site PC syncing with ``central`` (``port=`` to go through a proxy)."""
    opened: list[SiteHandle] = []

    def make(code: str, *, port: int | None = None, **settings: Any) -> SiteHandle:
        settings.setdefault("timeout_s", 5.0)
        site = open_site(code, tmp_path, _templates["empty"], central.site_url(code, port), **settings)
        opened.append(site)
        return site

    yield make
    for site in opened:
        site.close()
