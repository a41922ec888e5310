"""SQLite engine with the safety settings, and the unit of work every service uses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 10_000


def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
    # Let SQLAlchemy's "begin" hook below open transactions, instead of pysqlite's implicit ones.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _on_begin(conn) -> None:  # noqa: ANN001
    # Writers take the write lock at BEGIN: two writers never deadlock upgrading a read lock,
    # they wait for each other within busy_timeout.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def sqlite_url(path: Path | str) -> str:
    return f"sqlite+pysqlite:///{path}"


def make_engine(path: Path | str) -> Engine:
    """An engine on a SQLite file, with WAL, foreign keys, busy timeout and synchronous FULL."""
    engine = create_engine(sqlite_url(path), connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class Database:
    """The unit of work: ``with db.write() as s`` is one transaction, committed whole or not at all."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = sessionmaker(bind=engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False)
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        # Writers of this process take turns here rather than in SQLite's busy handler, whose sleeps (up to
        # 100 ms each) made the tail of a busy hub's calls: 20 desks writing at once wait in line, in order.
        # Other processes (a sync command, a kiosk on its own database file) still meet at busy_timeout.
        self._write_turn = threading.RLock()

    @classmethod
    def open(cls, path: Path | str) -> Database:
        return cls(make_engine(path))

    @property
    def path(self) -> str:
        return str(self.engine.url.database)

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._write_turn, self._writer() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
