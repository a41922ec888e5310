"""What a public screen's process may ask: the kiosk and the call screen get this, never ``Services``.

A kiosk or a call screen stands in the hall, unattended. Whatever its settings, its process holds no citizen,
contact, agent or statistics service: only the queue calls it needs, the site it stands for and its printer's
jobs. Nothing it can reach returns a name, a phone number or an address (tests/ui/test_public_privacy.py
checks every field).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from guichet.db import Database
from guichet.domain import PriorityReason
from guichet.services.appointment_checkin import CheckIn
from guichet.services.printing import PrintJobInfo, PrintJobService
from guichet.services.queue import QueueService
from guichet.services.queue_types import CallFeed, DayClosure, QueueStatus, TicketInfo
from guichet.services.sites import SiteInfo, SiteService


class PublicQueue:
    """The queue, as the hall sees it: queues and their waits, tickets issued, calls made."""

    def __init__(self, queue: QueueService, check_in: CheckIn) -> None:
        self.__queue = queue  # name-mangled: not an attribute a screen reaches by accident
        self.__check_in = check_in  # the check-in only: it reads appointments, never their citizens

    def queue_statuses(self, *, site_id: uuid.UUID) -> tuple[QueueStatus, ...]:
        """The site's queues, open or not, with their waits (the kiosk's buttons)."""
        return self.__queue.queue_statuses(site_id=site_id)

    def issue_ticket(
        self, *, site_id: uuid.UUID, queue_id: uuid.UUID, priority_reason: PriorityReason | str | None = None,
        print_on: str | None = None,
    ) -> TicketInfo:  # fmt: skip
        """A new ticket (the kiosk)."""
        return self.__queue.issue_ticket(
            site_id=site_id, queue_id=queue_id, priority_reason=priority_reason, print_on=print_on
        )

    def check_in(self, *, site_id: uuid.UUID, code: str, print_on: str | None = None) -> TicketInfo:
        """An appointment's code typed or scanned at the kiosk: its ticket (number, queue, the appointment's
        time, a note), never the citizen. Refusals (too early, another day, unknown code) are French errors."""
        return self.__check_in.by_code(site_id=site_id, code=code, print_on=print_on)

    def ticket(self, *, ticket_id: uuid.UUID) -> TicketInfo:
        """A ticket: number, queue, status; no visitor."""
        return self.__queue.ticket(ticket_id=ticket_id)

    def recent_calls(self, *, site_id: uuid.UUID, after_event_seq: int | None = None, limit: int = 10) -> CallFeed:
        """The calls for the call screen: "A042 → Guichet 3"."""
        return self.__queue.recent_calls(site_id=site_id, after_event_seq=after_event_seq, limit=limit)

    def close_past_days(self, *, site_id: uuid.UUID) -> DayClosure:
        """Close what previous days left open (a kiosk starts each morning)."""
        return self.__queue.close_past_days(site_id=site_id)


class PrinterJobs:
    """The print worker's side of the print jobs: take the next one, say how it went. No job is queued here."""

    def __init__(self, jobs: PrintJobService) -> None:
        self.__jobs = jobs

    def recover(self, *, printer_key: str) -> int:
        return self.__jobs.recover(printer_key=printer_key)

    def claim_next(self, *, printer_key: str) -> PrintJobInfo | None:
        return self.__jobs.claim_next(printer_key=printer_key)

    def mark_printed(self, *, job_id: uuid.UUID) -> PrintJobInfo:
        return self.__jobs.mark_printed(job_id=job_id)

    def mark_failed(self, *, job_id: uuid.UUID, error: str, retry_at: datetime | None) -> PrintJobInfo:
        return self.__jobs.mark_failed(job_id=job_id, error=error, retry_at=retry_at)

    def retry_waiting(self, *, printer_key: str) -> int:
        return self.__jobs.retry_waiting(printer_key=printer_key)

    def next_due_at(self, *, printer_key: str) -> datetime | None:
        return self.__jobs.next_due_at(printer_key=printer_key)


class PublicSites:
    def __init__(self, sites: SiteService) -> None:
        self.__sites = sites

    def find(self, *, code: str = "") -> SiteInfo:
        """The site a public screen stands for (see SiteService.find)."""
        return self.__sites.find(code=code)


@dataclass(frozen=True)
class PublicServices:
    """Everything a kiosk or call-screen process is given (built by the composition root)."""

    queue: PublicQueue
    sites: PublicSites
    printing: PrinterJobs

    @classmethod
    def on(cls, db: Database) -> PublicServices:
        queue = PublicQueue(QueueService(db), CheckIn(db))
        return cls(queue, PublicSites(SiteService(db)), PrinterJobs(PrintJobService(db)))
