"""Settings of the senders, from the ``[smtp]`` and ``[sms]`` tables of guichet.toml, and their secrets.

Neither table holds a secret: the SMTP password lives in the OS keyring (service ``guichet-smtp``, user =
``username``), the SMS gateway's token too (service ``guichet-sms``, user = the gateway's host name). A secret
is read at each sending, so that once an administrator stores it the next try works without a restart.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

import keyring
import keyring.errors

from guichet.notify.errors import SendError

SMTP_KEYRING_SERVICE = "guichet-smtp"
SMS_KEYRING_SERVICE = "guichet-sms"

_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+$")
_SENDER_NAME = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 .\-]{1,11}$")  # what operators accept as an alphanumeric sender
_SENDER_NUMBER = re.compile(r"^\+?[0-9]{3,15}$")


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server that sends the answers, from the ``[smtp]`` table of guichet.toml.

    ``host`` empty: no e-mail from this PC. ``security``: "starttls" (port 587, the default), "ssl" (TLS from the
    first byte, port 465 by default) or "none" (a relay of the town hall's network). ``username`` empty: no
    authentication; otherwise its password is in the OS keyring (service "guichet-smtp", user ``username``).
    ``ca_file``: the certificate authority that signed the server's certificate, if it is not a public one.
    """

    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    from_address: str = ""
    from_name: str = ""  # « Mairie de Vénissieux »
    reply_to: str = ""
    timeout_s: float = 15.0  # each wait on the server: connection, each reply
    ca_file: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_toml(cls, raw: dict) -> SmtpSettings:
        table = "smtp"
        _refuse_unknown_keys(cls, table, raw)
        security = _text(raw, "security", cls.security).lower()
        if security not in ("starttls", "ssl", "none"):
            raise ValueError(f"[smtp] security : « {security} » n'est pas reconnu (starttls, ssl ou none).")
        settings = cls(
            host=_text(raw, "host"),
            port=_number(raw, table, "port", 465 if security == "ssl" else cls.port, int),
            security=security,
            username=_text(raw, "username"),
            from_address=_text(raw, "from_address"),
            from_name=_text(raw, "from_name"),
            reply_to=_text(raw, "reply_to"),
            timeout_s=_number(raw, table, "timeout_s", cls.timeout_s, float),
            ca_file=_text(raw, "ca_file"),
        )
        if re.search(r"[\s/:]", settings.host):
            raise ValueError("[smtp] host : donnez le nom du serveur seul (par exemple smtp.mairie.fr), sans port.")
        if not 0 < settings.port < 65536:
            raise ValueError(f"[smtp] port : {settings.port} n'est pas un numéro de port (1 à 65535).")
        if (settings.security, settings.port) in (("starttls", 465), ("ssl", 587)):
            expected = "ssl" if settings.port == 465 else "starttls"
            raise ValueError(
                f"[smtp] security : le port {settings.port} s'utilise avec security = « {expected} », "
                f"pas « {settings.security} »."
            )
        if not 0 < settings.timeout_s <= 120:
            raise ValueError("[smtp] timeout_s : donnez un délai en secondes, entre 0 et 120.")
        if settings.host and not settings.from_address:
            raise ValueError("[smtp] from_address : donnez l'adresse d'expédition des courriels (accueil@mairie.fr).")
        for key in ("from_address", "reply_to"):
            value = getattr(settings, key)
            if value and not _ADDRESS.match(value):
                raise ValueError(f"[smtp] {key} : « {value} » n'est pas une adresse électronique.")
        if any(ch in settings.from_name for ch in "\r\n"):
            raise ValueError("[smtp] from_name : le nom de l'expéditeur doit tenir sur une ligne.")
        return settings


@dataclass(frozen=True)
class SmsSettings:
    """How this PC sends SMS, from the ``[sms]`` table of guichet.toml.

    ``backend``: "none"; "folder" (one JSON file per SMS in ``folder``, picked up by an SMS gateway); "http"
    (a POST to ``http_url`` with a bearer token kept in the OS keyring: service "guichet-sms", user = the host
    name of ``http_url``). ``http_sender``: the sender shown on the phone (11 letters or digits, or a number).
    """

    backend: str = "none"
    folder: str = ""
    http_url: str = ""
    http_sender: str = ""
    timeout_s: float = 15.0
    ca_file: str = ""

    @property
    def enabled(self) -> bool:
        return self.backend != "none"

    @classmethod
    def from_toml(cls, raw: dict) -> SmsSettings:
        table = "sms"
        _refuse_unknown_keys(cls, table, raw)
        settings = cls(
            backend=_text(raw, "backend", cls.backend).lower(),
            folder=_text(raw, "folder"),
            http_url=_text(raw, "http_url"),
            http_sender=_text(raw, "http_sender"),
            timeout_s=_number(raw, table, "timeout_s", cls.timeout_s, float),
            ca_file=_text(raw, "ca_file"),
        )
        if settings.backend not in ("none", "folder", "http"):
            raise ValueError(f"[sms] backend : « {settings.backend} » n'est pas reconnu (none, folder ou http).")
        if settings.backend == "folder" and not settings.folder:
            raise ValueError("[sms] folder : donnez le dossier où déposer les SMS pour la passerelle.")
        if settings.backend == "http":
            _check_http_url(settings.http_url)
        if settings.http_sender and not (
            _SENDER_NAME.match(settings.http_sender) or _SENDER_NUMBER.match(settings.http_sender)
        ):
            raise ValueError(
                f"[sms] http_sender : « {settings.http_sender} » ne peut pas être l'expéditeur d'un SMS "
                "(11 caractères au plus, lettres sans accents, chiffres, espaces, ou un numéro de téléphone)."
            )
        if not 0 < settings.timeout_s <= 120:
            raise ValueError("[sms] timeout_s : donnez un délai en secondes, entre 0 et 120.")
        return settings


def smtp_password(settings: SmtpSettings) -> str | None:
    """The SMTP password of ``settings.username`` from the OS keyring; None when the server needs no login."""
    if not settings.username:
        return None
    return _secret(SMTP_KEYRING_SERVICE, settings.username, "le mot de passe du serveur de messagerie")


def store_smtp_password(username: str, password: str) -> None:
    """Save the SMTP password in the OS keyring (the only place it is kept)."""
    keyring.set_password(SMTP_KEYRING_SERVICE, username, password)


def sms_token_account(settings: SmsSettings) -> str:
    """The keyring user under which the SMS gateway's token is kept: the gateway's host name."""
    return (urlsplit(settings.http_url).hostname or "").lower()


def sms_token(settings: SmsSettings) -> str:
    """The SMS gateway's token from the OS keyring."""
    return _secret(SMS_KEYRING_SERVICE, sms_token_account(settings), "le jeton de la passerelle SMS")


def store_sms_token(settings: SmsSettings, token: str) -> None:
    """Save the SMS gateway's token in the OS keyring (the only place it is kept)."""
    keyring.set_password(SMS_KEYRING_SERVICE, sms_token_account(settings), token)


def _secret(service: str, account: str, what: str) -> str:
    where = f"service « {service} », compte « {account} »"
    try:
        secret = keyring.get_password(service, account)
    except keyring.errors.NoKeyringError as e:
        raise SendError(
            f"Aucun trousseau de mots de passe n'est disponible sur ce poste : {what} ne peut pas être lu. "
            f"Demandez à l'administrateur d'installer le trousseau du système et d'y enregistrer {what} ({where}).",
            retryable=False,
            detail=str(e),
        ) from None
    except Exception as e:  # a locked or broken keyring: whatever the backend raises, the sending stops cleanly
        raise SendError(
            f"Le trousseau du système est inaccessible : {what} ne peut pas être lu. Demandez à l'administrateur "
            f"de vérifier le trousseau ({where}).",
            retryable=False,
            detail=f"{type(e).__name__}: {e}",
        ) from None
    if not secret:
        raise SendError(
            f"Le trousseau du système ne contient pas {what} ({where}). Demandez à l'administrateur de l'y "
            f"enregistrer, par exemple avec la commande « keyring set {service} {account} ».",
            retryable=False,
        )
    return secret


def _refuse_unknown_keys(cls: type, table: str, raw: dict) -> None:
    # A misspelt key would otherwise be ignored in silence and its default used.
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValueError(f"[{table}] {unknown[0]} : réglage inconnu (réglages possibles : {', '.join(known)}).")


def _text(raw: dict, key: str, default: str = "") -> str:
    return str(raw.get(key, default)).strip()


def _number(raw: dict, table: str, key: str, default: Any, kind: type) -> Any:
    value = raw.get(key, default)
    try:
        if isinstance(value, bool):
            raise ValueError
        return kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"[{table}] {key} : « {value} » n'est pas un nombre.") from None


def _check_http_url(url: str) -> None:
    if not url:
        raise ValueError("[sms] http_url : donnez l'adresse de la passerelle SMS (https://...).")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"[sms] http_url : « {url} » n'est pas une adresse web (https://serveur/chemin).")
    if parts.username or parts.password:
        raise ValueError(
            "[sms] http_url : l'identifiant ou le jeton ne doit pas figurer dans l'adresse ; le jeton se range "
            f"dans le trousseau du système (service « {SMS_KEYRING_SERVICE} », compte « {parts.hostname} »)."
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("[sms] http_url : le jeton ne doit pas circuler en clair ; utilisez une adresse https://.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
