"""The pull cursor never skips a row committed late by a concurrent transaction."""

from __future__ import annotations

import random
import threading
import time
import uuid

import psycopg

from tests.integration.world import site_rows

COLUMNS = (
    "id, civility, last_name, first_names, phone, email, address, postal_code, city, search_text, created_at, "
    "updated_at, commune_id"
)


def _insert_citizen(conn: psycopg.Connection, name: str) -> str:
    """A citizen of VEN written on the central by another site (here: its owner), as one statement."""
    citizen = uuid.uuid4()
    conn.execute(
        f"INSERT INTO citizen ({COLUMNS}) SELECT %s, '', %s, '', '', '', '', '', '', %s, now(), now(), id "
        "FROM commune WHERE code = 'VEN'",
        (citizen, name, name.lower()),
    )
    return citizen.hex


def _stamp(conn: psycopg.Connection, citizen: str) -> tuple[int, int]:
    return conn.execute("SELECT sync_xid::text::bigint, sync_cn FROM citizen WHERE id = %s", (citizen,)).fetchone()


def test_two_writers_committing_out_of_order_while_a_site_pulls(make_site, central):
    site = make_site("VEN-HDV")
    assert site.service.run_round().errors == ()
    early, late = central.admin(), central.admin()
    early.execute("BEGIN")
    first = _insert_citizen(early, "Premier")  # takes the smaller change number, commits last
    late.execute("BEGIN")
    second = _insert_citizen(late, "Second")
    late.execute("COMMIT")
    with central.admin() as c:
        # What a naive "greatest change number seen" cursor would do: see Second, jump over Premier.
        assert _stamp(c, second)[1] > _stamp(early, first)[1]
    status = site.service.run_round()
    local = site_rows(site.db, "citizen")
    # Second is committed but held back: a transaction older than it (early) is still running.
    assert status.errors == () and first not in local and second not in local
    early.execute("COMMIT")
    site.service.run_round()
    local = site_rows(site.db, "citizen")
    assert first in local and second in local
    early.close()
    late.close()


def test_many_writers_out_of_order_and_a_site_pulling_all_the_time(make_site, central):
    site = make_site("VEN-MAV")
    assert site.service.run_round().errors == ()
    written: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        with central.admin() as conn:
            for n in range(12):
                conn.execute("BEGIN")
                ids = [_insert_citizen(conn, f"W{seed} {n} {k}") for k in range(rng.randint(1, 3))]
                time.sleep(rng.random() * 0.03)  # others take numbers and commit meanwhile
                if rng.random() < 0.15:
                    conn.execute("ROLLBACK")
                    continue
                conn.execute("COMMIT")
                with lock:
                    written.extend(ids)

    errors: list[tuple[str, ...]] = []

    def puller() -> None:
        while not stop.is_set():
            status = site.service.run_round()
            if status.errors:
                errors.append(status.errors)

    pulling = threading.Thread(target=puller)
    pulling.start()
    writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    pulling.join()
    site.service.run_round()
    local = site_rows(site.db, "citizen")
    assert errors == []
    assert set(written) <= set(local)
    assert len(written) == len(set(written)) > 20
