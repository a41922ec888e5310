"""Personal data by the rules: retention (statistics unchanged), right of access (everything, PDF and JSON), erasure."""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from guichet.config import Settings
from guichet.db import Database
from guichet.domain import (
    AuditAction,
    Channel,
    Civility,
    ConsentKind,
    DispatchStatus,
    HouseholdRole,
    MailDirection,
    MailType,
    Outcome,
    PreferredChannel,
    RequestEventKind,
    RequestStatus,
)
from guichet.models import (
    Attachment,
    AuditEntry,
    Citizen,
    CitizenConsent,
    Contact,
    Dispatch,
    FollowUpRequest,
    Household,
    HouseholdMember,
    MailItem,
    RequestEvent,
)
from guichet.reports.access_export import short_ref
from guichet.rgpd_settings import RgpdSettings
from guichet.services import Services
from guichet.services.clock import local_day, now
from guichet.services.demo import seed_demo
from guichet.services.errors import NotAllowedError, ValidationError
from guichet.services.rgpd import RgpdService, months_before
from guichet.services.rgpd_anonymise import ANONYMISED_NAME, MAIL_SUBJECT, REQUEST_SUBJECT
from guichet.services.stats import StatsService
from tests.conftest import DemoRefs

PDF_BYTES = b"%PDF-1.4\n% scan de test\n"


@dataclass(frozen=True)
class Person:
    """A resident with a row in every table that can point at them, and the ids of those rows."""

    citizen: uuid.UUID
    merged: uuid.UUID
    household: uuid.UUID
    member: uuid.UUID
    other_member: uuid.UUID  # the spouse: someone else, never in the export
    other_citizen: uuid.UUID
    consent: uuid.UUID
    contact: uuid.UUID
    request: uuid.UUID
    event: uuid.UUID
    dispatch: uuid.UUID
    request_scan: uuid.UUID
    mail: uuid.UUID
    mail_scan: uuid.UUID
    viewed: uuid.UUID  # an audit entry about the record
    reference: str
    chrono: str

    def linked(self) -> set[uuid.UUID]:
        return {self.merged, self.household, self.member, self.consent, self.contact, self.request, self.event,
                self.dispatch, self.request_scan, self.mail, self.mail_scan}  # fmt: skip


def make_person(db: Database, services: Services, refs: DemoRefs, at: datetime, *, closed: bool = True) -> Person:
    """Everything happened around ``at``; the request is closed ten days later (or still open)."""
    store = services.mail.store
    request_file = store.put(PDF_BYTES + uuid.uuid4().bytes, file_name="Réclamation Lefèvre.pdf")
    mail_file = store.put(PDF_BYTES + uuid.uuid4().bytes, file_name="Lettre Lefèvre.pdf")
    hdv, agent = refs.sites["HDV"], refs.agents["mdurand"]
    service = next(iter(refs.services.values()))
    theme = refs.themes["etat_civil.naissance"]
    stamps = {"created_at": at, "updated_at": at}
    with db.write() as s:
        c = Citizen(civility=Civility.MADAME, last_name="Lefèvre", first_names="Hélène-Françoise", phone="+33612345678",
                    email="helene.lefevre@example.fr", address="12 rue de l'Égalité", postal_code="69200",
                    city="Vénissieux", preferred_channel=PreferredChannel.EMAIL, **stamps)  # fmt: skip
        if hasattr(Citizen, "birth_date"):
            c.birth_date = date(1984, 2, 29)
        spouse = Citizen(civility=Civility.MONSIEUR, last_name="Noël", first_names="Jérôme", **stamps)
        s.add_all([c, spouse])
        s.flush()
        old = Citizen(last_name="Lefevre", first_names="Helene", merged_into_id=c.id, deleted_at=at, **stamps)
        household = Household(commune_id=refs.commune_id, name="Foyer LEFÈVRE-NOËL", address="12 rue de l'Égalité",
                              **stamps)  # fmt: skip
        s.add_all([old, household])
        s.flush()
        member = HouseholdMember(commune_id=refs.commune_id, household_id=household.id, citizen_id=c.id,
                                 role=HouseholdRole.PARENT, **stamps)  # fmt: skip
        other = HouseholdMember(commune_id=refs.commune_id, household_id=household.id, citizen_id=spouse.id,
                                role=HouseholdRole.SPOUSE, **stamps)  # fmt: skip
        consent = CitizenConsent(commune_id=refs.commune_id, citizen_id=c.id, kind=ConsentKind.EMAIL, given_at=at,
                                 agent_id=agent, site_id=hdv, **stamps)  # fmt: skip
        contact = Contact(channel=Channel.PHONE, started_at=at, duration_s=300, site_id=hdv, agent_id=agent,
                          citizen_id=c.id, theme_id=theme, subject="Acte de naissance pour Zoé",
                          notes="Rappeler Mme Lefèvre après 17 h", outcome=Outcome.REQUEST_OPENED,
                          **stamps)  # fmt: skip
        seq = int(uuid.uuid4().int % 900_000) + 1
        reference = f"VEN-HDV-{at.year}-{seq:06d}"
        request = FollowUpRequest(
            commune_id=refs.commune_id, site_id=hdv, reference=reference, year=at.year, seq=seq, channel=Channel.PHONE,
            received_on=local_day(at), opened_at=at, opened_by=agent, citizen_id=c.id, theme_id=theme,
            subject="Copie intégrale d'acte — Zoé Lefèvre", description="Née à Lyon 3e, le 4 mai 2015",
            service_id=service, due_on=local_day(at) + timedelta(days=15),
            status=RequestStatus.CLOSED if closed else RequestStatus.IN_PROGRESS, is_open=0 if closed else 1,
            answered_at=at + timedelta(days=9) if closed else None,
            closed_at=at + timedelta(days=10) if closed else None,
            answer_text="Madame, votre acte est prêt à l'accueil.", **stamps,
        )  # fmt: skip
        s.add_all([member, other, consent, contact, request])
        s.flush()
        event = RequestEvent(commune_id=refs.commune_id, site_id=hdv, request_id=request.id, at=at, agent_id=agent,
                             kind=RequestEventKind.COMMENT, comment="Mme Lefèvre a rappelé, très inquiète",
                             **stamps)  # fmt: skip
        chrono = f"VEN-HDV-A-{at.year}-{seq:06d}"
        mail = MailItem(commune_id=refs.commune_id, site_id=hdv, direction=MailDirection.INCOMING, chrono=chrono,
                        year=at.year, seq=seq, mail_date=local_day(at), registered_at=at, registered_by=agent,
                        mail_type=MailType.REGISTERED, registered_number="1A 234 567 8901 2", citizen_id=c.id,
                        correspondent="Mme Hélène Lefèvre", subject="Demande d'acte pour Zoé", service_id=service,
                        request_id=request.id, **stamps)  # fmt: skip
        s.add_all([event, mail])
        s.flush()
        dispatch = Dispatch(commune_id=refs.commune_id, site_id=hdv, request_id=request.id,
                            channel=PreferredChannel.EMAIL, address="helene.lefevre@example.fr",
                            status=DispatchStatus.SENT, sent_at=at + timedelta(days=9),
                            agent_id=agent, body="Madame, votre acte est prêt à l'accueil.", **stamps)  # fmt: skip
        scans = [
            Attachment(commune_id=refs.commune_id, site_id=hdv, request_id=request.id, file_name=request_file.file_name,
                       mime_type=request_file.mime_type, size=request_file.size, sha256=request_file.sha256, **stamps),
            Attachment(commune_id=refs.commune_id, site_id=hdv, mail_item_id=mail.id, file_name=mail_file.file_name,
                       mime_type=mail_file.mime_type, size=mail_file.size, sha256=mail_file.sha256, **stamps),
        ]  # fmt: skip
        viewed = AuditEntry(commune_id=refs.commune_id, site_id=hdv, at=at, agent_id=agent, login="mdurand",
                            action=AuditAction.RECORD_VIEWED, subject_table="citizen", subject_id=c.id)  # fmt: skip
        s.add_all([dispatch, *scans, viewed])
        s.flush()
        return Person(c.id, old.id, household.id, member.id, other.id, spouse.id, consent.id, contact.id,
                      request.id, event.id, dispatch.id, scans[0].id, mail.id, scans[1].id, viewed.id, reference,
                      chrono)  # fmt: skip


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# -- right of access ------------------------------------------------------------------------------------------


def test_access_export_holds_every_linked_row_in_json_and_pdf(
    demo_db: Database, services: Services, refs: DemoRefs
) -> None:
    p = make_person(demo_db, services, refs, now() - timedelta(days=30))
    sup = refs.agents["sperrin"]
    export = services.rgpd.access_export(citizen_id=p.citizen, agent_id=sup, site_id=refs.sites["HDV"])
    data = json.loads(export.json_bytes.decode("utf-8"))
    assert "Hélène-Françoise" in export.json_bytes.decode("utf-8")  # readable UTF-8, not \u escapes
    assert data["personne"]["id"] == str(p.citizen)
    assert data["personne"]["last_name"] == "Lefèvre"
    assert "search_text" not in data["personne"]
    found = {row["id"] for table in data["donnees_liees"].values() for row in table["lignes"]}
    found |= {row["id"] for row in data["fiches_fusionnees"]}
    assert {str(x) for x in p.linked()} <= found
    assert str(p.other_member) not in found and str(p.other_citizen) not in export.json_bytes.decode()  # third party
    assert str(p.viewed) in {e["id"] for e in data["journal_audit"]}
    assert "mdurand" not in export.json_bytes.decode()  # when and where, not which agent
    request = data["donnees_liees"]["request"]["lignes"][0]
    assert request["theme_id_libelle"].startswith("État civil › ")  # names beside the ids
    assert request["status_libelle"] == "Clôturée"
    assert export.rows == 1 + len(found)
    assert export.file_stem.startswith("Droit d'accès LEFÈVRE Hélène-Françoise")

    text = _pdf_text(export.pdf_bytes)
    for row_id in p.linked() | {p.viewed}:
        assert short_ref(str(row_id)) in text, row_id
    expected = ("Données personnelles détenues", "Hélène-Françoise", "Lefèvre", "12 rue de l'Égalité", p.reference,
                p.chrono, "Mme Lefèvre a rappelé, très inquiète", "Lettre Lefèvre.pdf", "Foyer LEFÈVRE-NOËL",
                "Recevoir des courriels de la mairie", "Durées de conservation",
                "Consultation d'une fiche")  # fmt: skip
    for words in expected:
        assert words in text, words
    assert "Jérôme" not in text
    with demo_db.read() as s:
        exported = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.ACCESS_EXPORT)).one()
    assert (exported.subject_id, exported.agent_id) == (p.citizen, sup)


def test_access_export_is_for_supervisors(demo_db: Database, services: Services, refs: DemoRefs) -> None:
    p = make_person(demo_db, services, refs, now() - timedelta(days=3))
    with pytest.raises(NotAllowedError, match="droit d'accès"):
        services.rgpd.access_export(citizen_id=p.citizen, agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"])
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == AuditAction.ACCESS_EXPORT)) == 0


# -- retention ------------------------------------------------------------------------------------------------


def _stats(db: Database, sup: uuid.UUID, start: date, end: date) -> tuple:
    stats = StatsService(db)
    stats.clear_cache()  # computed from the rows, not from a cache made before
    r = stats.report(agent_id=sup, start=start, end=end)
    return r.contacts, r.tickets, r.sites, r.staffing


def _stats_columns(db: Database) -> list[tuple]:
    with db.read() as s:
        return s.execute(
            select(Contact.id, Contact.channel, Contact.theme_id, Contact.outcome, Contact.started_at,
                   Contact.duration_s, Contact.site_id, Contact.agent_id, Contact.oriented_service_id,
                   Contact.oriented_body_id, Contact.ticket_id).order_by(Contact.id)
        ).all()  # fmt: skip


def test_anonymisation_keeps_statistics_identical(db: Database, refs: DemoRefs) -> None:
    seed_demo(db, citizens=40, days=20, per_day=10)
    services = Services.on(db)
    sup = refs.agents["sperrin"]
    today = local_day(now())
    start = today - timedelta(days=30)
    before, columns = _stats(db, sup, start, today), _stats_columns(db)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contact).where(Contact.citizen_id.is_not(None))) > 50
    later = now() + timedelta(days=6 * 366)  # everything is past every retention date
    rgpd = RgpdService(db, services.mail.store, settings=RgpdSettings(batch_size=10))
    report = rgpd.apply_retention(now=later)
    # Enough rows for the comparison to mean something (how many citizens the demo links depends on the hour).
    assert report.rows("contact_text") > 50 and report.rows("contact_person") > 50 and report.rows("citizen") >= 5

    assert _stats(db, sup, start, today) == before
    assert _stats_columns(db) == columns
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contact).where(Contact.citizen_id.is_not(None))) == 0
        assert s.scalar(select(func.count()).select_from(Contact).where(Contact.subject != "")) == 0
        batches = s.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.action == AuditAction.ANONYMISED, AuditEntry.subject_table == "contact"
            )
        ).all()
    contact_rows = report.rows("contact_text") + report.rows("contact_person")
    assert len(batches) == sum(-(-report.rows(k) // 10) for k in ("contact_text", "contact_person"))  # one per batch
    assert sum(int(re.search(r" : (\d+) \(", d)[1]) for d in batches) == contact_rows
    again = rgpd.apply_retention(now=later)
    assert again.total == 0  # idempotent: nothing twice


def test_retention_follows_the_dates_of_each_kind(demo_db: Database, services: Services, refs: DemoRefs) -> None:
    today = now()
    recent = make_person(demo_db, services, refs, today - timedelta(days=40))
    two_years = make_person(demo_db, services, refs, today - timedelta(days=2 * 365))
    six_years = make_person(demo_db, services, refs, today - timedelta(days=6 * 365))
    still_open = make_person(demo_db, services, refs, today - timedelta(days=6 * 365), closed=False)
    dry = services.rgpd.apply_retention(dry_run=True)
    report = services.rgpd.apply_retention()
    assert dry.rows("contact_text") == report.rows("contact_text") == 3  # two_years, six_years, still_open
    assert report.rows("contact_person") == 2
    assert report.rows("request") == 1 and report.rows("mail") == 1 and report.rows("dispatch") == 2
    with demo_db.read() as s:
        contact = {p: s.get(Contact, p.contact) for p in (recent, two_years, six_years)}
        assert contact[recent].notes and contact[recent].citizen_id == recent.citizen
        assert (contact[two_years].notes, contact[two_years].subject) == ("", "")
        assert contact[two_years].citizen_id == two_years.citizen
        assert contact[six_years].citizen_id is None
        assert contact[six_years].channel is Channel.PHONE and contact[six_years].theme_id == refs.themes[
            "etat_civil.naissance"]  # fmt: skip

        old = s.get(FollowUpRequest, six_years.request)
        assert (old.subject, old.description, old.answer_text, old.citizen_id) == (REQUEST_SUBJECT, "", "", None)
        assert old.status is RequestStatus.CLOSED and old.reference == six_years.reference
        assert s.get(RequestEvent, six_years.event).comment == ""
        sent = s.get(Dispatch, six_years.dispatch)
        assert (sent.address, sent.body, sent.status) == ("", "", DispatchStatus.SENT)
        assert s.get(Dispatch, two_years.dispatch).address == ""  # one year after sending
        assert s.get(Dispatch, recent.dispatch).address == "helene.lefevre@example.fr"
        assert s.get(FollowUpRequest, two_years.request).description  # five years after closure
        letter = s.get(MailItem, six_years.mail)
        assert (letter.correspondent, letter.subject, letter.citizen_id) == ("", MAIL_SUBJECT, None)
        assert letter.chrono == six_years.chrono and letter.mail_type is MailType.REGISTERED
        assert s.get(MailItem, still_open.mail).correspondent  # its request is still open
        scans = [s.get(Attachment, x) for x in (six_years.mail_scan, six_years.request_scan)]
        assert all(a.deleted_at is not None for a in scans)
        kept_scan = s.get(Attachment, recent.mail_scan)

        people = {p: s.get(Citizen, p.citizen) for p in (recent, two_years, six_years, still_open)}
        assert people[six_years].last_name == ANONYMISED_NAME and people[six_years].anonymised_at is not None
        assert (people[six_years].phone, people[six_years].email, people[six_years].first_names) == ("", "", "")
        assert people[six_years].preferred_channel is None
        assert people[recent].last_name == people[two_years].last_name == "Lefèvre"
        assert people[still_open].last_name == "Lefèvre"  # an answer is still owed
        assert s.get(HouseholdMember, six_years.member).deleted_at is not None
        # The spouse had nothing since: both left, the household is anonymised too.
        assert s.get(Household, six_years.household).name == "Foyer anonymisé"
        assert s.get(AuditEntry, six_years.viewed).deleted_at is not None
        assert s.get(AuditEntry, six_years.viewed).agent_id is None
        assert s.get(AuditEntry, recent.viewed).deleted_at is None
    assert all(not services.mail.store.path_of(a.sha256).exists() for a in scans)
    assert services.mail.store.path_of(kept_scan.sha256).exists()
    assert report.files_removed == 2
    assert "Fiches usagers anonymisées" in report.summary


def test_a_household_with_an_active_member_keeps_everyone(
    demo_db: Database, services: Services, refs: DemoRefs
) -> None:
    p = make_person(demo_db, services, refs, now() - timedelta(days=6 * 365))
    with demo_db.write() as s:  # the spouse came last month
        s.add(Contact(channel=Channel.IN_PERSON, started_at=now() - timedelta(days=30), site_id=refs.sites["HDV"],
                      agent_id=refs.agents["mdurand"], citizen_id=p.other_citizen,
                      theme_id=refs.themes["etat_civil.naissance"], outcome=Outcome.ANSWERED))  # fmt: skip
    services.rgpd.apply_retention()
    with demo_db.read() as s:
        assert s.get(Citizen, p.citizen).last_name == "Lefèvre"
        assert s.get(Household, p.household).name == "Foyer LEFÈVRE-NOËL"


def test_settings_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "guichet.toml"
    path.write_text("[rgpd]\ncontact_text_months = 6\naudit_months = 6\n", encoding="utf-8")
    settings = Settings.load(path)
    assert settings.rgpd == replace(RgpdSettings(), contact_text_months=6, audit_months=6)
    path.write_text("[rgpd]\ncontact_person_months = 12\n", encoding="utf-8")
    with pytest.raises(ValueError, match="citizen_idle_months"):
        Settings.load(path)
    with pytest.raises(ValueError, match="entier"):
        RgpdSettings.from_toml({"audit_months": "un an"})
    assert months_before(datetime(2026, 3, 31, 12, 0), 1) == datetime(2026, 2, 28, 12, 0)


# -- erasure --------------------------------------------------------------------------------------------------


def test_erase_anonymises_the_person_and_keeps_the_statistics(
    demo_db: Database, services: Services, refs: DemoRefs
) -> None:
    p = make_person(demo_db, services, refs, now() - timedelta(days=20))
    sup, hdv = refs.agents["sperrin"], refs.sites["HDV"]
    with pytest.raises(NotAllowedError, match="réservé aux superviseurs"):
        services.rgpd.erase(citizen_id=p.citizen, agent_id=refs.agents["mdurand"], site_id=hdv, reason="Demande écrite")
    with pytest.raises(ValidationError):
        services.rgpd.erase(citizen_id=p.citizen, agent_id=sup, site_id=hdv, reason="  ")
    columns = _stats_columns(demo_db)
    done = services.rgpd.erase(citizen_id=p.citizen, agent_id=sup, site_id=hdv,
                               reason="Courrier de Mme du 3 mars : demande d'effacement")  # fmt: skip
    assert done.files_removed == 2 and "Fiche effacée" in done.summary
    assert _stats_columns(demo_db) == columns
    with demo_db.read() as s:
        for cid in (p.citizen, p.merged):
            c = s.get(Citizen, cid)
            assert c.last_name == ANONYMISED_NAME and c.email == "" and c.anonymised_at is not None
        contact = s.get(Contact, p.contact)
        assert (contact.subject, contact.notes, contact.citizen_id) == (
            "",
            "",
            p.citizen,
        )  # still counted as one person
        assert s.get(FollowUpRequest, p.request).description == ""
        assert s.get(MailItem, p.mail).correspondent == ""
        assert s.get(Dispatch, p.dispatch).address == ""
        assert s.get(HouseholdMember, p.member).deleted_at is not None
        assert s.get(Citizen, p.other_citizen).last_name == "Noël"  # the spouse is someone else
        erased = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.ERASED)).one()
    assert erased.subject_id == p.citizen and erased.agent_id == sup and "demande d'effacement" in erased.detail


def test_erase_waits_for_an_open_request(demo_db: Database, services: Services, refs: DemoRefs) -> None:
    p = make_person(demo_db, services, refs, now() - timedelta(days=2), closed=False)
    with pytest.raises(NotAllowedError, match=p.reference):
        services.rgpd.erase(citizen_id=p.citizen, agent_id=refs.agents["admin"], site_id=refs.sites["HDV"],
                            reason="Demande par courriel")  # fmt: skip
    with demo_db.read() as s:
        assert s.get(Citizen, p.citizen).last_name == "Lefèvre"
