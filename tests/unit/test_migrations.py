"""Schema migrations and the safety settings of every SQLite connection."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from guichet.db import Database
from guichet.db.migrate import DatabaseTooNewError, current_revisions, head_revision, upgrade
from guichet.models import Base


def _not_fts(name, type_, *_args) -> bool:  # noqa: ANN001
    # The FTS5 virtual table and its shadow tables are made by raw SQL in the migration, not by the models.
    return not (type_ == "table" and name and ("_fts" in name or name.startswith("sqlite_")))


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_upgrade_of_an_empty_file_matches_the_models(db_path):
    db = Database.open(db_path)
    try:
        assert current_revisions(db.engine) == ()
        assert upgrade(db.engine) is True
        assert current_revisions(db.engine) == (head_revision(),)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _not_fts})
            diff = compare_metadata(context, Base.metadata)
            names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
    finally:
        db.close()
    assert diff == []
    # The search index and the triggers that keep it in step are there too.
    assert {"citizen_fts", "citizen_fts_ai", "citizen_fts_ad", "citizen_fts_au"} <= names


def test_upgrade_is_idempotent(db):
    assert upgrade(db.engine) is False
    assert current_revisions(db.engine) == (head_revision(),)


def test_database_from_a_newer_guichet_is_refused_and_left_untouched(db_path):
    db = Database.open(db_path)
    upgrade(db.engine)
    with db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    db.close()  # last connection closed: the WAL is checkpointed into the main file
    before_hash, before_dump = _sha256(db_path), _dump(db_path)

    db = Database.open(db_path)
    try:
        with pytest.raises(DatabaseTooNewError) as raised:
            upgrade(db.engine)
    finally:
        db.close()

    message = str(raised.value)
    assert "version plus récente de Guichet" in message
    assert "ffff_future" in message
    assert _dump(db_path) == before_dump
    assert _sha256(db_path) == before_hash


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("foreign_keys", 1), ("synchronous", 2), ("busy_timeout", 10_000)],
)
def test_safety_pragmas_on_every_connection(db, pragma, expected):
    # Read and write sessions, and two pooled connections at once: each gets the settings.
    with db.read() as r, db.write() as w:
        assert r.execute(text(f"PRAGMA {pragma}")).scalar() == expected
        assert w.execute(text(f"PRAGMA {pragma}")).scalar() == expected


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), db.write() as s:
        s.execute(
            text(
                "INSERT INTO site (id, commune_id, code, name, kind, address, phone, opening_hours, created_at, "
                "updated_at) VALUES (X'01', X'02', 'HDV', 'x', 'principal', '', '', '', '2026-01-01', '2026-01-01')"
            )
        )
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM site")).scalar() == 0


def _locked_for_writers(db_path: Path) -> bool:
    other = sqlite3.connect(db_path, timeout=0.1, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        assert "database is locked" in str(e)
        return True
    else:
        other.execute("ROLLBACK")
        return False
    finally:
        other.close()


def _hold(session_factory, inside: threading.Event, release: threading.Event) -> None:  # noqa: ANN001
    with session_factory() as s:
        s.execute(select(1))  # a mere read: a DEFERRED transaction would not take the write lock yet
        inside.set()
        release.wait(10)


@pytest.mark.parametrize("kind", ["write", "read"])
def test_write_takes_the_write_lock_at_begin(db, db_path, kind):
    inside, release = threading.Event(), threading.Event()
    worker = threading.Thread(target=_hold, args=(getattr(db, kind), inside, release))
    worker.start()
    try:
        assert inside.wait(10)
        locked = _locked_for_writers(db_path)
    finally:
        release.set()
        worker.join(10)
    # write() is BEGIN IMMEDIATE: a second writer waits (here: gives up after 0.1 s); read() blocks no writer.
    assert locked is (kind == "write")
    assert not _locked_for_writers(db_path)


def test_a_second_writer_waits_instead_of_failing(db):
    # With busy_timeout, two write() blocks in two threads queue up; neither gets "database is locked".
    inside, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with db.write() as s:
                s.execute(text("CREATE TABLE t (n INTEGER)"))
                inside.set()
                release.wait(10)
                s.execute(text("INSERT INTO t VALUES (1)"))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    worker = threading.Thread(target=first)
    worker.start()
    assert inside.wait(10)
    threading.Timer(0.3, release.set).start()
    with db.write() as s:
        s.execute(text("INSERT INTO t VALUES (2)"))
    worker.join(10)
    assert errors == []
    with db.read() as s:
        assert s.execute(text("SELECT n FROM t ORDER BY rowid")).scalars().all() == [1, 2]
