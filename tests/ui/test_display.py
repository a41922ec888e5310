"""The call screen: calls made through the queue service appear, flash and are announced, in order."""

from __future__ import annotations

import logging
import uuid
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from guichet.db import Database
from guichet.models import Agent, Counter, Queue
from guichet.services import Services
from guichet.services.clock import PARIS
from guichet.services.queue import QueueService
from guichet.services.queue_seed import seed_queues
from guichet.ui.common.style import apply_style
from guichet.ui.display.announcer import CHIME, Announcer, spoken_number
from guichet.ui.display.window import DEFAULT_MESSAGE, DisplayWindow
from guichet.ui.worker import Worker

MONDAY = datetime(2026, 3, 9, 10, 0, tzinfo=PARIS)


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Hall:
    queue: QueueService
    clock: FakeClock
    site_id: uuid.UUID
    queues: dict[str, uuid.UUID]
    counters: dict[int, uuid.UUID]
    agents: dict[int, uuid.UUID]  # by the counter they hold

    def issue(self, letter: str, n: int = 1) -> None:
        for _ in range(n):
            self.queue.issue_ticket(site_id=self.site_id, queue_id=self.queues[letter])

    def call(self, counter: int):
        current = self.queue.counter_panel(counter_id=self.counters[counter]).current
        if current is not None:
            self.queue.finish(ticket_id=current.id, counter_id=self.counters[counter], agent_id=self.agents[counter])
        return self.queue.call_next(counter_id=self.counters[counter], agent_id=self.agents[counter])


@pytest.fixture
def hall(demo_db: Database) -> Hall:
    """The town hall with counters 1 (mdurand) and 2 (kbenali) open and a few tickets waiting."""
    seed_queues(demo_db, open_all_day=True)
    clock = FakeClock(MONDAY)
    queue = QueueService(demo_db, clock=clock)
    site = Services.on(demo_db).sites.find(code="HDV")
    with demo_db.read() as s:
        queues = {q.letter: q.id for q in s.scalars(select(Queue).where(Queue.site_id == site.id))}
        counters = {c.number: c.id for c in s.scalars(select(Counter).where(Counter.site_id == site.id))}
        logins = {a.login: a.id for a in s.scalars(select(Agent))}
    agents = {1: logins["mdurand"], 2: logins["kbenali"]}
    for number, agent in agents.items():
        queue.open_counter(counter_id=counters[number], agent_id=agent)
    hall = Hall(queue, clock, site.id, queues, counters, agents)
    hall.issue("A", 4)
    return hall


def _announcer(**options) -> Announcer:
    # Qt's "mock" speech engine (shipped with Qt, 50 ms a word at full rate): real engine states, no sound.
    return Announcer(**{"engine": "mock", "sound": False, "chime_ms": 0, "gap_ms": 0, "rate": 1.0, **options})


@contextmanager
def _display(qtbot, qapp, hall: Hall, **options) -> Iterator[DisplayWindow]:
    apply_style(qapp)
    worker = Worker(name="guichet-display")
    site = Services.on(hall.queue._db).sites.find(code="HDV")
    options = {"poll_ms": 20, "flash_ms": 20, "clock": hall.clock, **options}
    if "announcer" not in options:
        options["announcer"] = _announcer()
    window = DisplayWindow(worker, hall.queue, site, **options)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window._cursor is not None, timeout=5_000)
    try:
        yield window
    finally:
        window.stop()
        qtbot.waitUntil(lambda: worker.idle, timeout=5_000)
        worker.shutdown()


@pytest.fixture
def display(qtbot, qapp, hall: Hall) -> Iterator[DisplayWindow]:
    with _display(qtbot, qapp, hall) as window:
        yield window


def test_a_call_appears_within_a_second_and_is_announced(qtbot, display, hall):
    assert display.current_text() == ""
    assert display.caption_label.text() == "Bienvenue"
    assert display.message_label.text() == DEFAULT_MESSAGE
    assert display.date_label.text() == "Lundi 9 mars 2026" and display.time_label.text() == "10:00"
    hall.call(1)
    qtbot.waitUntil(lambda: display.current_text() == "A001 → Guichet 1", timeout=1_000)
    assert display.number_label.text() == "A001"
    assert display.counter_label.text() == "→ Guichet 1"
    assert display.caption_label.text() == "Appel en cours"
    assert display.flashing
    qtbot.waitUntil(lambda: display.announcer.history == ["Ticket A 1, guichet 1"], timeout=1_000)
    qtbot.waitUntil(lambda: not display.flashing, timeout=2_000)  # three blinks, then still
    assert display.current_panel.property("flash") is False

    hall.call(2)
    qtbot.waitUntil(lambda: display.current_text() == "A002 → Guichet 2", timeout=1_000)
    assert display.recent_texts() == ["A001 → Guichet 1"]
    assert [r[0].text() for r in display.recent_rows[:2]] == ["A001", ""]
    assert display.recent_rows[0][2].text() == "10:00"


def test_two_quick_calls_are_both_announced_whole_and_in_order(qtbot, display, hall):
    events: list[tuple[str, str]] = []
    display.announcer.started.connect(lambda text: events.append(("start", text)))
    display.announcer.finished.connect(lambda text: events.append(("end", text)))
    hall.call(1)
    hall.call(2)
    first, second = "Ticket A 1, guichet 1", "Ticket A 2, guichet 2"
    qtbot.waitUntil(lambda: display.current_text() == "A002 → Guichet 2", timeout=1_000)
    assert display.recent_texts() == ["A001 → Guichet 1"]  # on screen at once, whatever is being said
    qtbot.waitUntil(lambda: len(events) == 4, timeout=5_000)
    # One after the other, never cut: the second starts once the first is finished.
    assert events == [("start", first), ("end", first), ("start", second), ("end", second)]
    assert display.announcer.history == [first, second]


def test_a_recall_is_shown_and_announced_again(qtbot, display, hall):
    ticket = hall.call(1)
    hall.call(2)
    qtbot.waitUntil(lambda: display.current_text() == "A002 → Guichet 2", timeout=1_000)
    hall.clock.advance(seconds=15)  # past the site's recall cool-down
    hall.queue.recall(ticket_id=ticket.id, counter_id=hall.counters[1], agent_id=hall.agents[1])
    qtbot.waitUntil(lambda: display.current_text() == "A001 → Guichet 1", timeout=1_000)
    assert display.caption_label.text() == "Rappel"
    assert display.recent_texts() == ["A002 → Guichet 2"]  # each ticket once
    expected = ["Ticket A 1, guichet 1", "Ticket A 2, guichet 2", "Ticket A 1, guichet 1"]
    qtbot.waitUntil(lambda: display.announcer.history == expected, timeout=5_000)


def test_the_screen_starts_with_the_calls_of_the_day_without_announcing_them(qtbot, qapp, hall):
    for _ in range(8):
        hall.clock.advance(minutes=2)
        hall.call(1)
    with _display(qtbot, qapp, hall, history_size=6) as display:
        qtbot.waitUntil(lambda: display.current is not None, timeout=2_000)
        assert display.current_text() == "A004 → Guichet 1"
        hall.issue("E", 1)  # the four A tickets were called: the E queue takes over
        assert len(display.recent) == 3 and display.announcer.history == []
        hall.call(1)
        qtbot.waitUntil(lambda: display.current_text() == "E001 → Guichet 1", timeout=1_000)
        qtbot.waitUntil(lambda: display.announcer.history == ["Ticket E 1, guichet 1"], timeout=2_000)


def test_without_a_speech_engine_the_screen_stays_visual_with_one_warning(qtbot, qapp, hall, caplog):
    caplog.set_level(logging.WARNING, logger="guichet.ui.display.announcer")
    announcer = Announcer(engine="absent", sound=True, chime_ms=0, gap_ms=0)
    assert not announcer.can_speak
    with _display(qtbot, qapp, hall, announcer=announcer) as display:
        hall.call(1)
        hall.call(2)
        qtbot.waitUntil(lambda: display.current_text() == "A002 → Guichet 2", timeout=1_000)
        qtbot.waitUntil(lambda: len(announcer.history) == 2 and not announcer.busy, timeout=2_000)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "les appels restent affichés" in warnings[0].getMessage()


def test_spoken_numbers_and_the_chime():
    assert spoken_number("A042") == "A 42"
    assert spoken_number("E001") == "E 1"
    assert spoken_number("B100") == "B 100"
    with wave.open(str(CHIME)) as chime:
        assert chime.getnchannels() == 1 and chime.getsampwidth() == 2
        assert 1.0 <= chime.getnframes() / chime.getframerate() <= 2.5


def test_the_composition_root_builds_both_screens_for_a_site(qtbot, qapp, hall, db_path):
    from guichet.app import build_display, build_kiosk
    from guichet.config import Settings
    from guichet.services.errors import NotFoundError

    db = hall.queue._db
    with pytest.raises(NotFoundError, match="plusieurs sites"):
        build_kiosk(Settings(db_path=db_path), db)
    kiosk = build_kiosk(Settings(db_path=db_path, site_code="HDV"), db, refresh_ms=50)
    silent = Announcer(speech=False, sound=False)
    display = build_display(Settings(db_path=db_path), db, "hdv", poll_ms=20, message="Bonjour", announcer=silent)
    for screen in (kiosk, display):
        qtbot.addWidget(screen.window)
        assert screen.window.site.code == "HDV"
    assert display.window.message_label.text() == "Bonjour"
    qtbot.waitUntil(lambda: len(kiosk.window.buttons) == 5 and display.window._cursor is not None, timeout=5_000)
    for screen in (kiosk, display):
        screen.window.stop()
        qtbot.waitUntil(lambda s=screen: s.worker.idle, timeout=5_000)
        screen.worker.shutdown()
