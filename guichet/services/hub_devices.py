"""The PCs paired with the site's hub: pairing codes, tokens, revocation, and the agents logged in from each.

An administrator pairs a PC once: on the hub, ``guichet hub pair "Guichet 3"`` makes a one-time code (valid
15 minutes); on the PC, ``guichet hub join <adresse> <code>`` trades it for the PC's own token. The hub keeps
only a SHA-256 of each (they are long random secrets, not passwords: a slow hash would buy nothing).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from guichet.db import Database
from guichet.models import HubDevice, Site
from guichet.services import clock
from guichet.services.errors import AuthenticationError, NotFoundError, ValidationError

ROLES = {"poste": "poste d'accueil", "borne": "borne", "ecran": "écran d'appel"}
PAIRING_MINUTES = 15
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over the phone


@dataclass(frozen=True)
class DeviceInfo:
    id: uuid.UUID
    name: str
    role: str
    site_id: uuid.UUID
    paired_at: datetime | None
    last_seen_at: datetime | None
    revoked_at: datetime | None
    pairing_expires_at: datetime | None
    agent_ids: tuple[uuid.UUID, ...]

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "révoqué"
        if self.paired_at is None:
            return "en attente d'appairage"
        return "appairé"


@dataclass(frozen=True)
class Pairing:
    device: DeviceInfo
    code: str  # shown once, to be typed on the PC


@dataclass(frozen=True)
class Paired:
    device: DeviceInfo
    token: str  # given once to the PC, which keeps it in its keyring


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _info(d: HubDevice) -> DeviceInfo:
    agents = tuple(uuid.UUID(a) for a in d.agent_ids.split(",") if a)
    return DeviceInfo(
        d.id, d.name, d.role, d.site_id, d.paired_at, d.last_seen_at, d.revoked_at, d.pairing_expires_at, agents
    )


class DeviceService:
    """Pairing and checking the PCs of the site (used by the hub and its administration commands)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._seen: dict[uuid.UUID, float] = {}  # last_seen_at is written at most once a minute per PC

    def pair(self, *, name: str, role: str, site_code: str = "") -> Pairing:
        """A new PC (or a PC paired again, which revokes its old token): returns its one-time code."""
        name = " ".join(name.split())
        errors = {}
        if not name or len(name) > 80:
            errors["name"] = "Donnez au poste un nom de 1 à 80 caractères (ex. « Guichet 3 »)."
        if role not in ROLES:
            errors["role"] = f"Rôle inconnu « {role} » : {', '.join(ROLES)}."
        if errors:
            raise ValidationError(errors)
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        now = clock.now()
        with self._db.write() as s:
            sites = s.scalars(select(Site).where(Site.deleted_at.is_(None))).all()
            site = next((x for x in sites if x.code == site_code), None) if site_code else None
            if site is None and not site_code and len(sites) >= 1:
                site = sites[0] if len(sites) == 1 else None
            if site is None:
                known = ", ".join(sorted(x.code for x in sites)) or "aucun"
                raise NotFoundError(f"Site « {site_code} » inconnu de cette base (sites : {known}).")
            device = s.scalar(select(HubDevice).where(HubDevice.name == name))
            if device is None:
                device = HubDevice(name=name, role=role, site_id=site.id, agent_ids="")
                s.add(device)
            device.role, device.site_id = role, site.id
            device.pairing_hash = _digest(code)
            device.pairing_expires_at = now + timedelta(minutes=PAIRING_MINUTES)
            device.token_hash = None
            device.paired_at = None
            device.revoked_at = None
            device.agent_ids = ""
            s.flush()
            return Pairing(_info(device), f"{code[:4]}-{code[4:]}")

    def claim(self, *, code: str) -> Paired:
        """The PC types its code: it gets its token, and the code is spent."""
        digest = _digest(_normalise_code(code))
        now = clock.now()
        with self._db.write() as s:
            device = s.scalar(select(HubDevice).where(HubDevice.pairing_hash == digest))
            if device is None or device.pairing_expires_at is None or device.pairing_expires_at < now:
                raise AuthenticationError(
                    "Code d'appairage inconnu ou expiré : demandez-en un nouveau à l'administrateur "
                    "(guichet hub pair sur le serveur du site)."
                )
            token = secrets.token_urlsafe(32)
            device.token_hash = _digest(token)
            device.pairing_hash = None
            device.pairing_expires_at = None
            device.paired_at = now
            device.last_seen_at = now
            s.flush()
            return Paired(_info(device), token)

    def authenticate(self, *, token: str) -> DeviceInfo:
        """The PC behind a token (raises AuthenticationError for an unknown or revoked one)."""
        if not token:
            raise AuthenticationError("Ce poste n'est pas appairé avec le serveur du site.")
        digest = _digest(token)
        with self._db.read() as s:
            device = s.scalar(select(HubDevice).where(HubDevice.token_hash == digest))
            if device is None or device.deleted_at is not None:
                raise AuthenticationError("Ce poste n'est pas appairé avec le serveur du site.")
            if device.revoked_at is not None:
                raise AuthenticationError("L'accès de ce poste au serveur du site a été révoqué.")
            info = _info(device)
        self._touch(info.id)
        return info

    def _touch(self, device_id: uuid.UUID) -> None:
        moment = time.monotonic()
        with self._lock:
            if moment - self._seen.get(device_id, -1e9) < 60:
                return
            self._seen[device_id] = moment
        with self._db.write() as s:
            device = s.get(HubDevice, device_id)
            if device is not None:
                device.last_seen_at = clock.now()

    def revoke(self, *, name: str) -> DeviceInfo:
        """The PC's token stops working at once (its next call is refused)."""
        with self._db.write() as s:
            device = s.scalar(select(HubDevice).where(HubDevice.name == " ".join(name.split())))
            if device is None:
                raise NotFoundError(f"Aucun poste « {name} » n'est connu du serveur du site.")
            device.revoked_at = clock.now()
            device.token_hash = None
            device.pairing_hash = None
            device.agent_ids = ""
            s.flush()
            return _info(device)

    def devices(self) -> tuple[DeviceInfo, ...]:
        with self._db.read() as s:
            rows = s.scalars(select(HubDevice).where(HubDevice.deleted_at.is_(None)).order_by(HubDevice.name))
            return tuple(_info(d) for d in rows)

    def bind_agent(self, *, device_id: uuid.UUID, agent_id: uuid.UUID) -> None:
        """An agent logged in (or unlocked, or switched in) from this PC."""
        with self._db.write() as s:
            device = s.get(HubDevice, device_id)
            agents = [a for a in device.agent_ids.split(",") if a]
            if str(agent_id) not in agents:
                device.agent_ids = ",".join([*agents, str(agent_id)])

    def unbind_agent(self, *, device_id: uuid.UUID, agent_id: uuid.UUID) -> None:
        with self._db.write() as s:
            device = s.get(HubDevice, device_id)
            device.agent_ids = ",".join(a for a in device.agent_ids.split(",") if a and a != str(agent_id))
