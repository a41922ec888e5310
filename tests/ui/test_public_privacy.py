"""Public surfaces carry no personal data: the kiosk, the call screen and the printed tickets show ticket
numbers, queues and counters only — checked on every field they are given and every text they render — and
their processes cannot reach citizens at all, whatever their settings."""

from __future__ import annotations

import dataclasses
import enum
import json
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from guichet.app import build_display, build_kiosk
from guichet.config import PrinterSettings, Settings
from guichet.domain import Channel, Outcome
from guichet.models import Counter
from guichet.printing.layout import Text
from guichet.printing.worker import job_ops
from guichet.services import Services
from guichet.services.accounts import AccountService
from guichet.services.appointment_seed import seed_agendas
from guichet.services.appointments import AppointmentService
from guichet.services.auth import AuthService
from guichet.services.citizens import CitizenService
from guichet.services.contacts import ContactInput, ContactService
from guichet.services.public import PrinterJobs, PublicQueue, PublicServices, PublicSites
from guichet.services.queue import QueueService
from guichet.services.queue_seed import seed_queues
from guichet.services.stats import StatsService
from guichet.ui.display.announcer import Announcer
from tests.ui.helpers import visible_texts

# What a passer-by must never read in the hall: the visitor's name, phone, e-mail, address, the subject of the
# visit, and the agents' names.
FORBIDDEN = ["ZYGOMATIQUE", "Philibert", "98 76 54 32", "0698765432", "+33698765432", "philibert.zygo",
             "impasse des Secrets", "Visite très confidentielle", "Marie", "Durand", "Karim", "Benali"]  # fmt: skip
# Services a public process must not even hold.
PRIVATE = (Services, CitizenService, ContactService, AuthService, AccountService, StatsService, AppointmentService)


def _strings(value, seen: set[int] | None = None) -> list[str]:  # noqa: ANN001
    """Every string inside a service answer: dataclass fields, enums' labels, containers, JSON payloads."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, enum.Enum):
        return [str(value.value), getattr(value, "label", "")]
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return [value, *_strings(decoded, seen)] if isinstance(decoded, dict | list) else [value]
    if isinstance(value, datetime | date | uuid.UUID | int | float | bool) or value is None:
        return [str(value)]
    if dataclasses.is_dataclass(value):
        found = []
        for field in dataclasses.fields(value):
            found += _strings(getattr(value, field.name), seen)
        for name in dir(type(value)):  # computed properties too (labels)
            if isinstance(getattr(type(value), name, None), property):
                found += _strings(getattr(value, name), seen)
        return found
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k, seen), *_strings(v, seen))]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for item in value for s in _strings(item, seen)]
    raise AssertionError(f"type inattendu dans une réponse publique : {type(value).__name__}")


def _leaks(texts: list[str]) -> list[str]:
    return sorted({f for f in FORBIDDEN for t in texts if f.lower() in t.lower()})


@pytest.fixture
def hall(demo_db):
    """HDV with its queues, two counters open by named agents, a visitor with a record, a ticket per queue
    called or waiting, and a contact linking the visitor to their ticket."""
    seed_queues(demo_db, open_all_day=True)
    services = Services.on(demo_db)
    site = services.sites.find(code="HDV")
    with demo_db.read() as s:
        counters = {c.number: c.id for c in s.scalars(select(Counter).where(Counter.site_id == site.id))}
    agents = {a: services.auth.login(login=a, password="guichet2026").agent_id for a in ("mdurand", "kbenali")}
    citizen = services.citizens.create(last_name="ZYGOMATIQUE", first_names="Philibert", phone="06 98 76 54 32",
                                       email="philibert.zygo@exemple.fr", address="12 impasse des Secrets")  # fmt: skip
    services.queue.open_counter(counter_id=counters[1], agent_id=agents["mdurand"])
    services.queue.open_counter(counter_id=counters[2], agent_id=agents["kbenali"])
    return demo_db, services, site, counters, agents, citizen


def _appointment_in(db, citizen_id, *, minutes: int) -> str:
    """An appointment of the visitor at HDV in ``minutes`` (written directly: the agenda may be closed now)."""
    from datetime import timedelta

    from guichet.domain import AppointmentStatus, ConfirmationChannel
    from guichet.models import Agent, Appointment, AppointmentAgenda, AppointmentKind, Site
    from guichet.services.appointment_rules import new_code
    from guichet.services.clock import now

    seed_agendas(db)
    with db.write() as s:
        agenda = s.scalars(
            select(AppointmentAgenda).join(Site, Site.id == AppointmentAgenda.site_id).where(Site.code == "HDV")
        ).first()
        kind = s.scalars(select(AppointmentKind).where(AppointmentKind.agenda_id == agenda.id)).first()
        start = now() + timedelta(minutes=minutes)
        code = new_code()
        s.add(Appointment(
            commune_id=agenda.commune_id, site_id=agenda.site_id, agenda_id=agenda.id, kind_id=kind.id,
            citizen_id=citizen_id, starts_at=start, ends_at=start + timedelta(minutes=kind.duration_min), code=code,
            status=AppointmentStatus.BOOKED, channel=Channel.PHONE, confirmation=ConfirmationChannel.NONE,
            booked_at=now(), booked_by=s.scalars(select(Agent.id)).first(),
        ))  # fmt: skip
    return code


def test_every_field_the_public_surfaces_are_given_is_free_of_personal_data(hall):
    db, services, site, counters, agents, citizen = hall
    public = PublicServices.on(db)
    statuses = public.queue.queue_statuses(site_id=site.id)
    issued = [public.queue.issue_ticket(site_id=site.id, queue_id=q.id, print_on="kiosque") for q in statuses]
    called = services.queue.call_next(counter_id=counters[1], agent_id=agents["mdurand"])
    theme = next(t for t in services.reference.load(commune_id=site.commune_id, site_id=site.id).themes if t.parent_id)
    services.contacts.log(
        agent_id=agents["mdurand"], site_id=site.id,
        data=ContactInput(channel=Channel.IN_PERSON, theme_id=theme.id, outcome=Outcome.ANSWERED,
                          citizen_id=citizen.id, subject="Visite très confidentielle", ticket_id=called.id),
    )  # fmt: skip
    services.queue.call_next(counter_id=counters[2], agent_id=agents["kbenali"])
    reprint = services.printing.reprint_ticket(ticket_id=called.id, printer_key="kiosque")
    checked_in = public.queue.check_in(site_id=site.id, code=_appointment_in(db, citizen.id, minutes=10),
                                       print_on="kiosque")  # fmt: skip
    assert checked_in.appointment_at is not None and checked_in.number.startswith("A")

    answers: list[object] = [public.queue.queue_statuses(site_id=site.id), issued, public.sites.find(code="HDV"),
                             checked_in]  # fmt: skip
    answers += [public.queue.ticket(ticket_id=t.id) for t in issued]
    feed = public.queue.recent_calls(site_id=site.id)
    assert len(feed.calls) == 2
    answers.append(feed)
    printer = PrinterSettings(backend="file", key="kiosque", footer="Merci de votre visite")
    printed: list[str] = []
    jobs = []
    while (job := public.printing.claim_next(printer_key="kiosque")) is not None:
        jobs.append(job)
        printed += [op.text for op in job_ops(job, printer) if isinstance(op, Text)]
    # The duplicata replaced its original; the check-in printed its ticket too.
    assert len(jobs) == len(issued) + 1 and reprint.id in {j.id for j in jobs}
    answers.append(jobs)
    texts = [s for answer in answers for s in _strings(answer)] + printed
    assert called.number in printed and any("Guichet 1" in t for t in texts)  # what they do show is there
    assert _leaks(texts) == []


def _reachable(root: object, depth: int = 8) -> list[object]:
    """Every Python object reachable from ``root`` through attributes and containers (Qt wrappers included)."""
    found, stack, seen = [], [(root, 0)], set()
    while stack:
        obj, level = stack.pop()
        if id(obj) in seen or level > depth or isinstance(obj, type | str | bytes | int | float | enum.Enum):
            continue
        seen.add(id(obj))
        found.append(obj)
        children = []
        if isinstance(obj, dict):
            children = list(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            children = list(obj)
        else:
            children = list(getattr(obj, "__dict__", {}).values())
            children += [getattr(obj, s) for s in getattr(type(obj), "__slots__", ()) if hasattr(obj, s)]
        stack += [(c, level + 1) for c in children if not callable(c) or hasattr(c, "__dict__")]
    return found


@pytest.mark.parametrize("settings_site", ["HDV", ""])
def test_a_kiosk_or_call_screen_process_cannot_reach_citizens(qtbot, qapp, hall, db_path: Path, settings_site):
    db = hall[0]
    settings = Settings(db_path=db_path, site_code=settings_site, printer=PrinterSettings(backend="none"))
    kiosk = build_kiosk(settings, db, "HDV", refresh_ms=50)
    display = build_display(settings, db, "HDV", poll_ms=20, announcer=Announcer(speech=False, sound=False))
    for screen in (kiosk, display):
        qtbot.addWidget(screen.window)
        screen.window.show()
    qtbot.waitUntil(lambda: len(kiosk.window.buttons) == 5 and display.window._cursor is not None, timeout=5_000)
    try:
        for screen in (kiosk, display):
            assert isinstance(screen.services, PublicServices)
            assert not hasattr(screen.services, "citizens") and not hasattr(screen.services, "contacts")
            objects = _reachable(screen)
            held = sorted({type(o).__name__ for o in objects if isinstance(o, PRIVATE)})
            assert held == [], f"un écran public détient {held}"
            assert any(isinstance(o, QueueService) for o in objects)  # the walk does reach the queue
        # What the facade offers, reviewed on purpose: nothing here returns a person.
        public_calls = {
            cls.__name__: sorted(n for n in vars(cls) if not n.startswith("_"))
            for cls in (PublicQueue, PublicSites, PrinterJobs)
        }
        assert public_calls == {
            "PublicQueue": ["check_in", "close_past_days", "issue_ticket", "queue_statuses", "recent_calls", "ticket"],
            "PublicSites": ["find"],
            "PrinterJobs": ["claim_next", "mark_failed", "mark_printed", "next_due_at", "recover", "retry_waiting"],
        }
        assert _leaks(visible_texts(kiosk.window) + visible_texts(display.window)) == []
    finally:
        for screen in (kiosk, display):
            screen.window.stop()
            qtbot.waitUntil(lambda s=screen: s.worker.idle, timeout=5_000)
            screen.worker.shutdown()
