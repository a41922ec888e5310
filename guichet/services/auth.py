"""Agent identification: salted slow password hashes and login."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import Role
from guichet.models import Agent, Commune, Site
from guichet.services.errors import AuthenticationError

# scrypt with N=2**14, r=8: about 50 ms and 16 MiB per check, which slows guessing without slowing a login.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """A salted scrypt hash, self-describing: "scrypt$N$r$p$salt$hash"."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class AgentSession:
    """Who is at the desk, and where."""

    agent_id: uuid.UUID
    login: str
    first_name: str
    last_name: str
    role: Role
    site_id: uuid.UUID
    site_name: str
    site_code: str
    commune_id: uuid.UUID
    commune_name: str
    commune_code: str

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


_BAD_LOGIN = "Identifiant ou mot de passe incorrect."
_DUMMY_HASH = hash_password("guichet")


class AuthService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def login(self, *, login: str, password: str) -> AgentSession:
        """Check the agent's password and return their session, or raise AuthenticationError."""
        with self._db.read() as s:
            row = s.execute(
                select(Agent, Site, Commune)
                .join(Site, Agent.site_id == Site.id)
                .join(Commune, Site.commune_id == Commune.id)
                .where(Agent.login == login.strip().lower(), Agent.deleted_at.is_(None))
            ).one_or_none()
        if row is None:
            verify_password(password, _DUMMY_HASH)  # same cost whether or not the login exists
            raise AuthenticationError(_BAD_LOGIN)
        agent, site, commune = row
        if not verify_password(password, agent.password_hash):
            raise AuthenticationError(_BAD_LOGIN)
        if not agent.active:
            raise AuthenticationError("Ce compte est désactivé. Adressez-vous à votre administrateur.")
        return AgentSession(
            agent_id=agent.id,
            login=agent.login,
            first_name=agent.first_name,
            last_name=agent.last_name,
            role=agent.role,
            site_id=site.id,
            site_name=site.name,
            site_code=site.code,
            commune_id=commune.id,
            commune_name=commune.name,
            commune_code=commune.code,
        )
