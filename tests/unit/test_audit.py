"""The audit log: entries written in the caller's transaction, read by supervisors only, filtered, as CSV."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from guichet.db import Database
from guichet.domain import AuditAction, Civility
from guichet.models import AuditEntry, Citizen
from guichet.services import Services
from guichet.services.audit import AuditService, record, rows_csv
from guichet.services.clock import now
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from tests.conftest import DemoRefs


def _citizen(db: Database, last: str = "Lefèvre", first: str = "Hélène", **extra) -> uuid.UUID:
    with db.write() as s:
        c = Citizen(civility=Civility.MADAME, last_name=last, first_names=first, **extra)
        s.add(c)
        s.flush()
        return c.id


def test_record_belongs_to_the_callers_transaction(demo_db: Database, refs: DemoRefs) -> None:
    with pytest.raises(RuntimeError), demo_db.write() as s:
        record(s, commune_id=refs.commune_id, site_id=refs.sites["HDV"], action=AuditAction.RECORD_CHANGED)
        raise RuntimeError("the action failed")
    with demo_db.write() as s:
        record(s, commune_id=refs.commune_id, site_id=refs.sites["HDV"], action=AuditAction.RECORD_CHANGED,
               agent_id=refs.agents["mdurand"], login="mdurand", detail="téléphone")  # fmt: skip
    with demo_db.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.RECORD_CHANGED)).all()
    assert [e.detail for e in entries] == ["téléphone"]  # the rolled back one left nothing


def test_reads_of_a_record_are_recorded_and_readable_by_a_supervisor(
    demo_db: Database, services: Services, refs: DemoRefs
) -> None:
    citizen = _citizen(demo_db)
    services.audit.record_view(citizen_id=citizen, agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"])
    services.audit.record_view(citizen_id=citizen, agent_id=refs.agents["lnguyen"], site_id=refs.sites["MAV"])
    rows = services.audit.entries(agent_id=refs.agents["sperrin"], commune_id=refs.commune_id, subject_id=citizen)
    assert [r.action for r in rows] == [AuditAction.RECORD_VIEWED] * 2
    assert {r.agent_name for r in rows} == {"Marie Durand", "Linh Nguyen"}
    assert {r.site_name for r in rows} == {"Hôtel de ville", "Mairie annexe du Moulin-à-Vent"}
    assert all(r.subject_label == "Fiche usager — Mme LEFÈVRE Hélène" for r in rows)
    assert rows[0].action_label == "Consultation d'une fiche"
    assert rows[0].at >= rows[1].at  # newest first
    only = services.audit.entries(
        agent_id=refs.agents["admin"], commune_id=refs.commune_id, actor_id=refs.agents["lnguyen"]
    )
    assert [r.agent_name for r in only] == ["Linh Nguyen"]
    with pytest.raises(NotFoundError):
        services.audit.record_view(citizen_id=uuid.uuid4(), agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"])


def test_agents_may_not_read_the_journal(demo_db: Database, services: Services, refs: DemoRefs) -> None:
    for login in ("mdurand", "kbenali"):
        with pytest.raises(NotAllowedError, match="réservé aux superviseurs"):
            services.audit.entries(agent_id=refs.agents[login], commune_id=refs.commune_id)
        with pytest.raises(NotAllowedError):
            services.audit.scope(agent_id=refs.agents[login])
    with pytest.raises(NotAllowedError, match="autre commune"):
        services.audit.entries(agent_id=refs.agents["sperrin"], commune_id=uuid.uuid4())
    scope = services.audit.scope(agent_id=refs.agents["sperrin"])
    assert scope.commune_name == "Vénissieux"
    assert "Marie Durand" in [a.name for a in scope.agents]


def test_filters_period_action_and_merged_records(demo_db: Database, services: Services, refs: DemoRefs) -> None:
    kept = _citizen(demo_db)
    merged = _citizen(demo_db, "Lefevre", "Helene", merged_into_id=kept, deleted_at=now())
    t0 = now() - timedelta(days=10)
    with demo_db.write() as s:
        for days, action, subject in ((0, AuditAction.RECORD_VIEWED, merged), (5, AuditAction.RECORD_CHANGED, kept),
                                      (9, AuditAction.RECORD_VIEWED, kept)):  # fmt: skip
            record(s, commune_id=refs.commune_id, site_id=refs.sites["HDV"], action=action, subject_table="citizen",
                   subject_id=subject, agent_id=refs.agents["kbenali"], at=t0 + timedelta(days=days))  # fmt: skip
    read = AuditService(demo_db)
    sup = refs.agents["sperrin"]
    person = read.entries(agent_id=sup, commune_id=refs.commune_id, subject_id=kept)
    assert len(person) == 3  # the record merged into this one counts as the person's
    assert len(read.entries(agent_id=sup, commune_id=refs.commune_id, subject_id=merged)) == 1
    changed = read.entries(agent_id=sup, commune_id=refs.commune_id, action=AuditAction.RECORD_CHANGED)
    assert [r.subject_id for r in changed] == [kept]
    window = read.entries(
        agent_id=sup, commune_id=refs.commune_id, since=t0 + timedelta(days=1), until=t0 + timedelta(days=6)
    )
    assert [r.action for r in window] == [AuditAction.RECORD_CHANGED]
    with pytest.raises(ValidationError):
        read.entries(agent_id=sup, commune_id=refs.commune_id, since=t0, until=t0)
    assert len(read.entries(agent_id=sup, commune_id=refs.commune_id, subject_id=kept, limit=2)) == 2


def test_csv_is_french_and_readable_by_a_spreadsheet(demo_db: Database, services: Services, refs: DemoRefs) -> None:
    citizen = _citizen(demo_db)
    services.audit.record_view(citizen_id=citizen, agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"])
    data = rows_csv(services.audit.entries(agent_id=refs.agents["sperrin"], commune_id=refs.commune_id))
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Date et heure;Action;Agent;Site;Objet;Détail"
    assert "Consultation d'une fiche;Marie Durand;Hôtel de ville;Fiche usager — Mme LEFÈVRE Hélène" in text
