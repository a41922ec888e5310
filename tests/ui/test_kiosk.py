"""The kiosk ("borne"), touched like a citizen would, on a real database with the demo town's queues.

Also here: what both public screens show never includes personal data, and renders of both at the two
screen sizes they must fit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QListWidget, QWidget
from sqlalchemy import func, select

from guichet.db import Database
from guichet.domain import Channel, Outcome
from guichet.models import Agent, Counter, Queue, Ticket
from guichet.services import Services
from guichet.services.clock import PARIS
from guichet.services.contacts import ContactInput
from guichet.services.queue import PriorityReason, QueueService, QueueState
from guichet.services.queue_seed import seed_queues
from guichet.ui.common.style import apply_style
from guichet.ui.display.announcer import Announcer
from guichet.ui.display.window import DisplayWindow
from guichet.ui.kiosk.window import PRINT_NOTICE, KioskWindow
from guichet.ui.worker import Worker
from tests.ui.helpers import screenshot_dir

WEDNESDAY = datetime(2026, 3, 11, 10, 0, tzinfo=PARIS)  # A, B, C, E open; D (Urbanisme: tue, thu) closed


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Site:
    db: Database
    services: Services
    queue: QueueService
    clock: FakeClock
    site_id: uuid.UUID
    queues: dict[str, uuid.UUID]  # by letter
    counters: dict[int, uuid.UUID]
    agents: dict[str, uuid.UUID]

    def tickets(self) -> int:
        with self.db.read() as s:
            return s.scalar(select(func.count()).select_from(Ticket)) or 0


def _site(db: Database, *, open_all_day: bool) -> Site:
    seed_queues(db, open_all_day=open_all_day)
    clock = FakeClock(WEDNESDAY)
    services = Services.on(db)
    site = services.sites.find(code="HDV")
    with db.read() as s:
        queues = {q.letter: q.id for q in s.scalars(select(Queue).where(Queue.site_id == site.id))}
        counters = {c.number: c.id for c in s.scalars(select(Counter).where(Counter.site_id == site.id))}
        agents = {a.login: a.id for a in s.scalars(select(Agent))}
    return Site(db, services, QueueService(db, clock=clock), clock, site.id, queues, counters, agents)


@pytest.fixture
def hdv(demo_db: Database) -> Site:
    """The town hall's queues with their real opening hours, on a Wednesday at 10:00."""
    return _site(demo_db, open_all_day=False)


@contextmanager
def _kiosk(qtbot, qapp, hdv: Site, **options) -> Iterator[KioskWindow]:
    apply_style(qapp)
    worker = Worker()
    site = hdv.services.sites.find(code="HDV")
    options = {"refresh_ms": 100, "confirm_ms": 10_000, "notice_ms": 10_000, "clock": hdv.clock, **options}
    window = KioskWindow(worker, hdv.queue, site, **options)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: len(window.buttons) == 5, timeout=5_000)
    try:
        yield window
    finally:
        window.stop()
        qtbot.waitUntil(lambda: worker.idle, timeout=5_000)
        worker.shutdown()


@pytest.fixture
def kiosk(qtbot, qapp, hdv: Site) -> Iterator[KioskWindow]:
    with _kiosk(qtbot, qapp, hdv) as window:
        yield window


def _button(kiosk: KioskWindow, hdv: Site, letter: str):
    return kiosk.buttons[hdv.queues[letter]]


def _touch(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_a_touch_on_a_queue_gives_the_number_the_service_created(qtbot, kiosk, hdv):
    button = _button(kiosk, hdv, "A")
    assert button.name_label.text() == "État civil et titres d'identité"
    assert button.detail_label.text() == "Personne en attente"
    assert button.height() >= 120
    _touch(qtbot, button)
    qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.confirm, timeout=5_000)

    ticket = hdv.queue.ticket(ticket_id=kiosk.ticket.id)
    assert ticket.number == "A001" and ticket.priority_reason is None
    assert kiosk.number_label.text() == "A001"
    assert kiosk.queue_label.text() == "État civil et titres d'identité"
    assert kiosk.ahead_label.text() == "Personne avant vous"
    assert kiosk.issued_label.text() == "Délivré le mercredi 11 mars 2026 à 10:00"
    assert kiosk.print_label.text() == PRINT_NOTICE
    assert not kiosk.priority_label.isVisible()
    assert kiosk.number_label.font().pixelSize() >= 150  # very large, even at 1366×768

    _touch(qtbot, kiosk.confirm)  # a touch anywhere: back to the queues
    assert kiosk.pages.currentWidget() is kiosk.home
    # The next person: one ticket ahead of them now, and the button says so by itself.
    qtbot.waitUntil(lambda: button.detail_label.text().startswith("1 personne en attente"), timeout=5_000)
    _touch(qtbot, button)
    qtbot.waitUntil(lambda: kiosk.number_label.text() == "A002", timeout=5_000)
    assert kiosk.ahead_label.text() == "1 personne avant vous"
    assert hdv.tickets() == 2


def test_the_confirmation_returns_home_by_itself(qtbot, qapp, hdv):
    with _kiosk(qtbot, qapp, hdv, confirm_ms=200) as kiosk:
        _touch(qtbot, _button(kiosk, hdv, "E"))
        qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.confirm, timeout=5_000)
        qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.home, timeout=2_000)


def test_priority_is_asked_with_big_buttons_and_reaches_the_ticket(qtbot, kiosk, hdv):
    _touch(qtbot, kiosk.priority_button)
    assert kiosk.pages.currentWidget() is kiosk.reasons
    buttons = kiosk.reason_buttons
    assert [b.text() for b in buttons.values()] == ["Personne à mobilité réduite", "Femme enceinte", "Personne âgée"]
    assert all(b.height() >= 120 for b in buttons.values())
    _touch(qtbot, buttons[PriorityReason.PREGNANCY])
    assert kiosk.pages.currentWidget() is kiosk.home
    assert kiosk.priority_button.isChecked() and "femme enceinte" in kiosk.priority_button.text()

    _touch(qtbot, _button(kiosk, hdv, "C"))
    qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.confirm, timeout=5_000)
    assert kiosk.priority_label.text() == "Ticket prioritaire : femme enceinte"
    assert hdv.queue.ticket(ticket_id=kiosk.ticket.id).priority_reason is PriorityReason.PREGNANCY
    # The next person starts without it.
    assert kiosk.priority is None and not kiosk.priority_button.isChecked()


def test_priority_can_be_cancelled_and_wears_off(qtbot, qapp, hdv):
    with _kiosk(qtbot, qapp, hdv, idle_ms=200) as kiosk:
        _touch(qtbot, kiosk.priority_button)
        _touch(qtbot, kiosk.reason_back)  # "Retour, sans priorité"
        assert kiosk.pages.currentWidget() is kiosk.home and kiosk.priority is None
        _touch(qtbot, kiosk.priority_button)
        _touch(qtbot, kiosk.reason_buttons[PriorityReason.AGE])
        _touch(qtbot, kiosk.priority_button)  # a second touch takes it back
        assert kiosk.priority is None and not kiosk.priority_button.isChecked()
        _touch(qtbot, kiosk.priority_button)
        _touch(qtbot, kiosk.reason_buttons[PriorityReason.PMR])
        qtbot.waitUntil(lambda: kiosk.priority is None, timeout=2_000)  # nobody took a ticket: it wears off
        assert not kiosk.priority_button.isChecked()


def test_closed_queue_and_reached_cap_are_greyed_and_issue_nothing(qtbot, qapp, hdv):
    with hdv.db.write() as s:
        s.get(Queue, hdv.queues["B"]).daily_cap = 1
    hdv.queue.issue_ticket(site_id=hdv.site_id, queue_id=hdv.queues["B"])
    with _kiosk(qtbot, qapp, hdv) as kiosk:
        closed, full = _button(kiosk, hdv, "D"), _button(kiosk, hdv, "B")
        assert closed.status.state is QueueState.CLOSED and closed.property("state") == "fermee"
        assert closed.detail_label.text() == "Fermée — Réouverture demain à 8 h 30."
        assert full.status.state is QueueState.FULL
        assert full.detail_label.text() == "Plus de tickets aujourd'hui pour cette file."
        _touch(qtbot, closed)
        assert kiosk.notice_label.isVisible()
        assert kiosk.notice_label.text() == "Urbanisme : fermé en ce moment. Réouverture demain à 8 h 30."
        _touch(qtbot, full)
        assert kiosk.notice_label.text() == "Social (CCAS) : Plus de tickets aujourd'hui pour cette file."
        qtbot.wait(100)
        assert kiosk.pages.currentWidget() is kiosk.home
        assert hdv.tickets() == 1  # the one issued above, nothing from the kiosk


def test_a_ticket_refused_by_the_service_shows_its_message(qtbot, qapp, hdv):
    with hdv.db.write() as s:
        s.get(Queue, hdv.queues["B"]).daily_cap = 1
    with _kiosk(qtbot, qapp, hdv, refresh_ms=60_000) as kiosk:
        button = _button(kiosk, hdv, "B")
        assert button.status.state is QueueState.OPEN
        hdv.queue.issue_ticket(site_id=hdv.site_id, queue_id=hdv.queues["B"])  # another kiosk took the last one
        _touch(qtbot, button)
        qtbot.waitUntil(kiosk.notice_label.isVisible, timeout=5_000)
        assert kiosk.notice_label.text().startswith("Il n'y a plus de tickets aujourd'hui pour « Social (CCAS) »")
        assert kiosk.pages.currentWidget() is kiosk.home
        qtbot.waitUntil(lambda: button.status.state is QueueState.FULL, timeout=5_000)  # and it shows greyed now
        assert hdv.tickets() == 1


def test_a_double_touch_gives_one_ticket(qtbot, kiosk, hdv):
    button = _button(kiosk, hdv, "E")
    kiosk.choose_queue(button.status)
    kiosk.choose_queue(button.status)
    qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.confirm, timeout=5_000)
    qtbot.waitUntil(lambda: kiosk._worker.idle, timeout=5_000)
    assert hdv.tickets() == 1


# -- both public screens ---------------------------------------------------------------------------


def _visible_texts(window: QWidget) -> list[str]:
    texts = [window.windowTitle()]
    for label in window.findChildren(QLabel):
        texts.append(label.text())
    for button in window.findChildren(QAbstractButton):
        texts.extend((button.text(), button.accessibleName(), button.toolTip()))
    for lst in window.findChildren(QListWidget):
        texts.extend(lst.item(i).text() for i in range(lst.count()))
    return [t for t in texts if t]


def test_no_personal_data_ever_reaches_the_public_screens(qtbot, qapp, demo_db):
    hdv = _site(demo_db, open_all_day=True)
    citizens = hdv.services.citizens
    marked = [
        citizens.create(last_name="ZYGOMATIQUE", first_names="Philibert", phone="06 98 76 54 32",
                        email="philibert.zygo@exemple.fr", address="12 impasse des Secrets"),
        citizens.create(last_name="QUETZALCOATL", first_names="Bérénice", phone="07 11 22 33 44"),
    ]  # fmt: skip
    forbidden = ["ZYGOMATIQUE", "Zygomatique", "Philibert", "QUETZALCOATL", "Bérénice", "98 76 54 32", "0698765432",
                 "+33698765432", "11 22 33 44", "philibert.zygo", "impasse des Secrets", "Marie", "Durand", "Karim",
                 "Benali", "Visite très confidentielle"]  # fmt: skip
    agent, counter = hdv.agents["mdurand"], hdv.counters[1]
    hdv.queue.open_counter(counter_id=counter, agent_id=agent)
    hdv.queue.open_counter(counter_id=hdv.counters[2], agent_id=hdv.agents["kbenali"])
    first = hdv.queue.issue_ticket(site_id=hdv.site_id, queue_id=hdv.queues["A"], priority_reason=PriorityReason.AGE)
    hdv.queue.issue_ticket(site_id=hdv.site_id, queue_id=hdv.queues["A"])
    called = hdv.queue.call_next(counter_id=counter, agent_id=agent)
    assert called is not None and called.id == first.id
    theme = next(t for t in hdv.services.reference.load(commune_id=hdv.services.sites.find(code="HDV").commune_id,
                                                         site_id=hdv.site_id).themes if t.parent_id is not None)  # fmt: skip
    hdv.services.contacts.log(
        agent_id=agent, site_id=hdv.site_id,
        data=ContactInput(channel=Channel.IN_PERSON, theme_id=theme.id, outcome=Outcome.ANSWERED,
                          citizen_id=marked[0].id, subject="Visite très confidentielle", ticket_id=first.id),
    )  # fmt: skip
    site = hdv.services.sites.find(code="HDV")
    display_worker = Worker()
    display = DisplayWindow(
        display_worker, hdv.queue, site, poll_ms=20, flash_ms=10, clock=hdv.clock,
        announcer=Announcer(speech=False, sound=False, chime_ms=0, gap_ms=0),
    )  # fmt: skip
    qtbot.addWidget(display)
    display.show()
    qtbot.waitUntil(lambda: display.current_text() == "A001 → Guichet 1", timeout=5_000)
    hdv.queue.call_next(counter_id=hdv.counters[2], agent_id=hdv.agents["kbenali"])
    qtbot.waitUntil(lambda: display.current_text() == "A002 → Guichet 2", timeout=5_000)
    with _kiosk(qtbot, qapp, hdv) as kiosk:
        _touch(qtbot, kiosk.priority_button)
        seen = _visible_texts(kiosk)
        _touch(qtbot, kiosk.reason_buttons[PriorityReason.AGE])
        _touch(qtbot, _button(kiosk, hdv, "A"))
        qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.confirm, timeout=5_000)
        seen += _visible_texts(kiosk) + _visible_texts(display) + display.announcer.history
        assert "A003" in seen and "A001 → Guichet 1" in display.recent_texts()
        leaks = sorted({f for f in forbidden for text in seen if f.lower() in text.lower()})
        assert not leaks, f"données personnelles à l'écran : {leaks}"
    display.stop()
    qtbot.waitUntil(lambda: display_worker.idle, timeout=5_000)
    display_worker.shutdown()


def test_renders_of_both_screens_at_1920_and_1366(qtbot, qapp, tmp_path, demo_db):
    hdv = _site(demo_db, open_all_day=False)
    with hdv.db.write() as s:
        s.get(Queue, hdv.queues["B"]).daily_cap = 3
    agent, kb = hdv.agents["mdurand"], hdv.agents["kbenali"]
    hdv.queue.open_counter(counter_id=hdv.counters[1], agent_id=agent)
    hdv.queue.open_counter(counter_id=hdv.counters[3], agent_id=kb)
    for letter, count in (("A", 9), ("B", 3), ("E", 4)):
        for _ in range(count):
            hdv.queue.issue_ticket(site_id=hdv.site_id, queue_id=hdv.queues[letter])
    current = {}
    for number, who in ((1, agent), (3, kb), (1, agent), (3, kb), (1, agent), (3, kb), (1, agent), (3, kb)):
        if number in current:
            hdv.queue.finish(ticket_id=current[number].id, counter_id=hdv.counters[number], agent_id=who)
        hdv.clock.advance(minutes=3)
        current[number] = hdv.queue.call_next(counter_id=hdv.counters[number], agent_id=who)
    out = screenshot_dir(tmp_path)
    site = hdv.services.sites.find(code="HDV")
    display_worker = Worker()
    display = DisplayWindow(
        display_worker, hdv.queue, site, poll_ms=20, clock=hdv.clock,
        announcer=Announcer(speech=False, sound=False, chime_ms=0, gap_ms=0),
    )  # fmt: skip
    qtbot.addWidget(display)
    display.show()
    qtbot.waitUntil(lambda: len(display.recent) == 6, timeout=5_000)
    with _kiosk(qtbot, qapp, hdv) as kiosk:
        for width, height in ((1920, 1080), (1366, 768)):
            for window in (kiosk, display):
                window.resize(width, height)
            qtbot.waitUntil(lambda w=width: kiosk.width() == w and display.width() == w, timeout=2_000)
            qtbot.wait(50)
            shots = {"kiosk": kiosk.grab(), "display": display.grab()}
            _touch(qtbot, kiosk.priority_button)
            shots["kiosk_priority"] = kiosk.grab()
            _touch(qtbot, kiosk.reason_buttons[PriorityReason.PMR])
            shots["kiosk_priority_set"] = kiosk.grab()
            _touch(qtbot, _button(kiosk, hdv, "A"))
            qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.confirm, timeout=5_000)
            shots["kiosk_ticket"] = kiosk.grab()
            kiosk.go_home()
            _touch(qtbot, _button(kiosk, hdv, "D"))
            shots["kiosk_closed"] = kiosk.grab()
            display._set_flash(True)
            shots["display_flash"] = display.grab()
            display._set_flash(False)
            for name, pixmap in shots.items():
                assert (pixmap.width(), pixmap.height()) == (width, height), name
                assert pixmap.save(str(out / f"{name}_{width}x{height}.png"))
            # Nothing clipped: the big number fits its label at both sizes.
            for label in (kiosk.number_label, display.number_label, display.counter_label):
                assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    display.stop()
    qtbot.waitUntil(lambda: display_worker.idle, timeout=5_000)
    display_worker.shutdown()
