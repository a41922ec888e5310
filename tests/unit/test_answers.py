"""Closing the loop: the answer goes to the citizen on their channel (a letter PDF, an e-mail through a real
SMTP server, an SMS through the folder gateway), what went out is kept, a failed send is visible and retried."""

from __future__ import annotations

import email
import email.policy
import json
from io import BytesIO

import pytest
from pypdf import PdfReader

from guichet.domain import (
    Channel,
    Civility,
    DispatchStatus,
    MailDirection,
    PreferredChannel,
    RequestEventKind,
    RequestStatus,
)
from guichet.notify import SmsSettings
from guichet.notify.dispatcher import Dispatcher
from guichet.reports.request_letters import RequestLetters
from guichet.services.errors import NotAllowedError, ValidationError
from guichet.services.requests_types import RequestInput
from tests.unit.test_notify_email import free_port, settings_for, start_server


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


@pytest.fixture
def citizen(services):
    def make(preferred: PreferredChannel | None, **fields):
        values = dict(last_name="Lefèvre", first_names="Anne", civility=Civility.MADAME)
        values.update(fields)
        return services.citizens.create(preferred_channel=preferred, **values)

    return make


@pytest.fixture
def request_for(services, refs):
    def make(citizen_id, channel: Channel = Channel.PHONE):
        return services.requests.open(
            agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
            data=RequestInput(channel=channel, theme_id=refs.themes["etat_civil.naissance"],
                              subject="Copie intégrale d'acte de naissance", citizen_id=citizen_id),
        )  # fmt: skip

    return make


def _answer(services, refs, request_id, body="Votre acte vous a été envoyé. Référence {reference}.", **kw):
    return services.answers.answer(request_id=request_id, agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
                                   answer_text=body, **kw)  # fmt: skip


def test_the_channel_follows_the_citizen_record(services, citizen, request_for):
    post = citizen(PreferredChannel.POST, address="12 rue Paul-Bert", postal_code="69200", city="Vénissieux")
    phone = citizen(PreferredChannel.PHONE, phone="04 72 00 00 00", address="1 place Léon-Sublet")
    sms = citizen(PreferredChannel.SMS, phone="06 12 34 56 78", email="x@free.fr")
    landline_only = citizen(None, phone="04 72 00 00 01")
    route = services.answers.route(request_id=request_for(post.id).id)
    assert route.channel is PreferredChannel.POST and route.address == "12 rue Paul-Bert — 69200 VÉNISSIEUX"
    route = services.answers.route(request_id=request_for(phone.id).id)
    assert route.channel is PreferredChannel.POST and "courrier" in route.reason  # a phone answer is still written
    route = services.answers.route(request_id=request_for(sms.id).id)
    assert route.channel is PreferredChannel.SMS and set(route.available) == {
        PreferredChannel.SMS,
        PreferredChannel.EMAIL,
    }
    route = services.answers.route(request_id=request_for(landline_only.id).id)
    assert route.channel is None and "complétez" in route.reason


def test_an_answer_by_post_is_a_letter_registered_as_departure(services, refs, citizen, request_for):
    anne = citizen(PreferredChannel.POST, address="12 rue Paul-Bert", postal_code="69200", city="Vénissieux")
    row = request_for(anne.id)
    dispatch = _answer(services, refs, row.id)
    assert dispatch.status is DispatchStatus.PENDING and dispatch.channel is PreferredChannel.POST
    detail = services.requests.get(request_id=row.id)
    assert detail.row.status is RequestStatus.ANSWERED and detail.answer_text.startswith("Votre acte")
    (departure,) = detail.mails
    assert departure.direction is MailDirection.OUTGOING and departure.chrono.startswith("VEN-HDV-D-")
    dispatcher = Dispatcher(services, RequestLetters(services))
    sent = dispatcher.deliver(dispatch_id=dispatch.id, agent_id=refs.agents["mdurand"])
    assert sent.status is DispatchStatus.SENT and sent.sent_at is not None
    detail = services.requests.get(request_id=row.id)
    (letter,) = detail.attachments
    assert letter.mail_item_id == departure.id and letter.mime_type == "application/pdf"
    _info, pdf = services.mail.read_attachment(attachment_id=letter.id)
    text = _text(pdf)
    assert f"Référence {row.reference}." in text and "Madame Anne Lefèvre" in text and "12 rue Paul-Bert" in text
    assert detail.events[-1].kind is RequestEventKind.ANSWER_SENT and "poster" in detail.events[-1].comment
    # Sent twice by mistake: nothing changes.
    assert dispatcher.deliver(dispatch_id=dispatch.id, agent_id=refs.agents["mdurand"]).attempts == 1
    with pytest.raises(NotAllowedError):
        _answer(services, refs, row.id)


def test_an_answer_by_email_goes_through_the_smtp_server(services, refs, citizen, request_for, request):
    server = start_server(request)
    anne = citizen(PreferredChannel.EMAIL, email="anne.lefevre@free.fr")
    row = request_for(anne.id)
    dispatch = _answer(services, refs, row.id)
    dispatcher = Dispatcher(services, RequestLetters(services), smtp=settings_for(server.port, username=""))
    sent = dispatcher.deliver(dispatch_id=dispatch.id, agent_id=refs.agents["mdurand"])
    assert sent.status is DispatchStatus.SENT, sent.last_error
    (received,) = server.mailbox.received
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert received.rcpt_tos == ["anne.lefevre@free.fr"]
    assert message["Subject"] == f"Réponse à votre demande {row.reference} — Copie intégrale d'acte de naissance"
    assert message["Message-ID"] == sent.external_id and str(dispatch.id) in sent.external_id
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Madame Lefèvre,") and f"Référence {row.reference}." in body
    (pdf,) = [part.get_content() for part in message.iter_attachments()]
    assert f"Référence {row.reference}." in _text(pdf)


def test_a_failed_email_is_visible_and_sent_again(services, refs, citizen, request_for, request):
    anne = citizen(PreferredChannel.EMAIL, email="anne.lefevre@free.fr")
    row = request_for(anne.id)
    dispatch = _answer(services, refs, row.id)
    port = free_port()  # nobody listens yet
    dispatcher = Dispatcher(services, RequestLetters(services), smtp=settings_for(port, username="", timeout_s=1))
    failed = dispatcher.deliver(dispatch_id=dispatch.id, agent_id=refs.agents["mdurand"])
    assert failed.status is DispatchStatus.FAILED and "renvoyer" in failed.last_error
    detail = services.requests.get(request_id=row.id)
    assert detail.events[-1].kind is RequestEventKind.SEND_FAILED
    assert [d.id for d in services.answers.pending(site_id=refs.sites["HDV"])] == [dispatch.id]
    server = start_server(request)  # the mail server is back (on another port: the settings are corrected)
    dispatcher = Dispatcher(services, RequestLetters(services), smtp=settings_for(server.port, username=""))
    (again,) = dispatcher.deliver_pending(site_id=refs.sites["HDV"], agent_id=refs.agents["mdurand"])
    assert again.status is DispatchStatus.SENT and again.attempts == 2 and again.last_error == ""
    assert len(server.mailbox.received) == 1 and services.answers.pending(site_id=refs.sites["HDV"]) == []


def test_an_answer_by_sms_reaches_the_gateway_folder(services, refs, citizen, request_for, tmp_path):
    anne = citizen(PreferredChannel.SMS, phone="06 12 34 56 78")
    row = request_for(anne.id, channel=Channel.SMS)
    dispatch = _answer(services, refs, row.id, body="Votre acte est prêt : retirez-le à l'accueil. Réf. {reference}")
    (tmp_path / "sms").mkdir()  # the gateway's shared folder
    settings = SmsSettings(backend="folder", folder=str(tmp_path / "sms"))
    sent = Dispatcher(services, RequestLetters(services), sms=settings).deliver(
        dispatch_id=dispatch.id, agent_id=refs.agents["mdurand"]
    )
    assert sent.status is DispatchStatus.SENT
    (file,) = (tmp_path / "sms").glob("*.json")
    message = json.loads(file.read_text(encoding="utf-8"))
    assert message["to"] == "+33612345678" and row.reference in message["text"]
    assert "pret" in message["text"]  # "prêt" written with GSM characters: one segment, not three in UCS-2
    assert sent.external_id in file.name


def test_an_sms_without_a_gateway_fails_with_a_clear_message(services, refs, citizen, request_for):
    anne = citizen(PreferredChannel.SMS, phone="06 12 34 56 78")
    dispatch = _answer(services, refs, request_for(anne.id).id)
    failed = Dispatcher(services, RequestLetters(services)).deliver(
        dispatch_id=dispatch.id, agent_id=refs.agents["mdurand"]
    )
    assert failed.status is DispatchStatus.FAILED and "[sms]" in failed.last_error


def test_an_empty_answer_or_an_impossible_channel_is_refused(services, refs, citizen, request_for):
    anne = citizen(PreferredChannel.EMAIL, email="anne@free.fr")
    row = request_for(anne.id)
    with pytest.raises(ValidationError, match="Écrivez"):
        _answer(services, refs, row.id, body="  ")
    with pytest.raises(ValidationError, match="courrier postal"):
        _answer(services, refs, row.id, channel=PreferredChannel.POST)
    assert services.requests.get(request_id=row.id).row.status is RequestStatus.NEW  # nothing half-done


def test_the_letters_of_a_request(services, refs, citizen, request_for):
    anne = citizen(PreferredChannel.POST, address="12 rue Paul-Bert", postal_code="69200", city="Vénissieux")
    row = request_for(anne.id)
    letters = RequestLetters(services)
    ack = _text(letters.acknowledgement(request_id=row.id))
    assert "Accusé de réception" in ack and row.reference in ack and "Service État civil" in ack
    assert "04 72 21 44 10" in ack  # how to reach the service
    title, pdf = letters.first_letter(request_id=row.id)
    assert title.startswith("Confirmation") and "téléphon" in _text(pdf)
    suggested = letters.suggested_answer(request_id=row.id, agent_name="Marie Durand")
    assert row.reference in suggested and "{" not in suggested.replace("{agent}", "")
    answer = _text(letters.answer(request_id=row.id, text="Bonjour {civilite_nom}, voici la suite."))
    assert "Bonjour Madame Lefèvre, voici la suite." in answer
