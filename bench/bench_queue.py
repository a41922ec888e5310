"""Queue benchmarks, through the real services on a real SQLite file.

    python bench/bench_queue.py [--waiting 500 --rounds 1000 --days 5 --seed 7]

1. Latency: a site with 15 queues and 20 open counters, ``--waiting`` tickets waiting; each round a kiosk
   issues a ticket and a counter calls the next one (then finishes it), so the load stays constant.
   Also timed: the call screen's poll, the counter panel, the kiosk's queue list. Target: p99 < 10 ms
   for issuing and calling.
2. Wait estimate: simulated days of the demo town hall (5 queues, 5 counters) with a fake clock: arrivals
   with the morning and lunch peaks, services of random length, no-shows, the contact form after each
   visit. Every ticket's estimate (given at the kiosk) is compared with its real wait (issue to call).

Prints two tables and writes them to bench/results/queue.json.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.domain import Role  # noqa: E402
from guichet.models import Agent, Counter, CounterQueue, Queue, Site  # noqa: E402
from guichet.services.clock import PARIS  # noqa: E402
from guichet.services.demo import seed_reference  # noqa: E402
from guichet.services.queue import PriorityReason, QueueService, TicketStatus  # noqa: E402
from guichet.services.queue_seed import QUEUES, seed_queues  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "queue.json"
TARGET_MS = 10.0


def _fresh_db(directory: Path, *, open_all_day: bool) -> tuple[Database, uuid.UUID]:
    db = Database.open(directory / "queue.sqlite3")
    upgrade(db.engine)
    seed_reference(db)
    seed_queues(db, open_all_day=open_all_day)
    with db.read() as s:
        site = s.scalar(select(Site.id).where(Site.code == "HDV"))
    return db, site


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "p99": pct(99), "max": ordered[-1]}


# -- 1. latency ------------------------------------------------------------------------------------


def bench_latency(waiting: int, rounds: int, seed: int) -> dict[str, dict[str, float]]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        db, site = _fresh_db(Path(tmp), open_all_day=True)
        with db.write() as s:
            queues = list(s.scalars(select(Queue).where(Queue.site_id == site).order_by(Queue.letter)))
            for q in queues:
                q.daily_cap = None  # the benchmark issues far more than a day's tickets
            for i, letter in enumerate("FGHIJKLMNO"):
                q = Queue(site_id=site, letter=letter, name=f"File {letter}", sort_order=10 + i)
                s.add(q)
                queues.append(q)
            counters = list(s.scalars(select(Counter).where(Counter.site_id == site).order_by(Counter.number)))
            for n in range(len(counters) + 1, 21):
                counter = Counter(site_id=site, number=n, name=f"Guichet {n}")
                s.add(counter)
                counters.append(counter)
            agents = [
                Agent(login=f"bench{n:02d}", first_name="Agent", last_name=f"n° {n}", role=Role.AGENT,
                      password_hash="-", site_id=site)
                for n in range(1, 21)
            ]  # fmt: skip
            s.add_all(agents)
            s.flush()
            for i, counter in enumerate(counters[5:], start=5):
                for k, weight in ((0, 3), (5, 2), (10, 1)):
                    s.add(CounterQueue(counter_id=counter.id, queue_id=queues[(i + k) % 15].id, weight=weight))
            s.flush()
            ids = [(c.id, a.id) for c, a in zip(counters, agents, strict=True)]
            queue_ids = [q.id for q in queues]
            served: dict[uuid.UUID, list[uuid.UUID]] = {}
            for counter_id, queue_id in s.execute(select(CounterQueue.counter_id, CounterQueue.queue_id)):
                served.setdefault(counter_id, []).append(queue_id)
        service = QueueService(db)
        for counter_id, agent_id in ids:
            service.open_counter(counter_id=counter_id, agent_id=agent_id)

        def issue(queues: list[uuid.UUID], via: QueueService = service) -> None:
            reason = PriorityReason.AGE if rng.random() < 0.05 else None
            via.issue_ticket(site_id=site, queue_id=rng.choice(queues), priority_reason=reason)

        for _ in range(waiting):
            issue(queue_ids)
        timings: dict[str, list[float]] = {
            k: []
            for k in (
                "issue_ticket",
                "issue_ticket (cold)",
                "call_next",
                "finish",
                "recent_calls (poll)",
                "counter_panel",
                "queue_statuses",
            )
        }

        def timed(name: str, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            result = fn(*args, **kwargs)
            timings[name].append((time.perf_counter() - t0) * 1000)
            return result

        cursor = service.recent_calls(site_id=site).last_event_seq
        for i in range(rounds):
            counter_id, agent_id = ids[i % len(ids)]
            # The new ticket goes to a queue of the counter about to call, so that no counter runs dry.
            if i % 10 == 9:
                # A new service instance: service times not cached yet (a kiosk's first ticket of the minute).
                timed("issue_ticket (cold)", issue, served[counter_id], QueueService(db))
            else:
                timed("issue_ticket", issue, served[counter_id])
            ticket = timed("call_next", service.call_next, counter_id=counter_id, agent_id=agent_id)
            timed("finish", service.finish, ticket_id=ticket.id, counter_id=counter_id, agent_id=agent_id)
            cursor = timed(
                "recent_calls (poll)", service.recent_calls, site_id=site, after_event_seq=cursor
            ).last_event_seq
            if i % 5 == 0:
                timed("counter_panel", service.counter_panel, counter_id=counter_id)
                timed("queue_statuses", service.queue_statuses, site_id=site)
        still = sum(q.waiting for q in service.queue_statuses(site_id=site))
        db.close()
    assert still == waiting, still
    return {name: _percentiles(values) for name, values in timings.items()}


# -- 2. wait estimate ------------------------------------------------------------------------------

# Arrivals per hour of the day (share), services: mean minutes by queue letter (lognormal, sigma 0.5).
HOURS = {8: 0.08, 9: 0.16, 10: 0.13, 11: 0.13, 12: 0.06, 13: 0.08, 14: 0.13, 15: 0.13, 16: 0.10}
SHARE = {"A": 0.32, "B": 0.12, "C": 0.16, "D": 0.06, "E": 0.34}
SERVICE_MIN = {"A": 7.0, "B": 14.0, "C": 8.0, "D": 18.0, "E": 4.0}


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


def simulate_days(days: int, visitors: int, seed: int) -> dict:
    rng = random.Random(seed)
    clock = FakeClock()
    errors: list[tuple[int, str, float, float]] = []  # day, letter, estimate, actual (minutes)
    unknown = 0
    with tempfile.TemporaryDirectory() as tmp:
        db, site = _fresh_db(Path(tmp), open_all_day=False)
        with db.write() as s:
            queues = {q.letter: q.id for q in s.scalars(select(Queue).where(Queue.site_id == site))}
            counters = [
                c.id for c in s.scalars(select(Counter).where(Counter.site_id == site).order_by(Counter.number))
            ]
            extra = Agent(login="bench-sim", first_name="Agent", last_name="simulé", role=Role.AGENT,
                          password_hash="-", site_id=site)  # fmt: skip
            s.add(extra)
            s.flush()
            agents = [a.id for a in s.scalars(select(Agent).where(Agent.site_id == site).order_by(Agent.login))]
        service = QueueService(db, clock=clock)
        hours = {spec.letter: spec.hours for spec in QUEUES["HDV"]}
        day = date(2026, 3, 9)  # a Monday
        for n in range(days):
            while day.weekday() >= 5:
                day += timedelta(days=1)
            errs, missing = _simulate_day(rng, service, clock, site, day, queues, hours, counters, agents, visitors)
            errors += [(n, *e) for e in errs]
            unknown += missing
            day += timedelta(days=1)
        db.close()

    def summary(rows: list[tuple[int, str, float, float]]) -> dict[str, float]:
        absolute = [abs(e - a) for _d, _l, e, a in rows]
        return {
            "tickets": len(rows),
            "mae_min": statistics.fmean(absolute),
            "median_abs_min": statistics.median(absolute),
            "p90_abs_min": sorted(absolute)[int(0.9 * (len(absolute) - 1))],
            "bias_min": statistics.fmean(e - a for _d, _l, e, a in rows),
            "within_5_min": sum(1 for x in absolute if x <= 5) / len(absolute),
            "mean_wait_min": statistics.fmean(a for *_x, a in rows),
        }

    result = {"all days": summary(errors)}
    if days > 1:
        result["day 1 (no history)"] = summary([r for r in errors if r[0] == 0])
        result["days 2+"] = summary([r for r in errors if r[0] > 0])
    for letter in sorted(queues):
        rows = [r for r in errors if r[1] == letter]
        if rows:
            result[f"queue {letter}"] = summary(rows)
    result["no estimate (no open counter)"] = unknown
    return result


def _simulate_day(rng, service, clock, site, day, queues, hours, counters, agents, visitors):  # noqa: ANN001, ANN202, PLR0913
    from guichet.services.queue_policy import is_open, parse_hours

    def at(h: int, m: int = 0, sec: float = 0) -> datetime:
        return datetime(day.year, day.month, day.day, h, m, tzinfo=PARIS).astimezone(UTC) + timedelta(seconds=sec)

    events: list[tuple[datetime, int, str, object]] = []
    order = 0

    def push(when: datetime, kind: str, data: object) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (when, order, kind, data))

    for hour, share in HOURS.items():
        for letter, q_share in SHARE.items():
            expected = visitors * share * q_share
            count = sum(1 for _ in range(int(expected * 3)) if rng.random() < 1 / 3)  # binomial around expected
            parsed = parse_hours(hours[letter])
            for _ in range(count):
                when = at(hour, 0, rng.uniform(0, 3600))
                if is_open(parsed, when.astimezone(PARIS)):
                    push(when, "arrive", letter)
    for counter_id, agent_id in zip(counters, agents, strict=False):
        push(at(8, 30, rng.uniform(0, 120)), "open", (counter_id, agent_id))
    closing = at(17, 0)
    estimates: dict[uuid.UUID, tuple[str, int]] = {}
    errors: list[tuple[str, float, float]] = []
    missing = 0
    while events:
        when, _o, kind, data = heapq.heappop(events)
        clock.at = when
        if kind == "arrive":
            reason = PriorityReason.PMR if rng.random() < 0.05 else None
            try:
                t = service.issue_ticket(site_id=site, queue_id=queues[data], priority_reason=reason)
            except Exception:  # noqa: BLE001 - daily cap reached: the citizen goes home
                continue
            if t.estimated_wait_min is None:
                missing += 1
            else:
                estimates[t.id] = (data, t.estimated_wait_min)
        elif kind == "open":
            service.open_counter(counter_id=data[0], agent_id=data[1])
            push(when, "free", data)
        elif kind == "free":
            counter_id, agent_id = data
            if when >= closing:
                continue
            t = service.call_next(counter_id=counter_id, agent_id=agent_id)
            if t is None:
                push(when + timedelta(seconds=rng.uniform(10, 40)), "free", data)  # the agent glances again
                continue
            if t.id in estimates:
                letter, estimate = estimates.pop(t.id)
                errors.append((letter, float(estimate), (t.called_at - t.issued_at).total_seconds() / 60))
            if rng.random() < 0.05:
                push(when + timedelta(seconds=rng.uniform(60, 120)), "no_show", (t.id, data))
            else:
                walk = rng.uniform(15, 60)
                mean = SERVICE_MIN[t.queue_letter] * 60
                length = rng.lognormvariate(math.log(mean) - 0.125, 0.5)
                push(when + timedelta(seconds=walk), "start", (t.id, data))
                push(when + timedelta(seconds=walk + length), "finish", (t.id, data))
        elif kind in ("start", "finish", "no_show"):
            ticket_id, (counter_id, agent_id) = data
            method = {"start": service.start_service, "finish": service.finish, "no_show": service.no_show}[kind]
            info = method(ticket_id=ticket_id, counter_id=counter_id, agent_id=agent_id)
            if info.status in (TicketStatus.DONE, TicketStatus.NO_SHOW):
                form = rng.uniform(20, 90) if info.status is TicketStatus.DONE else 5
                push(when + timedelta(seconds=form), "free", (counter_id, agent_id))
    clock.at = at(18)
    service.close_day(site_id=site, reason="Fermeture de l'accueil")
    return errors, missing


# -- report ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--waiting", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--visitors", type=int, default=300, help="arrivals per simulated day (before caps)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    latency = bench_latency(args.waiting, args.rounds, args.seed)
    print(f"\nLatency, {args.waiting} tickets waiting in 15 queues, 20 open counters ({args.rounds} rounds), ms")
    print(f"{'operation':<22}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}  target")
    for name, p in latency.items():
        target = f"p99 < {TARGET_MS:g} ms: {'OK' if p['p99'] < TARGET_MS else 'MISSED'}" if name in (
            "issue_ticket", "issue_ticket (cold)", "call_next") else ""  # fmt: skip
        print(f"{name:<22}{p['n']:>6}{p['p50']:>8.2f}{p['p95']:>8.2f}{p['p99']:>8.2f}{p['max']:>8.2f}  {target}")

    estimate = simulate_days(args.days, args.visitors, args.seed)
    print(f"\nWait estimate given at the kiosk vs real wait (issue to call), {args.days} simulated days, minutes")
    print(f"{'tickets':<30}{'n':>6}{'MAE':>7}{'median':>8}{'p90':>7}{'bias':>7}{'≤5 min':>8}{'wait':>7}")
    for name, r in estimate.items():
        if isinstance(r, dict):
            print(
                f"{name:<30}{r['tickets']:>6}{r['mae_min']:>7.1f}{r['median_abs_min']:>8.1f}{r['p90_abs_min']:>7.1f}"
                f"{r['bias_min']:>+7.1f}{r['within_5_min']:>8.0%}{r['mean_wait_min']:>7.1f}"
            )
    print(f"tickets issued with no open counter (no estimate): {estimate['no estimate (no open counter)']}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"args": vars(args), "python": platform.python_version(), "latency_ms": latency, "estimate": estimate},
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
