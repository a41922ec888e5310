"""The site hub under load, over real HTTP on loopback, the hub in its own process (``guichet hub serve``).

    python bench/bench_hub.py [--calls 500 --tickets 1000 --desks 20]

1. call-next through the hub: one desk calls the next ticket (then finishes it) ``--calls`` times while
   tickets wait; the same calls made in-process on the same kind of database are the baseline.
   Target: p99 < 30 ms.
2. A call reaching the call screens: two screens listen to the hub's events; for each call, the time from
   the desk's request to each screen holding the call (the event, then its read of the calls).
   Target: < 200 ms for every screen.
3. A peak hour, compressed: 2 kiosks issue ``--tickets`` tickets (``--rate`` a second in all, 20 times a
   real hour's pace by default), ``--desks`` desks call, serve (a visit compressed alike), finish and log a
   contact for each, 2 call screens follow. Every call must succeed (no error of any kind).

Prints the figures and writes them to bench/results/hub.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.domain import Channel, Outcome, Role  # noqa: E402
from guichet.hub.client import HubLink, RemotePublicServices, RemoteServices, pair_with  # noqa: E402
from guichet.hub.listener import EventListener  # noqa: E402
from guichet.models import Agent, Counter, CounterQueue, Queue, Site  # noqa: E402
from guichet.services import Services  # noqa: E402
from guichet.services.auth import Workstation, hash_password  # noqa: E402
from guichet.services.contacts import ContactInput  # noqa: E402
from guichet.services.demo import seed_reference  # noqa: E402
from guichet.services.hub_devices import DeviceService  # noqa: E402
from guichet.services.queue_seed import seed_queues  # noqa: E402

PASSWORD = "banc-d-essai-2026"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(pct(values, 50) * 1000, 2),
        "p95_ms": round(pct(values, 95) * 1000, 2),
        "p99_ms": round(pct(values, 99) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


def make_site(path: Path, desks: int) -> None:
    """The demo town hall with ``desks`` counters, each with its agent, every queue open all day, no cap."""
    db = Database.open(path)
    upgrade(db.engine)
    seed_reference(db)
    seed_queues(db, open_all_day=True)
    secret = hash_password(PASSWORD)
    with db.write() as s:
        site = s.scalar(select(Site).where(Site.code == "HDV"))
        queues = list(s.scalars(select(Queue).where(Queue.site_id == site.id)))
        for q in queues:
            q.daily_cap = None
        counters = list(s.scalars(select(Counter).where(Counter.site_id == site.id).order_by(Counter.number)))
        for counter in counters:  # every counter serves every queue: any desk can take the next visitor
            linked = set(s.scalars(select(CounterQueue.queue_id).where(CounterQueue.counter_id == counter.id)))
            for q in queues:
                if q.id not in linked:
                    s.add(CounterQueue(counter_id=counter.id, queue_id=q.id, weight=1))
        for n in range(len(counters) + 1, desks + 1):
            counter = Counter(site_id=site.id, number=n, name=f"Guichet {n}")
            s.add(counter)
            s.flush()
            for q in queues:
                s.add(CounterQueue(counter_id=counter.id, queue_id=q.id, weight=1))
        for n in range(1, desks + 1):
            s.add(Agent(login=f"banc{n:02d}", first_name="Agent", last_name=f"n° {n}", role=Role.AGENT,
                        password_hash=secret, site_id=site.id))  # fmt: skip
    db.close()


class HubProcess:
    def __init__(self, db_path: Path, folder: Path) -> None:
        self.address = "127.0.0.2:18765"
        config = folder / "guichet.toml"
        config.write_text(f'db_path = "{db_path}"\nsite_code = "HDV"\n', encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "guichet", "--config", str(config), "hub", "serve", "--listen", self.address],
            stdout=subprocess.DEVNULL, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://{self.address}/api/health", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("hub did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def pair(db_path: Path, address: str, name: str, role: str) -> HubLink:
    db = Database.open(db_path)
    try:
        code = DeviceService(db).pair(name=name, role=role, site_code="HDV").code
    finally:
        db.close()
    return HubLink(address, pair_with(address, code)["token"])


def bench_call_next(db_path: Path, address: str, calls: int) -> dict:
    kiosk = RemotePublicServices(pair(db_path, address, "Borne banc", "borne"))
    desk = RemoteServices(pair(db_path, address, "Poste banc", "poste"))
    session = desk.auth.login(login="banc01", password=PASSWORD, workstation=Workstation("banc", "HDV"))
    site = kiosk.sites.find(code="HDV")
    queues = [q.id for q in kiosk.queue.queue_statuses(site_id=site.id)]
    counter = next(c for c in desk.queue.site_status(site_id=site.id).counters if c.number == 1)
    desk.queue.open_counter(counter_id=counter.id, agent_id=session.agent_id)
    rng = random.Random(3)
    for _ in range(200):  # a waiting line that stays
        kiosk.queue.issue_ticket(site_id=site.id, queue_id=rng.choice(queues))
    remote: list[float] = []
    issue: list[float] = []
    for _ in range(calls):
        t0 = time.perf_counter()
        kiosk.queue.issue_ticket(site_id=site.id, queue_id=rng.choice(queues))
        t1 = time.perf_counter()
        ticket = desk.queue.call_next(counter_id=counter.id, agent_id=session.agent_id)
        t2 = time.perf_counter()
        desk.queue.finish(ticket_id=ticket.id, counter_id=counter.id, agent_id=session.agent_id)
        issue.append(t1 - t0)
        remote.append(t2 - t1)
    desk.queue.close_counter(counter_id=counter.id, agent_id=session.agent_id)
    desk.link.close()
    kiosk.link.close()
    return {"call_next_via_hub": summary(remote), "issue_ticket_via_hub": summary(issue)}


def bench_call_next_local(db_path: Path, calls: int) -> dict:
    """The baseline: the same calls in-process on a copy of the database (no HTTP)."""
    db = Database.open(db_path)
    services = Services.on(db)
    site = services.sites.find(code="HDV")
    with db.read() as s:
        agent = s.scalar(select(Agent.id).where(Agent.login == "banc02"))
    queues = [q.id for q in services.queue.queue_statuses(site_id=site.id)]
    counter = next(c for c in services.queue.site_status(site_id=site.id).counters if c.number == 2)
    services.queue.open_counter(counter_id=counter.id, agent_id=agent)
    rng = random.Random(3)
    for _ in range(200):  # the same waiting line as through the hub
        services.queue.issue_ticket(site_id=site.id, queue_id=rng.choice(queues))
    local: list[float] = []
    for _ in range(calls):
        services.queue.issue_ticket(site_id=site.id, queue_id=rng.choice(queues))
        t1 = time.perf_counter()
        ticket = services.queue.call_next(counter_id=counter.id, agent_id=agent)
        local.append(time.perf_counter() - t1)
        services.queue.finish(ticket_id=ticket.id, counter_id=counter.id, agent_id=agent)
    services.queue.close_counter(counter_id=counter.id, agent_id=agent)
    db.close()
    return summary(local)


class Screen:
    """A call screen: listens to the hub's events and reads the calls when told (as the real one does)."""

    def __init__(self, link: HubLink, site_id: object) -> None:
        self.services = RemotePublicServices(link)
        self.site_id = site_id
        self.cursor = self.services.queue.recent_calls(site_id=site_id, limit=1).last_event_seq
        self.seen: dict[str, float] = {}
        self.errors = 0
        self._lock = threading.Lock()
        self.listener = EventListener(link, self._on_event)
        self.listener.start()
        self.listener.connected.wait(5)

    def _on_event(self, kind: str, _data: dict) -> None:
        if kind != "queue":
            return
        with self._lock:
            try:
                feed = self.services.queue.recent_calls(site_id=self.site_id, after_event_seq=self.cursor, limit=50)
            except Exception:  # noqa: BLE001 - counted, the bench says how many
                self.errors += 1
                return
            self.cursor = feed.last_event_seq
            moment = time.perf_counter()
            for call in feed.calls:
                self.seen.setdefault(call.number, moment)

    def stop(self) -> None:
        self.listener.stop()


def bench_screens(db_path: Path, address: str, calls: int) -> dict:
    kiosk = RemotePublicServices(pair(db_path, address, "Borne écrans", "borne"))
    desk = RemoteServices(pair(db_path, address, "Poste écrans", "poste"))
    session = desk.auth.login(login="banc03", password=PASSWORD, workstation=Workstation("banc", "HDV"))
    site = kiosk.sites.find(code="HDV")
    screens = [Screen(pair(db_path, address, f"Écran {n}", "ecran"), site.id) for n in (1, 2)]
    queues = [q.id for q in kiosk.queue.queue_statuses(site_id=site.id)]
    counter = next(c for c in desk.queue.site_status(site_id=site.id).counters if c.number == 3)
    desk.queue.open_counter(counter_id=counter.id, agent_id=session.agent_id)
    delays: list[float] = []
    missed = 0
    for _ in range(calls):
        kiosk.queue.issue_ticket(site_id=site.id, queue_id=random.choice(queues))
        started = time.perf_counter()
        ticket = desk.queue.call_next(counter_id=counter.id, agent_id=session.agent_id)
        deadline = time.perf_counter() + 2
        while any(ticket.number not in s.seen for s in screens) and time.perf_counter() < deadline:
            time.sleep(0.0005)
        for s in screens:
            if ticket.number in s.seen:
                delays.append(s.seen[ticket.number] - started)
            else:
                missed += 1
        desk.queue.finish(ticket_id=ticket.id, counter_id=counter.id, agent_id=session.agent_id)
        for s in screens:
            s.seen.clear()
    desk.queue.close_counter(counter_id=counter.id, agent_id=session.agent_id)
    for s in screens:
        s.stop()
    return {"call_to_every_screen": summary(delays), "missed": missed, "screens": len(screens)}


def bench_peak(db_path: Path, address: str, tickets: int, desks: int, rate: float) -> dict:
    """``rate`` tickets a second in all: 5.5 runs an hour's 1,000 tickets in 3 minutes (20 times faster)."""
    service_scale = 5.5 / rate
    kiosks = [RemotePublicServices(pair(db_path, address, f"Borne pic {n}", "borne")) for n in (1, 2)]
    site = kiosks[0].sites.find(code="HDV")
    screens = [Screen(pair(db_path, address, f"Écran pic {n}", "ecran"), site.id) for n in (1, 2)]
    queues = [q.id for q in kiosks[0].queue.queue_statuses(site_id=site.id)]
    desk_links = [pair(db_path, address, f"Poste pic {n}", "poste") for n in range(1, desks + 1)]
    errors: list[str] = []
    lock = threading.Lock()
    issued: list[str] = []
    served: list[str] = []
    timings: dict[str, list[float]] = {"issue_ticket": [], "call_next": [], "finish": [], "contacts.log": []}
    done_issuing = threading.Event()

    def timed(name: str, fn, **kw):  # noqa: ANN001, ANN003, ANN202
        t0 = time.perf_counter()
        try:
            return fn(**kw)
        except Exception as exc:  # noqa: BLE001 - every error is a failure of the bench, counted and shown
            with lock:
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
            return None
        finally:
            with lock:
                timings[name].append(time.perf_counter() - t0)

    def kiosk_loop(kiosk: RemotePublicServices, count: int, seed: int) -> None:
        rng = random.Random(seed)
        pause = len(kiosks) / rate  # each kiosk's share of the arrivals
        for _ in range(count):
            ticket = timed("issue_ticket", kiosk.queue.issue_ticket, site_id=site.id, queue_id=rng.choice(queues))
            if ticket is not None:
                with lock:
                    issued.append(ticket.number)
            time.sleep(rng.expovariate(1 / pause))

    def desk_loop(n: int) -> None:
        desk = RemoteServices(desk_links[n])
        session = desk.auth.login(login=f"banc{n + 1:02d}", password=PASSWORD, workstation=Workstation("pic", "HDV"))
        theme = desk.reference.load(commune_id=session.commune_id, site_id=session.site_id).themes[0]
        counter = next(c for c in desk.queue.site_status(site_id=site.id).counters if c.number == n + 1)
        desk.queue.open_counter(counter_id=counter.id, agent_id=session.agent_id)
        rng = random.Random(n)
        while True:
            ticket = timed("call_next", desk.queue.call_next, counter_id=counter.id, agent_id=session.agent_id)
            if ticket is None:
                if done_issuing.is_set() and not any(q.waiting for q in desk.queue.queue_statuses(site_id=site.id)):
                    break
                time.sleep(1.0)  # nobody waiting: the agent presses F7 again a moment later
                continue
            time.sleep(rng.uniform(0.5, 4.0) * service_scale)  # the visit, compressed like the arrivals
            timed("finish", desk.queue.finish, ticket_id=ticket.id, counter_id=counter.id, agent_id=session.agent_id)
            data = ContactInput(channel=Channel.IN_PERSON, theme_id=theme.id, outcome=Outcome.ANSWERED,
                                ticket_id=ticket.id, subject=f"Visite {ticket.number}")  # fmt: skip
            timed("contacts.log", desk.contacts.log, agent_id=session.agent_id, site_id=site.id, data=data)
            with lock:
                served.append(ticket.number)
        desk.queue.close_counter(counter_id=counter.id, agent_id=session.agent_id)

    started = time.perf_counter()
    kiosk_threads = [threading.Thread(target=kiosk_loop, args=(k, tickets // 2, i)) for i, k in enumerate(kiosks)]
    desk_threads = [threading.Thread(target=desk_loop, args=(n,)) for n in range(desks)]
    for t in kiosk_threads + desk_threads:
        t.start()
    for t in kiosk_threads:
        t.join()
    done_issuing.set()
    for t in desk_threads:
        t.join(600)
    elapsed = time.perf_counter() - started
    time.sleep(0.5)
    for s in screens:
        s.stop()
    shown = [len(s.seen) for s in screens]
    return {
        "tickets_issued": len(issued), "tickets_served": len(set(served) & set(issued)), "errors": len(errors),
        "first_errors": errors[:5], "seconds": round(elapsed, 1),
        "calls_shown_per_screen": shown, "screen_read_errors": sum(s.errors for s in screens),
        **{name: summary(values) for name, values in timings.items() if values},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--desks", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.5, help="tickets a second during the peak (5.5: 20x an hour)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="guichet-bench-hub-"))
    db_path = folder / "hub.sqlite3"
    make_site(db_path, args.desks)
    baseline_path = folder / "local.sqlite3"
    shutil.copyfile(db_path, baseline_path)
    hub = HubProcess(db_path, folder)
    address = f"http://{hub.address}"
    try:
        results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
        results.update(bench_call_next(db_path, address, args.calls))
        results["call_next_in_process"] = bench_call_next_local(baseline_path, args.calls)
        results.update(bench_screens(db_path, address, min(args.calls, 300)))
        results["peak_hour"] = bench_peak(db_path, address, args.tickets, args.desks, args.rate)
        results["peak_hour"]["arrivals_per_s"] = args.rate
    finally:
        hub.stop()
        shutil.rmtree(folder, ignore_errors=True)
    ratio = results["call_next_via_hub"]["p99_ms"] / max(results["call_next_in_process"]["p99_ms"], 0.01)
    results["call_next_p99_ratio_hub_vs_in_process"] = round(ratio, 1)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    out = Path(__file__).resolve().parent / "results" / "hub.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
