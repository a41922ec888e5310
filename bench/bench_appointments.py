"""Appointment benchmarks, through the real services on a real SQLite file.

    python bench/bench_appointments.py [--citizens 5000 --fill 0.75 --months 3 --rounds 200 --bookings 300]

The demo town's agendas, their next ``--months`` months booked to ``--fill`` of their places (the titles'
agenda: a 15-minute kind with 2 counters and a 5-minute one; about 10,000 appointments in all), a clock on a
Monday morning. Timed, each call one read or one transaction as the desk makes it:

- free slots for a month of one kind (the titles' deposits: ~1,600 appointments in the month), and of the
  whole agenda (both kinds); target p95 < 20 ms;
- the booking dialog's question (the next 9 free slots);
- booking a free slot (one transaction: the slot checked, the places counted under the write lock, the code
  drawn, the appointment and its SMS notice written); target p95 < 10 ms;
- the « Rendez-vous » page: a day of the agenda, a week, today's board.

Prints a table and writes bench/results/appointments.json.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.domain import AppointmentStatus, Channel, ConfirmationChannel, PreferredChannel  # noqa: E402
from guichet.models import Agent, Appointment, AppointmentAgenda, AppointmentKind, Citizen, Site, new_id  # noqa: E402
from guichet.services.appointment_rules import closed_reason, day_grid, new_code  # noqa: E402
from guichet.services.appointment_seed import seed_agendas  # noqa: E402
from guichet.services.appointment_views import agenda_hours  # noqa: E402
from guichet.services.appointments import AppointmentService  # noqa: E402
from guichet.services.clock import PARIS  # noqa: E402
from guichet.services.demo import seed_reference  # noqa: E402
from guichet.services.queue_seed import seed_queues  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "appointments.json"
MONDAY = datetime(2027, 3, 1, 7, 30, tzinfo=PARIS).astimezone(UTC)
TARGETS = {"free_slots month, one kind": 20.0, "book": 10.0}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "p99": pct(99), "max": ordered[-1]}


def _time(fn: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _fill(db: Database, *, citizens: int, fill: float, months: int, seed: int) -> dict[str, int]:
    """Citizens, and the agendas booked to ``fill`` of their places from the clock's day on."""
    rng = random.Random(seed)
    with db.write() as s:
        rows = [
            {"id": new_id(), "last_name": f"Nom{i}", "first_names": "Prénom", "phone": f"+336{i:08d}",
             "preferred_channel": PreferredChannel.SMS, "search_text": f"nom{i} prenom"}
            for i in range(citizens)
        ]  # fmt: skip
        s.execute(insert(Citizen), rows)
        people = [r["id"] for r in rows]
        counts: dict[str, int] = {}
        today = MONDAY.astimezone(PARIS).date()
        for agenda in s.scalars(select(AppointmentAgenda)).all():
            hours = agenda_hours(agenda)
            agent = s.scalar(select(Agent.id).where(Agent.site_id == agenda.site_id)) or s.scalar(select(Agent.id))
            batch = []
            for kind in s.scalars(select(AppointmentKind).where(AppointmentKind.agenda_id == agenda.id)).all():
                day = today
                while day < today + timedelta(days=31 * months):
                    if not closed_reason(day, hours, ()):
                        for start, end in day_grid(day, hours, kind.duration_min):
                            for _ in range(kind.capacity):
                                if rng.random() < fill:
                                    batch.append({
                                        "id": new_id(), "commune_id": agenda.commune_id, "site_id": agenda.site_id,
                                        "agenda_id": agenda.id, "kind_id": kind.id, "citizen_id": rng.choice(people),
                                        "starts_at": start, "ends_at": end, "code": new_code(rng.randrange),
                                        "status": AppointmentStatus.BOOKED, "channel": Channel.PHONE,
                                        "confirmation": ConfirmationChannel.SMS, "booked_at": MONDAY,
                                        "booked_by": agent,
                                    })  # fmt: skip
                    day += timedelta(days=1)
            seen: set[tuple[object, str]] = set()
            unique = []
            for row in batch:  # codes are unique per site: a rare repeat is dropped
                if (row["site_id"], row["code"]) not in seen:
                    seen.add((row["site_id"], row["code"]))
                    unique.append(row)
            if unique:
                s.execute(insert(Appointment), unique)
            counts[agenda.name] = len(unique)
    return counts


def run(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(Path(tmp) / "appointments.sqlite3")
        upgrade(db.engine)
        seed_reference(db)
        seed_queues(db)
        seed_agendas(db)
        booked = _fill(db, citizens=args.citizens, fill=args.fill, months=args.months, seed=args.seed)
        clock = [MONDAY]
        service = AppointmentService(db, clock=lambda: clock[0])
        with db.read() as s:
            hdv = s.scalar(select(Site.id).where(Site.code == "HDV"))
            agent = s.scalar(select(Agent.id).where(Agent.login == "mdurand"))
            agenda = s.scalars(select(AppointmentAgenda).where(AppointmentAgenda.name.like("État civil%"))).first()
            kinds = list(
                s.scalars(
                    select(AppointmentKind)
                    .where(AppointmentKind.agenda_id == agenda.id)
                    .order_by(AppointmentKind.sort_order)
                )
            )
            month_start, month_end = MONDAY, MONDAY + timedelta(days=31)
            in_month = s.scalar(
                select(func.count()).where(Appointment.kind_id == kinds[0].id, Appointment.starts_at >= month_start,
                                           Appointment.starts_at < month_end)
            )  # fmt: skip
            people = list(s.scalars(select(Citizen.id)))
        first_day: date = MONDAY.astimezone(PARIS).date()
        deposit = kinds[0]
        results: dict[str, dict[str, float]] = {}
        service.free_slots(kind_id=deposit.id, first_day=first_day)  # warm the caches, as a desk that is open
        results["free_slots month, one kind"] = _percentiles(
            _time(lambda: service.free_slots(kind_id=deposit.id, first_day=first_day, days=31), args.rounds)
        )
        results["free_slots month, whole agenda"] = _percentiles(
            _time(lambda: [service.free_slots(kind_id=k.id, first_day=first_day, days=31) for k in kinds], args.rounds)
        )
        results["next 9 free slots"] = _percentiles(
            _time(lambda: service.next_free_slots(kind_id=deposit.id, limit=9), args.rounds)
        )
        results["day view"] = _percentiles(_time(lambda: service.day(agenda_id=agenda.id, day=first_day), 50))
        results["week view"] = _percentiles(_time(lambda: service.week(agenda_id=agenda.id, day=first_day), 50))
        results["today's board"] = _percentiles(_time(lambda: service.board(site_id=hdv), 50))
        # Booking: free slots of the coming weeks, one transaction each (an SMS notice queued with it).
        free = service.free_slots(kind_id=deposit.id, first_day=first_day, days=62)
        rng = random.Random(args.seed)
        picks = rng.sample(free, min(args.bookings, len(free)))
        samples = []
        for i, slot in enumerate(picks):
            t0 = time.perf_counter()
            service.book(agent_id=agent, site_id=hdv, kind_id=deposit.id, citizen_id=people[i % len(people)],
                         starts_at=slot.start, channel=Channel.PHONE)  # fmt: skip
            samples.append((time.perf_counter() - t0) * 1000)
        results["book"] = _percentiles(samples)
        db.close()
    return {
        "args": vars(args), "python": platform.python_version(), "appointments": booked,
        "deposits_in_the_month": in_month, "latency_ms": results,
        "targets_ms_p95": TARGETS, "met": {k: results[k]["p95"] < v for k, v in TARGETS.items()},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=5000)
    parser.add_argument("--fill", type=float, default=0.75)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--seed", type=int, default=8)
    report = run(parser.parse_args())
    print(f"Appointments booked beforehand: {sum(report['appointments'].values())} "
          f"({report['deposits_in_the_month']} deposits in the month timed)")  # fmt: skip
    print(f"{'':34} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  (ms)")
    for name, r in report["latency_ms"].items():
        target = f"  target p95 < {TARGETS[name]:.0f}" if name in TARGETS else ""
        print(f"{name:34} {r['n']:>5} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['p99']:>8.2f} {r['max']:>8.2f}{target}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
