"""Agents' accounts: the administrator's list, disabling, password resets, PINs; views of personal records.

Everything here is audited in the transaction that makes the change. The policy of passwords and PINs is in
``guichet.services.passwords``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import AuditAction, Role
from guichet.models import Agent, AgentPin, AuditEntry, Citizen, Site
from guichet.services.auth import hash_password, verify_password
from guichet.services.clock import now as system_now
from guichet.services.errors import AuthenticationError, NotAllowedError, NotFoundError, ValidationError
from guichet.services.passwords import check_password_policy, check_pin


@dataclass(frozen=True)
class AgentAccount:
    """An agent as the administrator's list shows them."""

    id: uuid.UUID
    login: str
    first_name: str
    last_name: str
    role: Role
    active: bool
    has_pin: bool  # a PIN on this PC
    last_login: datetime | None  # on this PC's database

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def state_label(self) -> str:
        return "Actif" if self.active else "Désactivé"


class AccountService:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = system_now) -> None:
        self._db = db
        self._clock = clock

    # -- the administrator ---------------------------------------------------------------------------

    def agents(self, *, admin_id: uuid.UUID) -> tuple[AgentAccount, ...]:
        """The agents of the administrator's site, by name."""
        with self._db.read() as s:
            admin = self._admin(s, admin_id)
            agents = s.scalars(
                select(Agent)
                .where(Agent.site_id == admin.site_id, Agent.deleted_at.is_(None))
                .order_by(Agent.last_name, Agent.first_name)
            ).all()
            pins = set(s.scalars(select(AgentPin.agent_id).where(AgentPin.deleted_at.is_(None))))
            logins = dict(
                s.execute(
                    select(AuditEntry.agent_id, func.max(AuditEntry.at))
                    .where(AuditEntry.action == AuditAction.LOGIN, AuditEntry.site_id == admin.site_id)
                    .group_by(AuditEntry.agent_id)
                ).all()
            )
            return tuple(
                AgentAccount(a.id, a.login, a.first_name, a.last_name, a.role, a.active, a.id in pins, logins.get(a.id))
                for a in agents
            )

    def set_active(self, *, admin_id: uuid.UUID, agent_id: uuid.UUID, active: bool) -> AgentAccount:
        """Disable an agent (they can no longer log in, unlock or take a desk) or enable them again."""
        with self._db.write() as s:
            admin = self._admin(s, admin_id)
            agent = self._agent_of_site(s, admin, agent_id)
            if agent.id == admin.id and not active:
                raise NotAllowedError("Vous ne pouvez pas désactiver votre propre compte.")
            if agent.active != active:
                agent.active = active
                action = AuditAction.ACCOUNT_ENABLED if active else AuditAction.ACCOUNT_DISABLED
                self._audit(s, admin, action, subject=agent, detail=f"{agent.first_name} {agent.last_name}")
            s.flush()
            return self._account(s, agent)

    def reset_password(self, *, admin_id: uuid.UUID, agent_id: uuid.UUID, password: str) -> AgentAccount:
        """Give an agent a new password (the policy applies); their PINs on this PC are removed."""
        with self._db.write() as s:
            admin = self._admin(s, admin_id)
            agent = self._agent_of_site(s, admin, agent_id)
            self._set_password(s, agent, password)
            self._audit(
                s, admin, AuditAction.PASSWORD_CHANGED, subject=agent, detail="réinitialisé par l'administrateur"
            )
            return self._account(s, agent)

    # -- the agent themselves ------------------------------------------------------------------------

    def change_password(self, *, agent_id: uuid.UUID, current: str, new: str) -> None:
        """The agent changes their own password: the current one first, then the policy."""
        with self._db.read() as s:
            agent = self._agent(s, agent_id)
        if not verify_password(current, agent.password_hash):
            raise ValidationError({"current": "Le mot de passe actuel est incorrect."})
        with self._db.write() as s:
            agent = self._agent(s, agent_id)
            self._set_password(s, agent, new)
            self._audit(s, agent, AuditAction.PASSWORD_CHANGED, subject=agent, detail="changé par l'agent")

    def set_pin(self, *, agent_id: uuid.UUID, password: str, pin: str) -> None:
        """Set the agent's unlock code on this PC (4–6 digits), once their password is confirmed."""
        with self._db.read() as s:
            agent = self._agent(s, agent_id)
        if not verify_password(password, agent.password_hash):
            raise ValidationError({"password": "Le mot de passe est incorrect."})
        reasons = check_pin(pin)
        if reasons:
            raise ValidationError({"pin": " ".join(reasons)})
        hashed = hash_password(pin)
        with self._db.write() as s:
            agent = self._agent(s, agent_id)
            row = s.scalar(select(AgentPin).where(AgentPin.agent_id == agent_id))
            if row is None:
                s.add(AgentPin(agent_id=agent_id, pin_hash=hashed))
            else:
                row.pin_hash, row.deleted_at = hashed, None
            self._audit(s, agent, AuditAction.PASSWORD_CHANGED, subject=agent, detail="code PIN de ce poste défini")

    def remove_pin(self, *, agent_id: uuid.UUID) -> None:
        """Forget the agent's unlock code on this PC: only the password unlocks."""
        with self._db.write() as s:
            agent = self._agent(s, agent_id)
            row = s.scalar(select(AgentPin).where(AgentPin.agent_id == agent_id, AgentPin.deleted_at.is_(None)))
            if row is not None:
                row.deleted_at = self._clock()
                self._audit(s, agent, AuditAction.PASSWORD_CHANGED, subject=agent, detail="code PIN de ce poste retiré")

    def has_pin(self, *, agent_id: uuid.UUID) -> bool:
        with self._db.read() as s:
            return (
                s.scalar(select(AgentPin.id).where(AgentPin.agent_id == agent_id, AgentPin.deleted_at.is_(None)))
                is not None
            )

    # -- personal records ----------------------------------------------------------------------------

    def record_view(self, *, agent_id: uuid.UUID, citizen_id: uuid.UUID, detail: str = "") -> None:
        """An agent opened a citizen's record (picked in the contact form, reopened with a contact...)."""
        with self._db.write() as s:
            agent = self._agent(s, agent_id)
            if s.get(Citizen, citizen_id) is None:
                raise NotFoundError("Cette fiche n'existe pas.")
            self._audit(s, agent, AuditAction.RECORD_VIEWED, subject_table="citizen", subject_id=citizen_id,
                        detail=detail)  # fmt: skip

    # -- inside --------------------------------------------------------------------------------------

    @staticmethod
    def _agent(s: Session, agent_id: uuid.UUID) -> Agent:
        agent = s.get(Agent, agent_id)
        if agent is None or agent.deleted_at is not None:
            raise NotFoundError("Cet agent n'existe pas.")
        if not agent.active:
            raise AuthenticationError("Ce compte est désactivé. Adressez-vous à votre administrateur.")
        return agent

    def _admin(self, s: Session, admin_id: uuid.UUID) -> Agent:
        admin = self._agent(s, admin_id)
        if admin.role is not Role.ADMIN:  # read from the database, not from what the window believes
            raise NotAllowedError("Seul un administrateur gère les comptes des agents.")
        return admin

    @staticmethod
    def _agent_of_site(s: Session, admin: Agent, agent_id: uuid.UUID) -> Agent:
        agent = s.get(Agent, agent_id)
        if agent is None or agent.deleted_at is not None or agent.site_id != admin.site_id:
            raise NotFoundError("Cet agent n'existe pas sur votre site.")
        return agent

    def _set_password(self, s: Session, agent: Agent, password: str) -> None:
        reasons = check_password_policy(password, agent.login, names=(agent.first_name, agent.last_name))
        if reasons:
            raise ValidationError({"password": "\n".join(reasons)})
        agent.password_hash = hash_password(password)
        for pin in s.scalars(select(AgentPin).where(AgentPin.agent_id == agent.id, AgentPin.deleted_at.is_(None))):
            pin.deleted_at = self._clock()  # a new password makes the old code worthless

    def _account(self, s: Session, agent: Agent) -> AgentAccount:
        has_pin = s.scalar(select(AgentPin.id).where(AgentPin.agent_id == agent.id, AgentPin.deleted_at.is_(None)))
        last = s.scalar(
            select(func.max(AuditEntry.at)).where(
                AuditEntry.agent_id == agent.id, AuditEntry.action == AuditAction.LOGIN
            )
        )
        return AgentAccount(agent.id, agent.login, agent.first_name, agent.last_name, agent.role, agent.active,
                            has_pin is not None, last)  # fmt: skip

    def _audit(
        self, s: Session, by: Agent, action: AuditAction, *, subject: Agent | None = None, subject_table: str = "",
        subject_id: uuid.UUID | None = None, detail: str = "",
    ) -> None:  # fmt: skip
        site = s.get(Site, by.site_id)
        assert site is not None
        s.add(
            AuditEntry(
                commune_id=site.commune_id, site_id=site.id, at=self._clock(), agent_id=by.id, login=by.login,
                action=action, subject_table="agent" if subject is not None else subject_table,
                subject_id=subject.id if subject is not None else subject_id, detail=detail,
            )
        )  # fmt: skip
