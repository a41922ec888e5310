"""Sync benchmarks against a real PostgreSQL server (a throwaway cluster started here, fsync on).

    python bench/bench_sync.py [--rows 20000 --citizens 200000 --batch 500]

1. Push throughput: ``--rows`` contacts in a site's outbox pushed to the central (read the outbox, batches,
   row-level security, keys, deletion of the outbox), as a ratio of a plain bulk insert of the same rows
   (psycopg ``executemany``, one transaction, as the owner) into a table like ``contact`` of the same server,
   in the same run: ``ratio`` against a table with the same foreign keys (what storing those rows costs
   anyway), ``ratio_without_fk`` against one without. Target: ratio >= 0.5.
2. Pull throughput: ``--rows`` citizens of a commune pulled into a new site (pages, SQLite upsert, the desk's
   search index, cursor), as a ratio of the same plain bulk insert of those rows into PostgreSQL.
   Target: >= 0.5. Throughputs and baselines are the best of 3.
3. A site's day: 1,000 contacts and 1,000 tickets (issued, called, finished: their events) made through
   the services, then one round. Target: < 2 s.
4. A round with nothing to do (median of 30). Target: < 50 ms.
5. First load of a site whose commune has ``--citizens`` citizens. Target: < 60 s.

Prints a table and writes bench/results/sync.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
import psycopg  # noqa: E402

from guichet.config import SyncSettings  # noqa: E402
from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.domain import Channel, Outcome  # noqa: E402
from guichet.models import Contact, utcnow  # noqa: E402
from guichet.sync.admin import create_site_role, import_site_database, init_central  # noqa: E402
from guichet.sync.service import SyncService  # noqa: E402
from guichet.sync.tables import SPECS  # noqa: E402
from tests.integration.actors import Actor  # noqa: E402
from tests.integration.keyring_file import TestKeyring  # noqa: E402
from tests.integration.pgcluster import start_cluster  # noqa: E402
from tests.integration.world import SITES, build_reference, role_name, role_password  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "sync.json"
REPEAT = 3  # throughputs: best of 3, the baseline too (the machine may be busy with something else)


def _site(folder: Path, template: Path, cluster, dbname: str, code: str, batch: int) -> tuple[Database, SyncService]:  # noqa: ANN001
    path = folder / f"{code.lower()}-{time.monotonic_ns()}.sqlite3"
    shutil.copyfile(template, path)
    db = Database.open(path)
    url = cluster.site_url(role_name(code), dbname)
    return db, SyncService(db, SyncSettings(central_url=url, site_code=code, batch_size=batch, timeout_s=120))


def _plain_insert(admin: psycopg.Connection, table: str, cols: list[str], rows: list[tuple], *, fks: bool) -> float:
    """Best of 3: seconds to bulk insert the rows (psycopg ``executemany``, one transaction, as the owner) into
    a table like ``table``: same data columns, defaults, constraints and indexes (and its foreign keys if
    ``fks``), without what the sync adds (change stamps and their index, row-level security, batch keys)."""
    best = float("inf")
    for _ in range(REPEAT):
        admin.execute(f"DROP TABLE IF EXISTS plain_{table}")
        admin.execute(f"CREATE TABLE plain_{table} (LIKE {table} INCLUDING ALL)")
        extra = [c for c in ("sync_cn", "sync_xid", "version", "sync_site_id") if c not in cols]
        admin.execute(f"ALTER TABLE plain_{table} " + ", ".join(f"DROP COLUMN IF EXISTS {c}" for c in extra))
        if fks:
            for name, definition in admin.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                (table,),
            ).fetchall():
                admin.execute(f"ALTER TABLE plain_{table} ADD CONSTRAINT plain_{name} {definition}")
        sql = f"INSERT INTO plain_{table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
        start = time.perf_counter()
        with admin.transaction(), admin.cursor() as cur:
            cur.executemany(sql, rows)
        best = min(best, time.perf_counter() - start)
    admin.execute(f"DROP TABLE plain_{table}")
    return best


def _ratios(seconds: float, rows: int, plain_fk: float, plain_bare: float) -> dict[str, float]:
    return {
        "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds),
        "plain_insert_s": round(plain_fk, 3), "ratio": round(plain_fk / seconds, 2),
        "plain_insert_without_fk_s": round(plain_bare, 3), "ratio_without_fk": round(plain_bare / seconds, 2),
        "target_ratio": 0.5,
    }  # fmt: skip


def _citizens_sql(n: int, commune: str) -> str:
    return (
        "INSERT INTO citizen (id, civility, last_name, first_names, phone, email, address, postal_code, city, "
        "search_text, created_at, updated_at, commune_id) SELECT gen_random_uuid(), "
        "(ARRAY['Mme', 'M.', ''])[1 + n % 3], 'Nom' || n, 'Prénom' || (n % 500), '+336' || lpad((n * 7919 % 100000000)::text, 8, '0'), "
        "CASE WHEN n % 3 = 0 THEN 'p' || n || '@exemple.fr' ELSE '' END, n || ' rue de la République', '69200', "
        "'Vénissieux', 'nom' || n || ' prenom' || (n % 500), now(), now(), "
        f"(SELECT id FROM commune WHERE code = '{commune}') FROM generate_series(1, {n}) n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    keyring.set_keyring(TestKeyring())
    for code in SITES:
        keyring.set_password("guichet-sync", role_name(code), role_password(code))
    cluster = start_cluster(durable=True)
    folder = Path(tempfile.mkdtemp(prefix="guichet-bench-sync-"))
    results: dict[str, dict] = {}
    try:
        template = folder / "empty.sqlite3"
        empty = Database.open(template)
        upgrade(empty.engine)
        empty.close()
        reference = folder / "reference.sqlite3"
        shutil.copyfile(template, reference)
        ref = Database.open(reference)
        build_reference(ref)
        ref.close()
        admin = psycopg.connect(cluster.admin_url(), autocommit=True)
        admin.execute("CREATE DATABASE central")
        admin.close()
        url = cluster.admin_url("central")
        init_central(url)
        import_site_database(url, reference)
        for code in SITES:
            create_site_role(url, site_code=code, role=role_name(code), password=role_password(code))
        admin = psycopg.connect(url, autocommit=True)

        # 1. push throughput (each time a new site PC with its own outbox)
        push_s = float("inf")
        for code in ("VEN-HDV", "VEN-MAV", "VEN-PAR")[:REPEAT]:
            db, service = _site(folder, template, cluster, "central", code, args.batch)
            service.run_round()
            actor = Actor(db, code)
            with db.write() as s:
                s.add_all(
                    Contact(
                        channel=Channel.PHONE, started_at=utcnow(), site_id=actor.site_id, agent_id=actor.agent_id,
                        theme_id=actor.theme_id, outcome=Outcome.ANSWERED, subject=f"Appel {i}",
                        notes="x" * (i % 200), duration_s=i % 900,
                    )
                    for i in range(args.rows)
                )  # fmt: skip
            start = time.perf_counter()
            status = service.run_round()
            push_s = min(push_s, time.perf_counter() - start)
            assert status.pushed == args.rows and status.pending == 0, status
            service.close()
            db.close()
        cols = list(SPECS["contact"].columns)
        rows = admin.execute(f"SELECT {', '.join(cols)} FROM contact LIMIT %s", (args.rows,)).fetchall()
        results["push"] = {
            "rows": args.rows, "batch": args.batch,
            **_ratios(push_s, args.rows, _plain_insert(admin, "contact", cols, rows, fks=True),
                      _plain_insert(admin, "contact", cols, rows, fks=False)),
        }  # fmt: skip

        # 2. pull throughput: GIV's citizens into a new GIV site PC (best of 3)
        admin.execute(_citizens_sql(args.rows, "GIV"))
        pull_s = float("inf")
        for _ in range(REPEAT):
            db, service = _site(folder, template, cluster, "central", "GIV-HDV", args.batch)
            start = time.perf_counter()
            status = service.run_round()
            pull_s = min(pull_s, time.perf_counter() - start)
            assert status.errors == (), status
            if _ < REPEAT - 1:
                service.close()
                db.close()
        cols = [*SPECS["citizen"].columns, "commune_id"]
        rows = admin.execute(
            f"SELECT {', '.join(cols)} FROM citizen WHERE commune_id = (SELECT id FROM commune WHERE code = 'GIV')"
        ).fetchall()
        results["pull"] = {
            "rows": len(rows),
            **_ratios(pull_s, len(rows), _plain_insert(admin, "citizen", cols, rows, fks=True),
                      _plain_insert(admin, "citizen", cols, rows, fks=False)),
        }  # fmt: skip

        # 4. idle round (on the site that just loaded)
        samples = []
        for _ in range(30):
            start = time.perf_counter()
            idle = service.run_round()
            samples.append((time.perf_counter() - start) * 1000)
        assert idle.pushed == idle.pulled == 0
        results["idle_round"] = {
            "median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1), "target_ms": 50,
        }  # fmt: skip
        service.close()
        db.close()

        # 3. a site's day
        db, service = _site(folder, template, cluster, "central", "VEN-MAV", args.batch)
        service.run_round()
        actor = Actor(db, "VEN-MAV")
        rng = random.Random(1)
        made = time.perf_counter()
        for _ in range(1000):
            actor.new_contact(rng)
            ticket = actor.services.queue.issue_ticket(site_id=actor.site_id, queue_id=actor.queue_id)
            if not actor.counter_open:
                actor.services.queue.open_counter(counter_id=actor.counter_id, agent_id=actor.agent_id)
                actor.counter_open = True
            actor.services.queue.call_next(counter_id=actor.counter_id, agent_id=actor.agent_id)
            actor.services.queue.finish(ticket_id=ticket.id, counter_id=actor.counter_id, agent_id=actor.agent_id)
        made = time.perf_counter() - made
        with db.engine.connect() as conn:
            outbox = conn.connection.dbapi_connection.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]
        start = time.perf_counter()
        status = service.run_round()
        day_s = time.perf_counter() - start
        assert status.pending == 0 and status.errors == (), status
        events = admin.execute("SELECT count(*) FROM ticket_event WHERE site_id = %s", (actor.site_id,)).fetchone()[0]
        results["site_day"] = {
            "contacts": 1000, "tickets": 1000, "events": events, "outbox_rows": outbox,
            "seconds": round(day_s, 3), "target_s": 2.0, "made_in_s": round(made, 1),
        }  # fmt: skip
        service.close()
        db.close()

        # 5. first load of a commune with --citizens citizens
        admin.execute(_citizens_sql(args.citizens, "VEN"))
        admin.execute("ANALYZE citizen")
        progress: list[str] = []
        db, service = _site(folder, template, cluster, "central", "VEN-HDV", args.batch)
        service = SyncService(db, service._settings, on_progress=lambda p: progress.append(p.label))  # noqa: SLF001
        start = time.perf_counter()
        status = service.run_round()
        load_s = time.perf_counter() - start
        assert status.errors == (), status
        with db.engine.connect() as conn:
            loaded = conn.connection.dbapi_connection.execute("SELECT count(*) FROM citizen").fetchone()[0]
        results["first_load"] = {
            "citizens": loaded, "seconds": round(load_s, 1), "rows_per_s": round(loaded / load_s),
            "target_s": 60, "progress_reports": len(progress), "last_progress": progress[-1] if progress else "",
        }  # fmt: skip
        service.close()
        db.close()
        admin.close()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)

    results["machine"] = {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {json.dumps(value, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
