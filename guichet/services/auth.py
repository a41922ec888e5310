"""Agent identification at a shared desk: salted slow hashes, login, lock, unlock and switch of agents.

Every attempt, good or bad, is a line of the audit log, written with its answer; failed attempts are
counted from that log, so a restart of the desk forgets none. The rule (also in the README):

- per login typed: after 5 failures within 15 minutes (since the last success of that login), the login is
  refused for 5 minutes after the last failure, without even checking the password;
- per PC: after 20 failures within 15 minutes, whatever the logins typed, every login is refused on that PC
  for 5 minutes after the last failure;
- the refusal says when to try again and is the same whether or not the login exists;
- a PIN (4–6 digits, see services.passwords) only unlocks a desk its agent opened with their password on this
  PC; after 3 wrong codes since the last success, only the password unlocks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import AuditAction, Role
from guichet.models import Agent, AgentPin, AuditEntry, Commune, Site
from guichet.services.clock import PARIS
from guichet.services.clock import now as system_now
from guichet.services.errors import AuthenticationError
from guichet.services.handover import hand_over_counter
from guichet.services.passwords import PIN_PATTERN

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


@dataclass(frozen=True)
class Workstation:
    """The PC a secret is typed on: its name goes in the audit log; ``site_code`` (the settings' ``site_code``)
    is where refusals of unknown logins are filed (else the first site of the database)."""

    name: str = ""
    site_code: str = ""

    @classmethod
    def this_pc(cls, site_code: str = "") -> Workstation:
        return cls(socket.gethostname()[:60], site_code)

    @property
    def tag(self) -> str:
        return f"poste « {self.name or 'inconnu'} »"


@dataclass(frozen=True)
class Switched:
    """Another agent took the desk: their session, and what happened to the counter (French, "" if nothing)."""

    session: AgentSession
    previous_agent_id: uuid.UUID
    note: str


FAILURES_PER_LOGIN = 5
FAILURES_PER_WORKSTATION = 20
FAILURE_WINDOW = timedelta(minutes=15)
BLOCK_TIME = timedelta(minutes=5)
PIN_TRIES = 3

_BAD_LOGIN = "Identifiant ou mot de passe incorrect."
_BAD_SECRET = "Mot de passe ou code PIN incorrect."
_DISABLED = "Ce compte est désactivé. Adressez-vous à votre administrateur."
_BLOCKED_MARK = "refusé sans vérification"  # attempts made while blocked: logged, not counted
_PIN_MARK = "code PIN"
_SUCCESSES = (AuditAction.LOGIN, AuditAction.UNLOCK, AuditAction.SWITCH)
_DUMMY_HASH = hash_password("guichet")


def _typed(login: str) -> str:
    return login.strip().lower()[:50]


def _hhmm(moment: datetime) -> str:
    return f"{moment.astimezone(PARIS):%H:%M}"


@dataclass(frozen=True)
class _Place:
    commune_id: uuid.UUID
    site_id: uuid.UUID


@dataclass(frozen=True)
class _Found:
    agent: Agent
    site: Site
    commune: Commune

    @property
    def place(self) -> _Place:
        return _Place(self.commune.id, self.site.id)

    def session(self) -> AgentSession:
        a, site, commune = self.agent, self.site, self.commune
        return AgentSession(
            agent_id=a.id, login=a.login, first_name=a.first_name, last_name=a.last_name, role=a.role,
            site_id=site.id, site_name=site.name, site_code=site.code,
            commune_id=commune.id, commune_name=commune.name, commune_code=commune.code,
        )  # fmt: skip


class AuthService:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = system_now) -> None:
        self._db = db
        self._clock = clock

    # -- the three ways in -------------------------------------------------------------------------------

    def login(self, *, login: str, password: str, workstation: Workstation = Workstation()) -> AgentSession:
        """Check the agent's password and return their session, or raise AuthenticationError (audited)."""
        found = self._authenticate(login, password, workstation)
        self._log(found.place, AuditAction.LOGIN, agent=found.agent, detail=workstation.tag)
        return found.session()

    def switch(
        self, *, from_agent_id: uuid.UUID, login: str, password: str, workstation: Workstation = Workstation()
    ) -> Switched:
        """Another agent takes a locked desk with their login and password (audited).

        The previous agent's counter passes to them in the same transaction: a ticket in hand is set aside
        (« mis de côté ») under the previous agent's name, their counter session is closed, and the counter
        opens in the new agent's name when they belong to its site (see services.handover).
        """
        found = self._authenticate(login, password, workstation)
        if found.agent.id == from_agent_id:  # the agent who locked, through the other door
            self._log(
                found.place, AuditAction.UNLOCK, agent=found.agent, detail=f"{workstation.tag} — par mot de passe"
            )
            return Switched(found.session(), from_agent_id, "")
        with self._db.write() as s:
            now = self._clock()
            previous = s.get(Agent, from_agent_id)
            who = f"{previous.first_name} {previous.last_name}" if previous else "un autre agent"
            note = hand_over_counter(s, from_agent_id=from_agent_id, to_agent_id=found.agent.id, now=now)
            self._add(s, found.place, AuditAction.SWITCH, now, agent=found.agent, subject_table="agent",
                      subject_id=from_agent_id, detail=f"{workstation.tag} — prend le poste de {who}")  # fmt: skip
        return Switched(found.session(), from_agent_id, note)

    def unlock(self, *, agent_id: uuid.UUID, secret: str, workstation: Workstation = Workstation()) -> AgentSession:
        """The agent who locked the desk comes back, with their password or their PIN on this PC (audited)."""
        now = self._clock()
        with self._db.read() as s:
            found = self._find(s, Agent.id == agent_id)
            if found is None:
                raise AuthenticationError("Ce compte n'existe plus : un autre agent peut prendre le poste.")
            pin = s.scalar(select(AgentPin).where(AgentPin.agent_id == agent_id, AgentPin.deleted_at.is_(None)))
            history = self._history(s, found.agent.login, found.place, workstation, now)
        blocked = history.blocked_until(now)
        if blocked is not None:
            self._refuse(found.place, found.agent.login, found.agent, workstation, f"{_BLOCKED_MARK} (déverrouillage)")
            raise AuthenticationError(_blocked_message(blocked, now))
        as_pin = pin is not None and PIN_PATTERN.match(secret) is not None
        ok, how = False, "par mot de passe"
        if as_pin and history.pin_failures < PIN_TRIES:
            ok, how = verify_password(secret, pin.pin_hash), "par code PIN"
        if not ok:
            ok, how = verify_password(secret, found.agent.password_hash), "par mot de passe"
        if not ok:
            mark = f" ({_PIN_MARK})" if as_pin else ""
            self._refuse(found.place, found.agent.login, found.agent, workstation, f"déverrouillage refusé{mark}")
            if as_pin and history.pin_failures + 1 >= PIN_TRIES:
                raise AuthenticationError(
                    f"{_BAD_SECRET} Après {PIN_TRIES} erreurs, seul le mot de passe déverrouille."
                )
            raise AuthenticationError(_BAD_SECRET)
        if not found.agent.active:
            self._refuse(found.place, found.agent.login, found.agent, workstation, "compte désactivé")
            raise AuthenticationError(_DISABLED)
        self._log(found.place, AuditAction.UNLOCK, agent=found.agent, detail=f"{workstation.tag} — {how}")
        return found.session()

    # -- what does not need a secret, but is audited -----------------------------------------------------

    def lock(self, *, agent_id: uuid.UUID, reason: str = "", workstation: Workstation = Workstation()) -> None:
        """The desk of this agent is locked (Ctrl+L, or after the idle time): a line of the audit log."""
        self._log_for(agent_id, AuditAction.LOCK, " — ".join(p for p in (workstation.tag, reason) if p))

    def logout(self, *, agent_id: uuid.UUID, workstation: Workstation = Workstation()) -> None:
        """The agent's desk window is closed."""
        self._log_for(agent_id, AuditAction.LOGOUT, workstation.tag)

    # -- inside ------------------------------------------------------------------------------------------

    def _authenticate(self, login: str, password: str, workstation: Workstation) -> _Found:
        typed = _typed(login)
        now = self._clock()
        with self._db.read() as s:
            found = self._find(s, Agent.login == typed)
            place = found.place if found else self._workstation_place(s, workstation)
            history = self._history(s, typed, place, workstation, now)
        blocked = history.blocked_until(now)
        if blocked is not None:
            self._refuse(place, typed, found.agent if found else None, workstation, _BLOCKED_MARK)
            raise AuthenticationError(_blocked_message(blocked, now))
        if found is None:
            verify_password(password, _DUMMY_HASH)  # same cost whether or not the login exists
            self._refuse(place, typed, None, workstation, "mot de passe refusé")
            raise AuthenticationError(_BAD_LOGIN)
        if not verify_password(password, found.agent.password_hash):
            self._refuse(place, typed, found.agent, workstation, "mot de passe refusé")
            raise AuthenticationError(_BAD_LOGIN)
        if not found.agent.active:
            self._refuse(place, typed, found.agent, workstation, "compte désactivé")
            raise AuthenticationError(_DISABLED)
        return found

    @staticmethod
    def _find(s: Session, where) -> _Found | None:  # noqa: ANN001
        row = s.execute(
            select(Agent, Site, Commune)
            .join(Site, Agent.site_id == Site.id)
            .join(Commune, Site.commune_id == Commune.id)
            .where(where, Agent.deleted_at.is_(None))
        ).one_or_none()
        return None if row is None else _Found(*row)

    @staticmethod
    def _workstation_place(s: Session, workstation: Workstation) -> _Place | None:
        """Where a refusal of an unknown login is filed: this PC's site, else the first site of the database."""
        rows = s.execute(
            select(Site.id, Site.code, Commune.id, Commune.code)
            .join(Commune, Commune.id == Site.commune_id)
            .where(Site.deleted_at.is_(None))
            .order_by(Commune.code, Site.code)
        ).all()
        wanted = workstation.site_code.strip().upper()
        match = next((r for r in rows if wanted in (r[1].upper(), f"{r[3]}-{r[1]}".upper())), None)
        chosen = match or (rows[0] if rows else None)
        return None if chosen is None else _Place(chosen[2], chosen[0])

    @staticmethod
    def _history(s: Session, login: str, place: _Place | None, workstation: Workstation, now: datetime) -> _History:
        since = now - FAILURE_WINDOW
        mine = s.execute(
            select(AuditEntry.at, AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.login == login, AuditEntry.at >= since, AuditEntry.deleted_at.is_(None))
            .where(AuditEntry.action.in_((AuditAction.LOGIN_FAILED, *_SUCCESSES)))
            .order_by(AuditEntry.at)
        ).all()
        last_success = max((r.at for r in mine if r.action in _SUCCESSES), default=None)
        failures = [r for r in mine if r.action is AuditAction.LOGIN_FAILED and _BLOCKED_MARK not in r.detail]
        failures = [r for r in failures if last_success is None or r.at > last_success]
        pc: list[datetime] = []
        if place is not None:
            pc = list(
                s.scalars(
                    select(AuditEntry.at)
                    .where(AuditEntry.commune_id == place.commune_id, AuditEntry.at >= since)
                    .where(AuditEntry.action == AuditAction.LOGIN_FAILED, AuditEntry.deleted_at.is_(None))
                    .where(AuditEntry.detail.startswith(workstation.tag, autoescape=True))
                    .where(AuditEntry.detail.not_like(f"%{_BLOCKED_MARK}%"))
                )
            )
        pin_failures = sum(1 for r in failures if _PIN_MARK in r.detail)
        return _History(tuple(r.at for r in failures), tuple(sorted(pc)), pin_failures)

    def _refuse(
        self, place: _Place | None, login: str, agent: Agent | None, workstation: Workstation, why: str
    ) -> None:
        self._log(place, AuditAction.LOGIN_FAILED, agent=agent, login=login, detail=f"{workstation.tag} — {why}")

    def _log(
        self, place: _Place | None, action: AuditAction, *, agent: Agent | None = None, login: str = "",
        detail: str = "",
    ) -> None:  # fmt: skip
        if place is None:  # a database without any site: nobody can log in, nothing to file
            return
        with self._db.write() as s:
            self._add(s, place, action, self._clock(), agent=agent, login=login, detail=detail)

    def _log_for(self, agent_id: uuid.UUID, action: AuditAction, detail: str) -> None:
        with self._db.write() as s:
            found = self._find(s, Agent.id == agent_id)
            if found is not None:
                self._add(s, found.place, action, self._clock(), agent=found.agent, detail=detail)

    @staticmethod
    def _add(
        s: Session, place: _Place, action: AuditAction, at: datetime, *, agent: Agent | None = None,
        login: str = "", subject_table: str = "", subject_id: uuid.UUID | None = None, detail: str = "",
    ) -> None:  # fmt: skip
        s.add(
            AuditEntry(
                commune_id=place.commune_id, site_id=place.site_id, at=at, agent_id=agent.id if agent else None,
                login=login or (agent.login if agent else ""), action=action, subject_table=subject_table,
                subject_id=subject_id, detail=detail,
            )
        )  # fmt: skip


@dataclass(frozen=True)
class _History:
    """Failed attempts of the last 15 minutes: of one login (since its last success), and on this PC."""

    login_failures: tuple[datetime, ...]
    pc_failures: tuple[datetime, ...]
    pin_failures: int

    def blocked_until(self, now: datetime) -> datetime | None:
        until = None
        if len(self.login_failures) >= FAILURES_PER_LOGIN:
            until = self.login_failures[-1] + BLOCK_TIME
        if len(self.pc_failures) >= FAILURES_PER_WORKSTATION:
            pc_until = self.pc_failures[-1] + BLOCK_TIME
            until = pc_until if until is None else max(until, pc_until)
        return until if until is not None and until > now else None


def _blocked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return f"Trop d'essais infructueux : connexion suspendue. Réessayez à {_hhmm(until)} (dans {minutes} min)."
