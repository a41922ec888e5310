"""Pull: the central rows of the site's scope, with a cursor that never skips a row committed late.

Why a plain "last change number seen" cursor is not enough: numbers are taken when rows are written, but
transactions commit in another order. Transaction A takes number 5 and is still running when B takes 6 and
commits; a site that pulls now sees 6, moves its cursor to 6, and never sees 5 once A commits.

What is done instead. Every central row carries ``sync_xid``, the id of the transaction that last wrote it
(``pg_current_xact_id()``, 64 bits, never wraps), and ``sync_cn``, a number from one sequence, both set by a
trigger. A pull runs in one REPEATABLE READ snapshot and reads its ``xmin``: every transaction with an id
below it has ended (committed or rolled back), and every transaction still to come or still running has an
id at or above it. The pull hands out only rows with ``sync_xid < xmin``, in (``sync_xid``, ``sync_cn``)
order, and the per-table cursor is the last (``sync_xid``, ``sync_cn``) applied. The set of row versions
below ``xmin`` is final: no later commit can add one there. So a row committed late by a transaction
that began early is not skipped: it was held back (its id is at or above ``xmin`` while it runs) and comes in
a later pull, since its id is above the cursor. A row written again later gets a new, larger ``sync_xid`` and
comes again. The price: a long transaction on the central delays every site's view of later commits
(not their safety). See tests/integration/test_sync_cursor.py, where two writers commit out of order.

Row-level security decides which rows a site sees (its commune's scope and the reference data); the
pull asks nothing more than "rows after my cursor". Each page is applied with its cursor in one SQLite
transaction (``LocalStore.apply``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import psycopg

from guichet.sync.central import CentralLink
from guichet.sync.local import LocalStore
from guichet.sync.tables import PULLED_TABLES, SPECS

PAGE_ROWS = 5000
LABELS = {
    "commune": "communes",
    "external_body": "organismes extérieurs",
    "citizen": "citoyens",
    "site": "sites",
    "municipal_service": "services municipaux",
    "theme": "thèmes",
    "agent": "agents",
    "counter": "guichets",
    "queue": "files d'attente",
    "site_queue_settings": "réglages des files",
    "counter_queue": "files des guichets",
    "sync_conflict": "conflits de synchronisation",
    "household": "foyers",
    "household_member": "membres des foyers",
    "citizen_consent": "consentements",
    "answer_sheet": "fiches du catalogue de réponses",
    "answer_sheet_version": "versions des fiches",
}


@dataclass(frozen=True)
class LoadProgress:
    """Where the first load of a site stands (for a progress bar): rows applied of the rows to pull."""

    table: str
    done: int
    total: int

    @property
    def label(self) -> str:
        return f"Premier chargement : {LABELS.get(self.table, self.table)}, {self.done:,} sur {self.total:,}".replace(
            ",", "\u202f"
        )


def _select(table: str) -> str:
    """The table's columns already in the SQLite format (see ``TableSpec.site_text``), then the stamps."""
    spec = SPECS[table]
    extra = ", version" if spec.merged else ""
    return f"SELECT {', '.join(spec.site_text)}{extra}, sync_xid::text::bigint, sync_cn FROM {table}"


class Puller:
    def __init__(
        self,
        link: CentralLink,
        store: LocalStore,
        *,
        page_rows: int = PAGE_ROWS,
        on_progress: Callable[[LoadProgress], None] | None = None,
    ) -> None:
        self._link = link
        self._store = store
        self._page_rows = page_rows
        self._on_progress = on_progress

    def pull(self) -> int:
        """One pull of every table of the site's scope; returns the number of rows applied."""
        conn = self._link.connection()
        applied = 0
        with self._link.step():
            opened = conn.execute(
                "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
            )
            opened.nextset()
            bound = opened.fetchone()[0]
        try:
            applied += self._refetch(conn)
            cursors = self._store.cursors()
            totals = self._totals(bound) if self._on_progress and not cursors else {}
            for table in self._news(conn, cursors, bound):
                applied += self._pull_table(conn, table, cursors.get(table, (0, 0)), bound, totals.get(table, 0))
        finally:
            # A read-only snapshot: ending it one way or the other changes nothing on the central.
            if self._link.connected:
                with contextlib.suppress(Exception), self._link.step():
                    conn.execute("ROLLBACK")
        return applied

    def _news(self, conn: psycopg.Connection, cursors: dict[str, tuple[int, int]], bound: int) -> list[str]:
        """The tables with rows to pull, in one round trip (most rounds: none)."""
        parts, params = [], []
        for table in PULLED_TABLES:
            parts.append(
                f"SELECT %s WHERE EXISTS (SELECT 1 FROM {table} WHERE (sync_xid, sync_cn) > (%s::text::xid8, %s) "
                f"AND sync_xid < %s::text::xid8)"
            )
            xid, cn = cursors.get(table, (0, 0))
            params += [table, str(xid), cn, str(bound)]
        with self._link.step():
            found = {r[0] for r in conn.execute(" UNION ALL ".join(parts), params)}
        return [t for t in PULLED_TABLES if t in found]

    def _pull_table(self, conn: psycopg.Connection, table: str, cursor: tuple[int, int], bound: int, total: int) -> int:
        spec = SPECS[table]
        width = len(spec.columns)
        sql = (
            f"{_select(table)} WHERE (sync_xid, sync_cn) > (%s::text::xid8, %s) AND sync_xid < %s::text::xid8 "
            f"ORDER BY sync_xid, sync_cn LIMIT %s"
        )

        def page(after: tuple[int, int]) -> list[tuple[Any, ...]]:
            with self._link.step():
                return conn.execute(sql, (str(after[0]), after[1], str(bound), self._page_rows)).fetchall()

        applied = done = 0
        rows = page(cursor)
        # While a page is applied to SQLite, the next one is read from the central (a large load goes at the
        # pace of the slower of the two, not of their sum).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="guichet-pull") as ahead:
            while rows:
                cursor = (rows[-1][-2], rows[-1][-1])
                following = ahead.submit(page, cursor) if len(rows) == self._page_rows else None
                try:
                    applied += self._store.apply(
                        table,
                        [r[:width] for r in rows],
                        versions=[r[width] for r in rows] if spec.merged else None,
                        cursor=cursor,
                        fetch=self._fetcher(conn),
                    )
                except BaseException:
                    if following is not None:
                        wait([following])  # never leave a read running on the connection
                    raise
                done += len(rows)
                if self._on_progress and total:
                    self._on_progress(LoadProgress(table, done, max(total, done)))
                rows = following.result() if following is not None else []
        return applied

    def _totals(self, bound: int) -> dict[str, int]:
        conn = self._link.connection()
        totals = {}
        with self._link.step():
            for table in PULLED_TABLES:
                totals[table] = conn.execute(
                    f"SELECT count(*) FROM {table} WHERE sync_xid < %s::text::xid8", (str(bound),)
                ).fetchone()[0]
        return totals

    def _fetcher(self, conn: psycopg.Connection) -> Callable[[str, Sequence[str]], list[tuple[Any, ...]]]:
        def fetch(table: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
            return [r[: len(SPECS[table].columns)] for r in self._by_ids(conn, table, ids)]

        return fetch

    def _by_ids(self, conn: psycopg.Connection, table: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        with self._link.step():
            return conn.execute(f"{_select(table)} WHERE id = ANY(%s::uuid[])", (list(ids),)).fetchall()

    def _refetch(self, conn: psycopg.Connection) -> int:
        applied = 0
        for table, ids in self._store.refetch_wanted().items():
            spec = SPECS[table]
            width = len(spec.columns)
            rows = self._by_ids(conn, table, ids)
            applied += self._store.apply(
                table,
                [r[:width] for r in rows],
                versions=[r[width] for r in rows] if spec.merged else None,
                refetched=ids,
                fetch=self._fetcher(conn),
            )
        return applied
