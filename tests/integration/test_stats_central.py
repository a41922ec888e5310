"""Statistics on the central PostgreSQL database: closed parts cached, checked against the day stamps (c0009).

Every cached report is compared with the same report aggregated in one pass (``StatsService(cached=False)``),
after rows arrive late through a real synchronisation: a contact of a closed month, then its correction, then
its deletion, a counter session, a queue's new target.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, select

import guichet.services.stats as stats_module
from guichet.db import Database
from guichet.domain import Channel, Outcome, RequestStatus
from guichet.models import Agent, Commune, Contact, ExternalBody, FollowUpRequest, MunicipalService, Site, Theme
from guichet.services.casework_history import seed_casework_history
from guichet.services.clock import PARIS, local_day
from guichet.services.queue_seed import seed_ticket_history
from guichet.services.stats import StatsService
from guichet.services.stats_prepare import prepare_central
from guichet.sync.push import upsert_sql
from guichet.sync.tables import SPECS

NOW = datetime(2026, 3, 18, 10, 0, tzinfo=PARIS).astimezone(UTC)  # a Wednesday
TODAY = local_day(NOW)
PUSHED = ("counter_session", "ticket", "contact", "request", "mail_item")


def _clock() -> datetime:
    return NOW


@pytest.fixture(scope="module")
def history_file(reference_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference world plus 75 days of tickets, counter sessions, contacts, follow-up requests and mail at
    VEN-HDV and VEN-MAV."""
    path = tmp_path_factory.mktemp("stats-central") / "history.sqlite3"
    shutil.copyfile(reference_db, path)
    db = Database.open(path)
    assert seed_ticket_history(db, days=75, clock=_clock) > 1000
    assert seed_casework_history(db, days=75, per_day=4, sites=("HDV", "MAV"), clock=_clock)[0] > 300
    rng = random.Random(9)
    with db.write() as s:
        ven = s.scalars(select(Commune.id).where(Commune.code == "VEN")).one()
        sites = {x.code: x.id for x in s.scalars(select(Site).where(Site.commune_id == ven))}
        agents = list(s.scalars(select(Agent.id)))
        themes = list(s.scalars(select(Theme.id).where(Theme.parent_id.is_not(None))))
        services = list(s.scalars(select(MunicipalService.id)))
        bodies = list(s.scalars(select(ExternalBody.id)))
        for _ in range(3000):
            day = TODAY - timedelta(days=rng.randrange(0, 75))
            outcome = rng.choice(list(Outcome))
            s.add(
                Contact(
                    channel=rng.choice(list(Channel)), site_id=sites[rng.choice(("HDV", "HDV", "MAV"))],
                    started_at=datetime(day.year, day.month, day.day, rng.randrange(8, 18), rng.randrange(60),
                                        tzinfo=PARIS),
                    agent_id=rng.choice(agents), theme_id=rng.choice(themes), outcome=outcome,
                    oriented_service_id=rng.choice(services) if outcome == Outcome.ORIENTED_SERVICE else None,
                    oriented_body_id=rng.choice(bodies) if outcome == Outcome.ORIENTED_EXTERNAL else None,
                )
            )  # fmt: skip
    db.close()
    return path


def _rows_json(source: Path, table: str, site_code: str) -> str:
    """The rows of one site as its capture triggers write them (the JSON a push sends)."""
    pairs = ", ".join(f"'{c}', {c}" for c in SPECS[table].columns)
    site = "(SELECT s.id FROM site s JOIN commune c ON c.id = s.commune_id WHERE c.code = 'VEN' AND s.code = ?)"
    where = f"counter_id IN (SELECT id FROM counter WHERE site_id = {site})" if table == "counter_session" else (
        f"site_id = {site}")  # fmt: skip
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in conn.execute(
            f"SELECT json_object({pairs}) FROM {table} WHERE {where}", (site_code,)
        )]  # fmt: skip
    finally:
        conn.close()
    return "[" + ",".join(rows) + "]"


@pytest.fixture
def central_db(central, history_file: Path) -> Iterator[Database]:  # noqa: ANN001
    """The central with the history pushed by each site's role, through the push's own statement."""
    for code in ("HDV", "MAV"):
        with central.as_site(f"VEN-{code}") as conn, conn.transaction():
            for table in PUSHED:
                conn.execute(upsert_sql(table), (_rows_json(history_file, table, code),))
    engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(central.admin_url))
    yield Database(engine)
    engine.dispose()


def _same(a, b) -> bool:  # noqa: ANN001
    return (a.contacts, a.tickets, a.sites, a.staffing, a.requests, a.mail) == (
        b.contacts, b.tickets, b.sites, b.staffing, b.requests, b.mail,
    )  # fmt: skip


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[date, date]]:
    """The parts the service reads from the tables (not from the cache)."""
    calls: list[tuple[date, date]] = []
    real = stats_module.aggregate

    def counting(s, sites, first, last, **kw):  # noqa: ANN001, ANN202
        calls.append((first, last))
        return real(s, sites, first, last, **kw)

    monkeypatch.setattr(stats_module, "aggregate", counting)
    return calls


def test_cached_figures_equal_the_direct_ones_and_follow_late_rows(central, central_db, make_site, computed):
    with central_db.read() as s:
        supervisor = s.scalars(select(Agent.id).where(Agent.login == "sperrin")).one()
    ask = dict(agent_id=supervisor, start=date(2026, 1, 5), end=TODAY)
    direct = StatsService(central_db, clock=_clock, cached=False)

    def check() -> object:
        """A new session's report: the same figures as the direct computation (``computed``: the parts it read
        from the tables)."""
        computed.clear()
        report = StatsService(central_db, clock=_clock).report(**ask)
        parts = list(computed)
        assert _same(report, direct.report(**ask))
        computed[:] = parts
        return report

    first = check()
    assert first.contacts.total > 2000 and first.tickets.issued > 1000
    closed = [c for c in computed if c[1] <= TODAY - timedelta(days=2)]
    assert (date(2026, 1, 5), date(2026, 1, 11)) in closed and (date(2026, 2, 1), date(2026, 2, 28)) in closed
    with central.admin() as conn:
        assert conn.execute("SELECT count(*) FROM stats_cache").fetchone()[0] == len(closed) + 1  # the parts, the sum
        assert conn.execute("SELECT count(*) FROM stats_day_stamp").fetchone()[0] > 100
    check()
    assert computed == [(TODAY - timedelta(days=1), TODAY)], "a new session computes only the open days"

    # A contact of January, logged at VEN-HDV while it was offline, arrives with a late synchronisation.
    site = make_site("VEN-HDV")
    assert site.service.run_round().errors == ()
    with site.db.write() as s:
        agent, hdv = s.execute(select(Agent.id, Agent.site_id).where(Agent.login == "mdurand")).one()
        theme = s.scalars(select(Theme.id).where(Theme.code == "etat_civil.naissance")).one()
        late = Contact(channel=Channel.MAIL, started_at=datetime(2026, 1, 20, 23, 30, tzinfo=PARIS), site_id=hdv,
                       agent_id=agent, theme_id=theme, outcome=Outcome.ANSWERED)  # fmt: skip
        s.add(late)
    assert site.service.run_round().errors == ()
    after = check()
    assert after.contacts.total == first.contacts.total + 1
    assert computed == [(date(2026, 1, 19), date(2026, 1, 25)), (TODAY - timedelta(days=1), TODAY)]

    # Corrected at the site: a quarter past midnight on 1 February in Paris (still 31 January in UTC), another
    # outcome; then deleted.
    with site.db.write() as s:
        row = s.get(Contact, late.id)
        body = s.scalars(select(ExternalBody.id).limit(1)).one()
        row.started_at = datetime(2026, 2, 1, 0, 15, tzinfo=PARIS)
        row.outcome, row.oriented_body_id = Outcome.ORIENTED_EXTERNAL, body
    assert site.service.run_round().errors == ()
    moved = check()
    assert computed[:2] == [(date(2026, 1, 19), date(2026, 1, 25)), (date(2026, 2, 1), date(2026, 2, 28))]
    assert moved.contacts.total == after.contacts.total
    with site.db.write() as s:
        s.get(Contact, late.id).deleted_at = NOW
    assert site.service.run_round().errors == ()
    assert check().contacts.total == first.contacts.total

    # A request opened in January, answered at the site weeks later and synchronised: January is computed again.
    with site.db.write() as s:
        owed = s.scalars(
            select(FollowUpRequest).where(
                FollowUpRequest.site_id == hdv, FollowUpRequest.is_open == 1,
                FollowUpRequest.opened_at >= datetime(2026, 1, 5, tzinfo=PARIS),
                FollowUpRequest.opened_at < datetime(2026, 1, 19, tzinfo=PARIS),
            )
        ).first()  # fmt: skip
        assert owed is not None, "the site holds its commune's requests"
        owed.status, owed.is_open, owed.answered_at = RequestStatus.ANSWERED, 0, NOW
    assert site.service.run_round().errors == ()
    answered = check()
    assert answered.requests.total.answered == first.requests.total.answered + 1
    assert computed[0][0] <= local_day(owed.opened_at) <= computed[0][1] and len(computed) == 2

    # A counter session of February pushed late (the site's role writes it as a push does), then a queue's new target.
    with central.as_site("VEN-HDV") as conn, conn.transaction():
        counter = conn.execute(
            "SELECT id FROM counter WHERE site_id = (SELECT sync_site()) ORDER BY number LIMIT 1"
        ).fetchone()[0]
        session = {
            "id": "0" * 31 + "1", "created_at": "2026-02-12 07:00:00.000000", "updated_at": "2026-02-12 16:00:00.000000",
            "deleted_at": None, "counter_id": counter.hex, "agent_id": agent.hex,
            "opened_at": "2026-02-12 07:00:00.000000", "closed_at": "2026-02-12 16:00:00.000000",
        }  # fmt: skip
        conn.execute(
            upsert_sql("counter_session"),
            (json.dumps([{c: session.get(c) for c in SPECS["counter_session"].columns}]),),
        )
    check()
    assert computed == [(date(2026, 2, 1), date(2026, 2, 28)), (TODAY - timedelta(days=1), TODAY)]
    with central.admin() as conn:
        conn.execute("UPDATE queue SET target_wait_min = target_wait_min + 5")
    check()
    assert len(computed) > 3, "a queue's target changes every part"


def test_the_nightly_task_of_the_central_prepares_ten_years(central, central_db, computed):
    done = prepare_central(central.admin_url, clock=_clock)
    assert [d.commune for d in done] == ["Vénissieux"] and len(done[0].periods) == 4
    with central_db.read() as s:
        supervisor = s.scalars(select(Agent.id).where(Agent.login == "sperrin")).one()
    computed.clear()
    report = StatsService(central_db, clock=_clock).report(agent_id=supervisor, start=TODAY - timedelta(days=3650),
                                                           end=TODAY)  # fmt: skip
    assert computed == [(TODAY - timedelta(days=1), TODAY)], "the morning: only the open days"
    assert report.tickets.issued > 1000


def test_requests_and_mail_give_the_same_figures_on_both_databases(central_db, history_file):
    """Delays in days and deadlines are computed by each dialect (``stats_casework``): the same rows give the same
    figures on the site's SQLite file and on the central, for a site and for the commune."""
    site = Database.open(history_file)
    try:
        with site.read() as s:
            supervisor = s.scalars(select(Agent.id).where(Agent.login == "sperrin")).one()
            hdv = s.scalars(
                select(Site.id)
                .join(Commune, Commune.id == Site.commune_id)
                .where(Commune.code == "VEN", Site.code == "HDV")
            ).one()
        for scope in (hdv, None):
            ask = dict(agent_id=supervisor, start=TODAY - timedelta(days=60), end=TODAY, site_id=scope)
            local = StatsService(site, clock=_clock).report(**ask)
            central = StatsService(central_db, clock=_clock).report(**ask)
            assert local.requests.total.opened > 100 and local.requests.total.answered_late > 0
            assert local.mail.incoming.count > 100 and local.requests.by_channel[0].delay.count > 0
            assert central.requests == local.requests
            assert central.mail == local.mail
    finally:
        site.close()


def test_site_roles_neither_read_nor_write_the_statistics(central):
    with central.as_site("VEN-HDV") as conn:
        for sql in (
            "SELECT count(*) FROM stats_cache",
            "SELECT count(*) FROM stats_day_stamp",
            "INSERT INTO stats_day_stamp VALUES ((SELECT sync_site()), CURRENT_DATE, 1)",
            "DELETE FROM stats_cache",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    with central.admin() as conn:
        assert conn.execute("SELECT count(*) FROM stats_day_stamp").fetchone()[0] == 0


def test_stamps_follow_each_change_of_a_day(central):
    """Insert, update (both days) and delete stamp the (site, Paris day) of the rows, once per statement."""
    with central.as_site("VEN-MAV") as conn, conn.transaction():
        site, agent = conn.execute(
            "SELECT sync_site(), (SELECT id FROM agent WHERE site_id = sync_site() LIMIT 1)"
        ).fetchone()
        theme = conn.execute("SELECT id FROM theme WHERE parent_id IS NOT NULL LIMIT 1").fetchone()[0]
        rows = [
            {"id": f"{i:032x}", "created_at": at, "updated_at": at, "deleted_at": None, "channel": "telephone",
             "started_at": at, "duration_s": 60, "site_id": site.hex, "agent_id": agent.hex, "citizen_id": None,
             "theme_id": theme.hex, "subject": "", "notes": "", "outcome": "reponse_immediate",
             "oriented_service_id": None, "oriented_body_id": None, "ticket_id": None}
            for i, at in enumerate(("2026-02-10 09:00:00.000000", "2026-02-10 22:59:00.000000",
                                    "2026-02-10 23:00:00.000000"), start=1)  # 23:00 UTC: the 11th in Paris
        ]  # fmt: skip
        full = [{c: r.get(c) for c in SPECS["contact"].columns} for r in rows]
        conn.execute(upsert_sql("contact"), (json.dumps(full),))
    with central.admin() as conn:
        stamps = dict(conn.execute("SELECT day, stamp FROM stats_day_stamp").fetchall())
        assert set(stamps) == {date(2026, 2, 10), date(2026, 2, 11)}
        conn.execute("UPDATE contact SET started_at = '2026-03-01 10:00' WHERE id = %s", (f"{1:032x}",))
        again = dict(conn.execute("SELECT day, stamp FROM stats_day_stamp").fetchall())
        assert set(again) == {date(2026, 2, 10), date(2026, 2, 11), date(2026, 3, 1)}
        assert (
            again[date(2026, 2, 10)] > stamps[date(2026, 2, 10)]
            and again[date(2026, 2, 11)] == stamps[date(2026, 2, 11)]
        )
        conn.execute("DELETE FROM contact WHERE id = %s", (f"{3:032x}",))
        last = dict(conn.execute("SELECT day, stamp FROM stats_day_stamp").fetchall())
        assert (
            last[date(2026, 2, 11)] > again[date(2026, 2, 11)] and last[date(2026, 2, 10)] == again[date(2026, 2, 10)]
        )
