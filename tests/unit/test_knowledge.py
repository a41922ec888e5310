"""The catalogue of answers: versions, who edits what, search, the theme's sheets, usage, the contact's sheet,
the directory, the documents slip, the handout PDF and the e-mail."""

from __future__ import annotations

import email
import email.policy
import io
import time
import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from guichet.config import PrinterSettings
from guichet.domain import Channel, Outcome, PrintJobKind, Role, SheetStatus
from guichet.models import Agent, AnswerSheetVersion, Commune, Contact, Site
from guichet.notify.sheet_mail import SheetMailer
from guichet.printing.escpos_render import render
from guichet.printing.layout import Text, paper_for
from guichet.printing.worker import job_ops
from guichet.reports.letter_types import Letterhead
from guichet.reports.sheet_pdf import Handout, render_sheet
from guichet.services import clock
from guichet.services.auth import hash_password
from guichet.services.contacts import ContactInput
from guichet.services.demo_knowledge import SHEETS, seed_knowledge
from guichet.services.errors import NotAllowedError, ValidationError
from guichet.services.knowledge_types import DirectoryKind, SheetContent, SheetInput
from tests.unit.test_notify_email import settings_for, start_server

CNI = SheetContent(
    title="Carte nationale d'identité",
    question="Comment refaire sa carte d'identité ?",
    answer="Sur rendez-vous, après la pré-demande en ligne.",
    documents=("Photo d'identité de moins de 6 mois", "Justificatif de domicile de moins d'un an"),
    where_when="Hôtel de ville, sur rendez-vous",
    fees="Gratuite ; 25 € en cas de perte ou de vol",
    links=("Pré-demande | https://ants.gouv.fr",),
    keywords="cni papiers",
)


@pytest.fixture
def kb(services):
    return services.knowledge


def _new(kb, refs, content: SheetContent = CNI, *, theme: str = "etat_civil.titres", publish: bool = True, **kw):
    data = SheetInput(theme_id=refs.themes[theme], content=content, owner="Service État civil", **kw)
    detail = kb.save_draft(agent_id=refs.agents["sperrin"], data=data)
    if publish:
        detail = kb.publish(agent_id=refs.agents["sperrin"], sheet_id=detail.sheet_id)
    return detail


def _other_commune_supervisor(db) -> uuid.UUID:
    with db.write() as s:
        giv = Commune(code="GIV", insee="69091", name="Givors")
        s.add(giv)
        s.flush()
        site = Site(commune_id=giv.id, code="HDV", name="Mairie de Givors", kind="principal")
        s.add(site)
        s.flush()
        agent = Agent(login="chef.giv", first_name="Claire", last_name="Giv", role=Role.SUPERVISOR,
                      password_hash=hash_password("x" * 12), site_id=site.id)  # fmt: skip
        s.add(agent)
        s.flush()
        return agent.id


# -- versions ----------------------------------------------------------------------------------------------


def test_publishing_a_draft_makes_a_new_version_and_leaves_the_old_one_untouched(kb, refs, demo_db):
    first = _new(kb, refs)
    assert first.published.number == 1 and first.draft is None and first.summary.state_label == "Publiée v1"
    with demo_db.read() as s:
        v1 = s.get(AnswerSheetVersion, first.published.version_id)
        v1_before = (v1.answer, v1.updated_at, v1.status)
    changed = replace(CNI, answer="Sur rendez-vous, après la pré-demande en ligne. Retrait sous 3 mois.")
    draft = kb.save_draft(agent_id=refs.agents["sperrin"], sheet_id=first.sheet_id,
                          data=SheetInput(theme_id=refs.themes["etat_civil.titres"], content=changed))  # fmt: skip
    assert draft.draft is not None and draft.draft.status is SheetStatus.DRAFT
    # The desks still read version 1 while the draft is written.
    assert kb.get(sheet_id=first.sheet_id).content.answer == CNI.answer
    assert draft.summary.state_label == "Publiée v1 · brouillon en cours"
    second = kb.publish(agent_id=refs.agents["sperrin"], sheet_id=first.sheet_id)
    assert second.published.number == 2 and second.draft is None
    assert kb.get(sheet_id=first.sheet_id).content.answer.endswith("Retrait sous 3 mois.")
    assert [(v.number, v.current) for v in second.history] == [(2, True), (1, False)]
    with demo_db.read() as s:
        v1 = s.get(AnswerSheetVersion, first.published.version_id)
        assert (v1.answer, v1.updated_at, v1.status) == v1_before


def test_the_draft_is_edited_in_place_and_saving_the_published_text_again_drops_it(kb, refs, demo_db):
    first = _new(kb, refs)
    who, theme = refs.agents["sperrin"], refs.themes["etat_civil.titres"]
    for answer in ("Brouillon 1", "Brouillon 2"):
        kb.save_draft(agent_id=who, sheet_id=first.sheet_id,
                      data=SheetInput(theme_id=theme, content=replace(CNI, answer=answer)))  # fmt: skip
    with demo_db.read() as s:
        drafts = s.scalars(select(AnswerSheetVersion).where(AnswerSheetVersion.status == SheetStatus.DRAFT)).all()
    assert [d.answer for d in drafts] == ["Brouillon 2"]  # at most one draft
    back = kb.save_draft(agent_id=who, sheet_id=first.sheet_id, data=SheetInput(theme_id=theme, content=CNI,
                                                                                 owner="Mme Roux"))  # fmt: skip
    assert back.draft is None and back.summary.owner == "Mme Roux"  # details apply at once, no version needed


def test_save_and_publish_is_one_call_and_publishing_counts_as_a_review(kb, refs):
    past = clock.local_day(clock.now()) - timedelta(days=3)
    detail = kb.save_draft(
        agent_id=refs.agents["sperrin"], publish=True,
        data=SheetInput(theme_id=refs.themes["etat_civil.titres"], content=CNI, review_on=past),
    )  # fmt: skip
    assert detail.published.number == 1
    assert detail.summary.review_on == clock.local_day(clock.now()) + timedelta(days=365)
    assert not detail.summary.to_review


def test_a_passed_review_date_marks_the_sheet_to_review(kb, refs):
    detail = _new(kb, refs)
    past = clock.local_day(clock.now()) - timedelta(days=1)
    kb.save_draft(agent_id=refs.agents["sperrin"], sheet_id=detail.sheet_id,
                  data=SheetInput(theme_id=refs.themes["etat_civil.titres"], content=CNI, review_on=past))  # fmt: skip
    [row] = kb.sheets(agent_id=refs.agents["sperrin"]).rows
    assert row.to_review and row.state_label == "Publiée v1 · à revoir"


def test_discarding_the_only_draft_of_a_new_sheet_drops_the_sheet(kb, refs):
    draft = _new(kb, refs, publish=False)
    assert kb.discard_draft(agent_id=refs.agents["sperrin"], sheet_id=draft.sheet_id) is None
    assert kb.sheets(agent_id=refs.agents["sperrin"]).rows == ()


def test_an_archived_sheet_leaves_the_desks_and_comes_back(kb, refs):
    detail = _new(kb, refs)
    kb.archive(agent_id=refs.agents["sperrin"], sheet_id=detail.sheet_id)
    assert kb.for_theme(theme_id=refs.themes["etat_civil.titres"], commune_id=refs.commune_id) == ()
    assert kb.search(query="identite", commune_id=refs.commune_id) == ()
    assert [r.archived for r in kb.sheets(agent_id=refs.agents["sperrin"], include_archived=True).rows] == [True]
    kb.archive(agent_id=refs.agents["sperrin"], sheet_id=detail.sheet_id, archived=False)
    assert len(kb.for_theme(theme_id=refs.themes["etat_civil.titres"], commune_id=refs.commune_id)) == 1


# -- who edits what ----------------------------------------------------------------------------------------


def test_agents_read_but_do_not_write(kb, refs):
    detail = _new(kb, refs)
    with pytest.raises(NotAllowedError, match="superviseurs"):
        kb.save_draft(agent_id=refs.agents["mdurand"],
                      data=SheetInput(theme_id=refs.themes["etat_civil"], content=CNI))  # fmt: skip
    with pytest.raises(NotAllowedError):
        kb.publish(agent_id=refs.agents["mdurand"], sheet_id=detail.sheet_id)
    seen = kb.detail(sheet_id=detail.sheet_id, agent_id=refs.agents["mdurand"])
    assert not seen.can_edit and "superviseurs" in seen.why_not
    listing = kb.sheets(agent_id=refs.agents["mdurand"])
    assert not listing.may_create and not listing.usage_shown and len(listing.rows) == 1


def test_a_supervisor_of_another_commune_neither_sees_nor_edits_the_communes_sheets(kb, refs, demo_db):
    detail = _new(kb, refs)
    other = _other_commune_supervisor(demo_db)
    with pytest.raises(NotAllowedError, match="autre commune"):
        kb.archive(agent_id=other, sheet_id=detail.sheet_id)
    assert kb.sheets(agent_id=other).rows == ()


def test_sitiv_sheets_are_written_only_where_they_are_authored(kb, refs, demo_db):
    sitiv = _new(kb, refs, sitiv_wide=True)  # this database does not sync: SITIV's reference database
    assert sitiv.summary.commune_id is None and sitiv.can_edit
    other = _other_commune_supervisor(demo_db)
    assert [r.title for r in kb.sheets(agent_id=other).rows] == [CNI.title]  # every town reads it
    with demo_db.write() as s:  # from now on this database syncs with the central one
        s.execute(text("UPDATE sync_state SET site_id = :site"), {"site": refs.sites["HDV"].hex})
    seen = kb.detail(sheet_id=sitiv.sheet_id, agent_id=refs.agents["sperrin"])
    assert not seen.can_edit and "SITIV" in seen.why_not
    with pytest.raises(NotAllowedError, match="SITIV"):
        kb.publish(agent_id=refs.agents["sperrin"], sheet_id=sitiv.sheet_id)
    with pytest.raises(NotAllowedError, match="SITIV"):
        _new(kb, refs, sitiv_wide=True)
    assert not kb.sheets(agent_id=refs.agents["sperrin"]).may_create_sitiv


def test_what_is_refused_and_why(kb, refs):
    who = refs.agents["sperrin"]
    with pytest.raises(ValidationError) as e:
        kb.save_draft(agent_id=who, data=SheetInput(theme_id=None, content=SheetContent(title=" ")))
    assert set(e.value.errors) == {"title", "theme"}
    theme = refs.themes["etat_civil"]
    bad = replace(CNI, links=("ANTS | pas une adresse",), service_id=refs.services["Service État civil"])
    with pytest.raises(ValidationError) as e:
        kb.save_draft(agent_id=who, data=SheetInput(theme_id=theme, content=bad, sitiv_wide=True))
    assert set(e.value.errors) == {"links", "orientation"}  # a SITIV sheet cannot name a commune's service
    draft = kb.save_draft(agent_id=who, data=SheetInput(theme_id=theme, content=replace(CNI, answer="")))
    with pytest.raises(ValidationError) as e:
        kb.publish(agent_id=who, sheet_id=draft.sheet_id)
    assert set(e.value.errors) == {"answer"}


# -- reading -----------------------------------------------------------------------------------------------


def test_search_ignores_accents_case_and_finds_the_title_first(kb, refs):
    _new(kb, refs)
    _new(kb, refs, SheetContent(title="Inscription sur les listes électorales", answer="Avec une pièce d'identité.",
                                keywords="élections vote"), theme="elections.inscription")  # fmt: skip
    assert [v.title for v in kb.search(query="ELECTORALE", commune_id=refs.commune_id)] == [
        "Inscription sur les listes électorales"
    ]
    assert [v.title for v in kb.search(query="élec", commune_id=refs.commune_id)] == [
        "Inscription sur les listes électorales"
    ]
    found = [v.title for v in kb.search(query="identite", commune_id=refs.commune_id)]
    assert found == ["Carte nationale d'identité", "Inscription sur les listes électorales"]  # title first
    assert kb.search(query="  ", commune_id=refs.commune_id) == ()


def test_search_reads_the_published_version_only_and_the_communes_scope(kb, refs, demo_db):
    detail = _new(kb, refs)
    kb.save_draft(agent_id=refs.agents["sperrin"], sheet_id=detail.sheet_id,
                  data=SheetInput(theme_id=refs.themes["etat_civil.titres"],
                                  content=replace(CNI, answer="Nouveau : rendez-vous zygomatique.")))  # fmt: skip
    assert kb.search(query="zygomatique", commune_id=refs.commune_id) == ()  # a draft is not read at the desk
    assert len(kb.search(query="cni", commune_id=refs.commune_id)) == 1
    other = _other_commune_supervisor(demo_db)
    with demo_db.read() as s:
        giv = s.get(Site, s.get(Agent, other).site_id).commune_id
    assert kb.search(query="cni", commune_id=giv) == ()


def test_the_theme_shows_its_sheets_then_its_sub_themes_then_its_parents(kb, refs):
    _new(kb, refs, SheetContent(title="Général état civil", answer="a"), theme="etat_civil")
    _new(kb, refs, SheetContent(title="Passeport", answer="b"), theme="etat_civil.titres")
    _new(kb, refs, SheetContent(title="Acte", answer="c"), theme="etat_civil.naissance")
    _new(kb, refs, SheetContent(title="Brouillon seul", answer="d"), theme="etat_civil.titres", publish=False)
    titres = kb.for_theme(theme_id=refs.themes["etat_civil.titres"], commune_id=refs.commune_id)
    assert [v.title for v in titres] == ["Passeport", "Général état civil"]
    parent = kb.for_theme(theme_id=refs.themes["etat_civil"], commune_id=refs.commune_id)
    assert [v.title for v in parent] == ["Général état civil", "Acte", "Passeport"]
    assert titres[0].theme_label == "État civil › Rendez-vous passeport / carte d'identité"


def test_usage_counts_the_contacts_that_used_each_sheet(kb, services, refs, demo_db):
    cni = _new(kb, refs)
    acte = _new(kb, refs, SheetContent(title="Acte de naissance", answer="x"), theme="etat_civil.naissance")
    for sheet, n in ((cni, 3), (acte, 1), (None, 2)):
        for _ in range(n):
            services.contacts.log(
                agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
                data=ContactInput(channel=Channel.PHONE, theme_id=refs.themes["etat_civil.titres"],
                                  outcome=Outcome.ANSWERED, sheet_id=sheet.sheet_id if sheet else None),
            )  # fmt: skip
    today = clock.local_day(clock.now())
    usage = kb.usage(agent_id=refs.agents["sperrin"], start=today, end=today)
    assert [(u.title, u.uses) for u in usage] == [("Carte nationale d'identité", 3), ("Acte de naissance", 1)]
    assert (
        kb.usage(agent_id=refs.agents["sperrin"], start=today - timedelta(days=9), end=today - timedelta(days=1)) == ()
    )
    rows = {r.title: r.uses for r in kb.sheets(agent_id=refs.agents["sperrin"]).rows}
    assert rows == {"Carte nationale d'identité": 3, "Acte de naissance": 1}
    with pytest.raises(NotAllowedError):
        kb.usage(agent_id=refs.agents["mdurand"], start=today, end=today)


def test_a_contact_records_the_sheet_used(kb, services, refs, demo_db):
    sheet = _new(kb, refs)
    data = ContactInput(channel=Channel.IN_PERSON, theme_id=refs.themes["etat_civil.titres"],
                        outcome=Outcome.ANSWERED, sheet_id=sheet.sheet_id)  # fmt: skip
    row = services.contacts.log(agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"], data=data)
    assert row.sheet_id == sheet.sheet_id
    journal = services.contacts.journal(site_id=refs.sites["HDV"], day=clock.local_day(clock.now()))
    assert journal.rows[0].sheet_id == sheet.sheet_id
    corrected = services.contacts.update(contact_id=row.id, agent_id=refs.agents["mdurand"],
                                         data=replace(data, sheet_id=None))  # fmt: skip
    assert corrected.sheet_id is None
    with pytest.raises(ValidationError) as e:
        services.contacts.log(agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
                              data=replace(data, sheet_id=uuid.uuid4()))  # fmt: skip
    assert "sheet" in e.value.errors
    with demo_db.read() as s:
        assert s.scalar(select(Contact.sheet_id).where(Contact.id == row.id)) is None


def test_the_directory_finds_services_and_bodies_by_what_they_handle(kb, refs):
    caf = kb.directory(commune_id=refs.commune_id, query="allocations")
    assert [(e.kind, e.name) for e in caf] == [(DirectoryKind.BODY, "CAF du Rhône")]
    assert caf[0].kind.outcome is Outcome.ORIENTED_EXTERNAL and "32 30" in caf[0].contact_line
    etat_civil = kb.directory(commune_id=refs.commune_id, query="acte de naissance")
    assert [e.name for e in etat_civil] == ["Service État civil"]
    assert etat_civil[0].kind.outcome is Outcome.ORIENTED_SERVICE
    assert kb.directory(commune_id=refs.commune_id, query="prefecture")[0].name == "Préfecture du Rhône / ANTS"
    assert len(kb.directory(commune_id=refs.commune_id)) == len(refs.services) + len(refs.bodies)


# -- what the citizen takes home ---------------------------------------------------------------------------


def test_the_documents_slip_is_a_print_job_without_personal_data(kb, refs):
    sheet = _new(kb, refs)
    job = kb.enqueue_documents(sheet_id=sheet.sheet_id, site_id=refs.sites["HDV"], printer_key="accueil")
    assert job.kind is PrintJobKind.SHEET and job.label == "pièces « Carte nationale d'identité »"
    settings = PrinterSettings(backend="file", key="accueil", paper_mm=58, logo="none")
    ops = job_ops(job, settings)
    lines = [op.text for op in ops if isinstance(op, Text)]
    assert "[ ] Photo d'identité de moins de" in lines and "PIÈCES À FOURNIR"[:16] in "".join(lines)
    assert all(
        len(line) * op.width <= paper_for(58).columns for op in ops if isinstance(op, Text) for line in [op.text]
    )
    assert render(ops, paper_for(58), code_page_name="CP858").startswith(b"\x1b@")
    with pytest.raises(ValidationError):
        kb.enqueue_documents(sheet_id=sheet.sheet_id, site_id=refs.sites["HDV"], printer_key=" ")


def test_the_handout_pdf_reads_back(kb, refs):
    sheet = kb.get(sheet_id=_new(kb, refs).sheet_id)
    pdf = render_sheet(Handout(sheet, Letterhead(commune_name="Vénissieux", address_lines=("Hôtel de ville",)),
                               date(2026, 11, 22)))  # fmt: skip
    words = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for expected in ("FICHE PRATIQUE", "Carte nationale d'identité", "Pièces à fournir",
                     "Justificatif de domicile de moins d'un an", "25 € en cas de perte", "version 1",
                     "remise le 22 novembre 2026"):  # fmt: skip
        assert expected in words, expected


def test_the_sheet_goes_by_e_mail_with_its_pdf(kb, services, refs, request):
    server = start_server(request)
    sheet = _new(kb, refs)
    citizen = services.citizens.create(last_name="Lefèvre", first_names="Anne", email="anne.lefevre@example.fr")
    mailer = SheetMailer(services, smtp=settings_for(server.port, username=""))
    said = mailer.send(sheet_id=sheet.sheet_id, citizen_id=citizen.id, commune_id=refs.commune_id)
    assert "envoyée par courriel" in said and "@" not in said  # nothing personal in the status bar
    deadline = time.monotonic() + 5
    while not server.mailbox.received and time.monotonic() < deadline:
        time.sleep(0.05)
    [got] = server.mailbox.received
    message = email.message_from_bytes(got.content, policy=email.policy.default)
    assert got.rcpt_tos == ["anne.lefevre@example.fr"]
    assert "Carte nationale d'identité" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "  - Photo d'identité de moins de 6 mois" in body and "https://ants.gouv.fr" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_content().startswith(b"%PDF")
    nobody = services.citizens.create(last_name="Sans", first_names="Courriel")
    with pytest.raises(ValidationError):
        mailer.send(sheet_id=sheet.sheet_id, citizen_id=nobody.id, commune_id=refs.commune_id)


# -- demo --------------------------------------------------------------------------------------------------


def test_the_demo_sheets_are_valid_and_seeded_once(kb, refs, demo_db):
    assert seed_knowledge(demo_db) == len(SHEETS)
    assert seed_knowledge(demo_db) == 0
    rows = kb.sheets(agent_id=refs.agents["sperrin"], include_archived=True).rows
    assert len(rows) == len(SHEETS)
    states = {r.state_label for r in rows}
    assert {"Publiée v2", "Archivée", "Publiée v1 · brouillon en cours", "Publiée v1 · à revoir"} <= states
    for row in rows:  # every demo sheet passes the editor's own checks
        detail = kb.detail(sheet_id=row.sheet_id, agent_id=refs.agents["sperrin"])
        shown = detail.draft or detail.published
        with demo_db.read() as s:
            kb._validate(s, SheetInput(theme_id=row.theme_id, content=shown.content), row.commune_id, publishing=True)
    attestation = kb.search(query="attestation accueil", commune_id=refs.commune_id)[0]
    assert "40 €" in attestation.content.fees
    passport = kb.search(query="passeport", commune_id=refs.commune_id)[0]
    assert "86 €" in passport.content.fees and "25 €" in passport.content.fees
