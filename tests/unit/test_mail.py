"""The mail register: chrono numbers, scans kept under their SHA-256, letters that open or join requests, search."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from guichet.domain import Channel, MailDirection, MailType, RequestEventKind
from guichet.services import clock
from guichet.services.errors import NotFoundError, ValidationError
from guichet.services.requests_types import MailInput, RequestInput

SCAN = b"%PDF-1.4\n" + b"scan de courrier " * 500 + b"\n%%EOF\n"


@pytest.fixture
def register(services, refs):
    def make(login: str = "mdurand", site: str = "HDV", **changes):
        values = dict(mail_date=clock.local_day(clock.now()), mail_type=MailType.SIMPLE,
                      subject="Demande de subvention", correspondent="Association Les Minguettes")  # fmt: skip
        values.update(changes)
        return services.mail.register_incoming(
            agent_id=refs.agents[login], site_id=refs.sites[site], data=MailInput(**values)
        )

    return make


@pytest.fixture
def benali(services):
    return services.citizens.create(last_name="Benali", first_names="Aïcha", address="3 rue Gambetta",
                                    postal_code="69200", city="Vénissieux")  # fmt: skip


def test_chronos_per_site_and_year(register):
    year = clock.local_day(clock.now()).year
    assert register().mail.chrono == f"VEN-HDV-A-{year}-000001"
    assert register().mail.chrono == f"VEN-HDV-A-{year}-000002"
    assert register(site="MAV", login="lnguyen").mail.chrono == f"VEN-MAV-A-{year}-000001"


def test_a_letter_with_its_scan_opens_a_request(services, refs, register, benali, tmp_path):
    scan = tmp_path / "courrier Benali.pdf"
    scan.write_bytes(SCAN)
    received = clock.local_day(clock.now()) - timedelta(days=2)
    done = register(mail_date=received, mail_type=MailType.REGISTERED, registered_number="1a 234 567 8901 2",
                    citizen_id=benali.id, correspondent="", subject="Contestation d'une facture de cantine",
                    open_request=True, theme_id=refs.themes["scolaire.cantine"], description="Facture de mars",
                    attachment_path=str(scan))  # fmt: skip
    assert done.opened and done.request is not None
    assert done.mail.correspondent == "BENALI Aïcha"
    assert done.mail.registered_number == "1A 234 567 8901 2" and done.mail.attachment_count == 1
    detail = services.requests.get(request_id=done.request.id)
    # Entered once: the request takes the letter's subject, sender, date, and the theme's service.
    assert (detail.row.subject, detail.row.citizen_id, detail.row.received_on, detail.row.channel) == (
        "Contestation d'une facture de cantine",
        benali.id,
        received,
        Channel.MAIL,
    )
    assert detail.row.service_name == "Direction de l'Éducation" and done.mail.service_name == detail.row.service_name
    assert [m.chrono for m in detail.mails] == [done.mail.chrono]
    assert [e.kind for e in detail.events] == [RequestEventKind.CREATED, RequestEventKind.MAIL_LINKED]
    (attachment,) = detail.attachments
    assert attachment.sha256 == hashlib.sha256(SCAN).hexdigest() and attachment.file_name == "courrier Benali.pdf"
    info, data = services.mail.read_attachment(attachment_id=attachment.id)
    assert data == SCAN and info.mime_type == "application/pdf"
    stored = services.mail.store.path_of(attachment.sha256)
    assert stored.read_bytes() == SCAN and stored.parent.parent == services.mail.store.root


def test_a_second_letter_joins_the_request(services, refs, register, benali):
    first = register(citizen_id=benali.id, open_request=True, theme_id=refs.themes["elections"], subject="Inscription")
    second = register(citizen_id=benali.id, request_id=first.request.id, subject="Pièces complémentaires")
    assert not second.opened and second.request.id == first.request.id
    detail = services.requests.get(request_id=first.request.id)
    assert [m.subject for m in detail.mails] == ["Inscription", "Pièces complémentaires"]
    assert second.mail.request_reference == first.request.reference


def test_refused_entries_say_what_is_wrong(register, refs, tmp_path):
    not_a_scan = tmp_path / "notes.txt"
    not_a_scan.write_text("bonjour")
    with pytest.raises(ValidationError) as refused:
        register(mail_date=clock.local_day(clock.now()) + timedelta(days=1), mail_type=MailType.REGISTERED,
                 subject="", correspondent="", open_request=True, attachment_path=str(not_a_scan))  # fmt: skip
    assert set(refused.value.errors) == {
        "mail_date", "registered_number", "subject", "correspondent", "theme", "attachment"
    }  # fmt: skip
    assert "PDF" in refused.value.errors["attachment"]
    with pytest.raises(ValidationError, match="introuvable"):
        register(attachment_path=str(tmp_path / "absent.pdf"))


def test_the_register_is_searched_by_chrono_sender_subject_and_number(services, refs, register, benali):
    a = register(subject="Réclamation : éclairage public rue Paul-Bert")
    b = register(citizen_id=benali.id, correspondent="", subject="Copie d'acte de mariage")
    c = register(mail_type=MailType.REGISTERED, registered_number="1A 111 222 333", subject="Mise en demeure")

    def found(query, **kw):
        return [m.chrono for m in services.mail.search(commune_id=refs.commune_id, query=query, **kw)]

    assert found("eclairage paul") == [a.mail.chrono]
    assert found("acte") == [b.mail.chrono] == found("d'acte") == found("benali aicha")
    assert found("minguettes") == [c.mail.chrono, a.mail.chrono]  # newest first
    assert found("1a 111") == [c.mail.chrono]
    assert found(b.mail.chrono.lower()) == [b.mail.chrono]
    short = b.mail.chrono.rsplit("-", 1)[0] + "-2"  # the number typed without its zeros
    assert found(short) == [b.mail.chrono]
    assert found("") == [c.mail.chrono, b.mail.chrono, a.mail.chrono]
    assert found("", direction=MailDirection.OUTGOING) == []


def test_the_attachment_store_refuses_a_damaged_file(services, refs, register, tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(SCAN)
    attachment = services.mail.attach(mail_item_id=register().mail.id, path=str(scan))
    services.mail.store.path_of(attachment.sha256).write_bytes(SCAN + b"x")
    with pytest.raises(NotFoundError, match="endommagé"):
        services.mail.read_attachment(attachment_id=attachment.id)


def test_a_request_whose_theme_has_no_service_theme_service_must_name_one(services, refs, benali, demo_db):
    from guichet.models import Theme

    with demo_db.write() as s:
        orphan = Theme(code="divers", label="Divers", sort_order=99)
        s.add(orphan)
        s.flush()
        theme_id = orphan.id
    with pytest.raises(ValidationError) as refused:
        services.requests.open(agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
                               data=RequestInput(channel=Channel.MAIL, theme_id=theme_id, subject="x",
                                                 citizen_id=benali.id))  # fmt: skip
    assert set(refused.value.errors) == {"service"}
