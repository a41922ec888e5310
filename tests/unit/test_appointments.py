"""Appointments: free slots (holidays, closures, capacity, the past), booking without double-booking (two desks
at once included), codes, moves and cancellations, the check-in rule, missed appointments, confirmations."""

from __future__ import annotations

import email
import email.policy
import json
import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from guichet.config import PrinterSettings
from guichet.db import Database
from guichet.domain import (
    AppointmentStatus,
    Channel,
    Civility,
    ConfirmationChannel,
    DispatchStatus,
    NoticeKind,
    PreferredChannel,
    PrintJobKind,
)
from guichet.models import Appointment, Ticket
from guichet.notify import SmsSettings
from guichet.notify.appointments import AppointmentNotifier
from guichet.printing.layout import Text
from guichet.printing.worker import job_ops
from guichet.reports.appointment_letters import AppointmentLetters, sms_text
from guichet.services import Services
from guichet.services.appointment_checkin import CheckIn
from guichet.services.appointment_rules import (
    CODE_ALPHABET,
    Arrival,
    Closure,
    Occupancy,
    arrival,
    default_confirmation,
    normalise_code,
    qr_payload,
    slots,
)
from guichet.services.appointment_seed import seed_agendas
from guichet.services.appointment_types import Standing
from guichet.services.appointments import AppointmentService
from guichet.services.clock import PARIS, local_day
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.printing import PrintJobService
from guichet.services.queue import QueueService
from guichet.services.queue_policy import parse_hours
from guichet.services.queue_seed import seed_queues
from guichet.services.workdays import public_holidays
from tests.unit.test_notify_email import free_port, settings_for, start_server

TUESDAY = date(2027, 3, 9)  # an ordinary Tuesday
HOURS = parse_hours('{"mon": ["09:00-12:00"], "tue": ["09:00-12:00", "13:30-16:30"], "wed": ["09:00-12:00"],'
                    ' "thu": ["09:00-12:00"], "fri": ["09:00-12:00"]}')  # fmt: skip


def paris(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=PARIS).astimezone(UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


# -- pure rules ------------------------------------------------------------------------------------------------


def test_slots_leave_out_weekends_holidays_closures_and_the_past():
    holiday = next(d for d in public_holidays(2027) if d.weekday() < 5 and d.month >= 4)
    monday = holiday - timedelta(days=holiday.weekday())
    found = slots(
        hours=HOURS, closures=[Closure(monday + timedelta(days=1), monday + timedelta(days=1), "formation")],
        duration_min=30, capacity=1, booked=[], first_day=monday, last_day=monday + timedelta(days=6),
        now=paris(monday, 10, 10),
    )  # fmt: skip
    days = {local_day(x.start) for x in found}
    assert holiday not in days and monday + timedelta(days=1) not in days  # the holiday, the closure
    assert all(d.weekday() < 5 for d in days)  # no hours on the weekend
    firsts = sorted(x.start for x in found if local_day(x.start) == monday)
    assert firsts[0] == paris(monday, 10, 30)  # 10 h slot has begun at 10 h 10: gone
    assert paris(monday, 11, 30) in firsts and paris(monday, 12) not in firsts  # the last one ends at noon


def test_capacity_counts_overlaps_of_the_kind():
    start = paris(TUESDAY, 9)
    booked = [(start, start + timedelta(minutes=15))] * 2
    grid = slots(hours=HOURS, closures=[], duration_min=15, capacity=2, booked=booked, first_day=TUESDAY,
                 last_day=TUESDAY, now=paris(TUESDAY, 8), only_free=False)  # fmt: skip
    assert grid[0].start == start and grid[0].free == 0
    assert grid[1].free == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=12), st.integers(0, 40), st.integers(1, 8))
def test_occupancy_is_the_most_overlapping_at_once(spans, at, length):
    base = paris(TUESDAY, 9)

    def t(n: int) -> datetime:
        return base + timedelta(minutes=5 * n)

    booked = [(t(a), t(a + d)) for a, d in spans]
    expected = max((sum(1 for s, e in booked if s <= t(p) < e) for p in range(at, at + length)), default=0)
    # the most at once over [at, at + length) in 5-minute steps: every start falls on one of them
    assert Occupancy(booked).taken(t(at), t(at + length)) == expected


def test_codes_and_their_qr_payload():
    assert normalise_code(" rdv-k7m 4qx ") == "K7M4QX" and normalise_code("K7M4QX") == "K7M4QX"
    assert normalise_code(qr_payload("K7M4QX")) == "K7M4QX"
    assert normalise_code("K0M4QX") is None and normalise_code("K7M4Q") is None  # 0 is not in the alphabet
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_arrival_rule():
    at = paris(TUESDAY, 10, 30)

    def rule(dt):
        return arrival(dt, at, early_min=30, late_min=15)

    assert rule(at - timedelta(minutes=31)) is Arrival.TOO_EARLY
    assert rule(at - timedelta(minutes=30)) is Arrival.ON_TIME
    assert rule(at + timedelta(minutes=15)) is Arrival.ON_TIME
    assert rule(at + timedelta(minutes=16)) is Arrival.LATE
    assert rule(at + timedelta(days=1)) is Arrival.OTHER_DAY


def test_default_confirmation_follows_the_record():
    def pick(preferred, **kw):
        fields = dict(email="", phone="", has_address=True, at_desk=False) | kw
        return default_confirmation(preferred, **fields)

    assert pick(PreferredChannel.EMAIL, email="a@b.fr") is ConfirmationChannel.EMAIL
    assert pick(PreferredChannel.PHONE, phone="+33612345678") is ConfirmationChannel.SMS
    assert pick(PreferredChannel.PHONE, phone="+33472000000") is ConfirmationChannel.LETTER  # a landline
    assert pick(None, at_desk=True) is ConfirmationChannel.RECEIPT
    assert pick(None, has_address=False) is ConfirmationChannel.NONE


# -- the service -------------------------------------------------------------------------------------------------


@pytest.fixture
def world(demo_db: Database, refs):
    """HDV's demo queues and agendas, a clock on Tuesday 9 March 2027 at 8 h, and two citizens."""
    seed_queues(demo_db, open_all_day=True)
    seed_agendas(demo_db)
    clock = Clock(paris(TUESDAY, 8))
    services = Services.on(demo_db)
    appointments = AppointmentService(demo_db, clock=clock)
    anne = services.citizens.create(last_name="Lefèvre", first_names="Anne", civility=Civility.MADAME,
                                    email="anne.lefevre@free.fr", phone="06 12 34 56 78", address="3 rue Parmentier",
                                    postal_code="69200", city="Vénissieux", preferred_channel=PreferredChannel.EMAIL)  # fmt: skip
    paul = services.citizens.create(last_name="Martin", first_names="Paul", phone="06 98 76 54 32",
                                    preferred_channel=PreferredChannel.SMS)  # fmt: skip
    hdv = refs.sites["HDV"]
    agendas = {a.name: a for a in appointments.agendas(site_id=hdv)}
    titles = agendas["État civil — titres d'identité"]
    return type("World", (), dict(
        db=demo_db, clock=clock, services=services, appt=appointments, anne=anne, paul=paul, hdv=hdv,
        mav=refs.sites["MAV"], agent=refs.agents["mdurand"], supervisor=refs.agents["sperrin"], agendas=agendas,
        titles=titles, deposit=titles.kinds[0], collect=titles.kinds[1],
        queue=QueueService(demo_db, clock=clock), check_in=CheckIn(demo_db, clock=clock),
    ))  # fmt: skip


def _book(w, citizen, start, kind=None, **kw):
    kw.setdefault("confirmation", ConfirmationChannel.NONE)
    return w.appt.book(agent_id=w.agent, site_id=w.hdv, kind_id=(kind or w.deposit).id, citizen_id=citizen.id,
                       starts_at=start, **kw)  # fmt: skip


def test_booking_takes_a_place_and_never_more_than_the_capacity(world):
    w = world
    assert w.deposit.capacity == 2 and w.deposit.duration_min == 15
    first = w.appt.next_free_slots(kind_id=w.deposit.id, limit=3)
    assert first[0].start == paris(TUESDAY, 8, 30) and first[0].free == 2  # the agenda opens at 8 h 30
    done = _book(w, w.anne, first[0].start)
    row = done.appointment
    assert row.status is AppointmentStatus.BOOKED and row.standing is Standing.EXPECTED
    assert len(row.code) == 6 and set(row.code) <= set(CODE_ALPHABET)
    assert row.ends_at - row.starts_at == timedelta(minutes=15) and "code " + row.code in done.message
    assert w.appt.next_free_slots(kind_id=w.deposit.id, limit=1)[0].free == 1
    _book(w, w.paul, first[0].start)
    assert w.appt.next_free_slots(kind_id=w.deposit.id, limit=1)[0].start == paris(TUESDAY, 8, 45)
    third = w.services.citizens.create(last_name="Nguyen", first_names="Linh")
    with pytest.raises(NotAllowedError, match="vient d'être pris"):
        _book(w, third, first[0].start)
    # Kinds do not share counters: the same hour is free for a collection.
    _book(w, third, first[0].start, kind=w.collect)


def test_what_a_booking_refuses(world, refs):
    w = world
    with pytest.raises(ValidationError):
        _book(w, w.anne, paris(TUESDAY, 8, 40))  # not on the 15-minute grid
    w.clock.at = paris(TUESDAY, 10, 5)
    with pytest.raises(NotAllowedError, match="passé"):
        _book(w, w.anne, paris(TUESDAY, 10))
    holiday = date(2027, 7, 14)
    with pytest.raises(NotAllowedError, match="Fête nationale"):
        _book(w, w.anne, paris(holiday, 9))
    w.appt.add_closure(agent_id=w.supervisor, agenda_id=w.titles.id, first_day=date(2027, 3, 15),
                       last_day=date(2027, 3, 19), reason="formation des agents")  # fmt: skip
    with pytest.raises(NotAllowedError, match="formation des agents"):
        _book(w, w.anne, paris(date(2027, 3, 16), 9))
    with pytest.raises(NotAllowedError, match="jours à l'avance"):
        _book(w, w.anne, paris(TUESDAY + timedelta(days=91), 9))
    _book(w, w.anne, paris(TUESDAY, 11))
    with pytest.raises(NotAllowedError, match="déjà un rendez-vous"):
        _book(w, w.anne, paris(TUESDAY, 11), kind=w.collect)
    # The annexe's agenda is handed out by the annexe only (one site counts its places: no double booking).
    annexe = w.appt.agendas(site_id=w.hdv)[-1]
    assert not annexe.bookable_here and annexe.site_id == w.mav
    with pytest.raises(NotAllowedError, match="Moulin-à-Vent.*seul ce site"):
        _book(w, w.anne, paris(date(2027, 3, 11), 9), kind=annexe.kinds[0])
    # An agent does not configure agendas.
    with pytest.raises(NotAllowedError, match="superviseur"):
        w.appt.add_closure(agent_id=w.agent, agenda_id=w.titles.id, first_day=TUESDAY, last_day=TUESDAY, reason="")


def test_two_desks_booking_the_last_place_at_once(world, db_path):
    w = world
    start = paris(TUESDAY, 9)
    _book(w, w.anne, start)  # one place left
    people = [w.services.citizens.create(last_name=f"Personne{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    results: list[object] = []

    def desk(citizen):
        db = Database.open(db_path)  # a second PC on the same file
        try:
            service = AppointmentService(db, clock=w.clock)
            barrier.wait()
            try:
                results.append(service.book(agent_id=w.agent, site_id=w.hdv, kind_id=w.deposit.id,
                                            citizen_id=citizen.id, starts_at=start,
                                            confirmation=ConfirmationChannel.NONE))  # fmt: skip
            except NotAllowedError as e:
                results.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=desk, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results) == ["BookingResult", "NotAllowedError"]
    with w.db.read() as s:
        taken = s.scalars(select(Appointment).where(Appointment.starts_at == start)).all()
    assert len(taken) == 2


def test_codes_are_unique_at_a_site_even_when_the_draw_repeats(world):
    w = world
    draws = iter([0] * 6 + [0] * 6 + [1] * 6)  # "222222" twice, then "333333"
    appt = AppointmentService(w.db, clock=w.clock, randbelow=lambda _n: next(draws))
    first = appt.book(agent_id=w.agent, site_id=w.hdv, kind_id=w.deposit.id, citizen_id=w.anne.id,
                      starts_at=paris(TUESDAY, 9), confirmation=ConfirmationChannel.NONE)  # fmt: skip
    second = appt.book(agent_id=w.agent, site_id=w.hdv, kind_id=w.deposit.id, citizen_id=w.paul.id,
                       starts_at=paris(TUESDAY, 9), confirmation=ConfirmationChannel.NONE)  # fmt: skip
    assert (first.appointment.code, second.appointment.code) == ("222222", "333333")
    assert [r.id for r in w.appt.find_code(commune_id=_commune(w), code="rdv-222222")] == [first.appointment.id]


def _commune(w) -> uuid.UUID:
    return w.services.sites.find(code="HDV").commune_id


def test_move_keeps_the_code_and_frees_the_old_slot_cancel_frees_it_too(world):
    w = world
    done = _book(w, w.anne, paris(TUESDAY, 9), confirmation=ConfirmationChannel.EMAIL)
    moved = w.appt.move(agent_id=w.agent, site_id=w.hdv, appointment_id=done.appointment.id,
                        starts_at=paris(TUESDAY, 14))  # fmt: skip
    assert moved.appointment.code == done.appointment.code and moved.appointment.moves == 1
    assert moved.notice is not None and moved.notice.kind is NoticeKind.CHANGE
    assert w.appt.next_free_slots(kind_id=w.deposit.id, after=paris(TUESDAY, 9), limit=1)[0].free == 2
    with pytest.raises(ValidationError, match="motif"):
        w.appt.cancel(agent_id=w.agent, site_id=w.hdv, appointment_id=done.appointment.id, reason=" ")
    cancelled = w.appt.cancel(agent_id=w.agent, site_id=w.hdv, appointment_id=done.appointment.id,
                              reason="Demande de la citoyenne")  # fmt: skip
    assert cancelled.appointment.status is AppointmentStatus.CANCELLED
    assert cancelled.notice is not None and cancelled.notice.kind is NoticeKind.CANCELLATION
    slot = [
        x for x in w.appt.free_slots(kind_id=w.deposit.id, first_day=TUESDAY, days=1) if x.start == paris(TUESDAY, 14)
    ]
    assert slot[0].free == 2
    with pytest.raises(NotAllowedError):
        w.appt.move(agent_id=w.agent, site_id=w.hdv, appointment_id=done.appointment.id, starts_at=paris(TUESDAY, 15))


def test_check_in_follows_the_early_and_late_rule(world):
    w = world
    on_time = _book(w, w.anne, paris(TUESDAY, 10, 30)).appointment
    late = _book(w, w.paul, paris(TUESDAY, 9)).appointment
    w.clock.at = paris(TUESDAY, 9, 59)
    with pytest.raises(NotAllowedError, match="ouvre à 10 h"):
        w.check_in.by_code(site_id=w.hdv, code=on_time.code)
    with pytest.raises(NotFoundError):
        w.check_in.by_code(site_id=w.mav, code=on_time.code)  # another site's kiosk
    with pytest.raises(ValidationError):
        w.check_in.by_code(site_id=w.hdv, code="???")
    w.clock.at = paris(TUESDAY, 10, 5)
    ticket = w.check_in.by_code(site_id=w.hdv, code=qr_payload(on_time.code), print_on="borne")
    assert ticket.appointment_at == on_time.starts_at and ticket.queue_letter == "A" and ticket.print_job_id
    assert "heure de votre rendez-vous" in ticket.note
    again = w.check_in.by_code(site_id=w.hdv, code=on_time.code)
    assert again.id == ticket.id and "déjà enregistré" in again.note
    walk_in = w.check_in.by_code(site_id=w.hdv, code=late.code)  # 65 minutes late
    assert walk_in.appointment_at is None and "retard" in walk_in.note
    rows = {r.id: r for r in w.appt.board(site_id=w.hdv).checked_in}
    assert rows[late.id].arrived_late and rows[on_time.id].ticket_number == ticket.number
    tomorrow = _book(w, w.anne, paris(TUESDAY + timedelta(days=1), 9)).appointment
    with pytest.raises(NotAllowedError, match="mercredi 10 mars 2027"):
        w.check_in.by_code(site_id=w.hdv, code=tomorrow.code)
    # At the desk, an agent may take someone in early: the ticket waits for its time.
    early = _book(w, w.services.citizens.create(last_name="Tôt"), paris(TUESDAY, 14)).appointment
    desk = w.appt.check_in(agent_id=w.agent, site_id=w.hdv, appointment_id=early.id)
    assert desk.ticket.appointment_at == early.starts_at and desk.appointment.standing is Standing.CHECKED_IN


def test_the_checked_in_ticket_is_served_at_its_time(world, refs):
    w = world
    q = w.queue
    booked = _book(w, w.anne, paris(TUESDAY, 10, 30)).appointment
    w.clock.at = paris(TUESDAY, 10)
    counter = w.services.queue.site_status(site_id=w.hdv).counters[0]
    q.open_counter(counter_id=counter.id, agent_id=w.agent)
    queue_a = next(s for s in q.queue_statuses(site_id=w.hdv) if s.letter == "A")
    walk_in = q.issue_ticket(site_id=w.hdv, queue_id=queue_a.id)
    appointment = w.check_in.by_code(site_id=w.hdv, code=booked.code)  # 30 min early: not due before 10 h 25
    called = q.call_next(counter_id=counter.id, agent_id=w.agent)
    assert called.id == walk_in.id
    q.finish(ticket_id=called.id, counter_id=counter.id, agent_id=w.agent)
    second_walk_in = q.issue_ticket(site_id=w.hdv, queue_id=queue_a.id)
    w.clock.at = paris(TUESDAY, 10, 26)  # due now: before the walk-in who came earlier than it
    called = q.call_next(counter_id=counter.id, agent_id=w.agent)
    assert called.id == appointment.id and called.appointment_at == booked.starts_at
    q.finish(ticket_id=called.id, counter_id=counter.id, agent_id=w.agent)
    assert q.call_next(counter_id=counter.id, agent_id=w.agent).id == second_walk_in.id


def test_the_end_of_the_day_marks_the_missed_appointments_and_counts_them(world):
    w = world
    kept = _book(w, w.anne, paris(TUESDAY, 9)).appointment
    missed = _book(w, w.paul, paris(TUESDAY, 11)).appointment
    later = _book(w, w.anne, paris(TUESDAY + timedelta(days=1), 9)).appointment
    w.clock.at = paris(TUESDAY, 9)
    w.check_in.by_code(site_id=w.hdv, code=kept.code)
    w.clock.at = paris(TUESDAY, 11, 20)
    assert w.appt.board(site_id=w.hdv).late[0].id == missed.id  # 20 minutes after: late
    w.clock.at = paris(TUESDAY, 18)
    closure = w.queue.close_day(site_id=w.hdv, reason="Fermeture de l'accueil", agent_id=w.supervisor)
    assert closure.missed_appointments == 1
    assert w.appt.get(appointment_id=missed.id).status is AppointmentStatus.MISSED
    assert w.appt.get(appointment_id=later.id).status is AppointmentStatus.BOOKED
    counts = w.appt.counts(site_id=w.hdv, first_day=TUESDAY, last_day=TUESDAY)
    assert (counts.booked, counts.checked_in, counts.missed, counts.missed_rate) == (2, 1, 1, 0.5)
    # A site nobody closed: the next morning does it.
    w.clock.at = paris(TUESDAY + timedelta(days=2), 8)
    assert w.queue.close_past_days(site_id=w.hdv).missed_appointments == 1
    assert w.appt.get(appointment_id=later.id).status is AppointmentStatus.MISSED


def test_a_printed_receipt_is_queued_with_the_booking_and_names_nobody(world):
    w = world
    done = _book(w, w.anne, paris(TUESDAY, 9), channel=Channel.IN_PERSON, confirmation=None, printer_key="accueil")
    assert done.appointment.confirmation is ConfirmationChannel.EMAIL  # her preferred channel
    done = _book(w, w.paul, paris(TUESDAY, 9), channel=Channel.IN_PERSON, confirmation=ConfirmationChannel.RECEIPT,
                 printer_key="accueil")  # fmt: skip
    assert done.print_job_id is not None and "imprimante" in done.message
    job = PrintJobService(w.db).claim_next(printer_key="accueil")
    assert job.kind is PrintJobKind.APPOINTMENT
    lines = [op.text for op in job_ops(job, PrinterSettings(backend="file", key="accueil")) if isinstance(op, Text)]
    text = "\n".join(lines)
    assert done.appointment.code in text and "9\u00a0h\u00a000" in text and "photo d'identité" in text
    assert "Martin" not in text and "Paul" not in text
    with pytest.raises(ValidationError, match="imprimante"):
        _book(w, w.anne, paris(TUESDAY, 10), confirmation=ConfirmationChannel.RECEIPT)  # no printer here


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_confirmation_by_email_carries_the_letter_and_is_recorded(world, request):
    w = world
    done = _book(w, w.anne, paris(TUESDAY, 9), confirmation=None)
    assert done.notice is not None and done.notice.channel is PreferredChannel.EMAIL
    assert done.notice.status is DispatchStatus.PENDING and "anne.lefevre@free.fr" in done.message
    server = start_server(request)
    letters = AppointmentLetters(w.services)
    services = Services.on(w.db)
    sent = AppointmentNotifier(services, letters, smtp=settings_for(server.port, username="")).deliver(
        notice_id=done.notice.id
    )
    assert sent.status is DispatchStatus.SENT, sent.last_error
    (received,) = server.mailbox.received
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert message["Subject"].startswith("Confirmation de votre rendez-vous du mardi 9 mars 2027 à 9 h")
    body = message.get_body(("plain",)).get_content()
    assert done.appointment.code in body and "photo d'identité" in body
    (pdf,) = [part.get_content() for part in message.iter_attachments()]
    text = _pdf_text(pdf)
    assert "Confirmation de rendez-vous" in text and done.appointment.code in text and "Lefèvre" in text


def test_a_failed_confirmation_is_recorded_and_sent_again(world, tmp_path):
    w = world
    done = _book(w, w.paul, paris(TUESDAY, 9), confirmation=None)
    assert done.notice.channel is PreferredChannel.SMS
    letters = AppointmentLetters(w.services)
    failed = AppointmentNotifier(w.services, letters).deliver(notice_id=done.notice.id)  # no gateway configured
    assert failed.status is DispatchStatus.FAILED and "SMS n'est pas configuré" in failed.last_error
    assert [n.id for n in w.appt.pending_notices(site_id=w.hdv)] == [done.notice.id]
    port = free_port()
    smtp_down = AppointmentNotifier(w.services, letters, smtp=settings_for(port, username="", timeout_s=1))
    mail = _book(w, w.anne, paris(TUESDAY, 10), confirmation=ConfirmationChannel.EMAIL)
    assert smtp_down.deliver(notice_id=mail.notice.id).status is DispatchStatus.FAILED
    (tmp_path / "sms").mkdir()
    gateway = SmsSettings(backend="folder", folder=str(tmp_path / "sms"))
    sent = AppointmentNotifier(w.services, letters, sms=gateway).deliver(notice_id=done.notice.id)
    assert sent.status is DispatchStatus.SENT and sent.attempts == 2 and sent.last_error == ""
    (file,) = (tmp_path / "sms").glob("*.json")
    message = json.loads(file.read_text(encoding="utf-8"))
    assert message["to"] == "+33698765432" and done.appointment.code in message["text"]
    assert [n.id for n in w.appt.pending_notices(site_id=w.hdv)] == [mail.notice.id]


def test_the_letter_and_the_sms_of_a_cancellation(world):
    w = world
    done = _book(w, w.anne, paris(TUESDAY, 9), confirmation=ConfirmationChannel.LETTER)
    assert done.letter_due and done.notice is None and "Lettre" in done.message
    letters = AppointmentLetters(w.services)
    text = _pdf_text(letters.letter(appointment_id=done.appointment.id))
    assert "3 rue Parmentier" in text and done.appointment.code in text and "justificatif de domicile" in text
    w.appt.cancel(agent_id=w.agent, site_id=w.hdv, appointment_id=done.appointment.id, reason="service fermé")
    text = _pdf_text(letters.letter(appointment_id=done.appointment.id))
    assert "annulé (motif : service fermé)" in text.replace("\n", " ")
    doc = w.appt.document(appointment_id=done.appointment.id)
    assert "annulé" in sms_text(doc, NoticeKind.CANCELLATION)


def test_day_and_week_views_and_the_citizen_search(world):
    w = world
    a = _book(w, w.anne, paris(TUESDAY, 9)).appointment
    _book(w, w.anne, paris(TUESDAY + timedelta(days=2), 10), kind=w.collect)
    day = w.appt.day(agenda_id=w.titles.id, day=TUESDAY)
    assert day.closed_reason == "" and [r.id for r in day.appointments] == [a.id]
    nine = [x for x in day.slots[w.deposit.id] if x.start == paris(TUESDAY, 9)]
    assert nine[0].free == 1 and nine[0].capacity == 2
    week = w.appt.week(agenda_id=w.titles.id, day=TUESDAY)
    assert [d.day.weekday() for d in week] == [0, 1, 2, 3, 4, 5]
    assert sum(len(d.appointments) for d in week) == 2
    mine = w.appt.for_citizen(citizen_id=w.anne.id)
    assert [r.starts_at for r in mine] == sorted(r.starts_at for r in mine) and mine[0].citizen_name.startswith("Mme")
    with w.db.read() as s:
        assert s.scalar(select(Ticket.id).limit(1)) is None  # booking issues no ticket: the check-in does


def test_the_printed_confirmation_has_no_field_for_a_person():
    # Reviewed on purpose, like the ticket's: the code is enough to check in, a lost slip names nobody.
    from dataclasses import fields

    from guichet.printing.layout import AppointmentSlip

    assert {f.name for f in fields(AppointmentSlip)} == {
        "commune_name", "site_name", "agenda_name", "kind_name", "starts_at", "code", "qr_payload", "place",
        "documents", "early_min", "late_min", "site_footer", "footer", "cancelled",
    }  # fmt: skip
