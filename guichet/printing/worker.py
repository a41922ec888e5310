"""The print worker: one plain thread per printer that sends the printer's jobs, in order, and never blocks anyone.

The kiosk issues a ticket with ``QueueService.issue_ticket(..., print_on=key)`` (ticket and print job in one
transaction) and calls :meth:`PrintWorker.notify`; the worker takes the job (``PrintJobService.claim_next``),
lays it out, sends it with bounded timeouts, and records the outcome. Whatever the printer does, the ticket
stays valid in the queue: the worker reports through ``on_event`` (called on the worker's thread: a Qt
screen re-emits it through a signal) with a French message such as « Imprimante hors ligne — ticket A042
enregistré », and the desk can reprint.

Retries: a job that failed for a reason that may pass (printer off, no paper, connection dropped) is tried
again after 1, 2, 5, 10 then 30 s, then given up (it stays « échec » in the list of the desk, which can
« Réessayer »). A ticket is not retried once it is older than ``ticket_max_age_s`` (2 min): printed later, it
would land in the hands of the next person at the kiosk. When a job prints, the failed jobs waiting for
their next attempt are tried at once (the printer is back).

Crashes: a job is « en cours » while it is being sent. A worker that starts finds such jobs (its process
died mid-send) and sends them again: a ticket may then print twice, never zero times. Jobs live in SQLite
(WAL, synchronous FULL), so a job whose transaction committed survives a crash or a power cut.

One worker per printer key: two would send each other's « en cours » jobs again at start.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from guichet.config import PrinterSettings
from guichet.domain import PrintJobKind
from guichet.paths import resources_dir
from guichet.printing.backends import PaperLevel, PrinterBackend, PrinterStatus, describe, open_backend
from guichet.printing.errors import PrintDataError, PrinterConfigError, PrinterError
from guichet.printing.escpos_render import render
from guichet.printing.layout import (
    AppointmentSlip,
    Op,
    PrinterTestSlip,
    ReceiptSlip,
    TicketSlip,
    appointment_ops,
    paper_for,
    printer_test_ops,
    receipt_ops,
    ticket_ops,
)
from guichet.printing.sheet_layout import SheetSlip, sheet_ops
from guichet.services.clock import now as system_now
from guichet.services.printing import PrintJobInfo, PrintJobService

log = logging.getLogger(__name__)

RETRY_DELAYS_S: tuple[float, ...] = (1, 2, 5, 10, 30)
TICKET_MAX_AGE_S = 120.0
DEFAULT_LOGO = Path("logo") / "commune.png"


class PrintEventKind(StrEnum):
    PRINTED = "imprime"
    FAILED = "echec"
    PRINTER_STATUS = "etat_imprimante"


@dataclass(frozen=True)
class PrintEvent:
    """What the worker tells the screens. ``message`` is French, ready to show."""

    kind: PrintEventKind
    message: str
    job_id: uuid.UUID | None = None
    job_kind: PrintJobKind | None = None
    label: str = ""  # "ticket A042"
    ticket_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    attempt: int = 0
    retry_at: datetime | None = None  # FAILED: when it is tried again; None: given up
    reason: str = ""  # FAILED: « Imprimante hors ligne », « Plus de papier »…
    detail: str = ""  # FAILED: what the link said (for the log and the supervisor)
    printer_status: PrinterStatus | None = None

    @property
    def will_retry(self) -> bool:
        return self.kind is PrintEventKind.FAILED and self.retry_at is not None


def logo_path(settings: PrinterSettings) -> Path | None:
    if settings.logo.strip().lower() == "none":
        return None
    return Path(settings.logo).expanduser() if settings.logo.strip() else resources_dir() / DEFAULT_LOGO


def job_ops(job: PrintJobInfo, settings: PrinterSettings) -> tuple[Op, ...]:
    """The layout of a job, from its payload and this printer's settings (paper, logo, footer)."""
    paper = paper_for(settings.paper_mm)
    logo = logo_path(settings)
    p = job.payload
    try:
        if job.kind is PrintJobKind.TICKET:
            slip = TicketSlip(
                commune_name=p["commune"], site_name=p["site"], queue_name=p["queue"], number=p["number"],
                issued_at=datetime.fromisoformat(p["issued_at"]), people_ahead=p.get("people_ahead"),
                estimated_wait_min=p.get("estimated_wait_min"), priority=bool(p.get("priority")),
                reprint=bool(p.get("reprint")), footer=settings.footer,
                appointment_at=datetime.fromisoformat(p["appointment_at"]) if p.get("appointment_at") else None,
            )  # fmt: skip
            return ticket_ops(slip, paper, logo=logo)
        if job.kind is PrintJobKind.APPOINTMENT:
            appointment = AppointmentSlip(
                commune_name=p["commune"], site_name=p["site"], agenda_name=p["agenda"], kind_name=p["kind"],
                starts_at=datetime.fromisoformat(p["starts_at"]), code=p["code"], qr_payload=p["qr"],
                place=p["place"], documents=tuple(p.get("documents", ())), early_min=int(p.get("early_min", 30)),
                late_min=int(p.get("late_min", 15)), site_footer=p.get("site_footer", ""), footer=settings.footer,
                cancelled=bool(p.get("cancelled")),
            )  # fmt: skip
            return appointment_ops(appointment, paper, logo=logo)
        if job.kind is PrintJobKind.RECEIPT:
            receipt = ReceiptSlip(
                commune_name=p["commune"], site_name=p["site"], reference=p["reference"], channel=p["channel"],
                theme=p["theme"], at=datetime.fromisoformat(p["at"]), next_steps=p["next_steps"],
                due=date.fromisoformat(p["due"]) if p.get("due") else None, subject=p.get("subject", ""),
                site_footer=p.get("site_footer", ""), footer=settings.footer,
            )  # fmt: skip
            return receipt_ops(receipt, paper, logo=logo)
        if job.kind is PrintJobKind.SHEET:
            sheet = SheetSlip(
                commune_name=p["commune"], site_name=p["site"], title=p["title"], documents=tuple(p["documents"]),
                at=datetime.fromisoformat(p["at"]), in_charge=p.get("in_charge", ""),
                where_when=p.get("where_when", ""), fees=p.get("fees", ""), link=p.get("link", ""),
                version=p.get("version", ""), site_footer=p.get("site_footer", ""), footer=settings.footer,
            )  # fmt: skip
            return sheet_ops(sheet, paper, logo=logo)
        test = PrinterTestSlip(
            commune_name=p.get("commune", ""), site_name=p.get("site", ""), printer=describe(settings),
            code_page=settings.code_page, at=datetime.fromisoformat(p["at"]),
        )  # fmt: skip
        return printer_test_ops(test, paper, logo=logo)
    except (KeyError, TypeError, ValueError) as e:
        raise PrintDataError(f"données de l'impression illisibles : {e}") from None


def render_job(job: PrintJobInfo, settings: PrinterSettings) -> bytes:
    """The ESC/POS bytes of a job for this printer."""
    try:
        return render(job_ops(job, settings), paper_for(settings.paper_mm), code_page_name=settings.code_page,
                      native_qr=settings.native_qr)  # fmt: skip
    except ValueError as e:  # unknown code page in the settings
        raise PrinterConfigError(str(e)) from None


def failure_message(job: PrintJobInfo, reason: str, *, will_retry: bool) -> str:
    """« Imprimante hors ligne — ticket A042 enregistré »: the reason, and what it means for this job."""
    if job.kind is PrintJobKind.TICKET:
        return f"{reason} — {job.label} enregistré"
    if job.kind is PrintJobKind.RECEIPT:
        return f"{reason} — {job.label} {'en attente' if will_retry else 'non imprimé'}"
    if job.kind is PrintJobKind.SHEET:
        return f"{reason} — liste des {job.label} {'en attente' if will_retry else 'non imprimée'}"
    return f"{reason} — page de test {'en attente' if will_retry else 'non imprimée'}"


def printed_message(job: PrintJobInfo) -> str:
    if job.kind is PrintJobKind.TEST:
        return "Page de test imprimée"
    if job.kind is PrintJobKind.SHEET:
        return f"Liste des {job.label} imprimée"
    return f"{job.label[0].upper()}{job.label[1:]} imprimé"


class PrintWorker:
    """Sends the jobs of one printer (``settings.key``) from its own thread. ``start()``, ``notify()``, ``stop()``."""

    def __init__(
        self,
        jobs: PrintJobService,
        settings: PrinterSettings,
        *,
        on_event: Callable[[PrintEvent], None] | None = None,
        backend: PrinterBackend | None = None,
        clock: Callable[[], datetime] = system_now,
        retry_delays_s: Sequence[float] = RETRY_DELAYS_S,
        ticket_max_age_s: float = TICKET_MAX_AGE_S,
        poll_s: float = 1.0,
        status_interval_s: float = 0.0,
    ) -> None:
        self._jobs = jobs
        self.settings = settings
        self.key = settings.key
        self._on_event = on_event
        self._backend = backend
        self._clock = clock
        self._delays = tuple(retry_delays_s)
        self._ticket_max_age = timedelta(seconds=ticket_max_age_s)
        self._poll_s = poll_s
        self._status_interval_s = status_interval_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._status_wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_status: PrinterStatus | None = None
        self._last_status_at = 0.0
        self._printer_down = False

    # -- control (any thread) -----------------------------------------------------------------------------

    def start(self) -> PrintWorker:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"print-worker-{self.key}", daemon=True)
            self._thread.start()
        return self

    def notify(self) -> None:
        """A job was queued: look now instead of at the next poll."""
        self._wake.set()

    def check_status(self) -> None:
        """Ask the printer's status; the answer comes as a PRINTER_STATUS event."""
        self._status_wanted.set()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the job being sent (bounded by the printer's timeouts), then stop."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the work (worker thread, or a test calling it directly) ------------------------------------------

    def recover(self) -> int:
        """Jobs left « en cours » by a crash are queued again (called at start)."""
        count = self._jobs.recover(printer_key=self.key)
        if count:
            log.warning("%d impression(s) interrompue(s) par un arrêt : renvoyée(s)", count)
        return count

    def run_once(self) -> bool:
        """Send the next due job, if any. Returns whether there was one."""
        job = self._jobs.claim_next(printer_key=self.key)
        if job is None:
            return False
        try:
            data = render_job(job, self.settings)
            report = self._printer().send(data, job_name=f"Guichet — {job.label}")
        except PrinterError as e:
            self._failed(job, e)
        except Exception as e:  # noqa: BLE001 - a bug must not cost the job: it is kept and retried
            log.exception("impression de %s", job.label)
            self._failed(job, PrinterError(f"erreur inattendue : {e}"))
        else:
            self._jobs.mark_printed(job_id=job.id)
            self._emit(PrintEvent(
                PrintEventKind.PRINTED, printed_message(job), job.id, job.kind, job.label, job.ticket_id,
                job.contact_id, job.attempts,
            ))  # fmt: skip
            if self._printer_down:
                self._printer_down = False
                self._jobs.retry_waiting(printer_key=self.key)
            self._status_seen(report.status, announce=report.status.paper is PaperLevel.LOW)
        return True

    def status(self) -> PrinterStatus:
        """Ask the printer now, on the calling thread (the worker's own, or a CLI: not the GUI's)."""
        try:
            return self._printer().status()
        except PrinterConfigError as e:
            return PrinterStatus(reachable=False, detail=e.detail, configured=False)

    # -- internals ------------------------------------------------------------------------------------------

    def _printer(self) -> PrinterBackend:
        if self._backend is None:
            self._backend = open_backend(self.settings)
        return self._backend

    def _failed(self, job: PrintJobInfo, error: PrinterError) -> None:
        now = self._clock()
        retry_at = None
        if error.retryable and job.attempts <= len(self._delays):
            too_old = job.kind is PrintJobKind.TICKET and now - job.created_at > self._ticket_max_age
            if not too_old:
                retry_at = now + timedelta(seconds=self._delays[job.attempts - 1])
        self._printer_down = True
        message = failure_message(job, error.reason, will_retry=retry_at is not None)
        stored = f"{message} ({error.detail})" if error.detail else message
        log.warning("%s", stored)
        self._jobs.mark_failed(job_id=job.id, error=stored, retry_at=retry_at)
        self._emit(PrintEvent(
            PrintEventKind.FAILED, message, job.id, job.kind, job.label, job.ticket_id, job.contact_id,
            job.attempts, retry_at, error.reason, error.detail,
        ))  # fmt: skip

    def _status_seen(self, status: PrinterStatus, *, announce: bool = False) -> None:
        changed = self._last_status is None or status.label != self._last_status.label
        self._last_status = status
        if announce and changed:
            self._emit(PrintEvent(PrintEventKind.PRINTER_STATUS, status.label, printer_status=status))

    def _poll_status(self) -> None:
        wanted = self._status_wanted.is_set()
        due = self._status_interval_s > 0 and time.monotonic() - self._last_status_at >= self._status_interval_s
        if not (wanted or due):
            return
        self._status_wanted.clear()
        self._last_status_at = time.monotonic()
        status = self.status()
        changed = self._last_status is None or status.label != self._last_status.label
        self._last_status = status
        if wanted or changed:
            self._emit(PrintEvent(PrintEventKind.PRINTER_STATUS, status.label, printer_status=status))
        if self._printer_down and status.can_print:  # back: what waits for its next attempt goes now
            self._printer_down = False
            self._jobs.retry_waiting(printer_key=self.key)

    def _emit(self, event: PrintEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # noqa: BLE001 - a screen's bug must not stop the printing
            log.exception("on_event")

    def _run(self) -> None:
        try:
            self.recover()
        except Exception:  # noqa: BLE001
            log.exception("reprise des impressions interrompues")
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if self.run_once():
                    continue
                self._poll_status()
                wait = self._poll_s
                due = self._jobs.next_due_at(printer_key=self.key)
                if due is not None:
                    wait = min(wait, max(0.0, (due - self._clock()).total_seconds()))
            except Exception:  # noqa: BLE001 - the database busy beyond its timeout, a disk error: try again later
                log.exception("file d'impression")
                wait = self._poll_s
            self._wake.wait(wait)


def start_print_worker(
    jobs: PrintJobService, settings: PrinterSettings, *, on_event: Callable[[PrintEvent], None] | None = None
) -> PrintWorker | None:
    """The composition root's call: this PC's print worker, started, checking the printer every 30 s.

    None when the settings name no printer (``[printer] backend = "none"``): then issue tickets without
    ``print_on``, so no job waits for a printer that does not exist.
    """
    if settings.backend == "none":
        return None
    return PrintWorker(jobs, settings, on_event=on_event, status_interval_s=30.0).start()
