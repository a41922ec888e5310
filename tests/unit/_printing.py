"""Helpers of the printing tests: a kiosk on the demo database, settings for a printer on the emulator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from guichet.config import PrinterSettings
from guichet.db import Database
from guichet.models import Queue, Site
from guichet.printing.worker import PrintEvent
from guichet.services.printing import PrintJobService
from guichet.services.queue import QueueService, TicketInfo
from guichet.services.queue_seed import seed_queues

KEY = "kiosque"


@dataclass
class Kiosk:
    db: Database
    queue: QueueService
    jobs: PrintJobService
    site_id: uuid.UUID
    queues: dict[str, uuid.UUID]

    def issue(self, letter: str = "A", *, print_on: str | None = KEY) -> TicketInfo:
        return self.queue.issue_ticket(site_id=self.site_id, queue_id=self.queues[letter], print_on=print_on)


def make_kiosk(db: Database, *, seed: bool = True) -> Kiosk:
    """The demo town's queues at the Hôtel de ville, open at any hour (tests run at any hour, on real time)."""
    if seed:
        seed_queues(db, open_all_day=True)
    with db.read() as s:
        site = s.scalar(select(Site.id).where(Site.code == "HDV"))
        queues = {q.letter: q.id for q in s.scalars(select(Queue).where(Queue.site_id == site))}
    return Kiosk(db, QueueService(db), PrintJobService(db), site, queues)


def emulator_settings(port: int, **overrides: object) -> PrinterSettings:
    values: dict[str, object] = {
        "backend": "network",
        "key": KEY,
        "host": "127.0.0.1",
        "port": port,
        "timeout_s": 1.0,
        "paper_mm": 58,
    }
    values.update(overrides)
    return PrinterSettings(**values)  # type: ignore[arg-type]


@dataclass
class Events:
    """Collects what a print worker reports."""

    seen: list[PrintEvent] = field(default_factory=list)

    def __call__(self, event: PrintEvent) -> None:
        self.seen.append(event)

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self.seen]
