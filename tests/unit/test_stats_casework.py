"""Statistics of follow-up requests and mail: figures checked against the rows themselves, never cached."""

from __future__ import annotations

from collections import Counter as Tally
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from guichet.db import Database
from guichet.domain import AppointmentStatus, MailDirection, MailType, RequestStatus
from guichet.models import FollowUpRequest, MailItem
from guichet.reports.stats_export import write_xlsx
from guichet.services.casework_history import seed_casework_history
from guichet.services.clock import PARIS, local_day
from guichet.services.stats import StatsService
from guichet.services.stats_casework import days
from guichet.services.stats_sql import day_of, days_between, utc_range
from guichet.services.stats_tables import report_tables, summary
from guichet.services.stats_types import Days, RequestGroup
from tests.conftest import DemoRefs

NOW = datetime(2026, 3, 18, 10, 0, tzinfo=PARIS).astimezone(UTC)  # a Wednesday
TODAY = local_day(NOW)


def _utc_day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


def _expected_requests(rows: list[FollowUpRequest]) -> tuple:
    answered = [r for r in rows if r.answered_at is not None]
    late = [r for r in answered if _utc_day(r.answered_at) > r.due_on]
    waiting = [r for r in rows if r.answered_at is None and r.status is not RequestStatus.DROPPED]
    overdue = [r for r in waiting if r.is_open and r.due_on < TODAY]
    dropped = [r for r in rows if r.answered_at is None and r.status is RequestStatus.DROPPED]
    delays = sorted((_utc_day(r.answered_at) - r.received_on).days for r in answered)
    return len(rows), len(answered), len(late), len(overdue), len(waiting) - len(overdue), len(dropped), delays


def _rank(values: list[int], p: float) -> int | None:
    """Nearest-rank percentile, written independently of the service's."""
    if not values:
        return None
    import math

    return values[max(0, math.ceil(p * len(values)) - 1)]


def _check(group: RequestGroup, rows: list[FollowUpRequest]) -> None:
    opened, answered, late, overdue, in_time, dropped, delays = _expected_requests(rows)
    assert (group.opened, group.answered, group.answered_late, group.open_overdue, group.open_in_time,
            group.dropped) == (opened, answered, late, overdue, in_time, dropped)  # fmt: skip
    assert group.delay == Days(len(delays), _rank(delays, 0.5), _rank(delays, 0.9), max(delays) if delays else None)


def test_days_are_nearest_rank():
    assert days(Tally({0: 1, 3: 2, 10: 1})) == Days(4, 3, 10, 10)
    assert days(Tally({-1: 2, 5: 2})) == Days(4, 0, 5, 5), "a letter dated after its registration counts as 0"
    assert days(Tally()) == Days()


def test_delays_compile_for_both_dialects():
    expr = days_between(FollowUpRequest.received_on, day_of(FollowUpRequest.answered_at))
    assert "julianday(date(request.answered_at))" in str(expr.compile(dialect=sqlite.dialect()))
    assert "CAST(request.answered_at AS DATE) - request.received_on" in str(expr.compile(dialect=postgresql.dialect()))


def test_request_and_mail_figures_match_the_rows(demo_db: Database, refs: DemoRefs, tmp_path):
    written, letters = seed_casework_history(demo_db, days=60, per_day=6, clock=lambda: NOW)
    assert written > 300 and letters > 300
    start, end = TODAY - timedelta(days=30), TODAY
    service = StatsService(demo_db, clock=lambda: NOW)
    sup = refs.agents["sperrin"]
    hdv, mav = refs.sites["HDV"], refs.sites["MAV"]
    report = service.report(agent_id=sup, start=start, end=end, site_id=hdv)
    t0, t1 = utc_range(start, end)
    with demo_db.read() as s:
        rows = list(s.scalars(select(FollowUpRequest).where(FollowUpRequest.opened_at >= t0,
                                                            FollowUpRequest.opened_at < t1)))  # fmt: skip
        mail = list(s.scalars(select(MailItem).where(MailItem.mail_date >= start, MailItem.mail_date <= end)))
    at = {x: [r for r in rows if r.site_id == x] for x in (hdv, mav)}
    assert len(at[hdv]) > 100 and len(at[mav]) > 100
    r = report.requests
    _check(r.total, at[hdv])
    assert 0 < r.total.answered_late < r.total.answered and r.total.open_overdue > 0 and r.total.dropped > 0
    assert [g.label for g in r.by_site] == ["Hôtel de ville", "Mairie annexe du Moulin-à-Vent"]
    _check(r.by_site[0], at[hdv])
    _check(r.by_site[1], at[mav])  # equal treatment: every site, whichever the report is about
    for group in r.by_service:
        _check(group, [x for x in at[hdv] if str(x.service_id) == group.key])
    assert sum(g.opened for g in r.by_service) == r.total.opened
    assert sum(c.opened for c in r.by_channel) == r.total.opened and r.by_channel[0].label
    by_letter = next(g for g in r.by_channel if g.key == "courrier")
    _check(by_letter, [x for x in at[hdv] if x.channel.value == "courrier"])  # a letter's answer delay
    owed = r.total.opened - r.total.dropped
    assert r.total.overdue_share == pytest.approx((r.total.answered_late + r.total.open_overdue) / owed)

    # Mail of the site, by the date on the letter.
    m = report.mail
    incoming = [x for x in mail if x.site_id == hdv and x.direction is MailDirection.INCOMING]
    outgoing = [x for x in mail if x.site_id == hdv and x.direction is MailDirection.OUTGOING]
    assert (m.incoming.count, m.outgoing.count) == (len(incoming), len(outgoing))
    assert m.incoming.registered == sum(1 for x in incoming if x.mail_type is MailType.REGISTERED)
    reg = sorted(max(0, (_utc_day(x.registered_at) - x.mail_date).days) for x in incoming)
    assert m.incoming.same_day == reg.count(0) and m.incoming.registration.median == _rank(reg, 0.5)
    assert m.incoming.registration.p90 == _rank(reg, 0.9) and m.incoming.registration.max == max(reg)
    assert m.incoming.opened_requests == sum(1 for x in incoming if x.request_id)
    assert sum(a + b for _label, a, b in m.by_type) == len(incoming) + len(outgoing)
    assert [(g.label, g.direction) for g in m.by_site][:2] == [
        ("Hôtel de ville", "arrivee"),
        ("Hôtel de ville", "depart"),
    ]
    assert m.by_site[2].count == sum(1 for x in mail if x.site_id == mav and x.direction is MailDirection.INCOMING)

    # The commune's report adds the sites up; the site report is its row.
    commune = service.report(agent_id=sup, start=start, end=end)
    assert commune.requests.total.opened == len(at[hdv]) + len(at[mav])
    assert commune.requests.by_site == r.by_site
    assert commune.mail.incoming.count == sum(g.count for g in commune.mail.by_site if g.direction == "arrivee")

    # A request of a closed (cached) month answered today, a letter of that month deleted: a new session sees both,
    # the other months come from the cache. So do the same figures computed without any cache.
    waiting = next(
        x for x in at[hdv] if x.is_open and x.due_on < TODAY and local_day(x.opened_at) < TODAY - timedelta(days=7)
    )
    with demo_db.write() as s:
        row = s.get(FollowUpRequest, waiting.id)
        row.status, row.is_open, row.answered_at = RequestStatus.ANSWERED, 0, NOW
        s.get(MailItem, incoming[0].id).deleted_at = NOW
    fresh = StatsService(demo_db, clock=lambda: NOW).report(agent_id=sup, start=start, end=end, site_id=hdv)
    again = fresh.requests.total
    assert (again.answered, again.answered_late, again.open_overdue) == (
        r.total.answered + 1, r.total.answered_late + 1, r.total.open_overdue - 1,
    )  # fmt: skip
    assert fresh.mail.incoming.count == m.incoming.count - 1
    direct = StatsService(demo_db, clock=lambda: NOW, cached=False).report(agent_id=sup, start=start, end=end,
                                                                          site_id=hdv)  # fmt: skip
    assert (direct.requests, direct.mail) == (fresh.requests, fresh.mail)
    # The deadline is judged on the day of the report, not on the day a part was cached.
    later = StatsService(demo_db, clock=lambda: NOW + timedelta(days=40)).report(
        agent_id=sup, start=start, end=end, site_id=hdv
    )
    assert later.requests.total.open_overdue == later.requests.total.open_overdue + later.requests.total.open_in_time
    assert later.requests.total.open_in_time == 0

    # The same figures as tables: on screen, in the XLSX, the CSV and the PDF.
    tables = {t.key: t for t in report_tables(report)}
    assert {"demandes_services", "demandes_sites", "demandes_canal", "courrier_sites", "courrier_types"} <= set(tables)
    assert tables["demandes_sites"].rows[0][1] == r.by_site[0].opened
    lines = dict(summary(report).rows)
    assert "Demandes ouvertes" in lines and "Courriers arrivés / départs" in lines
    from openpyxl import load_workbook

    book = load_workbook(write_xlsx(report, tmp_path / "stats.xlsx"), read_only=True)
    assert {"demandes_services", "demandes_sites", "courrier_sites"} <= set(book.sheetnames)


def test_appointments_kept_missed_and_cancelled(demo_db: Database, refs: DemoRefs):
    from guichet.domain import Channel, ConfirmationChannel
    from guichet.models import Appointment, AppointmentKind, Citizen
    from guichet.services.appointment_seed import seed_agendas
    from guichet.services.queue_seed import seed_queues

    seed_queues(demo_db)
    seed_agendas(demo_db)
    statuses = [AppointmentStatus.CHECKED_IN] * 5 + [AppointmentStatus.MISSED] * 2 + [AppointmentStatus.CANCELLED]
    with demo_db.write() as s:
        citizen = Citizen(last_name="Martin", first_names="Léa")
        s.add(citizen)
        s.flush()
        kinds = {code: s.scalars(select(AppointmentKind).where(AppointmentKind.site_id == refs.sites[code])).first()
                 for code in ("HDV", "MAV")}  # fmt: skip
        assert kinds["HDV"] is not None and kinds["MAV"] is not None
        rows = [("HDV", st, i == 0, 2 + i) for i, st in enumerate(statuses)]  # days back
        rows += [("MAV", AppointmentStatus.MISSED, False, 3), ("MAV", AppointmentStatus.CHECKED_IN, False, 4)]
        rows += [("HDV", AppointmentStatus.BOOKED, False, -1), ("HDV", AppointmentStatus.MISSED, False, 45)]
        for code, status, late, back in rows:
            kind = kinds[code]
            at = datetime.combine(TODAY - timedelta(days=back), datetime.min.time().replace(hour=10), tzinfo=PARIS)
            s.add(Appointment(
                commune_id=refs.commune_id, site_id=refs.sites[code], agenda_id=kind.agenda_id, kind_id=kind.id,
                citizen_id=citizen.id, starts_at=at, ends_at=at + timedelta(minutes=15), code=f"T{len(code)}{back:04d}",
                status=status, arrived_late=late, channel=Channel.PHONE, confirmation=ConfirmationChannel.SMS,
                booked_at=NOW - timedelta(days=60), booked_by=refs.agents["mdurand"],
            ))  # fmt: skip
    service = StatsService(demo_db, clock=lambda: NOW)
    start, end = TODAY - timedelta(days=30), TODAY + timedelta(days=0)
    report = service.report(agent_id=refs.agents["sperrin"], start=start, end=end, site_id=refs.sites["HDV"])
    a = report.appointments.total
    # The booked one tomorrow and the missed one 45 days back are out of the period.
    assert (a.booked, a.checked_in, a.late, a.missed, a.cancelled, a.waiting) == (7, 5, 1, 2, 1, 0)
    assert a.missed_rate == pytest.approx(2 / 7)
    assert [(g.label, g.missed, g.checked_in) for g in report.appointments.by_site] == [
        ("Hôtel de ville", 2, 5), ("Mairie annexe du Moulin-à-Vent", 1, 1),
    ]  # fmt: skip
    assert [g.label for g in report.appointments.by_kind] == [kinds_name(demo_db, refs, "HDV")]
    tables = {t.key: t for t in report_tables(report)}
    assert tables["rendez_vous_sites"].rows[0][1:5] == (7, 5, 1, 2)
    assert "Rendez-vous honorés / non venus" in dict(summary(report).rows)


def kinds_name(db: Database, refs: DemoRefs, code: str) -> str:
    from guichet.models import AppointmentKind

    with db.read() as s:
        return s.scalars(select(AppointmentKind.name).where(AppointmentKind.site_id == refs.sites[code])).first()
