"""Statistics of follow-up requests and mail on a site: what they add to a report, cached or not.

    python bench/bench_stats_casework.py [--rounds 7]

The statistics bench file (``bench/data/stats.sqlite3``, made by ``stats_data.py`` if missing) gets a year of
requests and mail through ``seed_casework_history`` (``ensure_casework``, also called by ``bench_stats.py``): 100
requests a working day at the Hôtel de ville (about 26,000 a year, the order of a town of 75,000), 10 at the annex,
and their letters (about 47,000). Requests and letters are aggregated per month with the tickets and contacts and
cached with them (see ``guichet/services/stats_casework.py``). Timed, for the year of the Hôtel de ville and of the
commune, through ``StatsService.report``:

- **queries alone**: the requests' and letters' grouped queries over the year, what a report without cache pays;
- **new session**: a report in a new service, the closed months from the disk cache (the morning's figure);
- **after a request answered**: a request of a closed month is answered, then a new session: that month's parts
  are computed again (the fingerprint of a site's month includes its requests' update times);
- **cold**: nothing cached at all.

Ten years on PostgreSQL: ``bench_stats.py --pg`` (the central's requests and letters are in its data).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.domain import RequestStatus
from guichet.models import Agent, FollowUpRequest, MailItem, Site
from guichet.services import clock
from guichet.services.casework_history import seed_casework_history
from guichet.services.stats import StatsService
from guichet.services.stats_sql import Aggregates, add_casework

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def timed(fn, rounds: int) -> dict:  # noqa: ANN001
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {"n": rounds, "median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


def casework_queries(db: Database, start: date, end: date, site_code: str | None):  # noqa: ANN201
    """The requests' and letters' queries of a report over the period, uncached (``add_casework``)."""
    with db.read() as s:
        query = select(Site.id) if site_code is None else select(Site.id).where(Site.code == site_code)
        sites = list(s.scalars(query))

    def run() -> Aggregates:
        agg = Aggregates()
        with db.read() as s:
            add_casework(s.connection(), agg, sites, start, end)
        return agg

    return run


def ensure_casework(path: Path) -> dict:
    db = Database.open(path)
    upgrade(db.engine)
    try:
        with db.read() as s:
            have = s.scalar(select(func.count()).select_from(FollowUpRequest))
        if not have:
            print("adding a year of requests and mail…", flush=True)
            t0 = time.perf_counter()
            big = seed_casework_history(db, days=365, per_day=100, sites=("HDV",), seed=1)
            small = seed_casework_history(db, days=365, per_day=10, sites=("MAV",), seed=2)
            print(f"  {big[0] + small[0]:,} requests, {big[1] + small[1]:,} letters in "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip
        with db.read() as s:
            return {
                "requests": s.scalar(select(func.count()).select_from(FollowUpRequest)),
                "letters": s.scalar(select(func.count()).select_from(MailItem)),
            }
    finally:
        db.close()


def run_sqlite(path: Path, rounds: int) -> dict:
    db = Database.open(path)
    today = clock.local_day(clock.now())
    start = today - timedelta(days=365)
    results: dict = {}
    with db.read() as s:
        supervisor = s.scalars(select(Agent.id).where(Agent.login == "sperrin")).one()
        hdv = s.scalars(select(Site.id).where(Site.code == "HDV")).one()
    owed = iter(_owed_requests(db, hdv, today))
    for scope, code, site_id in (("site HDV", "HDV", hdv), ("commune", None, None)):
        ask = dict(agent_id=supervisor, start=start, end=today, site_id=site_id)

        def cold(ask=ask):  # noqa: ANN001, ANN202
            StatsService(db).clear_cache()
            return StatsService(db).report(**ask)

        def answered_then_report(ask=ask):  # noqa: ANN001, ANN202
            _answer(db, next(owed))
            t0 = time.perf_counter()
            StatsService(db).report(**ask)
            return (time.perf_counter() - t0) * 1000

        cold_ms = timed(cold, max(2, rounds // 2))
        report = StatsService(db).report(**ask)
        after = [answered_then_report() for _ in range(rounds)]
        results[scope] = {
            "requests opened in the year": report.requests.total.opened,
            "letters of the year": report.mail.incoming.count + report.mail.outgoing.count,
            "requests and mail queries alone (no cache)": timed(casework_queries(db, start, today, code), rounds),
            "whole report, new session (closed months on disk)": timed(
                lambda ask=ask: StatsService(db).report(**ask), rounds
            ),
            "whole report, new session, after a request of a closed month was answered": {
                "n": rounds, "median_ms": round(statistics.median(after), 1), "max_ms": round(max(after), 1),
            },
            "whole report, cold (nothing cached)": cold_ms,
        }  # fmt: skip
    db.close()
    return results


def _owed_requests(db: Database, site_id: object, today: date) -> list:
    """Requests still owed an answer, opened in closed months (the bench answers them one by one)."""
    with db.read() as s:
        return list(
            s.scalars(
                select(FollowUpRequest.id)
                .where(FollowUpRequest.site_id == site_id, FollowUpRequest.is_open == 1,
                       FollowUpRequest.received_on < today - timedelta(days=60))
                .order_by(FollowUpRequest.opened_at)
            )
        )  # fmt: skip


def _answer(db: Database, request_id: object) -> None:
    with db.write() as s:
        row = s.get(FollowUpRequest, request_id)
        row.status, row.is_open, row.answered_at = RequestStatus.ANSWERED, 0, clock.now()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(HERE / "data" / "stats.sqlite3"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", default=str(HERE / "results" / "stats_casework.json"))
    args = parser.parse_args()
    path = Path(args.db)
    today = clock.local_day(clock.now())
    meta_path = Path(f"{path}.meta.json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    if meta is None or date.fromisoformat(meta["today"]) != today:
        from stats_data import generate

        print("generating one year of tickets and contacts (stats_data.py)…", flush=True)
        generate(path, 200_000, 150_000, 1, today)
    results: dict = {"data": ensure_casework(path), "python": sys.version.split()[0]}
    results["sqlite"] = run_sqlite(path, args.rounds)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
