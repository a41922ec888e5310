"""Scale data for the statistics benchmark: one year of a large town-hall desk and of a satellite.

    python bench/stats_data.py --out bench/data/stats.sqlite3 [--tickets 200000 --contacts 150000 --seed 1]

The schema comes from the real migrations, the reference data from the demo seed (commune VEN,
sites HDV and MAV), plus for HDV 12 queues, 20 counters and 30 agents. Then one year (the 365 days
before today) of tickets with their event log, counter sessions and contacts is bulk-inserted with
raw sqlite3 ``executemany``, every value encoded as SQLAlchemy stores it on SQLite (as in
generate.py: UUID as 32 hex digits, naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff', enums as their value).

The visits are simulated, not drawn independently: every open day, arrivals follow the hours of a
town hall (peaks at opening and after lunch, Saturday mornings), the counters open in two sessions
(morning, afternoon) with a staffing that does not always follow the load, and each free counter
calls the longest-waiting ticket (priority ones first). So the waits are what such a desk produces:
short in quiet hours, long at the peaks. 5 % of called tickets are no-shows, 1 % are cancelled,
those still waiting at closing time are closed; 4 % are recalled once.

What the generator counted itself (tickets by status, waits) is written to ``<out>.meta.json``;
the benchmark checks the service's figures against it.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import sqlite3
import statistics
import sys
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from uuid7 import Uuid7Factory, check_layout_against_new_id

from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.domain import Channel, Outcome, Role
from guichet.models import Agent, Counter, CounterQueue, ExternalBody, Queue, Site, Theme
from guichet.services import clock
from guichet.services.auth import hash_password
from guichet.services.demo import DEMO_PASSWORD, seed_reference
from guichet.services.names import FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES

INSERT_TICKET = (
    "INSERT INTO ticket (id, created_at, updated_at, deleted_at, site_id, queue_id, current_queue_id, service_day, "
    "seq, number, priority, priority_reason, status, issued_at, called_at, last_called_at, started_at, finished_at, "
    "recall_count, counter_id, agent_id, close_reason) VALUES (?,?,?,NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
INSERT_EVENT = (
    "INSERT INTO ticket_event (id, created_at, updated_at, deleted_at, site_id, seq, ticket_id, kind, at, queue_id, "
    "from_queue_id, counter_id, agent_id, reason) VALUES (?,?,?,NULL,?,?,?,?,?,?,NULL,?,?,?)"
)
INSERT_SESSION = (
    "INSERT INTO counter_session (id, created_at, updated_at, deleted_at, counter_id, agent_id, opened_at, closed_at) "
    "VALUES (?,?,?,NULL,?,?,?,?)"
)
INSERT_CONTACT = (
    "INSERT INTO contact (id, created_at, updated_at, deleted_at, channel, started_at, duration_s, site_id, agent_id, "
    "citizen_id, theme_id, subject, notes, outcome, oriented_service_id, oriented_body_id, ticket_id) "
    "VALUES (?,?,?,NULL,?,?,?,?,?,NULL,?,?,'',?,?,?,NULL)"
)

# letter, name, share of arrivals, mean service (min), target wait (min)
HDV_QUEUES = [
    ("A", "État civil", 0.18, 7, 20), ("B", "Titres d'identité", 0.14, 12, 20), ("C", "Social (CCAS)", 0.10, 14, 30),
    ("D", "Scolaire", 0.10, 8, 20), ("E", "Accueil général", 0.20, 4, 10), ("F", "Petite enfance", 0.05, 9, 20),
    ("G", "Urbanisme", 0.04, 16, 30), ("H", "Élections", 0.04, 5, 15), ("I", "Sport et associations", 0.04, 6, 20),
    ("J", "Logement", 0.04, 12, 30), ("K", "Paiements", 0.05, 5, 15), ("L", "Réclamations", 0.02, 10, 30),
]  # fmt: skip
MAV_QUEUES = [
    ("A", "État civil", 0.4, 8, 20),
    ("B", "Social (CCAS)", 0.2, 14, 30),
    ("E", "Accueil général", 0.4, 4, 10),
]
# Arrivals by local hour (weekdays); Saturday mornings use 9–11.
HOUR_WEIGHTS = {8: 14, 9: 16, 10: 12, 11: 12, 12: 5, 13: 9, 14: 12, 15: 9, 16: 6}
WEEKDAY_FACTOR = [1.25, 1.0, 1.1, 0.95, 0.9, 0.45]  # Monday busiest, Saturday morning only
MONTH_FACTOR = [1.0, 0.95, 1.05, 1.0, 1.05, 1.15, 0.75, 0.6, 1.25, 1.1, 1.0, 0.85]
OUTCOMES = {Outcome.ANSWERED: 46, Outcome.ORIENTED_SERVICE: 18, Outcome.ORIENTED_EXTERNAL: 10,
            Outcome.ONLINE_HELP: 10, Outcome.REQUEST_OPENED: 16}  # fmt: skip
CHANNELS = {Channel.IN_PERSON: 40, Channel.PHONE: 30, Channel.MAIL: 8, Channel.EMAIL: 12, Channel.SMS: 3,
            Channel.WEB: 7}  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ts(instant: datetime) -> str:
    """An aware datetime as SQLAlchemy's DateTime stores it on SQLite: naive UTC with microseconds."""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def local(day: date, minutes: float) -> datetime:
    """The Paris instant ``minutes`` after local midnight of ``day`` (never near a DST change: office hours)."""
    base = datetime(day.year, day.month, day.day, 12, tzinfo=clock.PARIS)
    return base + timedelta(minutes=minutes - 12 * 60)


def open_days(start: date, end: date) -> list[date]:
    """Monday–Saturday between start and end (inclusive), without 1 January, 1 May, 14 July, 15 August, 25 December."""
    closed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    days, d = [], start
    while d <= end:
        if d.weekday() < 6 and (d.month, d.day) not in closed and not (d.weekday() == 5 and d.month in (7, 8)):
            days.append(d)
        d += timedelta(days=1)
    return days


class SiteSim:
    """Reference rows of one site (ids as hex) and its simulated days."""

    def __init__(self, site_hex: str, queues: list[tuple], counters: list[str], agents: list[str], volume: int):
        self.site = site_hex
        self.queues = queues  # (queue hex, letter, share, mean service min, target min)
        self.counters = counters
        self.agents = agents
        self.volume = volume
        self.event_seq = 0
        self.expected = {"tickets": 0, "done": 0, "no_show": 0, "cancelled": 0, "closed": 0, "within_target": 0}
        self.waits: list[float] = []
        self.services: list[float] = []


def simulate_day(rng: random.Random, sim: SiteSim, day: date, count: int) -> tuple[list, list, list]:
    """Tickets, events and counter sessions of one day of one site (rows ready for executemany)."""
    saturday = day.weekday() == 5
    hours = {9: 5, 10: 6, 11: 4} if saturday else HOUR_WEIGHTS
    hour_keys, hour_w = list(hours), list(hours.values())
    q_w = [q[2] for q in sim.queues]
    arrivals = []
    for _ in range(count):
        hour = rng.choices(hour_keys, hour_w)[0]
        minute = hour * 60 + (rng.uniform(30, 60) if hour == 8 else rng.uniform(0, 60))
        queue = rng.choices(sim.queues, q_w)[0]
        arrivals.append((minute, queue, rng.random() < 0.06))
    arrivals.sort(key=lambda a: a[0])
    # Staffing: counters per half-day roughly follow the expected load, not its peaks (so peaks wait).
    load_min = sum(q[2] * q[3] for q in sim.queues) * count  # minutes of work in the day
    morning_share = 0.62 if not saturday else 1.0
    if saturday:
        halves = [(8 * 60 + 50, 12 * 60 + 10, 1.0)]
    else:
        halves = [(8 * 60 + 15, 12 * 60 + 15, morning_share), (13 * 60 + 15, 17 * 60 + 15, 1 - morning_share)]
    plan = []
    agents = sim.agents[:]
    rng.shuffle(agents)
    for opened, closed, share in halves:
        work = load_min * (share if not saturday else 1.0)
        n = max(1, min(len(sim.counters), round(work / (closed - opened) / rng.uniform(0.6, 0.85))))
        for i in range(n):
            plan.append((opened, closed, sim.counters[i], agents[i % len(agents)]))
    # Simulation: each free counter calls the longest-waiting ticket, priority ones first.
    free = [(opened, i) for i, (opened, _c, _k, _a) in enumerate(plan)]
    heapq.heapify(free)
    tickets = []
    for seq_day, (minute, queue, priority) in enumerate(arrivals):
        tickets.append({"issued": minute, "queue": queue, "priority": priority, "n": seq_day})
    per_queue_seq: dict[str, int] = {}
    for t in tickets:
        per_queue_seq[t["queue"][0]] = per_queue_seq.get(t["queue"][0], 0) + 1
        t["seq"] = per_queue_seq[t["queue"][0]]
        t["cancel_at"] = t["issued"] + rng.uniform(3, 25) if rng.random() < 0.01 else None
    normal: deque = deque()
    urgent: deque = deque()
    nxt = 0
    while free:
        at, k = heapq.heappop(free)
        opened, closed, counter, agent = plan[k]
        if at >= closed:
            continue
        while nxt < len(tickets) and tickets[nxt]["issued"] <= at:
            (urgent if tickets[nxt]["priority"] else normal).append(tickets[nxt])
            nxt += 1
        chosen = None
        for line in (urgent, normal):
            while line and chosen is None:
                t = line.popleft()
                if t["cancel_at"] is not None and t["cancel_at"] <= at:
                    t["status"], t["finished"] = "annule", t["cancel_at"]
                    continue
                chosen = t
            if chosen is not None:
                break
        if chosen is None:
            if nxt >= len(tickets):
                continue
            heapq.heappush(free, (max(tickets[nxt]["issued"], at + 0.25), k))
            continue
        t = chosen
        t.update(called=at, counter=counter, agent=agent, recalls=1 if rng.random() < 0.04 else 0)
        if rng.random() < 0.05:
            t["status"], t["finished"] = "absent", at + rng.uniform(1, 2.5)
        else:
            mean = t["queue"][3]
            t["started"] = at + rng.uniform(0.25, 1.0)
            t["finished"] = t["started"] + max(1.0, rng.lognormvariate(math.log(mean) - 0.18, 0.6))
            t["status"] = "termine"
        heapq.heappush(free, (t["finished"] + rng.uniform(0.3, 1.5), k))
    closing = max(c for _o, c, _k, _a in plan)
    for t in tickets:
        if "status" not in t:
            if t["cancel_at"] is not None and t["cancel_at"] < closing:
                t["status"], t["finished"] = "annule", t["cancel_at"]
            else:
                t["status"], t["finished"] = "clos", closing
    return tickets, plan, []


def write_day(
    rng: random.Random, ids: Uuid7Factory, sim: SiteSim, day: date, tickets: list, plan: list
) -> tuple[list, list, list]:
    """Rows for ticket, ticket_event and counter_session of one simulated day."""
    ticket_rows, events, session_rows = [], [], []
    for opened, closed, counter, agent in plan:
        o, c = local(day, opened), local(day, closed + rng.uniform(0, 10))
        session_rows.append((ids.hex_at_ms(int(o.timestamp() * 1000)), ts(o), ts(c), counter, agent, ts(o), ts(c)))
    for t in tickets:
        q_hex, letter, _share, _mean, target = t["queue"]
        issued = local(day, t["issued"])
        called = local(day, t["called"]) if "called" in t else None
        started = local(day, t["started"]) if "started" in t else None
        finished = local(day, t["finished"])
        tid = ids.hex_at_ms(int(issued.timestamp() * 1000))
        status = t["status"]
        counter, agent = t.get("counter"), t.get("agent")
        ticket_rows.append((
            tid, ts(issued), ts(finished), sim.site, q_hex, q_hex, day.isoformat(), t["seq"], f"{letter}{t['seq']:03d}",
            1 if t["priority"] else 0, "age" if t["priority"] else None, status, ts(issued),
            ts(called) if called else None, ts(called) if called else None, ts(started) if started else None,
            ts(finished), t.get("recalls", 0), counter, agent, "Fermeture de l'accueil" if status == "clos" else "",
        ))  # fmt: skip
        events.append((issued, "emis", tid, q_hex, None, None, ""))
        if called is not None:
            events.append((called, "appele", tid, q_hex, counter, agent, ""))
            if t.get("recalls"):
                events.append((called + timedelta(seconds=40), "rappele", tid, q_hex, counter, agent, ""))
        if started is not None:
            events.append((started, "accueilli", tid, q_hex, counter, agent, ""))
        final = {"termine": "termine", "absent": "absent", "annule": "annule", "clos": "clos"}[status]
        reason = "Fermeture de l'accueil" if status == "clos" else ""
        on_counter = status in ("termine", "absent")
        events.append((finished, final, tid, q_hex, counter if on_counter else None, agent if on_counter else None,
                       reason))  # fmt: skip
        sim.expected["tickets"] += 1
        sim.expected[{"termine": "done", "absent": "no_show", "annule": "cancelled", "clos": "closed"}[status]] += 1
        if called is not None:
            wait = (called - issued).total_seconds()
            sim.waits.append(wait)
            sim.expected["within_target"] += wait <= target * 60
        if status == "termine":
            sim.services.append((finished - called).total_seconds())
    events.sort(key=lambda e: e[0])
    event_rows = []
    for at, kind, tid, q_hex, counter, agent, reason in events:
        sim.event_seq += 1
        event_rows.append((ids.hex_at_ms(int(at.timestamp() * 1000)), ts(at), ts(at), sim.site, sim.event_seq, tid,
                           kind, ts(at), q_hex, counter, agent, reason))  # fmt: skip
    return ticket_rows, event_rows, session_rows


def make_reference(db: Database, rng: random.Random) -> tuple[dict[str, SiteSim], dict]:
    """Queues, counters, agents of HDV (large) and MAV (satellite); returns their ids as hex."""
    pw = hash_password(DEMO_PASSWORD)
    sims: dict[str, SiteSim] = {}
    with db.write() as s:
        themes = {t.code: t for t in s.scalars(select(Theme))}
        for code, specs, n_counters, n_agents in (("HDV", HDV_QUEUES, 20, 30), ("MAV", MAV_QUEUES, 3, 4)):
            site = s.scalars(select(Site).where(Site.code == code)).one()
            existing = {c.number: c for c in s.scalars(select(Counter).where(Counter.site_id == site.id))}
            counters = [
                existing.get(n) or Counter(site_id=site.id, number=n, name=f"Guichet {n}")
                for n in range(1, n_counters + 1)
            ]
            s.add_all(counters)
            agents = [
                Agent(
                    login=f"{code.lower()}{n:02d}", first_name=rng.choice(FIRST_NAMES_F + FIRST_NAMES_M),
                    last_name=rng.choice(LAST_NAMES), role=Role.AGENT, password_hash=pw, site_id=site.id,
                )
                for n in range(1, n_agents + 1)
            ]  # fmt: skip
            s.add_all(agents)
            queues = []
            for order, (letter, name, share, mean, target) in enumerate(specs, start=1):
                q = Queue(
                    site_id=site.id, letter=letter, name=name, theme_id=themes["autres"].id, opening_hours="",
                    target_wait_min=target, sort_order=order,
                )  # fmt: skip
                s.add(q)
                queues.append((q, letter, share, mean, target))
            s.flush()
            for i, c in enumerate(counters):  # every counter serves every queue (the simulation pools them)
                for q, *_ in queues:
                    s.add(CounterQueue(counter_id=c.id, queue_id=q.id, weight=1 + (i + len(q.letter)) % 3))
            volume_share = 1.0 if code == "HDV" else 0.1
            sims[code] = SiteSim(
                site.id.hex,
                [(q.id.hex, letter, share, mean, target) for q, letter, share, mean, target in queues],
                [c.id.hex for c in counters],
                [a.id.hex for a in agents],
                int(volume_share * 1000),
            )
        themes_rows = [(t.id.hex, t.parent_id, t.code) for t in themes.values() if t.parent_id is not None]
        parents = {t.id: t for t in themes.values() if t.parent_id is None}
        ref = {
            "themes": [(tid, parents[pid].default_service_id.hex if parents[pid].default_service_id else None)
                       for tid, pid, _code in themes_rows],
            "bodies": [b.id.hex for b in s.scalars(select(ExternalBody))],
        }  # fmt: skip
    return sims, ref


def distribute(total: int, days: list[date]) -> list[int]:
    weights = [WEEKDAY_FACTOR[d.weekday()] * MONTH_FACTOR[d.month - 1] for d in days]
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(days)), key=lambda i: exact[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def contact_rows(rng: random.Random, ids: Uuid7Factory, sim: SiteSim, day: date, count: int, ref: dict) -> list[tuple]:
    rows = []
    hours, hw = list(HOUR_WEIGHTS), list(HOUR_WEIGHTS.values())
    channels, cw = list(CHANNELS), list(CHANNELS.values())
    outcomes, ow = list(OUTCOMES), list(OUTCOMES.values())
    starts = sorted(local(day, h * 60 + rng.uniform(30 if h == 8 else 0, 60)) for h in rng.choices(hours, hw, k=count))
    for start in starts:
        theme, service = rng.choice(ref["themes"])
        outcome = rng.choices(outcomes, ow)[0]
        duration = rng.randint(60, 900)
        created = start + timedelta(seconds=duration + rng.randint(5, 90))
        rows.append((
            ids.hex_at_ms(int(created.timestamp() * 1000)), ts(created), ts(created), rng.choices(channels, cw)[0].value,
            ts(start), duration, sim.site, rng.choice(sim.agents), theme, "Demande", outcome.value,
            service if outcome in (Outcome.ORIENTED_SERVICE, Outcome.REQUEST_OPENED) else None,
            rng.choice(ref["bodies"]) if outcome is Outcome.ORIENTED_EXTERNAL else None,
        ))  # fmt: skip
    return rows


def generate(out: Path, tickets: int, contacts: int, seed: int, today: date) -> dict:
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal", ".meta.json"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    check_layout_against_new_id()
    rng = random.Random(seed)
    db = Database.open(out)
    upgrade(db.engine)
    seed_reference(db)
    sims, ref = make_reference(db, rng)
    db.close()
    end = today - timedelta(days=1)
    start = today - timedelta(days=365)
    days = open_days(start, end)
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("BEGIN")
    ids = Uuid7Factory(rng)
    counts = {}
    for code, sim in sims.items():
        share = 1.0 if code == "HDV" else 0.1
        per_day = distribute(int(tickets * share), days)
        per_day_contacts = distribute(int(contacts * share), days)
        for day, n, nc in zip(days, per_day, per_day_contacts, strict=True):
            day_tickets, plan, _ = simulate_day(rng, sim, day, n)
            t_rows, e_rows, s_rows = write_day(rng, ids, sim, day, day_tickets, plan)
            conn.executemany(INSERT_TICKET, t_rows)
            conn.executemany(INSERT_EVENT, e_rows)
            conn.executemany(INSERT_SESSION, s_rows)
            conn.executemany(INSERT_CONTACT, contact_rows(rng, ids, sim, day, nc, ref))
        waits = sorted(sim.waits)
        counts[code] = {
            **sim.expected,
            "contacts": sum(per_day_contacts),
            "wait_median_s": statistics.median(waits) if waits else None,
            "wait_p90_s": waits[math.ceil(0.9 * len(waits)) - 1] if waits else None,
            "wait_max_s": waits[-1] if waits else None,
            "service_median_s": statistics.median(sim.services) if sim.services else None,
            "events": sim.event_seq,
        }
        print(f"{code}: {counts[code]} ({time.perf_counter() - t0:.1f} s)", flush=True)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    meta = {
        "today": today.isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "seed": seed,
        "sites": counts,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    Path(f"{out}.meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench/data/stats.sqlite3")
    parser.add_argument("--tickets", type=int, default=200_000, help="tickets of the large site (the satellite: 10 %%)")
    parser.add_argument("--contacts", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    meta = generate(Path(args.out), args.tickets, args.contacts, args.seed, clock.local_day(clock.now()))
    json.dump(meta, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
