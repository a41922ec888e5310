"""The statistics benchmark on PostgreSQL: the central schema, the SQLite bench rows copied over, 7.5 M contacts.

Run through ``bench_stats.py --pg URL`` on an empty, throwaway database, for example:

    pg_virtualenv -o 'shared_buffers=1GB' -o 'work_mem=64MB' -o 'max_wal_size=4GB' \\
        -o 'max_parallel_workers_per_gather=2' sh -c '.venv/bin/python bench/bench_stats.py --rounds 5 \\
        --pg "postgresql+psycopg://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"'

The schema is the central's, made by its migrations (``guichet.sync.admin.init_central``: row-level security,
change stamps, the statistics' day stamps and cache of c0009); the reference data is loaded as SITIV loads it
(``import_site_database``); the tickets, counter sessions, contacts, requests and letters of the SQLite file are
copied with COPY (ticket events are not: the statistics never read them), which fires the central's triggers as a
push does;
then ten years of contacts of the commune are generated on the server (``generate_series``) up to 7.5 million
(SITIV's ten years), and the year of tickets, counter sessions, requests and letters is repeated over the nine
years before it (2.2 million tickets, 284,000 requests, 470,000 letters in all; ``BENCH_PG_TICKET_YEARS=1`` keeps the single year of the SQLite file). ``--pg-reuse``
keeps the rows of an earlier run when the database holds them already.

What is measured, through ``StatsService.report`` as a supervisor of the commune:

- **direct, one pass**: ``StatsService(db, cached=False)``: the whole period aggregated from the tables, nothing
  cached (what the central did before c0009, and the reference the cached figures are compared with);
- **nothing prepared**: a new service on an empty cache: ten years (more than ``ONE_PASS_ABOVE`` closed months
  missing) are read in one pass and nothing is kept; one year computes its closed months and keeps them;
- **nightly preparation**: ``stats_prepare.prepare(db, years=10)`` on an empty cache: every closed month of the
  last ten years computed and stored (what a first night costs), then the same task the next night, when only
  the days synced since have moved;
- **new session, first report**: a new service (a supervisor opening the page in the morning) asks the ten
  years: the stamps are read, the sum of the closed parts comes from the cache, the last two days from the tables;
- **after a late row**: a contact of a closed month five years back arrives (inserted as a late push inserts it,
  through the triggers), then a new session asks the ten years: that month is computed again, the others are
  read from the cache and added up;
- **a period asked for the first time**: ten years to yesterday, never prepared: the first week and the last
  days are computed, every closed month is read from the cache and added up.

The cached figures are compared with the direct ones (every table of the report); the run stops if they differ.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text

from guichet.db import Database
from guichet.models import Agent, Site
from guichet.services import clock
from guichet.services.stats import StatsService
from guichet.services.stats_prepare import prepare
from guichet.sync.admin import central_head, import_site_database, init_central
from guichet.sync.tables import SPECS

COPIED = ("counter_session", "ticket", "contact", "request", "mail_item")  # the operational rows the statistics read
CONTACTS = int(os.environ.get("BENCH_PG_CONTACTS", "7500000"))  # SITIV: ten years
TICKET_YEARS = int(os.environ.get("BENCH_PG_TICKET_YEARS", "10"))  # the SQLite file's year of tickets, repeated
LATE_SUBJECT = "bench: arrivé en retard"
NOTE = (
    "Cached figures come from stats_cache, filled by the nightly preparation measured above (every closed month of "
    "the ten years, each whole closed year, the sum of each usual period). A new session reads the day stamps, the "
    "sum of the period's closed parts and computes the last two days from the tables; after a late row it computes "
    "that month again and adds up the other years' sums and the current year's months. Without the preparation, "
    "a period with more than 12 closed months missing is read in one pass (the 'nothing prepared' figure)."
)


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def copy_from_sqlite(engine, sqlite_path: Path) -> dict[str, int]:  # noqa: ANN001
    source = sqlite3.connect(sqlite_path)
    counts = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in COPIED:
            names = ", ".join(SPECS[table].columns)
            n = 0
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
                    n += 1
            counts[table] = n
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
                     LATERAL (SELECT (now() AT TIME ZONE 'UTC') - random() * interval '3650 days' AS at,
                                     (ARRAY['reponse_immediate','reponse_immediate','orientation_service',
                                            'orientation_externe','accompagnement_en_ligne','demande_ouverte'])
                                     [1 + floor(random() * 6)::int] AS outcome, g
                              FROM generate_series(1, :n) AS g) AS x
                """
            ),
            {"n": missing},
        )
    return missing


def add_ticket_years(engine, years: int) -> int:  # noqa: ANN001
    """The year of tickets and counter sessions of the SQLite file repeated ``years - 1`` times before it, 52 weeks
    apart (same weekdays), so that the ten years have their queues too. Returns the tickets added."""
    if years <= 1:
        return 0
    shift = "k * interval '364 days'"
    ticket_cols = [c for c in SPECS["ticket"].columns if c not in ("id", "service_day")]
    session_cols = [c for c in SPECS["counter_session"].columns if c != "id"]
    moved = ("created_at", "updated_at", "issued_at", "called_at", "last_called_at", "started_at", "finished_at",
             "opened_at", "closed_at")  # fmt: skip

    def values(cols: list[str]) -> str:
        return ", ".join(f"{c} - {shift}" if c in moved else c for c in cols)

    with engine.begin() as conn:
        # The last day is left out: 52 weeks before it is the first day of the year already there.
        added = conn.execute(
            text(
                f"INSERT INTO ticket (id, service_day, {', '.join(ticket_cols)}) "
                f"SELECT gen_random_uuid(), service_day - k * 364, {values(ticket_cols)} "
                f"FROM ticket, generate_series(1, :n) AS k WHERE service_day < (SELECT max(service_day) FROM ticket)"
            ),
            {"n": years - 1},
        ).rowcount
        conn.execute(
            text(
                f"INSERT INTO counter_session (id, {', '.join(session_cols)}) "
                f"SELECT gen_random_uuid(), {values(session_cols)} FROM counter_session, generate_series(1, :n) AS k"
            ),
            {"n": years - 1},
        )
        # Requests and letters too (their numbers made unique again: another "year" of the same site).
        casework_moved = {"created_at", "updated_at", "opened_at", "answered_at", "closed_at", "registered_at"}
        casework_days = {"received_on", "due_on", "mail_date"}
        for table, unique in (("request", "reference"), ("mail_item", "chrono")):
            cols = [c for c in SPECS[table].columns if c not in ("id", unique, "seq")]
            shifted = ", ".join(
                f"{c} - k * interval '364 days'" if c in casework_moved else f"{c} - k * 364" if c in casework_days
                else c for c in cols
            )  # fmt: skip
            conn.execute(
                text(
                    f"INSERT INTO {table} (id, {unique}, seq, {', '.join(cols)}) "
                    f"SELECT gen_random_uuid(), {unique} || '-' || k, seq + k * 1000000, {shifted} "
                    f"FROM {table}, generate_series(1, :n) AS k"
                ),
                {"n": years - 1},
            )
    return added


def build(url: str, sqlite_path: Path, reuse: bool) -> dict:
    """The central database of the bench: built on an empty database, or the rows of an earlier run reused."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
            held = 0
            if tables:
                revision = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar_one() and (
                    conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
                )
                if revision == central_head():
                    held = conn.execute(text("SELECT count(*) FROM contact")).scalar_one()
        if tables and not (reuse and held >= CONTACTS):
            raise SystemExit("PostgreSQL: give an empty database (or --pg-reuse on a database of an earlier run).")
        if tables:
            with engine.begin() as conn:  # the late rows of an earlier run, if it stopped half-way
                conn.execute(text("DELETE FROM contact WHERE subject = :s"), {"s": LATE_SUBJECT})
            print(f"PostgreSQL: reusing the {held:,} contacts of an earlier run", flush=True)
            return {"reused": True, "contacts": held}
        t0 = time.perf_counter()
        init_central(libpq_url(url))
        import_site_database(libpq_url(url), sqlite_path)
        copied = copy_from_sqlite(engine, sqlite_path)
        t1 = time.perf_counter()
        added = add_contacts(engine, CONTACTS)
        tickets = add_ticket_years(engine, TICKET_YEARS)
        t2 = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        print(f"PostgreSQL: copied {copied} in {t1 - t0:.0f} s, {added:,} contacts and {tickets:,} tickets generated "
              f"in {t2 - t1:.0f} s", flush=True)  # fmt: skip
        return {"copied": copied, "contacts generated": added, "tickets generated (earlier years)": tickets,
                "seconds": round(time.perf_counter() - t0)}  # fmt: skip
    finally:
        engine.dispose()


def timed(fn, rounds: int) -> tuple[dict, object]:  # noqa: ANN001
    samples = []
    result = None
    for _ in range(rounds):
        t = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t) * 1000)
    figures = {"n": rounds, "median_ms": statistics.median(samples), "max_ms": max(samples), "min_ms": min(samples)}
    return figures, result


def same_figures(a, b) -> bool:  # noqa: ANN001
    return (a.contacts, a.tickets, a.sites, a.staffing) == (b.contacts, b.tickets, b.sites, b.staffing)


def add_late_contact(db: Database, day: date) -> None:
    """A contact of ``day`` pushed late by an offline site: inserted as the push inserts it (the triggers fire)."""
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO contact (id, created_at, updated_at, channel, started_at, duration_s, site_id, agent_id, "
                "theme_id, subject, notes, outcome) "
                "SELECT gen_random_uuid(), :at, :at, 'telephone', :at, 120, (SELECT id FROM site ORDER BY code LIMIT 1), "
                "(SELECT id FROM agent ORDER BY login LIMIT 1), "
                "(SELECT id FROM theme WHERE parent_id IS NOT NULL ORDER BY code LIMIT 1), :subject, '', "
                "'reponse_immediate'"
            ),
            {"at": datetime(day.year, day.month, day.day, 9, 30), "subject": LATE_SUBJECT},
        )


def run_pg(url: str, sqlite_path: Path, meta: dict, rounds: int, *, reuse: bool = False) -> dict:
    setup = build(url, sqlite_path, reuse)
    engine = create_engine(url)
    db = Database(engine)
    with db.read() as s:
        supervisor = s.scalars(select(Agent.id).where(Agent.login == "sperrin")).one()
        hdv = s.scalars(select(Site.id).where(Site.code == "HDV")).one()
        contacts = s.execute(text("SELECT count(*) FROM contact")).scalar_one()
        tickets = s.execute(text("SELECT count(*) FROM ticket")).scalar_one()
        version = s.execute(text("SHOW server_version")).scalar_one()
        settings = dict(s.execute(text(
            "SELECT name, setting FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', "
            "'max_parallel_workers_per_gather', 'jit')"
        )).all())  # fmt: skip
    today = clock.local_day(clock.now())
    ten = dict(agent_id=supervisor, start=today - timedelta(days=3650), end=today, site_id=None)
    cases = {
        "one year, site HDV": dict(ten, start=today - timedelta(days=365), site_id=hdv),
        "one year, commune": dict(ten, start=today - timedelta(days=365)),
        "ten years, commune": ten,
    }
    results: dict = {"server": version, "settings": settings, "contacts in the table": contacts,
                     "tickets in the table": tickets, "setup": setup}  # fmt: skip

    direct_service = StatsService(db, cached=False)
    direct: dict = {}
    for name, ask in cases.items():
        direct[name], report = timed(lambda ask=ask: direct_service.report(**ask), rounds)
        direct[name]["contacts counted"] = report.contacts.total
        direct[name]["tickets counted"] = report.tickets.issued
    results["direct, one pass over the period (no cache)"] = direct
    print("direct:", {k: round(v["median_ms"]) for k, v in direct.items()}, flush=True)

    StatsService(db).clear_cache()
    unprepared: dict = {}
    unprepared["ten years, commune: one pass, nothing kept"], _ = timed(lambda: StatsService(db).report(**ten), rounds)
    unprepared["one year, commune: its closed months computed and kept"], _ = timed(
        lambda: StatsService(db).report(**cases["one year, commune"]), 1
    )
    results["new session, nothing prepared (empty cache)"] = unprepared
    StatsService(db).clear_cache()
    t = time.perf_counter()
    prepared = prepare(db, years=10)
    first_night = time.perf_counter() - t
    add_late_contact(db, today - timedelta(days=3))  # a day of activity synced after the night...
    t = time.perf_counter()
    prepare(db, years=10)
    next_night = time.perf_counter() - t
    with db.read() as s:
        parts, size = s.execute(text("SELECT count(*), sum(length(payload)) FROM stats_cache")).one()
    results["nightly preparation (guichet stats prepare, ten years + the usual periods)"] = {
        "first night, empty cache (s)": round(first_night, 1),
        "next night, after a day synced (s)": round(next_night, 1),
        "periods": [f"{a} → {b}" for a, b in prepared[0].periods],
        "parts and sums kept in stats_cache": parts,
        "their JSON (MB)": round(size / 1e6, 1),
    }
    print(f"prepared in {first_night:.1f} s, again in {next_night:.1f} s ({parts} rows)", flush=True)

    cached: dict = {}
    for name, ask in cases.items():
        cached[name], report = timed(lambda ask=ask: StatsService(db).report(**ask), rounds)
        if not same_figures(report, direct_service.report(**ask)):
            raise SystemExit(f"PostgreSQL, {name}: the cached figures differ from the direct ones")
    results["new session, first report (after the nightly preparation)"] = cached
    service = StatsService(db)
    service.report(**ten)
    results["same session, the ten years again"], _ = timed(lambda: service.report(**ten), rounds)

    rng = random.Random(1)
    late_days = [today - timedelta(days=rng.randrange(400, 3600)) for _ in range(rounds)]
    before = StatsService(db).report(**ten).contacts.total

    def late_then_report():  # noqa: ANN202
        add_late_contact(db, late_days.pop())
        return StatsService(db).report(**ten)

    if os.environ.get("BENCH_PROFILE_LATE"):  # where a late contact's report spends its time (to stderr)
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(late_then_report)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        late_days.append(today - timedelta(days=rng.randrange(400, 3600)))
        before += 1
    figures, report = timed(late_then_report, rounds)
    if report.contacts.total != before + rounds or not same_figures(report, direct_service.report(**ten)):
        raise SystemExit("PostgreSQL: a late contact of a closed month is not reflected as the direct figures are")
    figures["checked"] = "each late contact counted; figures identical to the direct computation"
    results["new session after a late contact of a closed month (ten years, commune)"] = figures
    yesterday = dict(ten, start=ten["start"] - timedelta(days=1), end=today - timedelta(days=1))
    figures, report = timed(lambda: StatsService(db).report(**yesterday), 1)
    if not same_figures(report, direct_service.report(**yesterday)):
        raise SystemExit("PostgreSQL: the cached figures of a new period differ from the direct ones")
    results["a ten-year period asked for the first time (to yesterday), new session"] = figures

    same = StatsService(db).report(**cases["one year, site HDV"])
    hdv_meta = meta["sites"]["HDV"]
    results["checked against the generator (tickets, served, no-shows)"] = (
        "identical"
        if (same.tickets.issued, same.tickets.served, same.tickets.no_show)
        == (hdv_meta["tickets"], hdv_meta["done"], hdv_meta["no_show"])
        else f"differ: {same.tickets.issued, same.tickets.served, same.tickets.no_show}"
    )
    results["checked against the direct computation"] = "identical (every table of the report, every case)"
    results["what is cached"] = NOTE
    with db.write() as s:  # the late rows go, so that a run with --pg-reuse starts from the same rows
        s.execute(text("DELETE FROM contact WHERE subject = :s"), {"s": LATE_SUBJECT})
    engine.dispose()
    return {"statistics": results}
