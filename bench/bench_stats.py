"""Statistics benchmark: one year of a large site (200,000 tickets with their events, 150,000 contacts).

    python bench/bench_stats.py [--db bench/data/stats.sqlite3] [--regenerate] [--rounds 7]
                                [--out bench/results/stats.json] [--pg URL]

The data comes from ``stats_data.py`` (made on the first run, about 30 s). Every figure goes through
``StatsService.report`` on a ``Database`` opened as the app opens it, for the last 365 days, as a
supervisor: the Hôtel de ville alone, then the whole commune (+ a satellite with a tenth of the volume).

- **cold**: the very first report, nothing cached in memory nor on disk: every part is read from the tables;
- **new session**: a new service (another desk, the next morning): the closed months come from the disk
  cache (table stats_cache), the last days are read from the tables;
- **warm**: the same report again (closed months come from the cache, the last days are read);
- **after a new ticket**: a ticket is issued today, then the report is asked again (what a supervisor's
  refresh costs during the day);
- **next day**: the period moves by one day: the head and tail weeks are read again.

The figures of the service are checked against what the generator counted (tickets by status, median,
p90 and maximum waits, share within target); the run stops if they differ.

``--pg URL`` (e.g. ``postgresql+psycopg://bench@localhost/bench``) builds the central schema in an empty
PostgreSQL database, copies the same rows there, adds ten years of contacts (7.5 million) and runs the report
there too (see ``bench_stats_pg.py``; ``--pg-reuse`` keeps the rows of an earlier run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.models import Agent, Queue, Site
from guichet.services import clock
from guichet.services.queue import QueueService
from guichet.services.stats import StatsService

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from stats_data import generate  # noqa: E402


def timed(fn, rounds: int) -> dict:  # noqa: ANN001
    samples = []
    result = None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {"n": rounds, "median_ms": statistics.median(samples), "min_ms": min(samples), "max_ms": max(samples),
            "result": result}  # fmt: skip


def check(report, expected: dict) -> list[str]:  # noqa: ANN001
    """Differences between the service's figures and the generator's own counts (empty: all good)."""
    t = report.tickets
    problems = []
    for name, got, want in (
        ("tickets", t.issued, expected["tickets"]), ("served", t.served, expected["done"]),
        ("no-shows", t.no_show, expected["no_show"]), ("cancelled", t.cancelled, expected["cancelled"]),
        ("contacts", report.contacts.total, expected["contacts"]),
    ):  # fmt: skip
        if got != want:
            problems.append(f"{name}: {got} != {want}")
    called = expected["done"] + expected["no_show"]
    for name, got, want, tolerance in (
        ("wait median", t.wait.median_s, expected["wait_median_s"], 30),
        ("wait p90", t.wait.p90_s, expected["wait_p90_s"], 30),
        ("wait max", t.wait.max_s, expected["wait_max_s"], 0.01),
        ("within target", t.within_target, expected["within_target"] / called, 0.002),
    ):  # fmt: skip
        if got is None or abs(got - want) > tolerance:
            problems.append(f"{name}: {got} vs {want}")
    return problems


def run_sqlite(path: Path, meta: dict, rounds: int) -> dict:
    db = Database.open(path)
    upgrade(db.engine)
    with db.read() as s:
        supervisor = s.scalars(select(Agent.id).where(Agent.login == "sperrin")).one()
        hdv = s.scalars(select(Site.id).where(Site.code == "HDV")).one()
        queue_a = s.scalars(select(Queue.id).where(Queue.site_id == hdv, Queue.letter == "A")).one()
    today = clock.local_day(clock.now())
    start, end = today - timedelta(days=365), today
    results: dict = {}
    for scope, site_id in (("site HDV", hdv), ("commune", None)):
        ask = dict(agent_id=supervisor, start=start, end=end, site_id=site_id)

        def first_ever(ask=ask):  # noqa: ANN001, ANN202 - nothing cached, in memory nor on disk
            StatsService(db).clear_cache()
            return StatsService(db).report(**ask)

        cold = timed(first_ever, max(2, rounds // 2))
        # A new session (another desk, the next morning): the closed months come from the disk cache.
        new_session = timed(lambda ask=ask: StatsService(db).report(**ask), rounds)
        new_session.pop("result")
        service = StatsService(db)
        service.report(**ask)
        warm = timed(lambda ask=ask, service=service: service.report(**ask), rounds)
        queue = QueueService(db)

        def after_ticket(ask=ask, service=service, queue=queue):  # noqa: ANN001, ANN202
            queue.issue_ticket(site_id=hdv, queue_id=queue_a)
            t0 = time.perf_counter()
            service.report(**ask)
            return (time.perf_counter() - t0) * 1000

        fresh = [after_ticket() for _ in range(rounds)]
        shifted = dict(ask, start=start - timedelta(days=1), end=end - timedelta(days=1))
        next_day = timed(lambda shifted=shifted, service=service: service.report(**shifted), 1)
        report = cold.pop("result")
        warm.pop("result")
        next_day.pop("result")
        results[scope] = {
            "cold": cold, "new session (closed months on disk)": new_session, "warm (same report again)": warm,
            "after a new ticket today": {"n": rounds, "median_ms": statistics.median(fresh), "max_ms": max(fresh)},
            "period moved by a day": next_day,
        }  # fmt: skip
        if site_id is not None:
            problems = check(report, meta["sites"]["HDV"])
            results[scope]["checked against the generator"] = problems or "identical"
            if problems:
                raise SystemExit("figures differ from the generator's: " + "; ".join(problems))
    db.close()
    forget_today(path, today)
    return results


def forget_today(path: Path, today: date) -> None:
    """Delete the tickets the benchmark issued today (benchmark only), so that runs on the same file compare."""
    import sqlite3

    conn = sqlite3.connect(path)
    with conn:
        ids = "SELECT id FROM ticket WHERE service_day = ?"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in ("ticket_event", "print_job", "contact"):
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")} if table in tables else set()
            if "ticket_id" in columns:
                conn.execute(f"DELETE FROM {table} WHERE ticket_id IN ({ids})", (today.isoformat(),))
        conn.execute("DELETE FROM ticket WHERE service_day = ?", (today.isoformat(),))
    conn.close()


def show(name: str, value: object, indent: str) -> None:
    if isinstance(value, dict) and "median_ms" in value:
        print(f"{indent}{name:32s} median {value['median_ms']:8.1f} ms   max {value['max_ms']:8.1f} ms")
    elif isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()):
        print(f"{indent}{name}")
        for k, v in value.items():
            show(k, v, indent + "  ")
    else:
        print(f"{indent}{name:32s} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(HERE / "data" / "stats.sqlite3"))
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", default=str(HERE / "results" / "stats.json"))
    parser.add_argument("--pg", default="", help="SQLAlchemy URL of an empty PostgreSQL database")
    parser.add_argument("--pg-only", action="store_true", help="skip the SQLite figures")
    parser.add_argument("--pg-reuse", action="store_true", help="reuse the PostgreSQL rows of an earlier run")
    args = parser.parse_args()
    path = Path(args.db)
    meta_path = Path(f"{path}.meta.json")
    today = clock.local_day(clock.now())
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    if args.regenerate or meta is None or date.fromisoformat(meta["today"]) != today:
        print("generating one year of data…", flush=True)
        meta = generate(path, 200_000, 150_000, 1, today)
    from bench_stats_casework import ensure_casework

    meta["requests and letters"] = ensure_casework(path)  # a year of follow-up requests and mail (once per file)
    # The generator's "today" is the bench's: the year is the 365 days before it, and today is empty.
    results = {"data": meta, "python": sys.version.split()[0]}
    if not args.pg_only:
        results["sqlite"] = run_sqlite(path, meta, args.rounds)
    elif Path(args.out).exists():  # keep the SQLite figures of the last full run
        results["sqlite"] = json.loads(Path(args.out).read_text(encoding="utf-8")).get("sqlite", {})
    if args.pg:
        from bench_stats_pg import run_pg

        results["postgresql"] = run_pg(args.pg, path, meta, args.rounds, reuse=args.pg_reuse)
    for engine in ("sqlite", "postgresql"):
        for scope, figures in results.get(engine, {}).items():
            print(f"\n{engine} — {scope}")
            for name, value in figures.items():
                show(name, value, "  ")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
