"""Push: one outbox batch, applied by the central database in one transaction with its key.

The key (site, batch number) is inserted into ``sync_batch`` first, in the same transaction as the rows: if
it is already there with the same digest of its rows, the batch was committed before (the acknowledgement
was lost on the way back) and nothing is written again; with another digest, the number was reused by a
reinstalled or restored site PC, and the batch is renumbered, never dropped. (If the first sending of a batch
is still stuck in a dead connection, the resent one waits for it; the server ends such sessions after the
site roles' ``idle_in_transaction_session_timeout``, 60 s.) The site deletes the batch from its outbox only
once the commit is known, so a crash or a cut at any point ends either with the batch applied once, or
resent and recognised.

Rows are applied table by table, parents first, each table in one statement (``jsonb_populate_recordset``
over the JSON the capture triggers wrote). Several changes of one row in a batch are folded into the last
state (for a merged record: its last state against its first base). Rows of a site's own tables
(contacts, tickets, events...) are only ever written by that site, in order: the last state simply wins.
Citizens go through the field-by-field merge of ``guichet.sync.merge``, under ``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from guichet.models import new_id
from guichet.sync.central import CentralLink
from guichet.sync.errors import RejectedError, SyncError, translate
from guichet.sync.local import Batch, OutboxRow
from guichet.sync.merge import merge_row
from guichet.sync.tables import SPECS, SYNCED_TABLES


@dataclass
class Outgoing:
    """The folded changes of one row in a batch."""

    table: str
    row_id: str
    row_json: str  # the last state
    base_json: str | None  # the state before the first change (merged tables)
    base_version: int | None
    inserted: bool  # the first change in the batch is the row's creation


class BatchNumberTakenError(Exception):
    """The central holds another batch under this number (a site PC reinstalled, or restored from a backup):
    the batch must be renumbered, never dropped."""

    def __init__(self, highest: int) -> None:
        super().__init__(highest)
        self.highest = highest


def digest(batch: Batch) -> str:
    """What tells a replay of a batch from another batch under the same number: its rows, in order."""
    h = hashlib.sha256()
    for r in batch.rows:
        h.update(f"{r.table}\x1f{r.row_id}\x1f{r.row_json}\x1f{r.base_json}\x1e".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class PushResult:
    duplicate: bool  # the central had committed this batch already
    rows: int
    conflicts: int


@dataclass(frozen=True)
class _Context:
    site: str  # hex
    commune: str
    now: str


def fold(rows: Sequence[OutboxRow]) -> dict[str, list[Outgoing]]:
    """The batch's rows by table (in the order they were first changed), each row once, in its last state."""
    by_key: dict[tuple[str, str], Outgoing] = {}
    for r in rows:
        key = (r.table, r.row_id)
        seen = by_key.get(key)
        if seen is None:
            by_key[key] = Outgoing(r.table, r.row_id, r.row_json, r.base_json, r.base_version, r.base_json is None)
        else:
            seen.row_json = r.row_json
    tables: dict[str, list[Outgoing]] = {}
    for out in by_key.values():
        tables.setdefault(out.table, []).append(out)
    return tables


def upsert_sql(table: str, extra: tuple[str, ...] = (), keep: tuple[str, ...] = ()) -> str:
    """Insert or update the rows of a JSON array (site format) into a central table; ``keep``: never updated."""
    cols = [*SPECS[table].columns, *extra]
    names = ", ".join(cols)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c != "id" and c not in keep)
    return (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) "
        f"ON CONFLICT (id) DO UPDATE SET {sets}"
    )


class Pusher:
    def __init__(self, link: CentralLink, *, schema: str) -> None:
        self._link = link
        self._schema = schema

    def push(self, batch: Batch) -> PushResult:
        """Apply the batch on the central database (once, whatever happened before)."""
        conn = self._link.connection()
        sent = digest(batch)
        with self._link.step(), conn.transaction():
            key = conn.execute(
                "INSERT INTO sync_batch (site_id, batch_no, schema_version, row_count, digest) "
                "VALUES (sync_site(), %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING batch_no",
                (batch.number, self._schema, len(batch.rows), sent),
            ).fetchone()
            if key is None:
                held, highest = conn.execute(
                    "SELECT (SELECT digest FROM sync_batch WHERE site_id = sync_site() AND batch_no = %s), "
                    "(SELECT max(batch_no) FROM sync_batch WHERE site_id = sync_site())",
                    (batch.number,),
                ).fetchone()
                if held != sent:
                    raise BatchNumberTakenError(highest)
                return PushResult(True, 0, 0)
            ctx = self._context(conn)
            tables = fold(batch.rows)
            conflicts = 0
            for table in SYNCED_TABLES:
                if table in tables:
                    conflicts += self._apply(conn, table, tables[table], ctx)
        return PushResult(False, len(batch.rows), conflicts)

    def highest_batch(self) -> int:
        """The greatest batch number the central holds for this site (0 if none)."""
        with self._link.step():
            row = (
                self._link.connection()
                .execute("SELECT coalesce(max(batch_no), 0) FROM sync_batch WHERE site_id = sync_site()")
                .fetchone()
            )
        return int(row[0])

    def probe(self, batch: Batch) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
        """Which rows of a refused batch the central refuses, each with its reason, and which of those it
        already holds exactly as sent. A dry run: every row in its own savepoint, all rolled back."""
        conn = self._link.connection()
        refused: dict[tuple[str, str], str] = {}
        already: set[tuple[str, str]] = set()
        with self._link.step(), conn.transaction(force_rollback=True):
            ctx = self._context(conn)
            tables = fold(batch.rows)
            for table in SYNCED_TABLES:
                for out in tables.get(table, []):
                    try:
                        with conn.transaction():
                            self._apply(conn, table, [out], ctx)
                    except psycopg.Error as e:
                        error = translate(e)
                        if not isinstance(error, RejectedError):
                            raise error from None
                        key = (table, out.row_id)
                        if self._same_as_central(conn, table, out):
                            already.add(key)
                        else:
                            refused[key] = str(error)
        return refused, already

    # -- internals ---------------------------------------------------------------------------------------

    @staticmethod
    def _context(conn: psycopg.Connection) -> _Context:
        site, commune, now = conn.execute(
            "SELECT sync_site(), sync_commune(), to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD HH24:MI:SS.US')"
        ).fetchone()
        if site is None:
            raise SyncError("Le rôle de ce site n'est rattaché à aucun site sur le serveur central.")
        return _Context(site.hex, commune.hex, now)

    def _apply(self, conn: psycopg.Connection, table: str, rows: list[Outgoing], ctx: _Context) -> int:
        """Write the rows of one table; returns the number of conflicts logged."""
        if SPECS[table].merged:
            return self._merge(conn, table, rows, ctx)
        conn.execute(upsert_sql(table), ("[" + ",".join(r.row_json for r in rows) + "]",))
        return 0

    def _merge(self, conn: psycopg.Connection, table: str, rows: list[Outgoing], ctx: _Context) -> int:
        spec = SPECS[table]
        width = len(spec.columns)
        current = {
            r[spec.columns.index("id")].hex: r
            for r in conn.execute(
                f"SELECT {', '.join(spec.columns)}, version, sync_site_id FROM {table} "
                f"WHERE id = ANY(%s::uuid[]) ORDER BY id FOR UPDATE",
                (sorted(r.row_id for r in rows),),
            )
        }
        written: list[dict[str, Any]] = []
        conflicts: list[dict[str, Any]] = []
        for out in rows:
            mine = json.loads(out.row_json)
            found = current.get(out.row_id)
            if found is None:
                written.append({**mine, "commune_id": ctx.commune, "version": 1, "sync_site_id": ctx.site})
                continue
            theirs = dict(zip(spec.columns, spec.site_row(found[:width]), strict=True))
            version, last_site = found[width], found[width + 1]
            base = json.loads(out.base_json) if out.base_json is not None else None
            merged, fields = merge_row(base, mine, theirs)
            written.append({**merged, "commune_id": ctx.commune, "version": version + 1, "sync_site_id": ctx.site})
            for f in fields:
                conflicts.append(
                    {
                        "id": new_id().hex,
                        "commune_id": ctx.commune,  # row-level security: only its commune's citizens
                        "table_name": table,
                        "row_id": out.row_id,
                        "field": f.field,
                        "base_value": _text(f.base),
                        "kept_value": _text(f.kept),
                        "lost_value": _text(f.lost),
                        "kept_site_id": ctx.site,
                        "lost_site_id": last_site.hex if last_site else None,
                        "base_version": out.base_version,
                        "kept_version": version + 1,
                        "resolution": "",
                        "created_at": ctx.now,
                        "updated_at": ctx.now,
                    }
                )
        conn.execute(
            upsert_sql(table, extra=("commune_id", "version", "sync_site_id"), keep=("commune_id",)),
            (json.dumps(written),),
        )
        if conflicts:
            conn.execute(upsert_sql("sync_conflict"), (json.dumps(conflicts),))
        return len(conflicts)

    def _same_as_central(self, conn: psycopg.Connection, table: str, out: Outgoing) -> bool:
        spec = SPECS[table]
        found = conn.execute(
            f"SELECT {', '.join(spec.columns)} FROM {table} WHERE id = %s::uuid", (out.row_id,)
        ).fetchone()
        if found is None:
            return False
        mine = json.loads(out.row_json)
        return dict(zip(spec.columns, spec.site_row(found), strict=True)) == {c: mine.get(c) for c in spec.columns}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
