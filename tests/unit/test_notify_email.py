"""E-mail answers against a real SMTP server (aiosmtpd) on 127.0.0.1: content, accents, attachment, AUTH, TLS,
refusals, and a server that is down or silent. Also the [smtp] settings and the keyring."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from guichet.notify import OutgoingEmail, SendError, SmtpSettings, build_message, send_email
from guichet.notify.settings import store_smtp_password
from tests.integration.keyring_file import TestKeyring

# The test server takes AUTH over plain TCP on purpose (the TLS case is tested apart).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

USERNAME = "accueil@mairie-venissieux.fr"
PASSWORD = "Pâquerette-2026"  # not ASCII on purpose: smtplib alone cannot send it
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
SUBJECT = "Votre demande VEN-HDV-2026-000123 : réponse de la mairie — état civil « naissance »"
BODY = (
    "Madame Lefèvre,\n\n"
    "Votre demande d'acte de naissance a été traitée : l'acte est à retirer à l'accueil de l'Hôtel de Ville, "
    "du lundi au vendredi, de 8 h 30 à 17 h. Une ligne assez longue pour être coupée en quoted-printable, "
    "avec des accents : àâäçéèêëîïôöùûüÿœ ÀÂÇÉÈÊËÎÏÔÙÛŒ, et le symbole €.\n\n"
    "Bien cordialement,\nL'accueil de la mairie\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    authenticated: bool


@dataclass
class Mailbox:
    """The aiosmtpd handler: keeps what arrives, refuses some recipients with a given reply."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        content = envelope.original_content or envelope.content
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), content, session.authenticated))
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(),
        PASSWORD.encode("utf-8"),
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    mailbox: Mailbox
    port: int


def start_server(request: pytest.FixtureRequest, **kwargs) -> Server:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ready_timeout=5, **kwargs)
    controller.start()
    request.addfinalizer(controller.stop)
    return Server(mailbox, port)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Server:
    """A server that requires AUTH (over plain TCP: the TLS case is tested apart, with a certificate)."""
    return start_server(request, authenticator=authenticator, auth_required=True, auth_require_tls=False)


@pytest.fixture
def open_server(request: pytest.FixtureRequest) -> Server:
    """A relay of the town hall's network: no AUTH, no TLS."""
    return start_server(request)


@pytest.fixture
def vault() -> Iterator[TestKeyring]:
    previous = keyring.get_keyring()
    backend = TestKeyring()
    backend.path = None  # in memory, whatever GUICHET_TEST_KEYRING says
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def settings_for(port: int, **changes) -> SmtpSettings:
    base = SmtpSettings(
        host="127.0.0.1",
        port=port,
        security="none",
        username=USERNAME,
        from_address="accueil@mairie-venissieux.fr",
        from_name="Mairie de Vénissieux",
        reply_to="etat-civil@mairie-venissieux.fr",
        timeout_s=2,
    )
    return replace(base, **changes)


def answer(to_address: str = "helene.lefevre@example.fr") -> OutgoingEmail:
    return OutgoingEmail(
        to_address=to_address,
        to_name="Hélène Lefèvre-Dupré",
        subject=SUBJECT,
        body=BODY,
        attachments=(("Réponse à votre demande.pdf", PDF, "application/pdf"),),
        reference="VEN-HDV-2026-000123",
    )


def test_the_answer_arrives_whole_with_accents_and_its_pdf(server: Server):
    outgoing = answer()
    message_id = send_email(settings_for(server.port), outgoing, password=PASSWORD)

    assert message_id == outgoing.message_id
    [received] = server.mailbox.received
    assert received.authenticated
    assert received.mail_from == "accueil@mairie-venissieux.fr"
    assert received.rcpt_tos == ["helene.lefevre@example.fr"]
    assert received.content.isascii(), "headers and body must pass any 7-bit server"

    msg = email.message_from_bytes(received.content, policy=email.policy.default)
    assert msg["Subject"] == SUBJECT
    assert msg["From"].addresses[0].display_name == "Mairie de Vénissieux"
    assert msg["To"].addresses[0].display_name == "Hélène Lefèvre-Dupré"
    assert msg["To"].addresses[0].addr_spec == "helene.lefevre@example.fr"
    assert msg["Reply-To"] == "etat-civil@mairie-venissieux.fr"
    assert msg["Message-ID"] == message_id
    assert msg["X-Guichet-Reference"] == "VEN-HDV-2026-000123"
    assert msg["Date"].datetime.tzinfo is not None
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == BODY  # CRLF: the wire's line ends
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "Réponse à votre demande.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_a_retry_carries_the_same_message_id(open_server: Server):
    outgoing = answer()
    settings = settings_for(open_server.port, username="")
    send_email(settings, outgoing)
    send_email(settings, outgoing)
    ids = [email.message_from_bytes(r.content)["Message-ID"] for r in open_server.mailbox.received]
    assert ids == [outgoing.message_id] * 2
    assert answer().message_id != outgoing.message_id


def test_the_password_comes_from_the_keyring(server: Server, vault: TestKeyring):
    store_smtp_password(USERNAME, PASSWORD)
    send_email(settings_for(server.port), answer())
    assert len(server.mailbox.received) == 1


def test_an_ascii_password_goes_through_smtplib_login(request: pytest.FixtureRequest):
    def ascii_authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (auth_data.login, auth_data.password) == (b"accueil", b"secret")
        return AuthResult(success=ok, handled=False)

    server = start_server(request, authenticator=ascii_authenticator, auth_required=True, auth_require_tls=False)
    send_email(settings_for(server.port, username="accueil"), answer(), password="secret")
    assert server.mailbox.received[0].authenticated


def test_a_wrong_password_is_not_retried(server: Server):
    with pytest.raises(SendError) as caught:
        send_email(settings_for(server.port), answer(), password="mauvais")
    assert not caught.value.retryable
    assert "refuse l'identifiant" in caught.value.message
    assert "535" in caught.value.message
    assert not server.mailbox.received


def test_no_keyring_on_this_pc(server: Server, no_keyring: None):
    with pytest.raises(SendError) as caught:
        send_email(settings_for(server.port), answer())
    assert not caught.value.retryable
    assert "Aucun trousseau" in caught.value.message
    assert "guichet-smtp" in caught.value.message and USERNAME in caught.value.message
    assert not server.mailbox.received


def test_no_password_in_the_keyring(server: Server):
    # tests/conftest.py: the null keyring, which knows no password
    with pytest.raises(SendError) as caught:
        send_email(settings_for(server.port), answer())
    assert not caught.value.retryable
    assert f"keyring set guichet-smtp {USERNAME}" in str(caught.value)


def test_a_server_without_auth_while_the_settings_name_a_user(open_server: Server):
    with pytest.raises(SendError) as caught:
        send_email(settings_for(open_server.port), answer(), password=PASSWORD)
    assert not caught.value.retryable
    assert "[smtp]" in caught.value.message


def test_an_address_refused_for_good_is_not_retried(open_server: Server):
    open_server.mailbox.refuse["inconnu@example.fr"] = "550 5.1.1 <inconnu@example.fr>: Recipient address rejected"
    with pytest.raises(SendError) as caught:
        send_email(settings_for(open_server.port, username=""), answer("inconnu@example.fr"))
    assert not caught.value.retryable
    assert "inconnu@example.fr" in caught.value.message
    assert "vérifiez l'adresse" in caught.value.message
    assert "550" in caught.value.detail
    assert not open_server.mailbox.received


def test_a_temporary_refusal_is_retried(open_server: Server):
    open_server.mailbox.refuse["greylist@example.fr"] = "451 4.7.1 Greylisted, please try again later"
    with pytest.raises(SendError) as caught:
        send_email(settings_for(open_server.port, username=""), answer("greylist@example.fr"))
    assert caught.value.retryable
    assert "451" in caught.value.message


def test_a_server_that_is_down_fails_fast_and_is_retried():
    started = time.monotonic()
    with pytest.raises(SendError) as caught:
        send_email(settings_for(free_port(), username=""), answer())
    assert time.monotonic() - started < 2
    assert caught.value.retryable
    assert "refuse la connexion" in caught.value.message


def test_a_silent_server_gives_up_after_the_timeout():
    with socket.socket() as listener:  # the kernel accepts the connection; nobody ever says hello
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        started = time.monotonic()
        with pytest.raises(SendError) as caught:
            send_email(settings_for(listener.getsockname()[1], username="", timeout_s=0.3), answer())
        elapsed = time.monotonic() - started
    assert 0.25 < elapsed < 2
    assert caught.value.retryable
    assert "ne répond pas" in caught.value.message


def test_email_not_configured():
    with pytest.raises(SendError) as caught:
        send_email(SmtpSettings(), answer())
    assert not caught.value.retryable
    assert "[smtp]" in caught.value.message


# --- STARTTLS, with a certificate authority made for the test -------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl absent: no certificate for the TLS tests")
    folder = tmp_path_factory.mktemp("tls")
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    ext = folder / "server.ext"
    ext.write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    commands = [
        ["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=Guichet test CA"],
        ["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", "2", "-days", "2"]
        + ["-extfile", ext, "-out", cert],
    ]
    for command in commands:
        subprocess.run([str(c) for c in command], check=True, capture_output=True, timeout=30)
    return {"ca": ca, "cert": cert, "key": key}


@pytest.fixture
def tls_server(request: pytest.FixtureRequest, certificates: dict[str, Path]) -> Server:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates["cert"], certificates["key"])
    return start_server(
        request, tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True
    )


def test_starttls_with_the_town_halls_certificate_authority(tls_server: Server, certificates: dict[str, Path]):
    settings = settings_for(tls_server.port, security="starttls", ca_file=str(certificates["ca"]))
    send_email(settings, answer(), password=PASSWORD)
    [received] = tls_server.mailbox.received
    assert received.authenticated


def test_starttls_refuses_a_certificate_it_cannot_check(tls_server: Server):
    with pytest.raises(SendError) as caught:
        send_email(settings_for(tls_server.port, security="starttls"), answer(), password=PASSWORD)
    assert not caught.value.retryable
    assert "certificat" in caught.value.message
    assert not tls_server.mailbox.received


def test_ssl_on_a_starttls_port_says_which_setting_to_fix(tls_server: Server, certificates: dict[str, Path]):
    settings = settings_for(tls_server.port, security="ssl", ca_file=str(certificates["ca"]))
    with pytest.raises(SendError) as caught:
        send_email(settings, answer(), password=PASSWORD)
    assert not caught.value.retryable
    assert "port" in caught.value.message and "security" in caught.value.message
    assert not tls_server.mailbox.received


# --- the message alone ------------------------------------------------------------------------------------------


def test_build_message_keeps_headers_on_one_line():
    outgoing = replace(answer(), subject="Réponse\r\nBcc: victime@example.fr", attachments=())
    msg = build_message(settings_for(25), outgoing)
    assert msg["Subject"] == "Réponse Bcc: victime@example.fr"
    assert msg["Bcc"] is None
    assert bytes(msg).isascii()


@pytest.mark.parametrize("address", ["pas-une-adresse", "deux@@example.fr", "a@b@c", ""])
def test_a_bad_address_is_refused_before_any_connection(address: str):
    with pytest.raises(SendError) as caught:
        send_email(settings_for(free_port(), username=""), answer(address))
    assert not caught.value.retryable
    assert "n'est pas valable" in caught.value.message


# --- [smtp] settings ---------------------------------------------------------------------------------------------


def test_smtp_settings_from_toml():
    settings = SmtpSettings.from_toml(
        {
            "host": "smtp.mairie-venissieux.fr",
            "security": "SSL",
            "username": "accueil",
            "from_address": "accueil@mairie-venissieux.fr",
            "from_name": "Mairie de Vénissieux",
            "timeout_s": 10,
        }
    )
    assert (settings.port, settings.security, settings.timeout_s, settings.enabled) == (465, "ssl", 10.0, True)
    assert SmtpSettings.from_toml({}) == SmtpSettings()
    assert not SmtpSettings().enabled


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"security": "tls"}, "[smtp] security : « tls » n'est pas reconnu"),
        ({"port": "vingt-cinq"}, "[smtp] port : « vingt-cinq » n'est pas un nombre"),
        ({"port": 70000}, "[smtp] port"),
        ({"port": 465}, "[smtp] security : le port 465 s'utilise avec security = « ssl »"),
        ({"timeout_s": 0}, "[smtp] timeout_s"),
        ({"host": "smtp.mairie.fr"}, "[smtp] from_address"),
        ({"host": "smtp.mairie.fr:587", "from_address": "a@mairie.fr"}, "[smtp] host"),
        ({"host": "smtp.mairie.fr", "from_address": "accueil"}, "[smtp] from_address : « accueil »"),
        ({"reply_to": "a b@mairie.fr"}, "[smtp] reply_to"),
        ({"password": "secret"}, "[smtp] password : réglage inconnu"),
        ({"hots": "smtp.mairie.fr"}, "[smtp] hots : réglage inconnu"),
    ],
)
def test_smtp_settings_errors_name_the_key(raw: dict, expected: str):
    with pytest.raises(ValueError) as caught:
        SmtpSettings.from_toml(raw)
    assert expected in str(caught.value)
