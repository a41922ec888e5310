"""Call-to-screen latency of the call screen, end to end, across two processes.

    python bench/bench_display.py [--calls 40 --interval 0.5 --poll-ms 250]

A separate process (the "counter", ``sys.executable`` on this same script) opens the same SQLite file
and calls the next ticket every ``--interval`` seconds, printing the instant each ``call_next`` has
returned (its transaction committed). This process runs the real call screen (``DisplayWindow``,
offscreen, its own worker, polling ``recent_calls``) and notes the instant each number reaches its
label. Latency = shown - committed. Target: under 1000 ms for every call.

Prints p50 / p95 / max and writes them to bench/results/display.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import select  # noqa: E402

from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.models import Agent, Counter, Queue, Site  # noqa: E402
from guichet.services.demo import seed_reference  # noqa: E402
from guichet.services.queue import QueueService  # noqa: E402
from guichet.services.queue_seed import seed_queues  # noqa: E402
from guichet.services.sites import SiteService  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "display.json"
TARGET_MS = 1000.0


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "max": ordered[-1], "min": ordered[0]}


# -- the counter (child process) -------------------------------------------------------------------


def counter_main(path: Path, counter_id: uuid.UUID, agent_id: uuid.UUID, calls: int, interval: float) -> None:
    """Call the next ticket ``calls`` times; print "CALL <number> <commit time>" after each call returns.

    The gaps vary around ``interval`` (±30 %), so calls land anywhere between two polls of the screen.
    """
    rng = random.Random(2026)
    db = Database.open(path)
    queue = QueueService(db)
    current = None
    next_at = time.time() + interval
    for _ in range(calls):
        time.sleep(max(0.0, next_at - time.time()))
        next_at += interval * rng.uniform(0.7, 1.3)
        if current is not None:
            queue.finish(ticket_id=current.id, counter_id=counter_id, agent_id=agent_id)
        current = queue.call_next(counter_id=counter_id, agent_id=agent_id)
        committed = time.time()
        assert current is not None, "no ticket left to call"
        print(f"CALL {current.number} {committed:.6f}", flush=True)
    db.close()


# -- the call screen (this process) ----------------------------------------------------------------


def _prepare(path: Path, calls: int) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    db = Database.open(path)
    upgrade(db.engine)
    seed_reference(db)
    seed_queues(db, open_all_day=True)
    with db.write() as s:
        site = s.scalar(select(Site).where(Site.code == "HDV"))
        counter = s.scalar(select(Counter).where(Counter.site_id == site.id, Counter.number == 1))
        agent = s.scalar(select(Agent).where(Agent.login == "mdurand"))
        queue_a = s.scalar(select(Queue).where(Queue.site_id == site.id, Queue.letter == "A"))
        queue_a.daily_cap = None
        ids = site.id, counter.id, agent.id, queue_a.id
    queue = QueueService(db)
    for _ in range(calls):
        queue.issue_ticket(site_id=ids[0], queue_id=ids[3])
    queue.open_counter(counter_id=ids[1], agent_id=ids[2])
    db.close()
    return ids[0], ids[1], ids[2]


def bench(calls: int, interval: float, poll_ms: int) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from guichet.ui.common.style import apply_style
    from guichet.ui.display.announcer import Announcer
    from guichet.ui.display.window import DisplayWindow
    from guichet.ui.worker import Worker

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_style(app)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "display.sqlite3"
        _site_id, counter_id, agent_id = _prepare(path, calls)
        db = Database.open(path)
        site = SiteService(db).find(code="HDV")
        worker = Worker(name="guichet-display")
        window = DisplayWindow(
            worker, QueueService(db), site, poll_ms=poll_ms, announcer=Announcer(speech=False, sound=False)
        )
        window.resize(1920, 1080)
        window.show()
        shown: dict[str, float] = {}
        committed: dict[str, float] = {}
        state: dict = {"child": None, "deadline": None}

        def on_shown(new_calls) -> None:  # noqa: ANN001
            at = time.time()
            # The last call of an answer is on the big label, the others in the list below it.
            texts = [window.number_label.text()] + [row[0].text() for row in window.recent_rows]
            for call in new_calls:
                if call.number in texts:
                    shown.setdefault(call.number, at)

        def tick() -> None:
            child = state["child"]
            if child is None:
                if window._cursor is None:  # wait for the screen's first answer
                    return
                state["child"] = subprocess.Popen(
                    [sys.executable, __file__, "--counter", str(path), str(counter_id), str(agent_id),
                     "--calls", str(calls), "--interval", str(interval)],
                    stdout=subprocess.PIPE, text=True,
                )  # fmt: skip
                return
            if state["deadline"] is None:
                if child.poll() is None:
                    return
                for line in child.stdout.read().splitlines():
                    _tag, number, at = line.split()
                    committed[number] = float(at)
                state["deadline"] = time.time() + 3  # the last call has 3 s to show
            if len(shown) >= len(committed) or time.time() > state["deadline"]:
                app.quit()

        window.calls_shown.connect(on_shown)
        timer = QTimer(interval=20, timeout=tick)
        timer.start()
        app.exec()
        timer.stop()
        window.stop()
        worker.shutdown()
        db.close()
        child = state["child"]
    if child.returncode != 0:
        raise SystemExit(f"the counter process failed ({child.returncode})")
    missing = sorted(set(committed) - set(shown))
    latencies = [(shown[n] - committed[n]) * 1000 for n in committed if n in shown]
    return {"latency_ms": _percentiles(latencies), "calls": len(committed), "missing": missing}


def _pyside_version() -> str:
    import PySide6

    return PySide6.__version__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between two calls")
    parser.add_argument("--poll-ms", type=int, default=250, help="the call screen's polling interval")
    parser.add_argument("--counter", nargs=3, metavar=("DB", "COUNTER_ID", "AGENT_ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.counter:
        path, counter_id, agent_id = args.counter
        counter_main(Path(path), uuid.UUID(counter_id), uuid.UUID(agent_id), args.calls, args.interval)
        return
    result = bench(args.calls, args.interval, args.poll_ms)
    lat = result["latency_ms"]
    print(f"call screen, {result['calls']} calls every {args.interval} s, polling every {args.poll_ms} ms")
    print(f"{'latency (ms)':<16}{'p50':>8}{'p95':>8}{'max':>8}{'min':>8}")
    print(f"{'call -> label':<16}{lat['p50']:>8.0f}{lat['p95']:>8.0f}{lat['max']:>8.0f}{lat['min']:>8.0f}")
    ok = not result["missing"] and lat["max"] < TARGET_MS
    print(f"target: every call on screen within {TARGET_MS:.0f} ms — {'met' if ok else 'NOT met'}")
    if result["missing"]:
        print(f"never shown: {', '.join(result['missing'])}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"args": vars(args), "python": platform.python_version(), "pyside6": _pyside_version(), **result}, indent=2
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written to {RESULTS}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
