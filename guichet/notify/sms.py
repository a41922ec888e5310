"""SMS answers to citizens: segment counting (GSM 03.38), French text made GSM-friendly, and two senders.

A sender hands the SMS to a gateway and returns an id: ``FolderSmsSender`` drops one JSON file per SMS into a
folder that a gateway watches; ``HttpSmsSender`` POSTs it to a gateway's web API. Failures are SendErrors.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import ssl
import unicodedata
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from guichet.notify.errors import SendError
from guichet.notify.settings import SmsSettings, _is_loopback, sms_token

# GSM 03.38 default alphabet (3GPP TS 23.038), without ESC (0x1B) which only introduces the extension table.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reached through ESC: each one costs two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SPACES = "[ \u00a0\u202f\u2009]*"
_GUILLEMETS = ((re.compile("«" + _SPACES), '"'), (re.compile(_SPACES + "»"), '"'))
# What NFKD (accents stripped) would not find, or would find wrongly.
_FRIENDLY = {
    "œ": "oe",
    "Œ": "OE",
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "ʼ": "'",
    "`": "'",
    "´": "'",
    "‐": "-",
    "‑": "-",
    "–": "-",
    "—": "-",
    "−": "-",
    "…": "...",
    "•": "-",
    "·": ".",
    "°": "o",  # « n° 12 » -> « no 12 »
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\t": " ",
}
_MAX_REPLY = 64 * 1024


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM 7-bit alphabet (basic or extension table)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def sms_segments(text: str) -> int:
    """How many SMS the text costs: GSM-7 160, or 153 per part; otherwise UCS-2 70, or 67 per part.

    An extension character (€, [, ...) takes two septets and an emoji two UTF-16 units; neither is cut
    between two parts. An empty text still makes one SMS.
    """
    if is_gsm7(text):
        units = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        single, per_part = 160, 153
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, per_part = 70, 67
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for unit in units:
        if used + unit > per_part:
            parts, used = parts + 1, 0
        used += unit
    return parts


def to_gsm_friendly(text: str) -> str:
    """The text with its non-GSM characters replaced by close ones (ê -> e, œ -> oe, « » -> ", ’ -> ').

    Characters without a close GSM equivalent (emoji...) are kept: the SMS then goes out in UCS-2.
    """
    for pattern, replacement in _GUILLEMETS:
        text = pattern.sub(replacement, text)
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
        elif ch in _FRIENDLY:
            out.append(_FRIENDLY[ch])
        else:
            bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(bare if bare and is_gsm7(bare) else ch)
    return "".join(out)


@dataclass(frozen=True)
class OutgoingSms:
    """One SMS to send. ``to_phone`` in E.164 (``+33612345678``); ``reference``: the request's number."""

    to_phone: str
    text: str
    reference: str = ""


class SmsSender(Protocol):
    def send(self, sms: OutgoingSms) -> str:
        """Hand the SMS to the gateway; return its id there. Raise SendError."""
        ...


class FolderSmsSender:
    """One JSON file per SMS in a folder watched by an SMS gateway; the id is the file's name.

    The file appears whole or not at all (written aside as ``.NAME.tmp``, then renamed): the gateway
    must take only ``*.json`` files.
    """

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def send(self, sms: OutgoingSms) -> str:
        _check(sms)
        now = datetime.now(UTC)
        name = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.json"  # in order of sending, never twice
        payload = {
            "id": name,
            "to": sms.to_phone,
            "text": sms.text,
            "reference": sms.reference,
            "segments": sms_segments(sms.text),
            "created_at": now.isoformat(),
        }
        data = json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
        temporary = self.folder / f".{name}.tmp"
        try:
            with open(temporary, "xb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.folder / name)
        except OSError as e:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise self._error(e) from None
        _sync_folder(self.folder)
        return name

    def _error(self, error: OSError) -> SendError:
        if isinstance(error, PermissionError):
            return SendError(
                f"Ce poste n'a pas le droit d'écrire dans le dossier des SMS « {self.folder} » : demandez à "
                "l'administrateur de vérifier ses droits ou le réglage [sms] folder.",
                retryable=False,
                detail=str(error),
            )
        if isinstance(error, FileNotFoundError):
            return SendError(
                f"Le dossier des SMS « {self.folder} » est introuvable (partage réseau déconnecté ?) ; nouvel essai "
                "plus tard. S'il persiste, demandez à l'administrateur de vérifier le réglage [sms] folder.",
                retryable=True,
                detail=str(error),
            )
        return SendError(
            f"Le SMS n'a pas pu être déposé dans le dossier « {self.folder} » ; nouvel essai plus tard.",
            retryable=True,
            detail=f"{type(error).__name__}: {error}",
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would become a GET without its body, and might still answer 200.
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


class HttpSmsSender:
    """POST ``{to, text, sender, reference}`` as JSON to the gateway's URL, with ``Authorization: Bearer TOKEN``.

    The token is read from the OS keyring at each sending unless given. The id is the ``id`` (or
    ``message_id``) of the JSON reply, else the last part of its ``Location`` header, else the
    ``Idempotency-Key`` sent with the request.
    """

    def __init__(self, settings: SmsSettings, *, token: str | None = None) -> None:
        self.settings = settings
        self._token = token
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if _is_loopback(urlsplit(settings.http_url).hostname or ""):
            handlers.append(urllib.request.ProxyHandler({}))  # a proxy of the environment cannot reach our loopback
        self._handlers = handlers

    def send(self, sms: OutgoingSms) -> str:
        _check(sms)
        token = self._token if self._token is not None else sms_token(self.settings)
        request_id = uuid.uuid4().hex
        body = {"to": sms.to_phone, "text": sms.text, "sender": self.settings.http_sender, "reference": sms.reference}
        request = urllib.request.Request(
            self.settings.http_url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": request_id,
            },
        )
        try:
            opener = urllib.request.build_opener(*self._handlers, *self._https_handler())
            with opener.open(request, timeout=self.settings.timeout_s) as response:
                reply = response.read(_MAX_REPLY)
                location = response.headers.get("Location", "")
        except Exception as e:
            raise self._error(e) from None
        return _id_from(reply, location) or request_id

    def _https_handler(self) -> list[urllib.request.BaseHandler]:
        if not self.settings.http_url.startswith("https:"):
            return []
        try:
            context = ssl.create_default_context(cafile=self.settings.ca_file or None)
        except (OSError, ssl.SSLError) as e:
            raise SendError(
                f"Le certificat d'autorité « {self.settings.ca_file} » des réglages [sms] (ca_file) est introuvable "
                "ou illisible : demandez à l'administrateur de le corriger.",
                retryable=False,
                detail=str(e),
            ) from None
        return [urllib.request.HTTPSHandler(context=context)]

    def _error(self, error: Exception) -> SendError:
        gateway = "La passerelle SMS"
        if isinstance(error, SendError):
            return error
        if isinstance(error, urllib.error.HTTPError):
            return _http_error(error)
        if isinstance(error, urllib.error.URLError):
            error = error.reason if isinstance(error.reason, Exception) else OSError(str(error.reason))
        if isinstance(error, ssl.SSLCertVerificationError):
            return SendError(
                f"Le certificat de la passerelle SMS n'a pas pu être vérifié ({error.verify_message}) : le SMS n'est "
                "pas parti. Demandez à l'administrateur de vérifier http_url et ca_file dans les réglages [sms].",
                retryable=False,
                detail=str(error),
            )
        if isinstance(error, TimeoutError):
            return SendError(
                f"{gateway} ne répond pas (plus de {self.settings.timeout_s:g} s) : l'envoi n'est pas confirmé. "
                "Nouvel essai plus tard.",
                retryable=True,
                detail=str(error),
            )
        if isinstance(error, ConnectionRefusedError):
            return SendError(
                f"{gateway} refuse la connexion (arrêtée ou mauvaise adresse) ; nouvel essai plus tard.",
                retryable=True,
                detail=str(error),
            )
        if isinstance(error, socket.gaierror):
            return SendError(
                f"{gateway} est introuvable (réseau coupé ou adresse mal écrite dans les réglages [sms]) ; "
                "nouvel essai plus tard.",
                retryable=True,
                detail=str(error),
            )
        if isinstance(error, http.client.HTTPException | OSError):
            return SendError(
                f"{gateway} est injoignable ou a coupé la connexion : l'envoi n'est pas confirmé. "
                "Nouvel essai plus tard.",
                retryable=True,
                detail=f"{type(error).__name__}: {error}",
            )
        return SendError(
            "L'envoi du SMS a échoué pour une raison inattendue : signalez-le au support.",
            retryable=False,
            detail=f"{type(error).__name__}: {error}",
        )


def make_sms_sender(settings: SmsSettings) -> SmsSender | None:
    """The sender the settings ask for; None when this PC sends no SMS."""
    if settings.backend == "folder":
        return FolderSmsSender(settings.folder)
    if settings.backend == "http":
        return HttpSmsSender(settings)
    return None


def _check(sms: OutgoingSms) -> None:
    if not _E164.match(sms.to_phone):
        raise SendError(
            f"Le numéro « {sms.to_phone} » n'est pas au format international (+33612345678) : vérifiez-le dans "
            "la fiche du citoyen.",
            retryable=False,
        )
    if not sms.text.strip():
        raise SendError("Le SMS est vide : écrivez la réponse avant de l'envoyer.", retryable=False)


def _sync_folder(folder: Path) -> None:
    # The rename itself survives a power cut only once the folder is on disk (POSIX; Windows has no such call).
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _id_from(reply: bytes, location: str) -> str:
    with contextlib.suppress(ValueError):
        data = json.loads(reply.decode("utf-8")) if reply.strip() else None
        if isinstance(data, dict):
            for key in ("id", "message_id", "messageId"):
                if isinstance(data.get(key), str | int) and str(data[key]):
                    return str(data[key])
    if location:
        return urlsplit(location).path.rstrip("/").rpartition("/")[2] or location
    return ""


def _gateway_says(error: urllib.error.HTTPError) -> str:
    """The gateway's own explanation, short, from its JSON ``error``/``message``/``detail`` or its text."""
    try:
        raw = error.read(_MAX_REPLY).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""
    text = raw
    with contextlib.suppress(ValueError):
        data = json.loads(raw)
        if isinstance(data, dict):
            text = next((str(data[k]) for k in ("error", "message", "detail") if data.get(k)), raw)
    text = " ".join(text.split())
    return text[:150] + ("…" if len(text) > 150 else "")


def _http_error(error: urllib.error.HTTPError) -> SendError:
    code = error.code
    says = _gateway_says(error)
    reason = f"HTTP {code}" + (f" : {says}" if says else "")
    if code >= 500 or code in (408, 425, 429):
        return SendError(
            f"La passerelle SMS est indisponible pour l'instant ({reason}) ; nouvel essai plus tard.",
            retryable=True,
            detail=reason,
        )
    if code in (401, 403):
        return SendError(
            f"La passerelle SMS refuse le jeton de ce poste ({reason}) : demandez à l'administrateur de vérifier "
            "le jeton enregistré dans le trousseau du système.",
            retryable=False,
            detail=reason,
        )
    if code in (404, 405) or 300 <= code < 400:
        return SendError(
            f"La passerelle SMS ne reconnaît pas l'adresse des réglages [sms] http_url ({reason}) : demandez à "
            "l'administrateur de la vérifier.",
            retryable=False,
            detail=reason,
        )
    return SendError(
        f"La passerelle SMS refuse ce SMS ({reason}) : vérifiez le numéro du citoyen et le texte.",
        retryable=False,
        detail=reason,
    )
