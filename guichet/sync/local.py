"""The site's side of the replication: the outbox and its batches, and the application of pulled rows.

Everything here runs on the site's SQLite file in short ``BEGIN IMMEDIATE`` transactions, beside the desk's
own writes: a batch is formed, or a pulled page applied with its cursor, whole or not at all.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from guichet.db import Database
from guichet.sync.tables import PULLED_TABLES, SPECS, TableSpec

_INSTANT = "%Y-%m-%d %H:%M:%S.%f"
# Parents of a pulled row that the site does not have yet are fetched by id, this many levels up at most.
MAX_PARENT_DEPTH = 4
# sync_state.applying: 1 while applying central rows (no capture); 2 for a page of citizens whose search
# index entries are written here in bulk, the index triggers standing aside (migration 0004).
APPLYING, APPLYING_CITIZENS = 1, 2


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    table: str
    row_id: str
    row_json: str
    base_json: str | None
    base_version: int | None


@dataclass(frozen=True)
class Batch:
    """Rows of the outbox sent together under one key (site, ``number``)."""

    number: int
    rows: tuple[OutboxRow, ...]
    attempts: int
    last_error: str


@dataclass(frozen=True)
class QuarantinedBatch:
    batch_no: int
    rows: int
    reason: str


# Given a table and ids, the central rows (site format, in the table's column order) that are visible.
FetchByIds = Callable[[str, Sequence[str]], list[tuple[Any, ...]]]


def now_text() -> str:
    return datetime.now(UTC).strftime(_INSTANT)


class LocalStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @contextlib.contextmanager
    def _tx(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """A raw sqlite3 transaction on a pooled connection (the engine's pragmas are set on it)."""
        with self._db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield raw
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    # -- identity and status ---------------------------------------------------------------------------

    def identity(self) -> tuple[str | None, str | None]:
        with self._tx(write=False) as c:
            row = c.execute("SELECT site_id, commune_id FROM sync_state WHERE id = 1").fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_identity(self, site_hex: str, commune_hex: str) -> None:
        with self._tx() as c:
            c.execute("UPDATE sync_state SET site_id = ?, commune_id = ? WHERE id = 1", (site_hex, commune_hex))

    def mark_success(self, when: datetime) -> None:
        with self._tx() as c:
            c.execute("UPDATE sync_state SET last_success_at = ? WHERE id = 1", (when.strftime(_INSTANT),))

    def last_success(self) -> datetime | None:
        with self._tx(write=False) as c:
            row = c.execute("SELECT last_success_at FROM sync_state WHERE id = 1").fetchone()
        if not row or not row[0]:
            return None
        return datetime.strptime(row[0], _INSTANT).replace(tzinfo=UTC)

    def pending(self) -> int:
        with self._tx(write=False) as c:
            return int(c.execute("SELECT count(*) FROM sync_outbox").fetchone()[0])

    def has_pending(self) -> bool:
        with self._tx(write=False) as c:
            return c.execute("SELECT 1 FROM sync_outbox LIMIT 1").fetchone() is not None

    def failing_batch(self) -> tuple[int, int, int, str] | None:
        """(batch, rows, attempts, reason) of the batch the central refused and that is tried again."""
        with self._tx(write=False) as c:
            row = c.execute(
                "SELECT batch_no, count(*), max(attempts), max(last_error) FROM sync_outbox "
                "WHERE batch_no IS NOT NULL AND attempts > 0 GROUP BY batch_no ORDER BY batch_no LIMIT 1"
            ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def quarantined(self) -> list[QuarantinedBatch]:
        with self._tx(write=False) as c:
            rows = c.execute(
                "SELECT batch_no, count(*), min(reason) FROM sync_quarantine GROUP BY batch_no ORDER BY batch_no"
            ).fetchall()
        return [QuarantinedBatch(*r) for r in rows]

    def open_conflicts(self) -> int:
        with self._tx(write=False) as c:
            return int(
                c.execute(
                    "SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL AND deleted_at IS NULL"
                ).fetchone()[0]
            )

    def refetch_problems(self) -> list[str]:
        with self._tx(write=False) as c:
            return [r[0] for r in c.execute("SELECT DISTINCT reason FROM sync_refetch WHERE reason != ''")]

    # -- push side -------------------------------------------------------------------------------------

    def next_batch(self, max_rows: int, *, done: int | None = None) -> Batch | None:
        """The batch to send: the one already formed and not yet acknowledged, or a new one of the oldest rows.

        ``done``: a batch the central has just committed, deleted in the same transaction (one disk flush)."""
        if done is None and not self.has_pending():  # the usual case: no write transaction for nothing
            return None
        with self._tx() as c:
            if done is not None:
                c.execute("DELETE FROM sync_outbox WHERE batch_no = ?", (done,))
            number = c.execute("SELECT min(batch_no) FROM sync_outbox WHERE batch_no IS NOT NULL").fetchone()[0]
            if number is None:
                if c.execute("SELECT 1 FROM sync_outbox LIMIT 1").fetchone() is None:
                    return None
                number = c.execute("SELECT next_batch FROM sync_state WHERE id = 1").fetchone()[0]
                c.execute(
                    "UPDATE sync_outbox SET batch_no = ? WHERE seq IN "
                    "(SELECT seq FROM sync_outbox WHERE batch_no IS NULL ORDER BY seq LIMIT ?)",
                    (number, max_rows),
                )
                c.execute("UPDATE sync_state SET next_batch = ? WHERE id = 1", (number + 1,))
            rows = c.execute(
                "SELECT seq, table_name, row_id, row_json, base_json, base_version, attempts, last_error "
                "FROM sync_outbox WHERE batch_no = ? ORDER BY seq",
                (number,),
            ).fetchall()
        return Batch(
            number,
            tuple(OutboxRow(*r[:6]) for r in rows),
            max((r[6] for r in rows), default=0),
            max((r[7] for r in rows), default=""),
        )

    def number_after(self, highest: int) -> None:
        """Batch numbers go on after ``highest`` (what the central already holds for this site): the pending
        batch, if its number is taken by another batch, and every new one."""
        with self._tx() as c:
            c.execute("UPDATE sync_state SET next_batch = max(next_batch, ?) WHERE id = 1", (highest + 1,))

    def renumber(self, number: int, highest: int) -> int:
        """Give a pending batch a new number above ``highest``; returns it."""
        with self._tx() as c:
            new = max(highest + 1, c.execute("SELECT next_batch FROM sync_state WHERE id = 1").fetchone()[0])
            c.execute("UPDATE sync_outbox SET batch_no = ? WHERE batch_no = ?", (new, number))
            c.execute("UPDATE sync_state SET next_batch = ? WHERE id = 1", (new + 1,))
        return new

    def batch_done(self, number: int) -> None:
        """The central database committed the batch: its rows leave the outbox."""
        with self._tx() as c:
            c.execute("DELETE FROM sync_outbox WHERE batch_no = ?", (number,))

    def batch_failed(self, number: int, reason: str) -> int:
        """Count one more refusal of the batch; returns the number of refusals so far."""
        with self._tx() as c:
            c.execute(
                "UPDATE sync_outbox SET attempts = attempts + 1, last_error = ? WHERE batch_no = ?", (reason, number)
            )
            row = c.execute("SELECT max(attempts) FROM sync_outbox WHERE batch_no = ?", (number,)).fetchone()
        return int(row[0] or 0)

    def isolate(self, number: int, refused: dict[tuple[str, str], str], already_there: set[tuple[str, str]]) -> None:
        """Set the refused rows of a batch aside (quarantine), drop the ones the central already holds as they
        are, and let the others go in the next batch (under a new number: this one was never committed)."""
        stamp = now_text()
        with self._tx() as c:
            for (table, row_id), reason in refused.items():
                c.execute(
                    "INSERT INTO sync_quarantine (seq, batch_no, table_name, row_id, row_json, base_json, "
                    "base_version, reason, quarantined_at) SELECT seq, batch_no, table_name, row_id, row_json, "
                    "base_json, base_version, ?, ? FROM sync_outbox WHERE batch_no = ? AND table_name = ? "
                    "AND row_id = ?",
                    (reason, stamp, number, table, row_id),
                )
                c.execute(
                    "DELETE FROM sync_outbox WHERE batch_no = ? AND table_name = ? AND row_id = ?",
                    (number, table, row_id),
                )
                if table in PULLED_TABLES:  # the site goes back to the central's version; the edit waits aside
                    c.execute(
                        "INSERT OR REPLACE INTO sync_refetch (table_name, row_id, reason) VALUES (?, ?, '')",
                        (table, row_id),
                    )
            for table, row_id in already_there:
                c.execute(
                    "DELETE FROM sync_outbox WHERE batch_no = ? AND table_name = ? AND row_id = ?",
                    (number, table, row_id),
                )
            c.execute(
                "UPDATE sync_outbox SET batch_no = NULL, attempts = 0, last_error = '' WHERE batch_no = ?", (number,)
            )

    def requeue_quarantine(self) -> int:
        """Send the quarantined rows again (after someone fixed the cause); returns how many."""
        with self._tx() as c:
            rows = c.execute(
                "SELECT table_name, row_id, row_json, base_json, base_version FROM sync_quarantine ORDER BY seq"
            ).fetchall()
            c.executemany(
                "INSERT INTO sync_outbox (table_name, row_id, row_json, base_json, base_version) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            c.execute("DELETE FROM sync_quarantine")
        return len(rows)

    # -- pull side -------------------------------------------------------------------------------------

    def cursors(self) -> dict[str, tuple[int, int]]:
        with self._tx(write=False) as c:
            return {t: (x, n) for t, x, n in c.execute("SELECT table_name, xid, cn FROM sync_cursor")}

    def refetch_wanted(self) -> dict[str, list[str]]:
        """Rows to fetch again by id, by table, leaving out those the site still has a change of to push."""
        with self._tx(write=False) as c:
            rows = c.execute(
                "SELECT r.table_name, r.row_id FROM sync_refetch r WHERE NOT EXISTS "
                "(SELECT 1 FROM sync_outbox o WHERE o.table_name = r.table_name AND o.row_id = r.row_id)"
            ).fetchall()
        wanted: dict[str, list[str]] = {}
        for table, row_id in rows:
            wanted.setdefault(table, []).append(row_id)
        return wanted

    def apply(
        self,
        table: str,
        rows: list[tuple[Any, ...]],
        *,
        versions: list[int] | None = None,
        cursor: tuple[int, int] | None = None,
        refetched: Sequence[str] = (),
        fetch: FetchByIds | None = None,
    ) -> int:
        """Apply central rows (site format) and move the table's cursor, in one transaction.

        Rows the site has a change of waiting in its outbox are not applied (the site's change is merged by
        the central and comes back); they are noted to fetch again once that change is pushed. A row that
        cannot be applied (a parent missing even after fetching it, a local unique value in the way) is noted
        too, with the reason, and tried again at every round: nothing pulled is dropped. Returns the number
        of rows applied.
        """
        spec = SPECS[table]
        bulk_index = table == "citizen"
        with self._tx() as c:
            c.execute(
                "UPDATE sync_state SET applying = ? WHERE id = 1", (APPLYING_CITIZENS if bulk_index else APPLYING,)
            )
            if refetched:
                c.executemany(
                    "DELETE FROM sync_refetch WHERE table_name = ? AND row_id = ?", [(table, r) for r in refetched]
                )
            held = _held(c, table)
            id_at = spec.columns.index("id")
            todo = [(r, v) for r, v in zip(rows, versions or [None] * len(rows), strict=True) if r[id_at] not in held]
            if len(todo) < len(rows):
                c.executemany(
                    "INSERT OR REPLACE INTO sync_refetch (table_name, row_id, reason) VALUES (?, ?, '')",
                    [(table, r[id_at]) for r in rows if r[id_at] in held],
                )
            if bulk_index:
                _unindex(c, [r[id_at] for r, _ in todo])
            c.execute("SAVEPOINT page")
            try:
                c.executemany(_upsert(spec), [r for r, _ in todo])
                applied = len(todo)
            except sqlite3.IntegrityError:
                c.execute("ROLLBACK TO page")
                applied = sum(_apply_one(c, spec, r, fetch, 0) for r, _ in todo)
            c.execute("RELEASE page")
            if bulk_index:
                c.execute(
                    "INSERT INTO citizen_fts(rowid, search_text) SELECT c.rowid, c.search_text FROM citizen c "
                    "JOIN temp.sync_page p ON p.id = c.id"
                )
            if versions is not None:
                c.executemany(
                    "INSERT INTO sync_row_version (table_name, row_id, version) VALUES (?, ?, ?) "
                    "ON CONFLICT (table_name, row_id) DO UPDATE SET version = excluded.version",
                    [(table, r[id_at], v) for r, v in todo if v is not None],
                )
            if cursor is not None:
                c.execute(
                    "INSERT INTO sync_cursor (table_name, xid, cn) VALUES (?, ?, ?) "
                    "ON CONFLICT (table_name) DO UPDATE SET xid = excluded.xid, cn = excluded.cn",
                    (table, *cursor),
                )
            c.execute("UPDATE sync_state SET applying = 0 WHERE id = 1")
        return applied


def _unindex(c: sqlite3.Connection, ids: list[str]) -> None:
    """Remove the search index entries of the page's citizens (the exact stored text, as FTS5 requires);
    new ones are written after the upsert, for the rows as they are then."""
    c.execute("CREATE TEMP TABLE IF NOT EXISTS sync_page (id TEXT PRIMARY KEY) WITHOUT ROWID")
    c.execute("DELETE FROM temp.sync_page")
    c.executemany("INSERT OR IGNORE INTO temp.sync_page (id) VALUES (?)", [(i,) for i in ids])
    c.execute(
        "INSERT INTO citizen_fts(citizen_fts, rowid, search_text) SELECT 'delete', c.rowid, c.search_text "
        "FROM citizen c JOIN temp.sync_page p ON p.id = c.id"
    )


def _held(c: sqlite3.Connection, table: str) -> set[str]:
    return {r[0] for r in c.execute("SELECT row_id FROM sync_outbox WHERE table_name = ?", (table,))}


def _upsert(spec: TableSpec) -> str:
    cols = ", ".join(spec.columns)
    marks = ", ".join("?" for _ in spec.columns)
    sets = ", ".join(f"{c} = excluded.{c}" for c in spec.columns if c != "id")
    return f"INSERT INTO {spec.name} ({cols}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {sets}"


def _apply_one(
    c: sqlite3.Connection, spec: TableSpec, row: tuple[Any, ...], fetch: FetchByIds | None, depth: int
) -> int:
    """One row in its own savepoint; its missing parents are fetched first. 1 if applied, else 0 (noted)."""
    row_id = row[spec.columns.index("id")]
    for attempt in range(2):
        c.execute("SAVEPOINT one")
        try:
            c.execute(_upsert(spec), row)
        except sqlite3.IntegrityError as e:
            c.execute("ROLLBACK TO one")
            c.execute("RELEASE one")
            if attempt == 0 and "FOREIGN KEY" in str(e) and fetch is not None and depth < MAX_PARENT_DEPTH:
                _fetch_parents(c, spec, row, fetch, depth)
                continue
            reason = f"Donnée du serveur central en attente ({spec.name}) : {e}"
            c.execute(
                "INSERT OR REPLACE INTO sync_refetch (table_name, row_id, reason) VALUES (?, ?, ?)",
                (spec.name, row_id, reason),
            )
            return 0
        c.execute("RELEASE one")
        return 1
    return 0


def _fetch_parents(c: sqlite3.Connection, spec: TableSpec, row: tuple[Any, ...], fetch: FetchByIds, depth: int) -> None:
    for column, parent in spec.foreign_keys:
        value = row[spec.columns.index(column)]
        if value is None or c.execute(f"SELECT 1 FROM {parent} WHERE id = ?", (value,)).fetchone():
            continue
        parent_spec = SPECS[parent]
        for parent_row in fetch(parent, [value]):
            _apply_one(c, parent_spec, parent_row, fetch, depth + 1)
