"""Scale data for the benchmarks: ten years of one large town-hall desk.

    python bench/generate.py --out bench/data/scale.sqlite3 [--citizens 200000 --contacts 1500000 --years 10 --seed 1]

The schema comes from the real migrations and the reference data from the demo seed; then
citizens and contacts of the "HDV" site are bulk-inserted with raw sqlite3 ``executemany``,
every value converted exactly as SQLAlchemy stores it on SQLite (checked at the end by reading
rows back through the ORM and re-encoding them with SQLAlchemy's own bind processors):

- Uuid -> 32 lowercase hex digits, no dashes; ids are UUIDv7 stamped with the row's own
  creation time (see uuid7.py), so the primary-key indexes look ten years old, not one day old;
- UTCDateTime -> naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff';
- enums -> their ``.value``.

The citizen FTS index is filled by the schema's own triggers, as in the app.

Distributions (see the tables below): working days, Saturday mornings outside summer, no
public holidays; arrivals by hour per channel (demo.HOUR_WEIGHTS for the counter and the
phone); a channel mix drifting over the years from counter/phone towards e-mail and web
(about 40 % counter and 30 % phone overall); the demo's typical situations plus the other
sub-themes, with seasons (school enrolment in spring, OTV before the summer, electoral
registration before each election, the 2020 lockdown); about 60 % of contacts with a
citizen (always for mail, e-mail and SMS, as the contact service requires); a citizen
record is created at the citizen's first contact unless it came with the initial import.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import sqlite3
import sys
import time
import uuid
from collections import Counter as Tally
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from scale_profile import (
    ALL_SITUATIONS,
    BASE_WEIGHT,
    CITIZEN_SHARE,
    ELECTIONS,
    HOURS_SATURDAY,
    HOURS_WEEKDAY,
    LOCKDOWN,
    LOCKDOWN_CHANNEL,
    MIX_END,
    MIX_SATURDAY,
    MIX_START,
    MONTH_FACTOR,
    NEIGHBOUR_TOWNS,
    NOTES,
    SEASON,
    WEEKDAY_FACTOR,
    YEARLY_GROWTH,
)
from sqlalchemy import select
from uuid7 import Uuid7Factory, check_layout_against_new_id

from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.domain import Channel, Civility, Outcome, PreferredChannel, Role
from guichet.models import Agent, Citizen, Contact, ExternalBody, Site, Theme
from guichet.services import Services, clock
from guichet.services.auth import hash_password
from guichet.services.citizens import citizen_search_text
from guichet.services.demo import DEMO_PASSWORD, seed_reference
from guichet.services.names import EMAIL_DOMAINS, FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, STREETS
from guichet.text import fold

C = Channel

INSERT_CITIZEN = (
    "INSERT INTO citizen (id, created_at, updated_at, deleted_at, civility, last_name, first_names, phone, email, "
    "address, postal_code, city, preferred_channel, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
INSERT_CONTACT = (
    "INSERT INTO contact (id, created_at, updated_at, deleted_at, channel, started_at, duration_s, site_id, agent_id, "
    "citizen_id, theme_id, subject, notes, outcome, oriented_service_id, oriented_body_id) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_EPOCH = datetime(1970, 1, 1)
_US = 1_000_000


def ts(us: int) -> str:
    """UTC microseconds since the epoch as SQLAlchemy's DateTime stores it on SQLite."""
    return (_EPOCH + timedelta(microseconds=us)).isoformat(" ", "microseconds")


def cumulative(weights: dict) -> tuple[list, list[float]]:
    keys, cum, total = [], [], 0.0
    for k, w in weights.items():
        if w > 0:
            total += w
            keys.append(k)
            cum.append(total)
    return keys, cum


def pick(rng: random.Random, table: tuple[list, list[float]]) -> Any:
    keys, cum = table
    return keys[bisect.bisect_right(cum, rng.random() * cum[-1])]


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    n = h + ell - 7 * m + 114
    return date(year, n // 31, n % 31 + 1)


def public_holidays(year: int) -> set[date]:
    e = easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    return {date(year, m, d) for m, d in fixed} | {
        e + timedelta(days=1),
        e + timedelta(days=39),
        e + timedelta(days=50),
    }


def utc_midnight_us(day: date) -> int:
    """UTC microseconds of the Paris midnight of ``day`` (offset taken at noon: DST never moves office hours)."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=clock.PARIS)
    offset = noon.utcoffset() or timedelta(0)
    local_midnight = datetime(day.year, day.month, day.day) - offset
    delta = local_midnight - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US


# -- plan: how many contacts each day ----------------------------------------------------------------


def day_kind(day: date, holidays: set[date]) -> str | None:
    if day in holidays or day.weekday() == 6:
        return None
    if day.weekday() == 5:
        return None if day.month in (7, 8) else "saturday"
    return "weekday"


def plan_days(start: date, today: date, total: int, today_count: int, rng: random.Random) -> list[tuple[date, int]]:
    """Contacts per open day, summing exactly to ``total`` (``today_count`` of them today, whatever today is)."""
    holidays: set[date] = set()
    for y in range(start.year, today.year + 1):
        holidays |= public_holidays(y)
    days, weights = [], []
    day = start
    while day < today:
        kind = day_kind(day, holidays)
        if kind is not None:
            w = WEEKDAY_FACTOR[day.weekday()] * MONTH_FACTOR[day.month - 1]
            w *= (1 + YEARLY_GROWTH) ** ((day - start).days / 365.25)
            if LOCKDOWN[0] <= day <= LOCKDOWN[1]:
                w *= 0.45
            w *= max(0.3, rng.gauss(1.0, 0.12))  # day-to-day noise
            days.append(day)
            weights.append(w)
        day += timedelta(days=1)
    rest = max(0, total - today_count)
    scale = rest / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    short = rest - sum(counts)
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[:short]:
        counts[i] += 1
    return [*zip(days, counts, strict=True), (today, min(total, today_count))]


def situation_tables(start: date, today: date) -> dict[tuple[int, int], dict[Channel, tuple[list, list[float]]]]:
    """For each month, P(situation | channel): base weight x season x elections x the situation's channel weight."""
    election_months: dict[tuple[int, int], float] = {}
    for y, m in ELECTIONS:
        for back, boost in ((0, 3.0), (1, 6.0), (2, 4.0)):
            yy, mm = (y, m - back) if m - back >= 1 else (y - 1, m - back + 12)
            election_months[(yy, mm)] = max(election_months.get((yy, mm), 1.0), boost)
    tables = {}
    y, m = start.year, start.month
    while (y, m) <= (today.year, today.month):
        per_channel: dict[Channel, dict[int, float]] = {c: {} for c in Channel}
        for i, (code, channels, _outcome, _subject, _body) in enumerate(ALL_SITUATIONS):
            w = BASE_WEIGHT[code] * SEASON.get(code, [1] * 12)[m - 1]
            if code.startswith("elections."):
                w *= election_months.get((y, m), 1.0) * (2.0 if code == "elections.procuration" else 1.0)
            for channel, cw in channels.items():
                per_channel[channel][i] = w * cw
        tables[(y, m)] = {c: cumulative(ws) for c, ws in per_channel.items() if ws}
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return tables


# -- people -------------------------------------------------------------------------------------------


class People:
    """Citizens: an initial import, then one new record at a citizen's first contact.

    Mirrors demo.random_citizen (same name lists and the same gaps: ~85 % with a phone,
    ~60 % with an e-mail) but yields rows ready for executemany.
    """

    def __init__(self, rng: random.Random, ids: Uuid7Factory, total: int) -> None:
        self.rng, self.ids, self.total = rng, ids, total
        self.created = 0
        self.active: list[tuple[str, bool, bool]] = []  # (id hex, has e-mail, has phone), in creation order
        self.pending: list[list] = []  # new rows of the current batch: [created_us, fields..., id]

    def new(
        self, created_us: int, *, need_email: bool = False, need_phone: bool = False, deleted_us: int | None = None
    ) -> list:
        rng = self.rng
        female = rng.random() < 0.52
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        if rng.random() < 0.06:  # a second given name
            first = f"{first} {rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)}"
        last = rng.choice(LAST_NAMES)
        if rng.random() < 0.03:  # double family name
            last = f"{last}-{rng.choice(LAST_NAMES)}"
        phone = ""
        if need_phone or rng.random() < 0.85:
            phone = "+33" + rng.choice("67") + f"{rng.randrange(100_000_000):08d}"
        email = ""
        if need_email or rng.random() < 0.6:
            email = f"{fold(first).replace(' ', '')}.{fold(last).replace(' ', '')}{rng.randrange(100)}@{rng.choice(EMAIL_DOMAINS)}"
        address = f"{rng.randrange(1, 180)} {rng.choice(STREETS)}"
        postal_code, city = ("69200", "Vénissieux") if rng.random() < 0.9 else rng.choice(NEIGHBOUR_TOWNS)
        preferred = rng.choice([PreferredChannel.POST, PreferredChannel.PHONE])
        if email and rng.random() < 0.6:
            preferred = PreferredChannel.EMAIL
        elif phone and rng.random() < 0.3:
            preferred = PreferredChannel.SMS
        if not phone and preferred in (PreferredChannel.PHONE, PreferredChannel.SMS):
            preferred = PreferredChannel.POST
        search = citizen_search_text(last_name=last, first_names=first, phone=phone, email=email, address=address)
        civility = (Civility.MADAME if female else Civility.MONSIEUR).value
        rec = [created_us, deleted_us, civility, last, first, phone, email, address, postal_code, city,
               preferred.value, search, None]  # fmt: skip
        self.pending.append(rec)
        self.created += 1
        if deleted_us is None:
            self.active.append((rec, bool(email), bool(phone)))  # id filled in by flush_ids
        return rec

    def pick_existing(self, need_email: bool, need_phone: bool) -> list | None:
        """A known citizen; recent records come back more often (a family following a procedure)."""
        rng, active = self.rng, self.active
        n = len(active)
        window = max(50, n // 50)
        for _ in range(20):
            if rng.random() < 0.35:
                rec, has_email, has_phone = active[n - 1 - int(rng.random() * min(window, n))]
            else:
                rec, has_email, has_phone = active[int(rng.random() * n)]
            if (has_email or not need_email) and (has_phone or not need_phone):
                return rec
        return None

    def flush_ids(self) -> list[tuple]:
        """Give the batch's new citizens their ids in creation order; return their insert rows."""
        self.pending.sort(key=lambda r: r[0])
        rows = []
        for rec in self.pending:
            created_us, deleted_us = rec[0], rec[1]
            rec[-1] = self.ids.hex_at_ms(created_us // 1000)
            updated = ts(deleted_us) if deleted_us else ts(created_us)
            rows.append(
                (rec[-1], ts(created_us), updated, ts(deleted_us) if deleted_us else None, *rec[2:12])
            )  # fmt: skip
        self.pending = []
        return rows


# -- generation ---------------------------------------------------------------------------------------


def duration_s(rng: random.Random, channel: Channel) -> int:
    if channel is C.IN_PERSON:
        return min(3600, max(45, int(rng.lognormvariate(math.log(360), 0.6))))
    if channel is C.PHONE:
        return min(1800, max(20, int(rng.lognormvariate(math.log(200), 0.6))))
    if channel is C.SMS:
        return rng.randint(20, 120)
    return rng.randint(60, 360)


def make_agents(
    db: Database, rng: random.Random, ids: Uuid7Factory, site_id: uuid.UUID, start: date, today: date
) -> list[tuple[str, date, date]]:
    """Extra HDV agents with staggered tenures (about ten at the desk on any day)."""
    pw = hash_password(DEMO_PASSWORD)
    span = (today - start).days
    agents = []
    with db.write() as s:
        for n in range(1, 25):
            begin = start + timedelta(days=int((n - 5) * span / 20 + rng.randint(-60, 60)))
            end = begin + timedelta(days=rng.randint(3 * 365, 8 * 365))
            first = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)
            last = rng.choice(LAST_NAMES)
            hired = datetime.combine(max(begin, start), datetime.min.time(), tzinfo=clock.PARIS).astimezone(UTC)
            agent = Agent(
                id=ids.at(hired), created_at=hired, updated_at=hired, login=f"hdv{n:02d}", first_name=first,
                last_name=last, role=Role.AGENT, password_hash=pw, site_id=site_id, active=end > today,
            )  # fmt: skip
            s.add(agent)
            agents.append((agent.id.hex, begin, end))
        for agent in s.scalars(select(Agent).where(Agent.site_id == site_id, Agent.role != Role.ADMIN)):
            if not agent.login.startswith("hdv"):
                agents.append((agent.id.hex, start, today + timedelta(days=1)))  # demo agents: all along
    return agents


def generate(args: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    check_layout_against_new_id()
    rng = random.Random(args.seed)

    db = Database.open(out)
    upgrade(db.engine)
    seed_reference(db)
    today = clock.local_day(clock.now())
    try:
        start = today.replace(year=today.year - args.years)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - args.years, day=28)
    with db.read() as s:
        site = s.scalars(select(Site).where(Site.code == "HDV")).one()
        themes = {t.code: t for t in s.scalars(select(Theme))}
        bodies = {b.name: b.id.hex for b in s.scalars(select(ExternalBody))}
    site_hex = site.id.hex
    agents = make_agents(db, rng, Uuid7Factory(rng), site.id, start, today)
    db.close()
    print(f"schema + reference data + {len(agents)} agents: {time.perf_counter() - t0:.1f} s", flush=True)

    # Per situation: theme id, outcome, subject, orientation ids.
    sit = []
    for code, _channels, outcome, subject, body in ALL_SITUATIONS:
        theme = themes[code]
        parent = themes.get(code.split(".")[0]) if "." in code else None
        service = theme.default_service_id or (parent.default_service_id if parent else None)
        sit.append((theme.id.hex, outcome, subject, service.hex if service else None, bodies[body] if body else None))
    fallback_service = {i: s[3] for i, s in enumerate(sit)}

    plan = plan_days(start, today, args.contacts, args.today, rng)
    tables = situation_tables(start, today)
    hours = {c: cumulative(h) for c, h in HOURS_WEEKDAY.items()}
    hours_sat = cumulative(HOURS_SATURDAY)
    mix_sat = cumulative(MIX_SATURDAY)

    conn = sqlite3.connect(out, isolation_level=None)
    # A fresh file that nobody else uses: durability during the load is not needed (WAL stays on, in the file).
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("PRAGMA foreign_keys = ON")
    # Ten years of history are not changes to push: capture is off during the load (as when sync applies
    # rows from the central database), so the outbox does not fill with 1.7 million rows.
    conn.execute("UPDATE sync_state SET applying = 1 WHERE id = 1")
    conn.execute("BEGIN")

    people = People(rng, Uuid7Factory(rng), args.citizens)
    contact_ids = Uuid7Factory(rng)
    day0_us = utc_midnight_us(start)
    imported = int(args.citizens * 0.3)
    for n in range(imported):  # initial import, early on the first morning; a few duplicates removed a month later
        deleted = day0_us + 30 * 86_400 * _US + n if rng.random() < 0.003 else None
        people.new(day0_us + 6 * 3600 * _US + n * 1000, deleted_us=deleted)
    conn.executemany(INSERT_CITIZEN, people.flush_ids())
    print(f"initial import: {imported:,} citizens", flush=True)

    remaining_contacts = args.contacts
    expected_share = 0.6
    stats = Tally()
    contact_rows: list[tuple] = []
    since_commit = 0
    last_year = None
    for day, count in plan:
        if last_year != day.year:
            print(
                f"  {day.year}: {stats['contacts']:>9,} contacts, {people.created:>7,} citizens "
                f"({time.perf_counter() - t0:5.1f} s)",
                flush=True,
            )
            last_year = day.year
        saturday = day.weekday() == 5
        midnight = utc_midnight_us(day)
        t_frac = (day - start).days / max(1, (today - start).days)
        if saturday:
            mix = mix_sat
        else:
            weights = {c: MIX_START[c] + (MIX_END[c] - MIX_START[c]) * t_frac for c in Channel}
            if LOCKDOWN[0] <= day <= LOCKDOWN[1]:
                weights = {c: w * LOCKDOWN_CHANNEL[c] for c, w in weights.items()}
            mix = cumulative(weights)
        by_channel = tables[(day.year, day.month)]
        working = [a for a, begin, end in agents if begin <= day < end]
        specs = []
        for _ in range(count):
            channel = pick(rng, mix)
            i = pick(rng, by_channel[channel])
            hour = pick(rng, hours_sat if saturday else hours[channel])
            minute = rng.randrange(30, 60) if hour == 8 else rng.randrange(60)
            started = midnight + ((hour * 60 + minute) * 60 + rng.randrange(60)) * _US + rng.randrange(_US)
            dur = duration_s(rng, channel)
            created = started + (dur + rng.randint(5, 120)) * _US + rng.randrange(_US)
            specs.append((created, started, dur, channel, i))
        specs.sort()
        # Citizens: a new record at a first contact, at the rate that lands on the requested total.
        to_create = args.citizens - people.created
        p_new = min(1.0, to_create / max(1.0, remaining_contacts * expected_share))
        remaining_contacts -= count
        citizens_of = []
        for created, started, _dur, channel, _i in specs:
            rec = None
            if rng.random() < CITIZEN_SHARE[channel]:
                need_email, need_phone = channel is C.EMAIL, channel is C.SMS
                if people.created < args.citizens and (rng.random() < p_new or not people.active):
                    rec = people.new((started + created) // 2, need_email=need_email, need_phone=need_phone)
                else:
                    rec = people.pick_existing(need_email, need_phone)
                    if rec is None and people.created < args.citizens:
                        rec = people.new((started + created) // 2, need_email=need_email, need_phone=need_phone)
            citizens_of.append(rec)
        citizen_rows = people.flush_ids()
        if citizen_rows:
            conn.executemany(INSERT_CITIZEN, citizen_rows)
        for (created, started, dur, channel, i), rec in zip(specs, citizens_of, strict=True):
            if rec is None and channel in (C.MAIL, C.EMAIL, C.SMS):
                continue  # cannot happen once the first citizens exist; keeps the service's rule true
            theme_hex, outcome, subject, service_hex, body_hex = sit[i]
            r = rng.random()
            if r < 0.12 and outcome is not Outcome.ANSWERED:
                outcome = Outcome.ANSWERED
            elif r < 0.18 and outcome is not Outcome.ORIENTED_SERVICE and fallback_service[i]:
                outcome = Outcome.ORIENTED_SERVICE
            oriented_service = service_hex if outcome in (Outcome.ORIENTED_SERVICE, Outcome.REQUEST_OPENED) else None
            oriented_body = body_hex if outcome is Outcome.ORIENTED_EXTERNAL else None
            if outcome is Outcome.ORIENTED_EXTERNAL and oriented_body is None:
                outcome = Outcome.ANSWERED
            updated = created
            deleted = None
            r = rng.random()
            if r < 0.001:
                deleted = updated = created + rng.randint(60, 1800) * _US
            elif r < 0.05:
                updated = created + rng.randint(60, 7200) * _US
            notes = rng.choice(NOTES) if rng.random() < 0.35 else ""
            contact_rows.append(
                (contact_ids.hex_at_ms(created // 1000), ts(created), ts(updated), ts(deleted) if deleted else None,
                 channel.value, ts(started), dur, site_hex, rng.choice(working), rec[-1] if rec else None, theme_hex,
                 subject if rng.random() > 0.05 else "", notes, outcome.value, oriented_service, oriented_body)
            )  # fmt: skip
            stats["contacts"] += 1
            stats[channel.value] += 1
            stats["with_citizen"] += rec is not None
        if len(contact_rows) >= 50_000:
            conn.executemany(INSERT_CONTACT, contact_rows)
            since_commit += len(contact_rows)
            contact_rows = []
            if since_commit >= 300_000:
                conn.execute("COMMIT")
                conn.execute("BEGIN")
                since_commit = 0
    # Citizens nobody contacted yet (rounding of the adaptive rate): registered on the last evening.
    last_evening = utc_midnight_us(today) + 18 * 3600 * _US
    while people.created < args.citizens:
        people.new(last_evening + people.created)
    rows = people.flush_ids()
    if rows:
        conn.executemany(INSERT_CITIZEN, rows)
    if contact_rows:
        conn.executemany(INSERT_CONTACT, contact_rows)
    conn.execute("COMMIT")
    conn.execute("UPDATE sync_state SET applying = 0 WHERE id = 1")
    load_s = time.perf_counter() - t0
    print(f"loaded {stats['contacts']:,} contacts, {people.created:,} citizens in {load_s:.1f} s", flush=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()

    verify(out, today)
    total_s = time.perf_counter() - t0
    size = out.stat().st_size
    channel_mix = {c.value: round(stats[c.value] / stats["contacts"] * 100, 1) for c in Channel}
    meta = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "args": vars(args),
        "today": today.isoformat(),
        "first_day": start.isoformat(),
        "citizens": people.created,
        "contacts": stats["contacts"],
        "contacts_today": plan[-1][1],
        "with_citizen_pct": round(stats["with_citizen"] / stats["contacts"] * 100, 1),
        "channel_mix_pct": channel_mix,
        "agents_hdv": len(agents),
        "seconds": round(total_s, 1),
        "db_bytes": size,
    }
    Path(f"{out}.meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print(f"channel mix %: {channel_mix}; with a citizen: {meta['with_citizen_pct']} %")
    print(f"done in {total_s:.1f} s; {out} is {size / 1e6:,.0f} MB")
    return meta


# -- verification -------------------------------------------------------------------------------------


def verify(path: Path, today: date) -> None:
    """Read rows back through the ORM, re-encode them with SQLAlchemy's bind processors, compare with the file."""
    db = Database.open(path)
    dialect = db.engine.dialect
    raw = sqlite3.connect(path)
    checked = 0
    for model in (Citizen, Contact):
        table = model.__table__
        cols = [c.name for c in table.columns]
        n = raw.execute(f"SELECT max(rowid) FROM {table.name}").fetchone()[0]
        rowids = sorted({1, n, *random.Random(7).sample(range(1, n + 1), 200)})
        marks = ",".join("?" * len(rowids))
        at = cols.index("id")
        stored = {
            r[at]: r
            for r in raw.execute(f"SELECT {', '.join(cols)} FROM {table.name} WHERE rowid IN ({marks})", rowids)
        }
        with db.read() as s:
            objs = [s.get(model, uuid.UUID(key)) for key in stored]
            for obj in objs:
                row = stored[obj.id.hex]
                for i, col in enumerate(table.columns):
                    value = getattr(obj, col.key)
                    proc = col.type.dialect_impl(dialect).bind_processor(dialect)
                    encoded = proc(value) if proc and value is not None else value
                    if encoded != row[i]:
                        raise AssertionError(f"{table.name}.{col.name}: stored {row[i]!r}, ORM re-encodes {encoded!r}")
                checked += 1
    # The FTS triggers filled the index, and the real search finds a citizen typed the way an agent would.
    # FTS5's own check compares the index with the citizen table it indexes (raises if they differ).
    raw.execute("INSERT INTO citizen_fts(citizen_fts, rank) VALUES ('integrity-check', 1)")
    last_name, first, phone = raw.execute(
        "SELECT last_name, first_names, phone FROM citizen WHERE deleted_at IS NULL AND phone != '' "
        "ORDER BY rowid DESC LIMIT 1"
    ).fetchone()
    services = Services.on(db)
    found = services.citizens.search(query="0" + phone[3:])
    if not any(c.last_name == last_name and c.first_names == first for c in found):
        raise AssertionError(f"search by phone did not find {last_name} {first}")
    with db.read() as s:
        site_id = s.scalars(select(Site.id).where(Site.code == "HDV")).one()
    journal = services.contacts.journal(site_id=site_id, day=today)
    raw.close()
    db.close()
    print(f"verified: {checked} rows re-encoded identically through the ORM; FTS index consistent; "
          f"journal of {today}: {journal.total} contacts", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bench/data/scale.sqlite3")
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=1_500_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--today", type=int, default=500, help="contacts of today (a normal day)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args)


if __name__ == "__main__":
    sys.exit(main())
