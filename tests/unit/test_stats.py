"""Statistics: figures checked against the rows themselves, permissions, the cache of closed months, dialects."""

from __future__ import annotations

import json
import math
import shutil
import statistics
import uuid
from collections import Counter as Tally
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.domain import Channel, Outcome, Role, SiteKind, TicketStatus
from guichet.models import (
    Agent,
    Commune,
    Contact,
    Counter,
    CounterSession,
    ExternalBody,
    MunicipalService,
    Queue,
    Site,
    StatsCache,
    Theme,
    Ticket,
)
from guichet.services.clock import PARIS, local_day
from guichet.services.demo import seed_reference
from guichet.services.errors import NotAllowedError, ValidationError
from guichet.services.queue import QueueService
from guichet.services.queue_seed import seed_queues, seed_ticket_history
from guichet.services.stats import StatsService, blocks
from guichet.services.stats_sql import BIN_S, bin_of, local_hour, percentile, seconds_between, utc_hour
from tests.conftest import DemoRefs

NOW = datetime(2026, 3, 18, 10, 0, tzinfo=PARIS).astimezone(UTC)  # a Wednesday
TODAY = local_day(NOW)


def _add_contacts(db: Database, refs: DemoRefs) -> None:
    with db.write() as s:
        themes = {t.code: t for t in s.scalars(select(Theme))}
        rows = [
            # days back, site, channel, theme, outcome, service, body
            (1, "HDV", Channel.IN_PERSON, "etat_civil.naissance", Outcome.ANSWERED, None, None),
            (1, "HDV", Channel.PHONE, "etat_civil.titres", Outcome.ANSWERED, None, None),
            (2, "HDV", Channel.PHONE, "ccas.aide", Outcome.ORIENTED_SERVICE, "CCAS", None),
            (3, "HDV", Channel.EMAIL, "autres", Outcome.ORIENTED_EXTERNAL, None, "CAF du Rhône"),
            (3, "HDV", Channel.IN_PERSON, "autres", Outcome.ORIENTED_EXTERNAL, None, "CAF du Rhône"),
            (9, "HDV", Channel.MAIL, "urbanisme.permis", Outcome.REQUEST_OPENED, "Service Urbanisme", None),
            (2, "MAV", Channel.IN_PERSON, "etat_civil.naissance", Outcome.ANSWERED, None, None),
            (30, "MAV", Channel.PHONE, "ccas.aide", Outcome.ORIENTED_SERVICE, "CCAS", None),
        ]
        for back, site, channel, theme, outcome, service, body in rows:
            day = TODAY - timedelta(days=back)
            s.add(
                Contact(
                    channel=channel, started_at=datetime(day.year, day.month, day.day, 10, tzinfo=PARIS),
                    site_id=refs.sites[site], agent_id=refs.agents["mdurand"], theme_id=themes[theme].id,
                    outcome=outcome, oriented_service_id=refs.services.get(service) if service else None,
                    oriented_body_id=refs.bodies[body] if body else None,
                )
            )  # fmt: skip


def _refs_of(db: Database) -> DemoRefs:
    with db.read() as s:
        return DemoRefs(
            commune_id=s.scalars(select(Commune.id)).one(),
            sites={x.code: x.id for x in s.scalars(select(Site))},
            agents={x.login: x.id for x in s.scalars(select(Agent))},
            themes={x.code: x.id for x in s.scalars(select(Theme))},
            services={x.name: x.id for x in s.scalars(select(MunicipalService))},
            bodies={x.name: x.id for x in s.scalars(select(ExternalBody))},
        )


@pytest.fixture(scope="module")
def _history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six weeks of simulated tickets at both demo sites (across February and March) and a few contacts,
    made once for the module (the simulation takes a couple of seconds) and copied for each test."""
    path = tmp_path_factory.mktemp("stats") / "history.sqlite3"
    db = Database.open(path)
    upgrade(db.engine)
    seed_reference(db)
    seed_queues(db)
    assert seed_ticket_history(db, days=42, clock=lambda: NOW) > 1000
    _add_contacts(db, _refs_of(db))
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def history(_history_file: Path, tmp_path: Path):
    copy = tmp_path / "history.sqlite3"
    shutil.copyfile(_history_file, copy)
    database = Database.open(copy)
    yield database
    database.close()


@pytest.fixture
def hrefs(history: Database) -> DemoRefs:
    return _refs_of(history)


def _stats(db: Database) -> StatsService:
    return StatsService(db, clock=lambda: NOW)


def _tickets(db: Database, site_id: uuid.UUID, start: date, end: date) -> list[Ticket]:
    with db.read() as s:
        return list(
            s.scalars(
                select(Ticket).where(Ticket.site_id == site_id, Ticket.service_day >= start, Ticket.service_day <= end)
            )
        )


def _quantile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def test_figures_match_the_rows(history, hrefs):
    start, end = TODAY - timedelta(days=42), TODAY
    report = _stats(history).report(agent_id=hrefs.agents["sperrin"], start=start, end=end, site_id=hrefs.sites["HDV"])
    rows = _tickets(history, hrefs.sites["HDV"], start, end)
    t = report.tickets
    by_status = Tally(r.status for r in rows)
    assert t.issued == len(rows)
    assert (t.served, t.no_show) == (by_status[TicketStatus.DONE], by_status[TicketStatus.NO_SHOW])
    assert t.unserved == by_status[TicketStatus.CLOSED]
    waits = [(r.called_at - r.issued_at).total_seconds() for r in rows if r.called_at]
    services = [(r.finished_at - r.called_at).total_seconds() for r in rows if r.status is TicketStatus.DONE]
    assert t.wait.count == len(waits)
    assert t.wait.median_s == pytest.approx(statistics.median(waits), abs=BIN_S)
    assert t.wait.p90_s == pytest.approx(_quantile(waits, 0.9), abs=BIN_S)
    assert t.wait.max_s == pytest.approx(max(waits), abs=0.01)
    assert t.service.median_s == pytest.approx(statistics.median(services), abs=BIN_S)
    assert t.service.max_s == pytest.approx(max(services), abs=0.01)
    with history.read() as s:
        targets = {q.id: q.target_wait_min for q in s.scalars(select(Queue))}
    within = sum(
        1 for r in rows if r.called_at and (r.called_at - r.issued_at).total_seconds() < targets[r.queue_id] * 60
    )
    assert t.within_target == pytest.approx(within / len(waits), abs=0.005)
    assert sum(q.issued for q in t.by_queue) == len(rows)
    assert sum(c.served for c in t.by_counter) == t.served == sum(a.served for a in t.by_agent)
    # Heat map: weekday × local hour of arrival.
    expected = Tally((r.issued_at.astimezone(PARIS).weekday(), r.issued_at.astimezone(PARIS).hour) for r in rows)
    assert {(d, h): n for d, row in enumerate(t.arrivals) for h, n in enumerate(row) if n} == dict(expected)
    assert t.open_days[5] == t.open_days[6] == 0  # the simulation has no weekend
    assert sum(b.count for b in t.wait_histogram) == len(waits)
    # Contacts of the site.
    c = report.contacts
    assert c.total == 6
    assert {x.key: x.count for x in c.by_channel if x.count} == {"accueil_physique": 2, "telephone": 2, "courriel": 1,
                                                                   "courrier": 1}  # fmt: skip
    assert c.answered_first_share == pytest.approx(2 / 6)
    assert [(x.label, x.count) for x in c.oriented_bodies] == [("CAF du Rhône", 2)]
    assert [(x.label, x.count) for x in c.oriented_services] == [("CCAS", 1)]
    assert c.by_theme[0].label == "Autres demandes" and c.by_theme[0].count == 2
    assert {x.label for x in c.by_theme} >= {"État civil", "CCAS", "Urbanisme"}
    assert report.requests.total.opened == 0 and report.mail.incoming.count == 0  # this history has none (see
    assert report.not_tracked == ()  # test_stats_casework), and says nothing is missing


def test_sites_side_by_side_and_commune_scope(history, hrefs):
    start, end = TODAY - timedelta(days=42), TODAY
    service = _stats(history)
    commune = service.report(agent_id=hrefs.agents["sperrin"], start=start, end=end)
    assert commune.site_id is None and "tous les sites" in commune.scope_label
    assert [x.code for x in commune.sites] == ["HDV", "MAV"]
    hdv, mav = commune.sites
    assert hdv.issued == len(_tickets(history, hrefs.sites["HDV"], start, end))
    assert mav.issued == len(_tickets(history, hrefs.sites["MAV"], start, end))
    assert commune.tickets.issued == hdv.issued + mav.issued
    assert (hdv.contacts, mav.contacts) == (6, 2)
    assert mav.answered_first_share == pytest.approx(0.5)
    assert all(row.label.startswith(("HDV · ", "MAV · ")) for row in commune.tickets.by_queue)
    assert {a.site_name for a in commune.staffing} == {"Hôtel de ville", "Mairie annexe du Moulin-à-Vent"}
    # A site's own report has the same figures as its column.
    alone = service.report(agent_id=hrefs.agents["sperrin"], start=start, end=end, site_id=hrefs.sites["MAV"])
    assert alone.tickets.wait == mav.wait and alone.tickets.within_target == mav.within_target


def test_agents_are_refused_by_the_service_itself(history, hrefs):
    service = _stats(history)
    for call in (
        lambda: service.scope(agent_id=hrefs.agents["mdurand"]),
        lambda: service.report(agent_id=hrefs.agents["mdurand"], start=TODAY, end=TODAY),
        lambda: service.report(agent_id=uuid.uuid4(), start=TODAY, end=TODAY),
    ):
        with pytest.raises(NotAllowedError, match="réservées aux superviseurs"):
            call()
    scope = service.scope(agent_id=hrefs.agents["admin"])
    assert [x.code for x in scope.sites] == ["HDV", "MAV"] and scope.commune_name == "Vénissieux"


def test_other_communes_are_out_of_reach(history, hrefs):
    with history.write() as s:
        other = Commune(code="GIV", insee="69091", name="Givors")
        s.add(other)
        s.flush()
        site = Site(commune_id=other.id, code="HDV", name="Hôtel de ville de Givors", kind=SiteKind.MAIN)
        s.add(site)
        s.flush()
        giv = site.id
    service = _stats(history)
    with pytest.raises(NotAllowedError, match="pas partie de votre commune"):
        service.report(agent_id=hrefs.agents["sperrin"], start=TODAY, end=TODAY, site_id=giv)
    assert [x.code for x in service.report(agent_id=hrefs.agents["sperrin"], start=TODAY, end=TODAY).sites] == [
        "HDV",
        "MAV",
    ]


def test_bad_periods_are_refused_in_french(history, hrefs):
    service = _stats(history)
    with pytest.raises(ValidationError, match="fin doit suivre"):
        service.report(agent_id=hrefs.agents["sperrin"], start=TODAY, end=TODAY - timedelta(days=1))
    with pytest.raises(ValidationError, match="après aujourd'hui"):
        service.report(agent_id=hrefs.agents["sperrin"], start=TODAY, end=TODAY + timedelta(days=1))


def test_blocks_cover_the_period_once():
    today = date(2026, 3, 18)
    parts = blocks(date(2025, 11, 22), date(2026, 3, 18), today)
    days = [p[0] + timedelta(days=i) for p in parts for i in range((p[1] - p[0]).days + 1)]
    assert days == [date(2025, 11, 22) + timedelta(days=i) for i in range(len(days))] and days[-1] == today
    assert (date(2025, 12, 1), date(2025, 12, 31), True) in parts  # whole months
    assert (date(2026, 2, 1), date(2026, 2, 28), True) in parts
    assert parts[-1] == (date(2026, 3, 17), date(2026, 3, 18), False)  # the last two days are never cached
    assert all(p[1] <= today - timedelta(days=2) for p in parts if p[2])


def test_cached_months_give_the_same_figures_and_follow_late_rows(history, hrefs):
    service = _stats(history)
    ask = dict(agent_id=hrefs.agents["sperrin"], start=date(2026, 2, 1), end=TODAY)
    steps = []
    cold = service.report(**ask, progress=lambda done, total, what: steps.append((done, total, what)))
    assert any("février 2026" in what for _d, _t, what in steps)
    warm = service.report(**ask)
    fresh = _stats(history).report(**ask)
    for report in (warm, fresh):
        assert report.tickets == cold.tickets and report.contacts == cold.contacts and report.sites == cold.sites
        assert report.staffing == cold.staffing
    # A ticket of February arrives late (synchronisation): the cached month is read again.
    with history.write() as s:
        queue = s.scalars(select(Queue).where(Queue.site_id == hrefs.sites["HDV"], Queue.letter == "A")).one()
        at = datetime(2026, 2, 10, 9, 0, tzinfo=PARIS)
        s.add(
            Ticket(
                site_id=hrefs.sites["HDV"], queue_id=queue.id, current_queue_id=queue.id, service_day=date(2026, 2, 10),
                seq=999, number="A999", status=TicketStatus.CANCELLED, issued_at=at, finished_at=at,
            )
        )  # fmt: skip
    later = service.report(**ask)
    assert later.tickets.issued == cold.tickets.issued + 1 and later.tickets.cancelled == cold.tickets.cancelled + 1


def _figures(report) -> tuple:  # noqa: ANN001
    return report.contacts, report.tickets, report.sites, report.staffing


def test_a_period_added_up_from_its_parts_equals_the_period_read_in_one_pass(history, hrefs):
    """Exactly, floats included: durations are added up as whole microseconds, ties ranked by label."""
    ask = dict(agent_id=hrefs.agents["sperrin"], start=date(2026, 2, 3), end=TODAY)
    direct = StatsService(history, clock=lambda: NOW, cached=False)
    parts = _stats(history).report(**ask)
    assert parts.tickets.by_counter and parts.tickets.by_counter[0].presence_h
    assert _figures(parts) == _figures(direct.report(**ask))
    assert _figures(_stats(history).report(**ask)) == _figures(direct.report(**ask))  # from the cache on disk
    one_site = dict(ask, site_id=hrefs.sites["MAV"])
    assert _figures(_stats(history).report(**one_site)) == _figures(direct.report(**one_site))
    with history.write() as s:  # a late contact of a closed month, oriented to a service
        s.add(
            Contact(
                channel=Channel.PHONE, started_at=datetime(2026, 2, 20, 11, tzinfo=PARIS), site_id=hrefs.sites["MAV"],
                agent_id=hrefs.agents["mdurand"], theme_id=hrefs.themes["ccas.aide"],
                outcome=Outcome.ORIENTED_SERVICE, oriented_service_id=hrefs.services["CCAS"],
            )
        )  # fmt: skip
    late = _stats(history).report(**ask)
    assert late.contacts.total == parts.contacts.total + 1
    assert _figures(late) == _figures(direct.report(**ask))


def test_whole_years_are_kept_summed_up_and_follow_late_rows(history, hrefs, monkeypatch):
    import guichet.services.stats as stats_module

    calls: list[tuple[date, date]] = []
    real = stats_module.aggregate
    monkeypatch.setattr(stats_module, "aggregate", lambda s, sites, a, b, **kw: calls.append((a, b)) or real(
        s, sites, a, b, **kw))  # fmt: skip
    ask = dict(agent_id=hrefs.agents["sperrin"], start=date(2023, 11, 15), end=TODAY)
    direct = StatsService(history, clock=lambda: NOW, cached=False)
    first = _stats(history).report(**ask)
    with history.read() as s:
        keys = set(s.scalars(select(StatsCache.key)))
    assert {k for k in keys if k.endswith(("-01-01:2024-12-31", "-01-01:2025-12-31"))}, "the two whole years"
    with history.write() as s:  # a contact of June 2024 arrives late
        s.add(
            Contact(
                channel=Channel.MAIL, started_at=datetime(2024, 6, 3, 10, tzinfo=PARIS), site_id=hrefs.sites["HDV"],
                agent_id=hrefs.agents["mdurand"], theme_id=hrefs.themes["etat_civil.naissance"],
                outcome=Outcome.ANSWERED,
            )
        )  # fmt: skip
    calls.clear()
    late = _stats(history).report(**ask)
    closed = [c for c in calls if c[1] <= TODAY - timedelta(days=2)]
    assert closed == [(date(2024, 6, 1), date(2024, 6, 30))], "one month computed again, the other years summed"
    assert late.contacts.total == first.contacts.total + 1
    calls.clear()
    assert _figures(late) == _figures(direct.report(**ask))
    assert _figures(_stats(history).report(**ask)) == _figures(late)


def test_parts_stored_by_an_older_version_are_computed_again(history, hrefs):
    ask = dict(agent_id=hrefs.agents["sperrin"], start=date(2026, 2, 1), end=TODAY)
    first = _stats(history).report(**ask)
    with history.write() as s:  # the layout of an older version: no "format" (contacts keyed by six dimensions)
        for row in s.scalars(select(StatsCache)):
            payload = json.loads(row.payload)
            del payload["format"]
            row.payload = json.dumps(payload)
    again = _stats(history).report(**ask)
    assert _figures(again) == _figures(first)
    with history.read() as s:
        assert all('"format"' in row.payload for row in s.scalars(select(StatsCache)))


def test_days_without_a_counter_session_read_their_open_counters_from_the_calls(history, hrefs):
    """Sessions recorded on some days of February only: those days use them, the others the calls, whether the
    period is read in one pass or month by month."""
    hdv = hrefs.sites["HDV"]
    kept = (datetime(2026, 2, 10, tzinfo=PARIS), datetime(2026, 2, 13, tzinfo=PARIS))
    with history.write() as s:
        s.execute(delete(CounterSession).where(~CounterSession.opened_at.between(*kept)))
        assert s.scalar(select(func.count()).select_from(CounterSession)) > 10
    ask = dict(agent_id=hrefs.agents["sperrin"], start=date(2026, 1, 26), end=TODAY, site_id=hdv)
    report = _stats(history).report(**ask)
    assert _figures(report) == _figures(StatsService(history, clock=lambda: NOW, cached=False).report(**ask))
    assert "les jours sans session enregistrée, déduits des appels" in report.staffing[0].open_source
    only_calls = _stats(history).report(**dict(ask, start=date(2026, 3, 2)))
    assert only_calls.staffing[0].open_source.startswith("Guichets ouverts : déduits des appels")


def test_staffing_advice_from_sessions(demo_db, refs):
    seed_queues(demo_db, open_all_day=True)
    clock = [datetime(2026, 3, 16, 8, 55, tzinfo=PARIS).astimezone(UTC)]  # Monday
    queue = QueueService(demo_db, clock=lambda: clock[0])
    hdv = refs.sites["HDV"]
    with demo_db.read() as s:
        counter_ids = [c.id for c in s.scalars(select(Counter).where(Counter.site_id == hdv).order_by(Counter.number))]
        queue_a = s.scalars(select(Queue).where(Queue.site_id == hdv, Queue.letter == "A")).one().id
    queue.open_counter(counter_id=counter_ids[0], agent_id=refs.agents["mdurand"])
    for _ in range(12):  # an arrival every 9 minutes from 9:00, served at once in 4 minutes
        clock[0] += timedelta(minutes=5)
        queue.issue_ticket(site_id=hdv, queue_id=queue_a)
        ticket = queue.call_next(counter_id=counter_ids[0], agent_id=refs.agents["mdurand"])
        clock[0] += timedelta(minutes=4)
        queue.finish(ticket_id=ticket.id, counter_id=counter_ids[0], agent_id=refs.agents["mdurand"])
    clock[0] = datetime(2026, 3, 16, 11, 0, tzinfo=PARIS).astimezone(UTC)
    queue.close_counter(counter_id=counter_ids[0], agent_id=refs.agents["mdurand"])
    service = StatsService(demo_db, clock=lambda: clock[0])
    report = service.report(agent_id=refs.agents["sperrin"], start=date(2026, 3, 16), end=date(2026, 3, 16),
                            site_id=hdv)  # fmt: skip
    advice = report.staffing[0]
    assert "sessions" in advice.open_source
    slot = next(x for x in advice.slots if x.hour == 9)
    assert slot.weekday == 0 and slot.days == 1
    assert slot.arrivals_per_hour == 7  # 9:00, 9:09 … 9:54
    assert slot.open_mean == pytest.approx(1.0)
    assert slot.service_s == pytest.approx(240, abs=1)
    assert slot.needed == 1 and slot.within_target == 1.0
    counter_row = report.tickets.by_counter[0]
    assert counter_row.served == 12 and counter_row.presence_h == pytest.approx(2 + 5 / 60)
    assert report.tickets.by_agent[0].label == "Marie Durand"


def test_staffing_from_calls_when_no_session_was_recorded(history, hrefs):
    with history.write() as s:  # a site whose desks predate counter sessions (or lost them)
        s.execute(delete(CounterSession))
    report = _stats(history).report(agent_id=hrefs.agents["sperrin"], start=TODAY - timedelta(days=14), end=TODAY,
                                    site_id=hrefs.sites["HDV"])  # fmt: skip
    advice = report.staffing[0]
    assert "déduits des appels" in advice.open_source
    busy = [x for x in advice.slots if x.arrivals_per_hour > 10]
    assert busy and all(x.needed >= 1 and x.open_mean and x.open_mean >= 1 for x in busy)
    assert advice.target_wait_min > 0


def test_staffing_compares_with_the_counters_that_were_open(history, hrefs):
    report = _stats(history).report(agent_id=hrefs.agents["sperrin"], start=TODAY - timedelta(days=14), end=TODAY,
                                    site_id=hrefs.sites["HDV"])  # fmt: skip
    advice = report.staffing[0]
    assert "déduits des appels" not in advice.open_source
    opened = [x.open_mean for x in advice.slots if x.open_mean]
    # The demo's shifts: 5 counters at 10 h, 2 over lunch (12 h 45 – 13 h 30 is one of them only).
    assert opened and max(opened) > 3 and min(opened) < 3


def test_percentile_from_bins():
    assert percentile({}, 0.5) is None
    assert percentile({0: 1}, 0.5) == pytest.approx(BIN_S / 2)
    bins = {0: 5, 2: 5}  # five in [0, 30), five in [60, 90)
    assert percentile(bins, 0.5) == pytest.approx(BIN_S)
    assert percentile(bins, 0.9) == pytest.approx(2 * BIN_S + 0.8 * BIN_S)


def test_local_hour_follows_daylight_saving():
    assert local_hour(date(2026, 1, 15), 8) == 9  # winter: UTC+1
    assert local_hour(date(2026, 7, 15), 8) == 10  # summer: UTC+2


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (sqlite.dialect(), ["julianday", "strftime('%H'", "AS INTEGER"]),
        (postgresql.dialect(), ["date_part('epoch',", "date_part('hour',", "FLOOR("]),
    ],
)
def test_dialect_aware_expressions(dialect, expected):
    statement = select(bin_of(seconds_between(Ticket.issued_at, Ticket.called_at)), utc_hour(Ticket.issued_at)).where(
        Ticket.site_id == uuid.uuid4()
    )
    sql = str(statement.compile(dialect=dialect))
    for fragment in expected:
        assert fragment in sql
    if dialect.name == "postgresql":
        assert "julianday" not in sql and "strftime" not in sql


def test_roles_of_the_demo_accounts(demo_db, refs):
    with demo_db.read() as s:
        roles = {a.login: a.role for a in s.scalars(select(Agent))}
    assert roles["sperrin"] is Role.SUPERVISOR and roles["mdurand"] is Role.AGENT


def test_closed_months_kept_on_disk_serve_a_new_session(history, hrefs, monkeypatch):
    import guichet.services.stats as stats_module

    calls: list[tuple[date, date]] = []
    real = stats_module.aggregate

    def counting(s, sites, first, last, **kw):  # noqa: ANN001, ANN202 - the real function, counted
        calls.append((first, last))
        return real(s, sites, first, last, **kw)

    monkeypatch.setattr(stats_module, "aggregate", counting)
    ask = dict(agent_id=hrefs.agents["sperrin"], start=date(2026, 1, 1), end=TODAY)
    first = _stats(history).report(**ask)
    closed = [c for c in calls if c[1] <= TODAY - timedelta(days=2)]
    assert closed, "the period has closed months"
    with history.read() as s:
        assert s.scalar(select(func.count()).select_from(StatsCache)) == len(closed) + 1  # the parts and their sum
    calls.clear()
    again = _stats(history).report(**ask)  # a new session (another desk, the next morning)
    assert (again.tickets, again.contacts, again.sites, again.staffing) == (
        first.tickets,
        first.contacts,
        first.sites,
        first.staffing,
    )
    assert all(last > TODAY - timedelta(days=2) for _first, last in calls)  # only the open days were computed
    calls.clear()
    one_site = _stats(history).report(**ask, site_id=hrefs.sites["HDV"])  # one site: read from the same parts
    assert [c for c in calls if c[1] <= TODAY - timedelta(days=2)] == []
    assert one_site.tickets.issued < first.tickets.issued
    _stats(history).clear_cache()  # « Recalculer »
    with history.read() as s:
        assert s.scalar(select(func.count()).select_from(StatsCache)) == 0


def test_the_nightly_task_prepares_the_usual_periods(history, hrefs, monkeypatch):
    import guichet.services.stats as stats_module
    from guichet.services.stats_prepare import prepare

    done = prepare(history, clock=lambda: NOW)
    assert [d.commune for d in done] == ["Vénissieux"] and len(done[0].periods) == 3
    calls: list[tuple[date, date]] = []
    real = stats_module.aggregate
    monkeypatch.setattr(stats_module, "aggregate", lambda s, sites, a, b, **kw: calls.append((a, b)) or real(
        s, sites, a, b, **kw))  # fmt: skip
    StatsService(history, clock=lambda: NOW).report(
        agent_id=hrefs.agents["sperrin"], start=date(TODAY.year, 1, 1), end=TODAY
    )
    assert all(last > TODAY - timedelta(days=2) for _first, last in calls)  # the morning: only the open days


def test_a_part_read_back_from_the_cache_is_the_part_written(history, hrefs):
    """The JSON columns of stats_cache give back every aggregate, keys with None or of another shape included,
    and keys holding dates."""
    from guichet.services import stats_cache
    from guichet.services.stats_sql import aggregate

    with history.read() as s:
        part = aggregate(s, list(hrefs.sites.values()), TODAY - timedelta(days=20), TODAY - timedelta(days=3), now=NOW)
    assert part.waits and part.slots and part.open_us
    part.ticket_days[(None, 2)] += 1  # a None in a key
    part.contacts[("x", "y")] += 2  # a key of another shape
    back = stats_cache.loads(stats_cache.dumps(part))
    assert back == part
    assert stats_cache._decode_map(stats_cache._encode_map({})) == {}
    assert stats_cache._decode_map(stats_cache._encode_map({("a", date(2026, 1, 5)): 1, ("b", None): 2})) == {
        ("a", date(2026, 1, 5)): 1, ("b", None): 2,
    }  # fmt: skip
