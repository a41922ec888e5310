"""The statistics benchmark on PostgreSQL: the SQLite bench rows copied over, plus 7.5 million contacts.

Run through ``bench_stats.py --pg URL`` on an empty, throwaway database, for example:

    pg_virtualenv -o 'max_parallel_workers_per_gather=2' sh -c \\
        '.venv/bin/python bench/bench_stats.py --pg "postgresql+psycopg://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"'

The schema is the models' (``Base.metadata.create_all``); the reference rows, tickets and contacts of the
SQLite file are copied with COPY (ticket events are not: the statistics never read them); then ten years of
contacts of the commune are generated on the server (``generate_series``) up to 7.5 million (SITIV's ten
years). The same ``StatsService.report`` runs: on a server it aggregates the period in one pass, no cache.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text

from guichet.db import Database
from guichet.models import Agent, Base, Site
from guichet.services import clock
from guichet.services.stats import StatsService

SKIP = {"ticket_event"}  # not read by the statistics
CONTACTS = int(os.environ.get("BENCH_PG_CONTACTS", "7500000"))  # SITIV: ten years


def copy_from_sqlite(engine, sqlite_path: Path) -> dict[str, int]:  # noqa: ANN001
    source = sqlite3.connect(sqlite_path)
    counts = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in Base.metadata.sorted_tables:
            if table.name in SKIP:
                continue
            names = [c.name for c in table.columns]
            try:
                rows = source.execute(f"SELECT {', '.join(names)} FROM {table.name}")
            except sqlite3.OperationalError:
                continue  # a table the SQLite file does not have yet
            n = 0
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            counts[table.name] = n
        raw.commit()
    finally:
        raw.close()
        source.close()
    return counts


def add_contacts(engine, total: int) -> int:  # noqa: ANN001
    """Ten years of contacts of the commune's sites, made on the server, up to ``total`` rows in the table."""
    with engine.begin() as conn:
        have = conn.execute(text("SELECT count(*) FROM contact")).scalar_one()
        missing = max(0, total - have)
        conn.execute(
            text(
                """
                WITH s AS (SELECT array_agg(id ORDER BY code) AS ids FROM site),
                     a AS (SELECT array_agg(id) AS ids FROM agent),
                     t AS (SELECT array_agg(id) AS ids FROM theme WHERE parent_id IS NOT NULL),
                     b AS (SELECT array_agg(id) AS ids FROM external_body),
                     m AS (SELECT array_agg(id) AS ids FROM municipal_service)
                INSERT INTO contact (id, created_at, updated_at, channel, started_at, duration_s, site_id, agent_id,
                                     theme_id, subject, notes, outcome, oriented_service_id, oriented_body_id)
                SELECT gen_random_uuid(), x.at, x.at,
                       (ARRAY['accueil_physique','accueil_physique','telephone','telephone','courrier','courriel',
                              'sms','web'])[1 + floor(random() * 8)::int],
                       x.at, 60 + floor(random() * 840)::int,
                       s.ids[CASE WHEN random() < 0.8 THEN 1 ELSE 2 END],
                       a.ids[1 + floor(random() * cardinality(a.ids))::int],
                       t.ids[1 + floor(random() * cardinality(t.ids))::int], 'Demande', '',
                       x.outcome,
                       CASE WHEN x.outcome = 'orientation_service'
                            THEN m.ids[1 + floor(random() * cardinality(m.ids))::int] END,
                       CASE WHEN x.outcome = 'orientation_externe'
                            THEN b.ids[1 + floor(random() * cardinality(b.ids))::int] END
                FROM s, a, t, b, m,
                     LATERAL (SELECT now() - random() * interval '3650 days' AS at,
                                     (ARRAY['reponse_immediate','reponse_immediate','orientation_service',
                                            'orientation_externe','accompagnement_en_ligne','demande_ouverte'])
                                     [1 + floor(random() * 6)::int] AS outcome, g
                              FROM generate_series(1, :n) AS g) AS x
                """
            ),
            {"n": missing},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return missing


def run_pg(url: str, sqlite_path: Path, meta: dict, rounds: int) -> dict:
    engine = create_engine(url)
    t0 = time.perf_counter()
    Base.metadata.create_all(engine)
    copied = copy_from_sqlite(engine, sqlite_path)
    t1 = time.perf_counter()
    added = add_contacts(engine, CONTACTS)
    t2 = time.perf_counter()
    print(f"PostgreSQL: copied {copied} in {t1 - t0:.0f} s, {added:,} contacts generated in {t2 - t1:.0f} s")
    db = Database(engine)
    with db.read() as s:
        supervisor = s.scalars(select(Agent.id).where(Agent.login == "sperrin")).one()
        hdv = s.scalars(select(Site.id).where(Site.code == "HDV")).one()
        contacts = s.execute(text("SELECT count(*) FROM contact")).scalar_one()
        version = s.execute(text("SHOW server_version")).scalar_one()
    today = clock.local_day(clock.now())
    results: dict = {"server": version, "contacts in the table": contacts}
    cases = {
        "one year, site HDV": dict(start=today - timedelta(days=365), end=today, site_id=hdv),
        "one year, commune": dict(start=today - timedelta(days=365), end=today, site_id=None),
        "ten years, commune (7.5 M contacts)": dict(start=today - timedelta(days=3650), end=today, site_id=None),
    }
    service = StatsService(db)
    for name, ask in cases.items():
        samples = []
        report = None
        for _ in range(rounds):
            t = time.perf_counter()
            report = service.report(agent_id=supervisor, **ask)
            samples.append((time.perf_counter() - t) * 1000)
        results[name] = {
            "median_ms": statistics.median(samples), "max_ms": max(samples), "min_ms": min(samples),
            "contacts counted": report.contacts.total, "tickets counted": report.tickets.issued,
        }  # fmt: skip
    same = service.report(agent_id=supervisor, **cases["one year, site HDV"])
    hdv_meta = meta["sites"]["HDV"]
    results["checked against the generator (tickets, served, no-shows)"] = (
        "identical"
        if (same.tickets.issued, same.tickets.served, same.tickets.no_show)
        == (hdv_meta["tickets"], hdv_meta["done"], hdv_meta["no_show"])
        else f"differ: {same.tickets.issued, same.tickets.served, same.tickets.no_show}"
    )
    engine.dispose()
    return {"statistics": results}
