"""Printing benchmarks: layout and encoding alone, and a kiosk ticket from issue_ticket to the printer's last byte.

    python bench/bench_printing.py [--rounds 500 --layout-rounds 2000]

1. Layout + ESC/POS encoding of a ticket (``ticket_ops`` + ``render``), 58 and 80 mm, with the commune's
   logo; also with a QR code whose content changes on every ticket (no cache helps). Target: p99 < 5 ms.
2. End to end, in one process: ``QueueService.issue_ticket(print_on=...)`` on a real SQLite file (WAL,
   synchronous FULL), ``PrintWorker.notify()``, the print worker thread claims the job, lays it out, asks
   the status, sends it through the real network backend to the printer emulator on 127.0.0.1, asks the
   status again. Timed from the call of issue_ticket to the last byte of the ticket received by the
   emulator, and to the job marked printed. Target: p99 < 50 ms.

Prints a table and writes bench/results/printing.json.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from guichet.config import PrinterSettings  # noqa: E402
from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.models import Queue, Site  # noqa: E402
from guichet.paths import resources_dir  # noqa: E402
from guichet.printing.emulator import PrinterEmulator  # noqa: E402
from guichet.printing.escpos_render import render  # noqa: E402
from guichet.printing.layout import PAPER_58, PAPER_80, TicketSlip, ticket_ops  # noqa: E402
from guichet.printing.worker import PrintEvent, PrintEventKind, PrintWorker  # noqa: E402
from guichet.services.demo import seed_reference  # noqa: E402
from guichet.services.printing import PrintJobService  # noqa: E402
from guichet.services.queue import QueueService  # noqa: E402
from guichet.services.queue_seed import seed_queues  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "printing.json"
LAYOUT_TARGET_MS = 5.0
END_TO_END_TARGET_MS = 50.0
LOGO = resources_dir() / "logo" / "commune.png"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "p99": pct(99), "max": ordered[-1]}


def bench_layout(rounds: int) -> dict[str, dict[str, float]]:
    results = {}
    for paper in (PAPER_58, PAPER_80):
        for qr in (False, True):
            samples = []
            for i in range(rounds):
                slip = TicketSlip(
                    "Vénissieux", "Hôtel de ville", "État civil et titres d'identité", f"A{i % 1000:03d}",
                    datetime.now(UTC), i % 40, i % 90, priority=i % 7 == 0,
                    qr_payload=f"https://www.ville-venissieux.fr/attente?t=HDV-A{i:05d}" if qr else "",
                    footer="Merci de votre visite — l’accueil de la mairie",
                )  # fmt: skip
                started = time.perf_counter()
                render(ticket_ops(slip, paper, logo=LOGO), paper)
                samples.append((time.perf_counter() - started) * 1000)
            name = f"layout+encoding {paper.mm} mm" + (" + QR (new each time)" if qr else "")
            results[name] = _percentiles(samples[10:])  # the first ones load the logo and warm the caches
    return results


def bench_end_to_end(rounds: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp, PrinterEmulator() as emulator:
        db = Database.open(Path(tmp) / "printing.sqlite3")
        upgrade(db.engine)
        seed_reference(db)
        seed_queues(db, open_all_day=True)
        with db.write() as s:
            site = s.scalar(select(Site.id).where(Site.code == "HDV"))
            queues = list(s.scalars(select(Queue).where(Queue.site_id == site).order_by(Queue.letter)))
            for q in queues:
                q.daily_cap = None
            queue_ids = [q.id for q in queues]
        settings = PrinterSettings(backend="network", key="kiosque", host="127.0.0.1", port=emulator.port, paper_mm=80)
        queue = QueueService(db)
        printed: dict[object, float] = {}
        done = threading.Condition()

        def on_event(event: PrintEvent) -> None:
            if event.kind is PrintEventKind.PRINTED:
                with done:
                    printed[event.job_id] = time.perf_counter()
                    done.notify_all()
            elif event.kind is PrintEventKind.FAILED:
                print(f"  ! {event.message} ({event.detail})", file=sys.stderr)

        worker = PrintWorker(PrintJobService(db), settings, on_event=on_event).start()
        to_byte, to_printed, issue = [], [], []
        try:
            for i in range(rounds):
                started = time.perf_counter()
                info = queue.issue_ticket(site_id=site, queue_id=queue_ids[i % len(queue_ids)], print_on=settings.key)
                issued = time.perf_counter()
                worker.notify()
                with done:
                    done.wait_for(lambda job=info.print_job_id: job in printed, timeout=10)
                jobs = emulator.wait_for_jobs(i + 1, timeout=10)
                if len(jobs) != i + 1 or info.print_job_id not in printed:
                    raise SystemExit(f"ticket {info.number} not printed")
                issue.append((issued - started) * 1000)
                to_byte.append((jobs[-1].last_byte_at - started) * 1000)
                to_printed.append((printed[info.print_job_id] - started) * 1000)
        finally:
            worker.stop()
            db.close()
    skip = min(10, rounds // 10)
    return {
        "issue_ticket (with its print job)": _percentiles(issue[skip:]),
        "issue_ticket -> last byte at the printer": _percentiles(to_byte[skip:]),
        "issue_ticket -> job marked printed": _percentiles(to_printed[skip:]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--layout-rounds", type=int, default=2000)
    args = parser.parse_args()
    layout = bench_layout(args.layout_rounds)
    end_to_end = bench_end_to_end(args.rounds)
    print(f"{'ms':<48} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for name, r in {**layout, **end_to_end}.items():
        print(f"{name:<48} {r['n']:>5} {r['p50']:>7.2f} {r['p95']:>7.2f} {r['p99']:>7.2f} {r['max']:>7.2f}")
    layout_ok = all(r["p99"] < LAYOUT_TARGET_MS for r in layout.values())
    e2e_ok = end_to_end["issue_ticket -> last byte at the printer"]["p99"] < END_TO_END_TARGET_MS
    print(f"layout+encoding p99 < {LAYOUT_TARGET_MS} ms: {'yes' if layout_ok else 'NO'}")
    print(f"issue_ticket -> last byte p99 < {END_TO_END_TARGET_MS} ms: {'yes' if e2e_ok else 'NO'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "args": vars(args), "python": platform.python_version(), "machine": platform.machine(),
                "latency_ms": {**layout, **end_to_end},
                "targets_ms": {"layout+encoding p99": LAYOUT_TARGET_MS, "end to end p99": END_TO_END_TARGET_MS},
            },
            indent=2,
        ),
        encoding="utf-8",
    )  # fmt: skip
    return 0 if layout_ok and e2e_ok else 1


if __name__ == "__main__":
    sys.exit(main())
