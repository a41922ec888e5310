"""Desk benchmarks on the scale data, through the real services.

    python bench/bench_desk.py --db bench/data/scale.sqlite3 [--saves 1000 --typists 300 --journal-days 60]

Measures what an agent feels at the desk: saving a contact, finding a citizen as they type,
opening the journal of a day, and starting the application. Prints a table with the targets
and writes everything to bench/results/desk.json. Contacts saved by the benchmark are deleted
at the end (``--keep`` to keep them), so that runs on the same file stay comparable.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import queue
import random
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy import select

from guichet.db import Database
from guichet.db.engine import BUSY_TIMEOUT_MS
from guichet.db.migrate import head_revision, upgrade
from guichet.domain import Channel, Outcome
from guichet.models import Commune, Site, new_id
from guichet.services import Services, clock
from guichet.services.contacts import ContactInput
from guichet.services.demo import SITUATIONS
from guichet.text import fold

BENCH_DIR = Path(__file__).resolve().parent
T = TypeVar("T")
TARGETS_MS = {"save_p99": 10.0, "search_p95": 20.0, "journal_p95": 50.0, "journal_max": 50.0}
# Channel mix of the saves that carry a citizen (mail, e-mail and SMS always do).
SAVE_CHANNELS_WITH_CITIZEN = {
    Channel.IN_PERSON: 35, Channel.PHONE: 20, Channel.MAIL: 14, Channel.EMAIL: 20, Channel.SMS: 4, Channel.WEB: 7,
}  # fmt: skip
SAVE_CHANNELS_WITHOUT = {Channel.IN_PERSON: 55, Channel.PHONE: 40, Channel.WEB: 5}
WARMUP_SAVES = 150  # pairs of saves (service + raw) before measuring
NOTES = (
    "Usager reçu au guichet 3. Pièces vérifiées : justificatif de domicile, livret de famille. "
    "Rappeler la personne si le service ne répond pas sous 48 h ; confirmation écrite demandée."
)


# -- statistics ---------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": round(pct(values, 50), 3),
        "p95": round(pct(values, 95), 3),
        "p99": round(pct(values, 99), 3),
        "max": round(max(values), 3) if values else float("nan"),
        "mean": round(sum(values) / len(values), 3) if values else float("nan"),
    }


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[float, T]:
    t = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - t) * 1000, result


# -- fixture ------------------------------------------------------------------------------------------


@dataclass
class Desk:
    db: Database
    services: Services
    site_id: uuid.UUID
    commune_id: uuid.UUID
    agent_ids: list[uuid.UUID]
    situations: list[tuple]  # (channels, outcome, subject, theme_id, service_id, body_id)
    parent_theme_ids: list[uuid.UUID]
    citizens: list[tuple] = field(default_factory=list)  # (id, last_name, first_names, phone, email)


def open_desk(path: Path, rng: random.Random, sample: int) -> Desk:
    db = Database.open(path)
    if upgrade(db.engine):  # as the app does at start, should the schema have moved on since the generation
        print(f"{path}: schema upgraded to {head_revision()}", flush=True)
    services = Services.on(db)
    with db.read() as s:
        site = s.scalars(select(Site).where(Site.code == "HDV")).one()
        commune = s.get(Commune, site.commune_id)
        site_id, commune_id = site.id, commune.id
    ref = services.reference.load(commune_id=commune_id, site_id=site_id)
    themes = {t.code: t for t in ref.themes}
    bodies = {b.name: b.id for b in ref.external_bodies}
    situations = [
        (
            channels,
            outcome,
            subject,
            themes[code].id,
            themes[code].default_service_id,
            bodies.get(body) if body else None,
        )
        for code, channels, outcome, subject, body in SITUATIONS
    ]
    desk = Desk(
        db=db,
        services=services,
        site_id=site_id,
        commune_id=commune_id,
        agent_ids=[a.id for a in ref.agents],
        situations=situations,
        parent_theme_ids=[t.id for t in ref.themes if t.parent_id is None],
    )
    raw = sqlite3.connect(path)
    top = raw.execute("SELECT max(rowid) FROM citizen").fetchone()[0]
    rowids = rng.sample(range(1, top + 1), min(top, sample * 2))
    marks = ",".join("?" * len(rowids))
    rows = raw.execute(
        f"SELECT id, last_name, first_names, phone, email FROM citizen WHERE rowid IN ({marks}) AND deleted_at IS NULL",
        rowids,
    ).fetchall()
    raw.close()
    rng.shuffle(rows)
    desk.citizens = [(uuid.UUID(r[0]), *r[1:]) for r in rows[:sample]]
    return desk


# -- contact save ---------------------------------------------------------------------------------------


def contact_input(desk: Desk, rng: random.Random, with_citizen: bool) -> ContactInput:
    """What the form sends after a real exchange: a typical situation, its outcome and orientation, a note."""
    mix = SAVE_CHANNELS_WITH_CITIZEN if with_citizen else SAVE_CHANNELS_WITHOUT
    channel = rng.choices(list(mix), weights=list(mix.values()))[0]
    candidates = [s for s in desk.situations if channel in s[0]] or desk.situations
    _channels, outcome, subject, theme_id, service_id, body_id = rng.choice(candidates)
    if outcome is Outcome.ORIENTED_SERVICE and service_id is None:
        outcome = Outcome.ANSWERED
    citizen_id = None
    if with_citizen:
        for _ in range(50):
            cid, _last, _first, phone, email = rng.choice(desk.citizens)
            if (channel is not Channel.EMAIL or email) and (channel is not Channel.SMS or phone):
                citizen_id = cid
                break
    return ContactInput(
        channel=channel,
        theme_id=theme_id,
        outcome=outcome,
        citizen_id=citizen_id,
        subject=subject,
        notes=NOTES if rng.random() < 0.5 else "",
        oriented_service_id=service_id,
        oriented_body_id=body_id,
        duration_s=rng.randint(60, 900),
    )


RAW_INSERT = (
    "INSERT INTO contact (id, created_at, updated_at, deleted_at, channel, started_at, duration_s, site_id, agent_id, "
    "citizen_id, theme_id, subject, notes, outcome, oriented_service_id, oriented_body_id) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def raw_connection(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the app's pragmas (guichet.db.engine)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _hex(value: uuid.UUID | None) -> str | None:
    return value.hex if value else None


def raw_save(conn: sqlite3.Connection, desk: Desk, agent_id: uuid.UUID, data: ContactInput) -> tuple[float, str]:
    """The same contact as one INSERT and a COMMIT, values encoded as SQLAlchemy stores them."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    row_id = new_id().hex
    oriented = data.outcome in (Outcome.ORIENTED_SERVICE, Outcome.REQUEST_OPENED)
    body = data.oriented_body_id if data.outcome is Outcome.ORIENTED_EXTERNAL else None
    params = (
        row_id, now, now, None, data.channel.value, now, data.duration_s, desk.site_id.hex, agent_id.hex,
        _hex(data.citizen_id), data.theme_id.hex, data.subject, data.notes, data.outcome.value,
        _hex(data.oriented_service_id) if oriented else None, _hex(body),
    )  # fmt: skip
    t = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(RAW_INSERT, params)
    conn.execute("COMMIT")
    return (time.perf_counter() - t) * 1000, row_id


def bench_saves(desk: Desk, path: Path, rng: random.Random, n: int, created: list[str]) -> dict:
    """Service saves, interleaved with raw sqlite3 saves of the same contact (same disk, same moment)."""
    conn = raw_connection(path)
    log = desk.services.contacts.log
    # Warm-up: statement caches, index pages, the WAL file. These first saves after opening are reported
    # apart ("first saves"), leaving out the very first ones (statement compilation).
    first: dict[str, list[float]] = {"service": [], "raw": []}
    for i in range(WARMUP_SAVES):
        data = contact_input(desk, rng, with_citizen=i % 2 == 0)
        ms, row = timed(log, agent_id=desk.agent_ids[0], site_id=desk.site_id, data=data)
        created.append(row.id.hex)
        raw_ms, raw_id = raw_save(conn, desk, desk.agent_ids[0], data)
        created.append(raw_id)
        if i >= 10:
            first["service"].append(ms)
            first["raw"].append(raw_ms)
    times: dict[str, list[float]] = {"with_citizen": [], "without_citizen": [], "raw": []}
    for i in range(n):
        with_citizen = i % 2 == 0
        data = contact_input(desk, rng, with_citizen=with_citizen)
        agent = rng.choice(desk.agent_ids)
        ms, row = timed(log, agent_id=agent, site_id=desk.site_id, data=data)
        created.append(row.id.hex)
        times["with_citizen" if with_citizen else "without_citizen"].append(ms)
        raw_ms, raw_id = raw_save(conn, desk, agent, data)
        created.append(raw_id)
        times["raw"].append(raw_ms)
    conn.close()
    service = times["with_citizen"] + times["without_citizen"]
    out = {
        "service": summary(service),
        "with_citizen": summary(times["with_citizen"]),
        "without_citizen": summary(times["without_citizen"]),
        "raw_sqlite": summary(times["raw"]),
        "first_saves_service": summary(first["service"]),
        "first_saves_raw": summary(first["raw"]),
    }
    out["overhead_ratio_p50"] = round(out["service"]["p50"] / out["raw_sqlite"]["p50"], 2)
    out["overhead_ratio_p99"] = round(out["service"]["p99"] / out["raw_sqlite"]["p99"], 2)
    out["overhead_ms_p50"] = round(out["service"]["p50"] - out["raw_sqlite"]["p50"], 3)
    return out


# -- search as you type ---------------------------------------------------------------------------------


def keystrokes(text: str) -> list[str]:
    """What the search box holds after each keystroke, from 2 characters on, skipping repeats after strip()."""
    seen, out = "", []
    for i in range(2, len(text) + 1):
        q = text[:i]
        if len(q.strip()) >= 2 and q.strip() != seen:
            seen = q.strip()
            out.append(q)
    return out


def typing_scenario(rng: random.Random, citizen: tuple) -> tuple[str, str]:
    """(kind, full text typed): a name as agents type it, or a phone number, or an e-mail address."""
    _cid, last, first, phone, email = citizen
    r = rng.random()
    if r < 0.15 and phone:
        national = "0" + phone[3:] if phone.startswith("+33") else phone.lstrip("+")
        if rng.random() < 0.5:
            national = " ".join(national[i : i + 2] for i in range(0, len(national), 2))
        return "phone", national
    if r < 0.30 and email:
        return "email", email
    style = rng.random()
    typed_last = last if style < 0.4 else (last.lower() if style < 0.7 else fold(last))
    if rng.random() < 0.5:
        first_given = first.split()[0] if first else ""
        return "name+first", f"{typed_last} {first_given.lower() if style >= 0.4 else first_given}".strip()
    return "name", typed_last


def bench_search(desk: Desk, rng: random.Random) -> dict:
    search = desk.services.citizens.search
    for q in ("ma", "martin", "06", "dupont je"):  # warm-up
        search(query=q)
    calls: list[dict] = []
    found_at_end: dict[str, list[bool]] = {}
    for citizen in desk.citizens:
        kind, full = typing_scenario(rng, citizen)
        last_result: list = []
        for q in keystrokes(full):
            ms, last_result = timed(search, query=q)
            calls.append({"kind": kind, "chars": len(q.strip()), "ms": ms, "n": len(last_result), "q": q})
        found_at_end.setdefault(kind, []).append(any(c.id == citizen[0] for c in last_result))
    all_ms = [c["ms"] for c in calls]
    by_kind = {k: summary([c["ms"] for c in calls if c["kind"] == k]) for k in sorted({c["kind"] for c in calls})}
    by_chars = {}
    for label, lo, hi in (("2", 2, 2), ("3", 3, 3), ("4-5", 4, 5), ("6+", 6, 999)):
        sel = [c["ms"] for c in calls if lo <= c["chars"] <= hi]
        if sel:
            by_chars[label] = summary(sel)
    slowest = sorted(calls, key=lambda c: c["ms"], reverse=True)[:10]
    return {
        "all": summary(all_ms),
        "typists": len(desk.citizens),
        "by_kind": by_kind,
        "by_chars_typed": by_chars,
        "found_at_end_pct": {k: round(100 * sum(v) / len(v), 1) for k, v in found_at_end.items()},
        "slowest": [{"query": c["q"], "ms": round(c["ms"], 2), "kind": c["kind"]} for c in slowest],
    }


# -- journal of a day ---------------------------------------------------------------------------------


def bench_journal(desk: Desk, rng: random.Random, meta: dict, n_days: int) -> dict:
    journal = desk.services.contacts.journal
    today = clock.local_day(clock.now())
    generated_today = date.fromisoformat(meta["today"]) if meta.get("today") else today
    first_day = date.fromisoformat(meta["first_day"]) if meta.get("first_day") else today - timedelta(days=3650)
    journal(site_id=desk.site_id, day=generated_today)  # warm-up
    main_day = today
    if journal(site_id=desk.site_id, day=today).total < 100 and generated_today != today:
        main_day = generated_today  # the data was generated another day: use its "today"
    days, tries = [], 0
    while len(days) < n_days and tries < 50 * n_days:
        tries += 1
        d = first_day + timedelta(days=rng.randrange(1, (generated_today - first_day).days))
        if d.weekday() < 5:
            days.append(d)
    times: dict[str, list[float]] = {}
    rows_seen: dict[str, list[int]] = {}

    def run(label: str, day: date, **filters: Any) -> None:
        ms, j = timed(journal, site_id=desk.site_id, day=day, **filters)
        times.setdefault(label, []).append(ms)
        rows_seen.setdefault(label, []).append(len(j.rows))

    def variants(day: date, prefix: str) -> None:
        base = journal(site_id=desk.site_id, day=day)
        agents = list({r.agent_id for r in base.rows}) or desk.agent_ids
        run(f"{prefix} no filter", day)
        run(f"{prefix} channel", day, channel=rng.choice(list(Channel)))
        run(f"{prefix} theme", day, theme_id=rng.choice(desk.parent_theme_ids))
        run(f"{prefix} agent", day, agent_id=rng.choice(agents))
        run(f"{prefix} outcome", day, outcome=rng.choice(list(Outcome)))

    for _ in range(20):
        variants(main_day, "today")
    for d in days:
        variants(d, "past day")
    all_ms = [ms for v in times.values() for ms in v]
    return {
        "all": summary(all_ms),
        "today": main_day.isoformat(),
        "today_contacts": journal(site_id=desk.site_id, day=main_day).total,
        "past_days": len(days),
        "by_case": {
            k: {**summary(v), "rows_avg": round(sum(rows_seen[k]) / len(rows_seen[k]), 1)} for k, v in times.items()
        },
    }


# -- cold start -----------------------------------------------------------------------------------------


def cold_start(path: Path, runs: int, timeout_s: float = 60.0) -> dict:
    """Spawn the desk with --startup-probe; wall time until it prints READY <ms>, and the ms it reports."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, "-m", "guichet", "--db", str(path), "desk", "--startup-probe"]
    walls, reported = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        except OSError as exc:
            return {"available": False, "reason": f"cannot spawn: {exc}"}
        lines: queue.Queue[str | None] = queue.Queue()

        def pump(stream: IO[str], sink: queue.Queue[str | None] = lines) -> None:
            for line in stream:
                sink.put(line)
            sink.put(None)

        threading.Thread(target=pump, args=(proc.stdout,), daemon=True).start()
        ready = None
        deadline = t0 + timeout_s
        while ready is None:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.perf_counter()))
            except queue.Empty:
                break
            if line is None:
                break
            if line.startswith("READY"):
                ready = (time.perf_counter() - t0) * 1000, line.split()
        if ready is None:
            proc.kill()
            _out, err = proc.communicate(timeout=10)
            tail = (err or "").strip().splitlines()[-1:] or [f"exit code {proc.returncode}, no READY line"]
            if time.perf_counter() >= deadline:
                tail = [f"no READY line within {timeout_s:.0f} s"]
            return {"available": False, "reason": tail[0][:200]}
        wall_ms, parts = ready
        walls.append(wall_ms)
        with contextlib.suppress(IndexError, ValueError):
            reported.append(float(parts[1]))
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    out = {"available": True, "runs": runs, "wall_ms": summary(walls)}
    if reported:
        out["reported_ms"] = summary(reported)
    return out


# -- report ---------------------------------------------------------------------------------------------


def verdicts(results: dict) -> list[dict]:
    rows = []

    def add(name: str, value: float, target: float) -> None:
        rows.append({"name": name, "value_ms": value, "target_ms": target, "pass": value < target})

    add("contact save p99", results["save"]["service"]["p99"], TARGETS_MS["save_p99"])
    add("citizen search p95", results["search"]["all"]["p95"], TARGETS_MS["search_p95"])
    add("journal of a day p95", results["journal"]["all"]["p95"], TARGETS_MS["journal_p95"])
    add("journal of a day max", results["journal"]["all"]["max"], TARGETS_MS["journal_max"])
    return rows


def print_report(results: dict, targets: list[dict]) -> None:
    def line(label: str, s: dict, extra: str = "") -> None:
        print(f"  {label:<34} {s['n']:>6} {s['p50']:>8.2f} {s['p95']:>8.2f} {s['p99']:>8.2f} {s['max']:>8.2f}  {extra}")

    m = results["meta"]
    print()
    print(
        f"Guichet desk benchmark — {m['db']} ({m['db_mb']} MB, {m['citizens']:,} citizens, {m['contacts']:,} contacts)"
    )
    print(f"{m['platform']}, {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}")
    print()
    print(f"  {'measure (ms)':<34} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    sv = results["save"]
    line("contact save (service)", sv["service"])
    line("  with a citizen", sv["with_citizen"])
    line("  without a citizen", sv["without_citizen"])
    line("  raw sqlite3 INSERT+COMMIT", sv["raw_sqlite"])
    print(
        f"  {'  service / raw':<34} {'':>6} {sv['overhead_ratio_p50']:>7.2f}x {'':>8} {sv['overhead_ratio_p99']:>7.2f}x"
        f"   (+{sv['overhead_ms_p50']:.2f} ms at p50)"
    )
    line("  first saves after open: service", sv["first_saves_service"])
    line("  first saves after open: raw", sv["first_saves_raw"])
    se = results["search"]
    line("citizen search (per keystroke)", se["all"])
    for k, s in se["by_kind"].items():
        line(f"  {k}", s, f"found at end: {se['found_at_end_pct'].get(k, 0)} %")
    for k, s in se["by_chars_typed"].items():
        line(f"  {k} characters typed", s)
    jo = results["journal"]
    line("journal of a day", jo["all"])
    for k, s in jo["by_case"].items():
        line(f"  {k}", s, f"{s['rows_avg']:.0f} rows")
    cs = results["cold_start"]
    if cs.get("available"):
        line("cold start, spawn to READY (wall)", cs["wall_ms"])
        if "reported_ms" in cs:
            line("cold start, as the app reports it", cs["reported_ms"])
    else:
        print(f"  cold start: not available ({cs.get('reason', '?')})")
    print()
    print(f"  {'target':<34} {'value':>9} {'target':>9}  verdict")
    for t in targets:
        print(
            f"  {t['name']:<34} {t['value_ms']:>9.2f} {'< ' + str(t['target_ms']):>9}  {'PASS' if t['pass'] else 'FAIL'}"
        )
    print()
    print("  slowest searches: " + ", ".join(f"{s['query']!r} {s['ms']:.1f} ms" for s in se["slowest"][:6]))


def cleanup(path: Path, ids: list[str]) -> None:
    conn = raw_connection(path)
    conn.execute("BEGIN IMMEDIATE")
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        conn.execute(f"DELETE FROM contact WHERE id IN ({','.join('?' * len(chunk))})", chunk)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(BENCH_DIR / "data" / "scale.sqlite3"))
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--typists", type=int, default=300)
    parser.add_argument("--journal-days", type=int, default=60)
    parser.add_argument("--cold-starts", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--out", default=str(BENCH_DIR / "results" / "desk.json"))
    parser.add_argument("--keep", action="store_true", help="keep the contacts the benchmark saved")
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        print(f"{path} does not exist: run bench/generate.py first", file=sys.stderr)
        return 2
    meta_file = Path(f"{path}.meta.json")
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    desk = open_desk(path, rng, args.typists)
    raw = sqlite3.connect(path)
    n_citizens = raw.execute("SELECT count(*) FROM citizen").fetchone()[0]
    n_contacts = raw.execute("SELECT count(*) FROM contact").fetchone()[0]
    raw.close()
    results: dict = {
        "meta": {
            "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "db": str(path),
            "db_mb": round(path.stat().st_size / 1e6),
            "citizens": n_citizens,
            "contacts": n_contacts,
            "generation": meta,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "args": vars(args),
        }
    }
    created: list[str] = []
    try:
        print("journal of a day...", flush=True)
        results["journal"] = bench_journal(desk, rng, meta, args.journal_days)
        print("citizen search as you type...", flush=True)
        results["search"] = bench_search(desk, rng)
        print("contact saves (service and raw sqlite3, interleaved)...", flush=True)
        results["save"] = bench_saves(desk, path, rng, args.saves, created)
    finally:
        desk.db.close()
        if created and not args.keep:
            cleanup(path, created)
    print("cold start...", flush=True)
    results["cold_start"] = cold_start(path, args.cold_starts)
    results["meta"]["seconds"] = round(time.perf_counter() - t0, 1)
    targets = verdicts(results)
    results["targets"] = targets
    print_report(results, targets)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
