"""E-mail answers to citizens: the message (UTF-8, accents, attachments) and its delivery to the SMTP server.

Every failure comes out as a :class:`SendError` in French. A failure after the server has read the message
(connection lost, no reply to the end of DATA) is ambiguous: the citizen may have received it. The Message-ID
is therefore chosen before sending (``OutgoingEmail.message_id``), kept by the caller, and sent again unchanged
on a retry, so that the copies can be recognised as one message.
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from guichet.notify.errors import SendError
from guichet.notify.settings import _ADDRESS, SmtpSettings, smtp_password

REFERENCE_HEADER = "X-Guichet-Reference"


def new_message_id(domain: str = "guichet.local") -> str:
    """A Message-ID that no other message carries, e.g. ``<0192f0c2...@mairie-venissieux.fr>``."""
    return f"<{uuid.uuid4().hex}@{domain}>"


@dataclass(frozen=True)
class OutgoingEmail:
    """One answer to send. ``attachments``: (file name, content, MIME type), e.g. ("reponse.pdf", b"%PDF...",
    "application/pdf"). ``reference`` (the request's number) goes into the X-Guichet-Reference header;
    ``headers`` adds others. Keep ``message_id`` with the request to recognise a message sent twice."""

    to_address: str
    subject: str
    body: str  # plain text
    to_name: str = ""
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    reference: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    message_id: str = field(default_factory=new_message_id)


def build_message(settings: SmtpSettings, email: OutgoingEmail) -> EmailMessage:
    """The MIME message as it will leave: headers encoded for any server, body in quoted-printable UTF-8."""
    msg = EmailMessage(policy=policy.SMTP)
    try:
        msg["From"] = Address(display_name=_one_line(settings.from_name), addr_spec=settings.from_address)
        if settings.reply_to:
            msg["Reply-To"] = Address(addr_spec=settings.reply_to)
    except (ValueError, IndexError, MessageError) as e:  # the header parser's errors on a malformed address
        raise SendError(
            "L'adresse d'expédition des réglages [smtp] n'est pas valable : demandez à l'administrateur de vérifier "
            "from_address et reply_to.",
            retryable=False,
            detail=str(e),
        ) from None
    try:
        if not _ADDRESS.match(email.to_address.strip()):
            raise ValueError("not an address")
        msg["To"] = Address(display_name=_one_line(email.to_name), addr_spec=email.to_address.strip())
    except (ValueError, IndexError, MessageError) as e:
        raise SendError(
            f"L'adresse électronique « {email.to_address} » n'est pas valable : vérifiez-la dans la fiche du citoyen.",
            retryable=False,
            detail=str(e),
        ) from None
    msg["Subject"] = _one_line(email.subject)
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg["Message-ID"] = email.message_id
    msg["Content-Language"] = "fr"
    try:
        if email.reference:
            msg[REFERENCE_HEADER] = email.reference
        for name, value in email.headers:
            msg[name] = value
        msg.set_content(email.body, subtype="plain", charset="utf-8", cte="quoted-printable")
        for filename, content, mime_type in email.attachments:
            maintype, _, subtype = mime_type.partition("/")
            msg.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    except (ValueError, TypeError) as e:  # a line break in a header value, a bad MIME type
        raise SendError(
            "Le courriel n'a pas pu être préparé (en-tête ou pièce jointe invalide) : signalez-le au support.",
            retryable=False,
            detail=str(e),
        ) from None
    return msg


def send_email(settings: SmtpSettings, email: OutgoingEmail, *, password: str | None = None) -> str:
    """Hand the message to the SMTP server; return its Message-ID. Raise SendError with a French reason."""
    if not settings.enabled:
        raise SendError(
            "L'envoi de courriels n'est pas configuré sur ce poste : demandez à l'administrateur de remplir "
            "la section [smtp] des réglages.",
            retryable=False,
        )
    msg = build_message(settings, email)
    if password is None:
        password = smtp_password(settings)
    try:
        context = _tls_context(settings) if settings.security != "none" else None
        smtp = _connect(settings, context)
        try:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.username:
                _login(smtp, settings.username, password or "")
            refused = smtp.send_message(msg)
        except BaseException:
            smtp.close()  # not ``with``: its QUIT could fail in turn and hide the real cause
            raise
        _quit_quietly(smtp)
    except Exception as e:
        raise _translate(settings, email, e) from None
    if refused:  # only possible with several recipients: some took it, so no retry for the others
        raise SendError(
            f"Le serveur de messagerie a refusé une partie des destinataires ({', '.join(sorted(refused))}).",
            retryable=False,
            detail=repr(refused),
        )
    return email.message_id


def _connect(settings: SmtpSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s, context=context)
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    if f"{username}{password}".isascii():
        smtp.login(username, password)
        return
    # smtplib encodes credentials as ASCII: a password with an accent would fail before reaching the server.
    # RFC 4616 (PLAIN) says UTF-8; LOGIN servers accept it too.
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    methods = smtp.esmtp_features["auth"].upper().split()
    if "PLAIN" in methods:
        code, reply = smtp.docmd("AUTH", "PLAIN " + _b64(f"\0{username}\0{password}"))
    elif "LOGIN" in methods:
        code, reply = smtp.docmd("AUTH", "LOGIN " + _b64(username))
        if code == 334:
            code, reply = smtp.docmd(_b64(password))
    else:
        raise smtplib.SMTPException("No suitable authentication method found.")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, reply)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=settings.ca_file or None)
    except (OSError, ssl.SSLError) as e:
        raise SendError(
            f"Le certificat d'autorité « {settings.ca_file} » des réglages [smtp] (ca_file) est introuvable ou "
            "illisible : demandez à l'administrateur de le corriger.",
            retryable=False,
            detail=str(e),
        ) from None


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    # The server has accepted the message: a failed goodbye must not make it look unsent (and sent twice).
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _smtp_reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _translate(settings: SmtpSettings, email: OutgoingEmail, error: Exception) -> SendError:
    """Any failure of smtplib, ssl or the network as a SendError."""
    server = f"Le serveur de messagerie {settings.host}"
    if isinstance(error, SendError):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (550, b""))
        reply = _smtp_reply(code, text)
        if 400 <= code < 500:
            return SendError(
                f"{server} refuse pour l'instant le destinataire « {email.to_address} » ({reply}) : "
                "nouvel essai plus tard.",
                retryable=True,
                detail=reply,
            )
        return SendError(
            f"{server} refuse l'adresse « {email.to_address} » ({reply}) : vérifiez l'adresse électronique "
            "du citoyen ou choisissez un autre moyen de réponse.",
            retryable=False,
            detail=reply,
        )
    if isinstance(error, smtplib.SMTPAuthenticationError):
        reply = _smtp_reply(error.smtp_code, error.smtp_error)
        if 400 <= error.smtp_code < 500:
            return SendError(
                f"{server} ne peut pas vérifier l'identifiant pour l'instant ({reply}) : nouvel essai plus tard.",
                retryable=True,
                detail=reply,
            )
        return SendError(
            f"{server} refuse l'identifiant « {settings.username} » ou son mot de passe ({reply}) : demandez à "
            "l'administrateur de vérifier les réglages [smtp] et le mot de passe du trousseau du système.",
            retryable=False,
            detail=reply,
        )
    if isinstance(error, smtplib.SMTPSenderRefused):
        reply = _smtp_reply(error.smtp_code, error.smtp_error)
        return _by_code(
            error.smtp_code,
            reply,
            f"{server} refuse l'adresse d'expédition « {settings.from_address} » ({reply}) : demandez à "
            "l'administrateur de vérifier from_address dans les réglages [smtp].",
        )
    if isinstance(error, smtplib.SMTPDataError):
        reply = _smtp_reply(error.smtp_code, error.smtp_error)
        return _by_code(
            error.smtp_code,
            reply,
            f"{server} refuse le courriel ({reply}) : pièce jointe trop lourde ou contenu refusé ; "
            "envoyez la réponse par un autre moyen.",
        )
    if isinstance(error, smtplib.SMTPResponseException):  # greeting, EHLO, STARTTLS refused
        reply = _smtp_reply(error.smtp_code, error.smtp_error)
        return _by_code(error.smtp_code, reply, f"{server} refuse la connexion ({reply}).")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return SendError(
            f"{server} ne propose pas ce que demandent les réglages [smtp] ({error}) : demandez à l'administrateur "
            "de vérifier security et username.",
            retryable=False,
            detail=str(error),
        )
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, TimeoutError):
        error = error.__context__  # smtplib words a reply that never came as a disconnection
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return SendError(
            f"{server} a coupé la connexion : l'envoi n'est pas confirmé. Nouvel essai plus tard.",
            retryable=True,
            detail=str(error),
        )
    if isinstance(error, smtplib.SMTPException):  # e.g. no authentication method in common
        return SendError(
            f"{server} et les réglages [smtp] ne s'accordent pas ({error}) : demandez à l'administrateur de "
            "les vérifier.",
            retryable=False,
            detail=str(error),
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return SendError(
            f"Le certificat du serveur de messagerie {settings.host} n'a pas pu être vérifié "
            f"({error.verify_message}) : le courriel n'est pas parti. Demandez à l'administrateur de vérifier "
            "host et ca_file dans les réglages [smtp].",
            retryable=False,
            detail=str(error),
        )
    if isinstance(error, ssl.SSLError):
        if error.reason in ("WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "HTTP_REQUEST", "RECORD_LAYER_FAILURE"):
            return SendError(
                f"{server} ne parle pas le chiffrement attendu sur le port {settings.port} : demandez à "
                "l'administrateur d'accorder port et security dans les réglages [smtp] (587 : starttls, 465 : ssl).",
                retryable=False,
                detail=str(error),
            )
        return SendError(
            f"La connexion chiffrée avec {settings.host} a échoué ; nouvel essai plus tard.",
            retryable=True,
            detail=str(error),
        )
    if isinstance(error, TimeoutError):
        return SendError(
            f"{server} ne répond pas (plus de {settings.timeout_s:g} s) : l'envoi n'est pas confirmé. "
            "Nouvel essai plus tard.",
            retryable=True,
            detail=str(error),
        )
    if isinstance(error, ConnectionRefusedError):
        return SendError(
            f"{server} refuse la connexion sur le port {settings.port} (serveur arrêté ou mauvais port) ; "
            "nouvel essai plus tard.",
            retryable=True,
            detail=str(error),
        )
    if isinstance(error, socket.gaierror):
        return SendError(
            f"Le serveur de messagerie {settings.host} est introuvable (réseau coupé ou nom mal écrit dans les "
            "réglages [smtp]) ; nouvel essai plus tard.",
            retryable=True,
            detail=str(error),
        )
    if isinstance(error, OSError):
        return SendError(
            f"Le serveur de messagerie {settings.host} est injoignable (réseau coupé ?) ; nouvel essai plus tard.",
            retryable=True,
            detail=f"{type(error).__name__}: {error}",
        )
    return SendError(
        "L'envoi du courriel a échoué pour une raison inattendue : signalez-le au support.",
        retryable=False,
        detail=f"{type(error).__name__}: {error}",
    )


def _by_code(code: int, reply: str, permanent_message: str) -> SendError:
    # SMTP's own verdict: 4xx "try again later", 5xx "this will not work as it is".
    if 400 <= code < 500:
        return SendError(
            f"Le serveur de messagerie demande de réessayer plus tard ({reply}).", retryable=True, detail=reply
        )
    return SendError(permanent_message, retryable=False, detail=reply)
