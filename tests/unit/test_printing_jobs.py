"""Print jobs in the database: written with the ticket in one transaction, reprinted, claimed, recovered."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from guichet.db import Database
from guichet.db.migrate import _config, current_revisions
from guichet.domain import Channel, Outcome, PrintJobKind, PrintJobStatus, TicketStatus
from guichet.models import PrintJob, Ticket, TicketEvent
from guichet.services.clock import now
from guichet.services.contacts import ContactInput
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from tests.old_schema import seed_old_schema
from tests.unit._printing import KEY, Kiosk, make_kiosk

TICKET_PAYLOAD_KEYS = {
    "v", "commune", "site", "queue", "number", "issued_at", "people_ahead", "estimated_wait_min", "priority", "reprint"
}  # fmt: skip


@pytest.fixture
def kiosk(demo_db: Database) -> Kiosk:
    return make_kiosk(demo_db)


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_issue_ticket_records_its_print_job_in_the_same_transaction(kiosk):
    info = kiosk.issue("A")
    assert info.print_job_id is not None
    job = kiosk.jobs.get(job_id=info.print_job_id)
    assert (job.kind, job.status, job.printer_key, job.label) == (
        PrintJobKind.TICKET, PrintJobStatus.PENDING, KEY, "ticket A001",
    )  # fmt: skip
    assert job.ticket_id == info.id and job.site_id == kiosk.site_id and job.attempts == 0
    # What the layout needs, and nothing about a person (a ticket has no person).
    assert set(job.payload) == TICKET_PAYLOAD_KEYS
    assert job.payload["number"] == "A001"
    assert job.payload["queue"] == "État civil et titres d'identité"
    assert job.payload["site"] == "Hôtel de ville" and job.payload["commune"] == "Vénissieux"
    assert job.payload["people_ahead"] == info.people_ahead
    assert job.payload["estimated_wait_min"] == info.estimated_wait_min
    with kiosk.db.read() as s:  # the ticket and its job carry the same instant
        assert s.get(PrintJob, job.id).created_at == s.get(Ticket, info.id).issued_at


def test_without_print_on_no_job_is_written(kiosk):
    info = kiosk.issue("A", print_on=None)
    assert info.print_job_id is None
    assert _count(kiosk.db, PrintJob) == 0


def test_a_failing_print_job_insert_rolls_the_ticket_back(kiosk):
    # The database refuses the job: the ticket, its event and its number must not survive either.
    with kiosk.db.write() as s:
        s.execute(text("CREATE TRIGGER no_jobs BEFORE INSERT ON print_job BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    with pytest.raises(IntegrityError, match="disk full"):
        kiosk.issue("A")
    assert (_count(kiosk.db, Ticket), _count(kiosk.db, TicketEvent), _count(kiosk.db, PrintJob)) == (0, 0, 0)
    with kiosk.db.write() as s:
        s.execute(text("DROP TRIGGER no_jobs"))
    assert kiosk.issue("A").number == "A001"  # the number was not consumed


def test_a_bad_printer_key_refuses_the_ticket_too(kiosk):
    with pytest.raises(ValidationError):
        kiosk.issue("A", print_on=" ")
    assert _count(kiosk.db, Ticket) == 0


def test_reprint_makes_a_new_job_and_cancels_the_unprinted_one(kiosk):
    info = kiosk.issue("A")
    again = kiosk.jobs.reprint_ticket(ticket_id=info.id, printer_key=KEY)
    assert again.id != info.print_job_id and again.ticket_id == info.id
    assert again.status is PrintJobStatus.PENDING
    assert again.payload["reprint"] is True and again.payload["people_ahead"] is None
    first = kiosk.jobs.get(job_id=info.print_job_id)
    assert first.status is PrintJobStatus.CANCELLED  # never both: no duplicate at the kiosk
    # A printed job stays printed; the reprint is one more job.
    kiosk.jobs.claim_next(printer_key=KEY)
    kiosk.jobs.mark_printed(job_id=again.id)
    third = kiosk.jobs.reprint_ticket(ticket_id=info.id, printer_key="guichet-2")
    assert kiosk.jobs.get(job_id=again.id).status is PrintJobStatus.PRINTED
    assert third.printer_key == "guichet-2"


def test_a_finished_ticket_is_not_reprinted(kiosk):
    info = kiosk.issue("A")
    with kiosk.db.write() as s:
        s.get(Ticket, info.id).status = TicketStatus.DONE  # served at a counter
    with pytest.raises(NotAllowedError, match="terminé"):
        kiosk.jobs.reprint_ticket(ticket_id=info.id, printer_key=KEY)
    with pytest.raises(NotFoundError):
        kiosk.jobs.reprint_ticket(ticket_id=uuid.uuid4(), printer_key=KEY)


def test_jobs_are_claimed_in_order_and_failed_ones_come_back_when_due(kiosk):
    a, b = kiosk.issue("A"), kiosk.issue("B")
    first = kiosk.jobs.claim_next(printer_key=KEY)
    assert first.id == a.print_job_id and first.status is PrintJobStatus.PRINTING and first.attempts == 1
    assert kiosk.jobs.claim_next(printer_key="another-printer") is None
    later = now() + timedelta(minutes=5)
    failed = kiosk.jobs.mark_failed(
        job_id=first.id, error="Imprimante hors ligne — ticket A001 enregistré", retry_at=later
    )
    assert failed.status is PrintJobStatus.FAILED and failed.will_retry
    assert kiosk.jobs.next_due_at(printer_key=KEY) == later
    second = kiosk.jobs.claim_next(printer_key=KEY)
    assert second.id == b.print_job_id
    assert kiosk.jobs.claim_next(printer_key=KEY) is None  # A001 waits for its time
    # The printer is back: what waited is due now, and comes first again.
    assert kiosk.jobs.retry_waiting(printer_key=KEY) == 1
    again = kiosk.jobs.claim_next(printer_key=KEY)
    assert again.id == a.print_job_id and again.attempts == 2
    printed = kiosk.jobs.mark_printed(job_id=again.id)
    assert printed.status is PrintJobStatus.PRINTED and printed.printed_at is not None and printed.last_error == ""


def test_a_job_left_printing_by_a_crash_is_sent_again(kiosk):
    info = kiosk.issue("A")
    kiosk.jobs.claim_next(printer_key=KEY)  # ...and the process dies while sending
    assert kiosk.jobs.claim_next(printer_key=KEY) is None
    assert kiosk.jobs.recover(printer_key=KEY) == 1
    job = kiosk.jobs.claim_next(printer_key=KEY)
    assert job.id == info.print_job_id and job.attempts == 2


def test_list_cancel_and_retry_from_the_desk(kiosk):
    a, b, c = kiosk.issue("A"), kiosk.issue("A"), kiosk.issue("B")
    kiosk.jobs.claim_next(printer_key=KEY)
    kiosk.jobs.mark_failed(job_id=a.print_job_id, error="Plus de papier — ticket A001 enregistré", retry_at=None)
    listed = kiosk.jobs.jobs(site_id=kiosk.site_id)
    assert [j.label for j in listed] == ["ticket A001", "ticket A002", "ticket B001"]
    failed = kiosk.jobs.jobs(site_id=kiosk.site_id, statuses=[PrintJobStatus.FAILED])
    assert [(j.label, j.last_error, j.will_retry) for j in failed] == [
        ("ticket A001", "Plus de papier — ticket A001 enregistré", False)
    ]
    assert kiosk.jobs.retry_now(job_id=a.print_job_id).status is PrintJobStatus.PENDING
    assert kiosk.jobs.cancel(job_id=b.print_job_id).status is PrintJobStatus.CANCELLED
    with pytest.raises(NotAllowedError):
        kiosk.jobs.retry_now(job_id=c.print_job_id)
    kiosk.jobs.claim_next(printer_key=KEY)
    with pytest.raises(NotAllowedError, match="en cours"):
        kiosk.jobs.cancel(job_id=a.print_job_id)


def test_a_reprint_during_a_failed_attempt_keeps_the_cancellation(kiosk):
    info = kiosk.issue("A")
    kiosk.jobs.claim_next(printer_key=KEY)
    kiosk.jobs.mark_failed(job_id=info.print_job_id, error="x", retry_at=now())
    kiosk.jobs.reprint_ticket(ticket_id=info.id, printer_key=KEY)
    late = kiosk.jobs.mark_failed(job_id=info.print_job_id, error="y", retry_at=now())
    assert late.status is PrintJobStatus.CANCELLED


def test_receipt_of_a_contact(kiosk, services, refs):
    citizen = services.citizens.create(last_name="Durand", first_names="Marie", phone="06 12 34 56 78")
    contact = services.contacts.log(
        agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
        data=ContactInput(
            channel=Channel.PHONE, theme_id=refs.themes["etat_civil.naissance"], outcome=Outcome.ORIENTED_SERVICE,
            oriented_service_id=refs.services["Service État civil"], citizen_id=citizen.id,
            subject="Copie intégrale d'acte de naissance",
        ),
    )  # fmt: skip
    job = kiosk.jobs.enqueue_receipt(contact_id=contact.id, printer_key="guichet-1")
    assert job.kind is PrintJobKind.RECEIPT and job.contact_id == contact.id
    p = job.payload
    assert p["reference"].startswith("VEN-HDV-C") and len(p["reference"]) == len("VEN-HDV-C") + 8
    assert job.label == f"récépissé {p['reference']}"
    assert p["channel"] == "Téléphone"
    assert p["theme"].endswith("Acte de naissance") and p["theme"].startswith("État civil")
    assert "Service État civil" in p["next_steps"]
    assert "Durand" not in json.dumps(p, ensure_ascii=False)  # the receipt is about the request
    custom = kiosk.jobs.enqueue_receipt(
        contact_id=contact.id, printer_key="guichet-1", reference="VEN-HDV-2026-000123",
        next_steps="Réponse écrite par courrier.", due=now().date() + timedelta(days=15),
    )  # fmt: skip
    assert custom.payload["reference"] == "VEN-HDV-2026-000123"
    assert custom.payload["due"] == (now().date() + timedelta(days=15)).isoformat()


def test_test_page_job(kiosk):
    job = kiosk.jobs.enqueue_test_page(site_id=kiosk.site_id, printer_key=KEY)
    assert (job.kind, job.label, job.payload["site"]) == (PrintJobKind.TEST, "page de test", "Hôtel de ville")


def test_migration_0003_keeps_the_tickets_and_goes_back_down(db_path, tmp_path):
    db = Database.open(db_path)
    try:
        cfg = _config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
        seed_old_schema(db, tmp_path, queues=True)
        kiosk = make_kiosk(db, seed=False)
        assert "print_job" not in _tables(db)
        # A ticket as the kiosk of schema 0002 wrote it (today's ORM writes ticket columns added since: 0008).
        ticket_id = uuid.uuid4().hex
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO ticket (site_id, queue_id, current_queue_id, service_day, seq, number, priority, status, "
                "issued_at, recall_count, close_reason, id, created_at, updated_at) VALUES "
                "(?, ?, ?, date('now'), 1, 'A001', 0, 'en_attente', datetime('now'), 0, '', ?, datetime('now'), "
                "datetime('now'))",
                (kiosk.site_id.hex, kiosk.queues["A"].hex, kiosk.queues["A"].hex, ticket_id),
            )
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0003")
        assert current_revisions(db.engine) == ("0003",)
        assert "print_job" in _tables(db)
        with db.engine.connect() as conn:
            number = conn.exec_driver_sql("SELECT number FROM ticket WHERE id = ?", (ticket_id,)).scalar()
            conn.exec_driver_sql(  # a job of the ticket, as 0003 takes it
                "INSERT INTO print_job (site_id, kind, printer_key, label, payload, status, attempts, last_error, "
                "ticket_id, id, created_at, updated_at) VALUES (?, 'ticket', 'borne', 'ticket A001', '{}', "
                "'en_attente', 0, '', ?, ?, datetime('now'), datetime('now'))",
                (kiosk.site_id.hex, ticket_id, uuid.uuid4().hex),
            )
            conn.commit()
        assert number == "A001"
        with db.engine.begin() as conn:  # and back down
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
        assert "print_job" not in _tables(db)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT number FROM ticket WHERE id = ?", (ticket_id,)).scalar() == "A001"
    finally:
        db.close()


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
