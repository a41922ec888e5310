"""The audit log: writing an entry in the caller's transaction, and reading it (supervisors and administrators).

Every action on personal data is written with the action itself (same transaction): who, where, when, what, on
which record; never the values. Reading is refused to agents, and limited to the reader's commune.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import AuditAction, Role
from guichet.models import Agent, AuditEntry, Citizen, Commune, Site
from guichet.services.clock import PARIS
from guichet.services.clock import now as system_now
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError

NOT_ALLOWED = "Le journal d'audit est réservé aux superviseurs et aux administrateurs."
MAX_ROWS = 5000
_TABLE_LABELS = {"citizen": "Fiche usager", "agent": "Compte d'agent", "request": "Demande", "mail_item": "Courrier"}


def record(
    s: Session, *, commune_id: uuid.UUID, site_id: uuid.UUID, action: AuditAction, agent_id: uuid.UUID | None = None,
    login: str = "", subject_table: str = "", subject_id: uuid.UUID | None = None, detail: str = "",
    at: datetime | None = None,
) -> AuditEntry:  # fmt: skip
    """Add one entry to the caller's session: it commits (or not) with the action it describes."""
    entry = AuditEntry(
        commune_id=commune_id, site_id=site_id, at=at or system_now(), agent_id=agent_id, login=login[:50],
        action=action, subject_table=subject_table, subject_id=subject_id, detail=detail,
    )  # fmt: skip
    s.add(entry)
    return entry


def record_by(
    s: Session, agent: Agent, site: Site, action: AuditAction, *, subject_table: str = "",
    subject_id: uuid.UUID | None = None, detail: str = "", at: datetime | None = None,
) -> AuditEntry:  # fmt: skip
    """``record`` for an agent at a site (their login written beside their id)."""
    return record(s, commune_id=site.commune_id, site_id=site.id, action=action, agent_id=agent.id, login=agent.login,
                  subject_table=subject_table, subject_id=subject_id, detail=detail, at=at)  # fmt: skip


def supervisor(s: Session, agent_id: uuid.UUID, message: str = NOT_ALLOWED) -> tuple[Agent, Site]:
    """The agent and their site, if they are an active supervisor or administrator (read from the database)."""
    agent = s.get(Agent, agent_id)
    if agent is None or agent.deleted_at is not None or not agent.active:
        raise NotAllowedError(message)
    if agent.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise NotAllowedError(message)
    site = s.get(Site, agent.site_id)
    assert site is not None
    return agent, site


@dataclass(frozen=True)
class AuditRow:
    """One line of the journal as a supervisor reads it."""

    id: uuid.UUID
    at: datetime
    action: AuditAction
    agent_id: uuid.UUID | None
    agent_name: str  # "Marie Durand", or what was typed at a refused login
    site_name: str
    subject_table: str
    subject_id: uuid.UUID | None
    subject_label: str  # "Fiche usager — Mme DUPONT Jeanne"
    detail: str

    @property
    def action_label(self) -> str:
        return self.action.label

    @property
    def at_text(self) -> str:
        return self.at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S")


@dataclass(frozen=True)
class AgentRef:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class AuditScope:
    """What the journal's filters offer: the commune and its agents."""

    commune_id: uuid.UUID
    commune_name: str
    agents: tuple[AgentRef, ...]


def citizen_label(c: Citizen | None) -> str:
    if c is None:
        return "fiche inconnue sur ce poste"
    if getattr(c, "anonymised_at", None) is not None:
        return "fiche anonymisée"
    civility = c.civility.value if c.civility else ""
    return " ".join(p for p in (civility, c.last_name.upper(), c.first_names) if p)


class AuditService:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = system_now) -> None:
        self._db = db
        self._clock = clock

    def scope(self, *, agent_id: uuid.UUID) -> AuditScope:
        """The commune a supervisor reads the journal of, and its agents; NotAllowedError for an agent."""
        with self._db.read() as s:
            _reader, site = supervisor(s, agent_id)
            commune = s.get(Commune, site.commune_id)
            assert commune is not None
            agents = s.execute(
                select(Agent.id, Agent.first_name, Agent.last_name)
                .join(Site, Site.id == Agent.site_id)
                .where(Site.commune_id == commune.id)
                .order_by(Agent.last_name, Agent.first_name)
            ).all()
            return AuditScope(commune.id, commune.name, tuple(AgentRef(a, f"{f} {n}") for a, f, n in agents))

    def entries(
        self, *, agent_id: uuid.UUID, commune_id: uuid.UUID, subject_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None, action: AuditAction | None = None, since: datetime | None = None,
        until: datetime | None = None, limit: int = 500,
    ) -> list[AuditRow]:  # fmt: skip
        """The journal of the reader's commune, newest first, filtered by person, agent, action and period [since,
        until). The person's filter also finds entries about records merged into theirs."""
        if since is not None and until is not None and until <= since:
            raise ValidationError({"period": "La fin de la période doit suivre son début."})
        with self._db.read() as s:
            _reader, site = supervisor(s, agent_id)
            if site.commune_id != commune_id:
                raise NotAllowedError("Ce journal est celui d'une autre commune.")
            q = select(AuditEntry).where(AuditEntry.commune_id == commune_id, AuditEntry.deleted_at.is_(None))
            if subject_id is not None:
                merged = select(Citizen.id).where(Citizen.merged_into_id == subject_id)
                q = q.where(or_(AuditEntry.subject_id == subject_id, AuditEntry.subject_id.in_(merged)))
            if actor_id is not None:
                q = q.where(AuditEntry.agent_id == actor_id)
            if action is not None:
                q = q.where(AuditEntry.action == action)
            if since is not None:
                q = q.where(AuditEntry.at >= since)
            if until is not None:
                q = q.where(AuditEntry.at < until)
            found = s.scalars(q.order_by(AuditEntry.at.desc()).limit(max(1, min(limit, MAX_ROWS)))).all()
            return self._rows(s, found)

    def record_view(self, *, citizen_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID, detail: str = "") -> None:
        """An agent opened a citizen's record (the Usagers page calls it when a record is shown)."""
        with self._db.write() as s:
            agent, site = s.get(Agent, agent_id), s.get(Site, site_id)
            if agent is None or site is None:
                raise NotFoundError("Agent ou site inconnu : la consultation n'a pas été notée.")
            if s.get(Citizen, citizen_id) is None:
                raise NotFoundError("Cette fiche n'existe pas.")
            record_by(s, agent, site, AuditAction.RECORD_VIEWED, subject_table="citizen", subject_id=citizen_id,
                      detail=detail, at=self._clock())  # fmt: skip

    # -- inside --------------------------------------------------------------------------------------

    @staticmethod
    def _rows(s: Session, entries: Iterable[AuditEntry]) -> list[AuditRow]:
        entries = list(entries)
        agent_ids = {e.agent_id for e in entries if e.agent_id} | {
            e.subject_id for e in entries if e.subject_table == "agent" and e.subject_id
        }
        agents = {
            a.id: f"{a.first_name} {a.last_name}" for a in s.scalars(select(Agent).where(Agent.id.in_(agent_ids)))
        }
        sites = {x.id: x.name for x in s.scalars(select(Site).where(Site.id.in_({e.site_id for e in entries})))}
        citizen_ids = {e.subject_id for e in entries if e.subject_table == "citizen" and e.subject_id}
        citizens = {c.id: c for c in s.scalars(select(Citizen).where(Citizen.id.in_(citizen_ids)))}
        rows = []
        for e in entries:
            who = agents.get(e.agent_id, "") if e.agent_id else ""
            if not who:
                who = f"« {e.login} »" if e.login else "Traitement automatique"
            what = _TABLE_LABELS.get(e.subject_table, e.subject_table)
            if e.subject_table == "citizen" and e.subject_id:
                what = f"{what} — {citizen_label(citizens.get(e.subject_id))}"
            elif e.subject_table == "agent" and e.subject_id:
                what = f"{what} — {agents.get(e.subject_id, 'inconnu')}"
            rows.append(
                AuditRow(
                    e.id,
                    e.at,
                    e.action,
                    e.agent_id,
                    who,
                    sites.get(e.site_id, ""),
                    e.subject_table,
                    e.subject_id,
                    what,
                    e.detail,
                )  # fmt: skip
            )
        return rows


def rows_csv(rows: Iterable[AuditRow]) -> bytes:
    """The journal as a CSV for a spreadsheet: « ; » separated, UTF-8 with its mark (Excel reads the accents)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Date et heure", "Action", "Agent", "Site", "Objet", "Détail"])
    for r in rows:
        writer.writerow([r.at_text, r.action_label, r.agent_name, r.site_name, r.subject_label, r.detail])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
