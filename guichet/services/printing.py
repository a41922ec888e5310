"""Print jobs: tickets, receipts and test pages kept in the database until a printer has taken them.

A job is written in the same transaction as what it prints (``QueueService.issue_ticket(print_on=...)``
adds the ticket's job), so a ticket never exists without its job nor a job without its ticket. The print
worker (``guichet.printing.worker``, one thread per printer) takes jobs in order with :meth:`claim_next`,
sends them, and records the outcome with :meth:`mark_printed` or :meth:`mark_failed`.

Life of a job::

    en_attente ──claim──▶ en_cours ──sent──▶ imprime
        ▲                    │
        │                    └──failed──▶ echec ──(next_attempt_at reached)──▶ claimed again
        └── recover() at start: a job left « en_cours » by a crash is sent again
    reprint_ticket / cancel: a job not printed yet becomes « annule »

The payload is the JSON the layout needs; a ticket's holds no personal data (the ticket has none).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import Outcome, PrintJobKind, PrintJobStatus
from guichet.models import (
    Commune,
    Contact,
    ExternalBody,
    MunicipalService,
    PrintJob,
    Queue,
    Site,
    Theme,
    Ticket,
)
from guichet.services.clock import now as system_now
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError

PAYLOAD_VERSION = 1
OPEN_STATUSES = (PrintJobStatus.PENDING, PrintJobStatus.PRINTING, PrintJobStatus.FAILED)
MAX_PRINTER_KEY = 50


@dataclass(frozen=True)
class PrintJobInfo:
    """A print job as the print worker takes it and the desk lists it."""

    id: uuid.UUID
    site_id: uuid.UUID
    kind: PrintJobKind
    printer_key: str
    label: str  # "ticket A042"
    payload: Mapping[str, Any]
    status: PrintJobStatus
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    printed_at: datetime | None
    created_at: datetime
    ticket_id: uuid.UUID | None
    contact_id: uuid.UUID | None

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def will_retry(self) -> bool:
        """Failed, and the print worker will try again by itself."""
        return self.status is PrintJobStatus.FAILED and self.next_attempt_at is not None


def _check_key(printer_key: str) -> str:
    key = (printer_key or "").strip()
    if not key or len(key) > MAX_PRINTER_KEY:
        raise ValidationError({"printer_key": "Indiquez le nom de l'imprimante (50 caractères au plus)."})
    return key


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def ticket_payload(
    s: Session, ticket: Ticket, *, people_ahead: int | None, estimated_wait_min: int | None, reprint: bool = False
) -> dict[str, Any]:
    """What a queue ticket prints: place, queue, number, time, wait. No personal data: the ticket has none."""
    queue = s.get(Queue, ticket.current_queue_id)
    site = s.get(Site, ticket.site_id)
    assert queue is not None and site is not None
    commune = s.get(Commune, site.commune_id)
    appointment = {"appointment_at": _iso(ticket.appointment_at)} if ticket.appointment_at else {}
    return {
        **appointment,  # checked in for an appointment: its time is printed
        "v": PAYLOAD_VERSION,
        "commune": commune.name if commune else "",
        "site": site.name,
        "queue": queue.name,
        "number": ticket.number,
        "issued_at": _iso(ticket.issued_at),
        "people_ahead": people_ahead,
        "estimated_wait_min": estimated_wait_min,
        "priority": ticket.priority,
        "reprint": reprint,
    }


def add_ticket_job(
    s: Session,
    ticket: Ticket,
    *,
    printer_key: str,
    people_ahead: int | None,
    estimated_wait_min: int | None,
    now: datetime,
    reprint: bool = False,
) -> PrintJob:
    """Add the print job of a ticket to the caller's transaction (the caller flushed the ticket)."""
    payload = ticket_payload(
        s, ticket, people_ahead=people_ahead, estimated_wait_min=estimated_wait_min, reprint=reprint
    )
    job = PrintJob(
        site_id=ticket.site_id, kind=PrintJobKind.TICKET, printer_key=_check_key(printer_key),
        label=f"ticket {ticket.number}", payload=json.dumps(payload, ensure_ascii=False),
        status=PrintJobStatus.PENDING, ticket_id=ticket.id, created_at=now, updated_at=now,
    )  # fmt: skip
    s.add(job)
    s.flush()
    return job


def add_print_job(
    s: Session,
    *,
    site_id: uuid.UUID,
    kind: PrintJobKind,
    printer_key: str,
    label: str,
    payload: dict[str, Any],
    now: datetime,
) -> PrintJob:
    """Add a print job to the caller's transaction (the appointment confirmation uses it)."""
    job = PrintJob(
        site_id=site_id, kind=kind, printer_key=_check_key(printer_key), label=label[:80],
        payload=json.dumps({"v": PAYLOAD_VERSION, **payload}, ensure_ascii=False), status=PrintJobStatus.PENDING,
        created_at=now, updated_at=now,
    )  # fmt: skip
    s.add(job)
    s.flush()
    return job


def contact_reference(commune_code: str, site_code: str, contact_id: uuid.UUID) -> str:
    """Short reference of a contact printed on its receipt: "VEN-HDV-C3F9A21BC" (last 8 hex digits of its id).

    The id's last 62 bits are random, so 8 hex digits tell apart the contacts a citizen could confuse; the
    request reference (``VEN-HDV-2026-000123``) replaces it once requests exist.
    """
    return f"{commune_code}-{site_code}-C{contact_id.hex[-8:].upper()}"


def _join(*parts: str, sep: str = " — ") -> str:
    return sep.join(p.strip() for p in parts if p and p.strip())


def _next_steps(s: Session, contact: Contact) -> str:
    if contact.outcome is Outcome.ANSWERED:
        return "Votre demande a reçu une réponse immédiate au guichet."
    if contact.outcome is Outcome.ORIENTED_SERVICE and contact.oriented_service_id:
        service = s.get(MunicipalService, contact.oriented_service_id)
        if service is not None:
            where = _join(service.location, f"tél. {service.phone}" if service.phone else "", sep=", ")
            return f"Votre demande est transmise au service « {service.name} »." + (f" {where}." if where else "")
    if contact.outcome is Outcome.ORIENTED_EXTERNAL and contact.oriented_body_id:
        body = s.get(ExternalBody, contact.oriented_body_id)
        if body is not None:
            where = _join(body.address, f"tél. {body.phone}" if body.phone else "", body.hours, sep=", ")
            return f"Adressez-vous à : {body.name}." + (f" {where}." if where else "")
    if contact.outcome is Outcome.ONLINE_HELP:
        return "Votre démarche en ligne a été faite avec l'agent. Conservez l'accusé de réception du site."
    return "Votre demande est enregistrée et transmise au service concerné. Une réponse écrite vous sera adressée."


class PrintJobService:
    """Print jobs of the site's printers. ``clock`` gives the current instant (tests pass a fake one)."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = system_now) -> None:
        self._db = db
        self._clock = clock

    # -- what the desk and the kiosk ask ---------------------------------------------------------------

    def enqueue_receipt(
        self,
        *,
        contact_id: uuid.UUID,
        printer_key: str,
        reference: str = "",
        next_steps: str = "",
        due: date | None = None,
    ) -> PrintJobInfo:
        """Queue the receipt (« récépissé ») of a contact: reference, channel, theme, date, what happens next."""
        key = _check_key(printer_key)
        with self._db.write() as s:
            now = self._clock()
            contact = s.get(Contact, contact_id)
            if contact is None or contact.deleted_at is not None:
                raise NotFoundError("Ce contact n'existe pas ou a été supprimé.")
            site = s.get(Site, contact.site_id)
            assert site is not None
            commune = s.get(Commune, site.commune_id)
            assert commune is not None
            theme = s.get(Theme, contact.theme_id)
            parent = s.get(Theme, theme.parent_id) if theme is not None and theme.parent_id else None
            ref = reference.strip() or contact_reference(commune.code, site.code, contact.id)
            payload = {
                "v": PAYLOAD_VERSION,
                "commune": commune.name,
                "site": site.name,
                "reference": ref,
                "channel": contact.channel.label,
                "theme": _join(parent.label if parent else "", theme.label if theme else ""),
                "subject": contact.subject,
                "at": _iso(contact.started_at),
                "next_steps": next_steps.strip() or _next_steps(s, contact),
                "due": due.isoformat() if due else None,
                "site_footer": _join(site.name, site.address, f"Tél. {site.phone}" if site.phone else ""),
            }
            job = PrintJob(
                site_id=site.id, kind=PrintJobKind.RECEIPT, printer_key=key, label=f"récépissé {ref}"[:80],
                payload=json.dumps(payload, ensure_ascii=False), status=PrintJobStatus.PENDING,
                contact_id=contact.id, created_at=now, updated_at=now,
            )  # fmt: skip
            s.add(job)
            s.flush()
            return self._to_info(job)

    def reprint_ticket(self, *, ticket_id: uuid.UUID, printer_key: str) -> PrintJobInfo:
        """Print a ticket again (a new job, marked « duplicata »); its jobs not printed yet are cancelled."""
        key = _check_key(printer_key)
        with self._db.write() as s:
            now = self._clock()
            ticket = s.get(Ticket, ticket_id)
            if ticket is None or ticket.deleted_at is not None:
                raise NotFoundError("Ce ticket n'existe pas.")
            if ticket.status.is_final:
                raise NotAllowedError(
                    f"Le ticket {ticket.number} est {ticket.status.label.lower()} : il ne peut plus être réimprimé."
                )
            self._cancel_open(
                s, select(PrintJob).where(PrintJob.ticket_id == ticket.id), now, "Remplacé par une réimpression."
            )
            # The wait printed at issue would be stale now: a duplicate shows the number and the queue only.
            job = add_ticket_job(
                s, ticket, printer_key=key, people_ahead=None, estimated_wait_min=None, now=now, reprint=True
            )
            return self._to_info(job)

    def enqueue_test_page(self, *, site_id: uuid.UUID, printer_key: str) -> PrintJobInfo:
        """Queue a test page (every French character, the code page, a ruler of the paper's width)."""
        key = _check_key(printer_key)
        with self._db.write() as s:
            now = self._clock()
            site = s.get(Site, site_id)
            if site is None or site.deleted_at is not None:
                raise NotFoundError("Ce site n'existe pas.")
            commune = s.get(Commune, site.commune_id)
            payload = {"v": PAYLOAD_VERSION, "commune": commune.name if commune else "", "site": site.name,
                       "at": _iso(now)}  # fmt: skip
            job = PrintJob(
                site_id=site.id, kind=PrintJobKind.TEST, printer_key=key, label="page de test",
                payload=json.dumps(payload, ensure_ascii=False), status=PrintJobStatus.PENDING,
                created_at=now, updated_at=now,
            )  # fmt: skip
            s.add(job)
            s.flush()
            return self._to_info(job)

    def jobs(
        self,
        *,
        site_id: uuid.UUID,
        statuses: Iterable[PrintJobStatus] = OPEN_STATUSES,
        printer_key: str | None = None,
        limit: int = 100,
    ) -> tuple[PrintJobInfo, ...]:
        """Jobs of a site in these statuses (by default: not printed yet, failed included), oldest first."""
        query = select(PrintJob).where(
            PrintJob.site_id == site_id, PrintJob.status.in_(tuple(statuses)), PrintJob.deleted_at.is_(None)
        )
        if printer_key is not None:
            query = query.where(PrintJob.printer_key == printer_key)
        with self._db.read() as s:
            rows = s.scalars(query.order_by(PrintJob.created_at, PrintJob.id).limit(limit)).all()
            return tuple(self._to_info(j) for j in rows)

    def get(self, *, job_id: uuid.UUID) -> PrintJobInfo:
        """One job, whatever its status."""
        with self._db.read() as s:
            return self._to_info(self._job(s, job_id))

    def cancel(self, *, job_id: uuid.UUID) -> PrintJobInfo:
        """Give up a job not printed yet (the agent handed a handwritten number, the printer is away...)."""
        with self._db.write() as s:
            job = self._job(s, job_id)
            if job.status not in (PrintJobStatus.PENDING, PrintJobStatus.FAILED):
                raise NotAllowedError(
                    f"L'impression du {job.label} est {job.status.label.lower()} : elle ne peut être annulée."
                )
            job.status = PrintJobStatus.CANCELLED
            job.next_attempt_at = None
            job.updated_at = self._clock()
            s.flush()
            return self._to_info(job)

    def retry_now(self, *, job_id: uuid.UUID) -> PrintJobInfo:
        """Send a failed job again as soon as the print worker is free (« Réessayer »)."""
        with self._db.write() as s:
            job = self._job(s, job_id)
            if job.status is not PrintJobStatus.FAILED:
                raise NotAllowedError(f"L'impression du {job.label} n'a pas échoué : rien à réessayer.")
            job.status = PrintJobStatus.PENDING
            job.next_attempt_at = None
            job.updated_at = self._clock()
            s.flush()
            return self._to_info(job)

    # -- what the print worker calls -------------------------------------------------------------------

    def recover(self, *, printer_key: str) -> int:
        """At the worker's start: jobs left « en cours » by a crash wait again. Returns how many.

        Such a job may have reached the printer before the crash: it prints again. A ticket printed twice is
        better than a ticket never printed (one worker per printer key, so no live worker owns these jobs).
        """
        with self._db.write() as s:
            result = s.execute(
                update(PrintJob)
                .where(PrintJob.printer_key == printer_key, PrintJob.status == PrintJobStatus.PRINTING)
                .values(status=PrintJobStatus.PENDING, updated_at=self._clock())
            )
            return result.rowcount or 0

    def claim_next(self, *, printer_key: str) -> PrintJobInfo | None:
        """Take the oldest job due for this printer: mark it « en cours », count the attempt.

        Looks first without the write lock: an idle worker polling must not make a kiosk wait for the lock.
        """
        while True:
            with self._db.read() as s:
                job_id = s.scalar(self._due(printer_key, self._clock()).with_only_columns(PrintJob.id))
            if job_id is None:
                return None
            with self._db.write() as s:
                now = self._clock()
                job = s.scalar(self._due(printer_key, now).where(PrintJob.id == job_id))
                if job is None:
                    continue  # cancelled or taken meanwhile: look again
                job.status = PrintJobStatus.PRINTING
                job.attempts += 1
                job.next_attempt_at = None
                job.updated_at = now
                s.flush()
                return self._to_info(job)

    @staticmethod
    def _due(printer_key: str, now: datetime) -> Select[tuple[PrintJob]]:
        return (
            select(PrintJob)
            .where(
                PrintJob.printer_key == printer_key,
                PrintJob.deleted_at.is_(None),
                (PrintJob.status == PrintJobStatus.PENDING)
                | ((PrintJob.status == PrintJobStatus.FAILED) & (PrintJob.next_attempt_at <= now)),
            )
            .order_by(PrintJob.created_at, PrintJob.id)
            .limit(1)
        )

    def next_due_at(self, *, printer_key: str) -> datetime | None:
        """When the next failed job of this printer is to be tried again (None: nothing scheduled)."""
        with self._db.read() as s:
            return s.scalar(
                select(PrintJob.next_attempt_at)
                .where(PrintJob.printer_key == printer_key, PrintJob.status == PrintJobStatus.FAILED,
                       PrintJob.next_attempt_at.is_not(None))
                .order_by(PrintJob.next_attempt_at)
                .limit(1)
            )  # fmt: skip

    def mark_printed(self, *, job_id: uuid.UUID) -> PrintJobInfo:
        """The printer took the whole job."""
        with self._db.write() as s:
            now = self._clock()
            job = self._job(s, job_id)
            job.status = PrintJobStatus.PRINTED
            job.printed_at = now
            job.next_attempt_at = None
            job.last_error = ""
            job.updated_at = now
            s.flush()
            return self._to_info(job)

    def mark_failed(self, *, job_id: uuid.UUID, error: str, retry_at: datetime | None) -> PrintJobInfo:
        """The attempt failed with ``error`` (French); tried again at ``retry_at``, never if None."""
        with self._db.write() as s:
            job = self._job(s, job_id)
            if job.status is PrintJobStatus.PRINTING:  # a reprint may have cancelled it meanwhile: keep that
                job.status = PrintJobStatus.FAILED
                job.next_attempt_at = retry_at
            job.last_error = error
            job.updated_at = self._clock()
            s.flush()
            return self._to_info(job)

    def retry_waiting(self, *, printer_key: str) -> int:
        """The printer is back: failed jobs that were to be retried later are due now. Returns how many."""
        with self._db.write() as s:
            now = self._clock()
            result = s.execute(
                update(PrintJob)
                .where(PrintJob.printer_key == printer_key, PrintJob.status == PrintJobStatus.FAILED,
                       PrintJob.next_attempt_at > now)
                .values(next_attempt_at=now, updated_at=now)
            )  # fmt: skip
            return result.rowcount or 0

    # -- internals -------------------------------------------------------------------------------------

    @staticmethod
    def _job(s: Session, job_id: uuid.UUID) -> PrintJob:
        job = s.get(PrintJob, job_id)
        if job is None or job.deleted_at is not None:
            raise NotFoundError("Cette impression n'existe pas.")
        return job

    @staticmethod
    def _cancel_open(s: Session, query, now: datetime, reason: str) -> None:  # noqa: ANN001
        for job in s.scalars(query.where(PrintJob.status.in_((PrintJobStatus.PENDING, PrintJobStatus.FAILED)))):
            job.status = PrintJobStatus.CANCELLED
            job.next_attempt_at = None
            job.last_error = reason
            job.updated_at = now

    @staticmethod
    def _to_info(job: PrintJob) -> PrintJobInfo:
        return PrintJobInfo(
            id=job.id, site_id=job.site_id, kind=job.kind, printer_key=job.printer_key, label=job.label,
            payload=json.loads(job.payload), status=job.status, attempts=job.attempts, last_error=job.last_error,
            next_attempt_at=job.next_attempt_at, printed_at=job.printed_at, created_at=job.created_at,
            ticket_id=job.ticket_id, contact_id=job.contact_id,
        )  # fmt: skip
