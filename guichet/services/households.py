"""Households ("foyers"): who lives together, in which role, at which shared address.

The household's address is the one its members' letters go to: joining a household with an address, or a change
of that address, writes it on each member's record (in the same transaction, noted in the audit log), so every
channel and every letter uses it without looking households up. A member who moves out leaves the household
(a tombstone: the membership stays in the history) and gets their own address on their record.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import AuditAction, HouseholdRole
from guichet.models import Citizen, Household, HouseholdMember, Site
from guichet.services.citizen_types import HouseholdView, MemberRow, summary
from guichet.services.citizens import audit, reindex
from guichet.services.clock import now as clock_now
from guichet.services.errors import NotFoundError, ValidationError

_ROLE_ORDER = {HouseholdRole.PARENT: 0, HouseholdRole.SPOUSE: 1, HouseholdRole.CHILD: 2, HouseholdRole.OTHER: 3}


def _view(s: Session, h: Household) -> HouseholdView:
    rows = s.execute(
        select(HouseholdMember, Citizen)
        .join(Citizen, Citizen.id == HouseholdMember.citizen_id)
        .where(HouseholdMember.household_id == h.id, HouseholdMember.deleted_at.is_(None))
    ).all()
    members = sorted(
        (MemberRow(m.id, summary(c), m.role, m.since) for m, c in rows),
        key=lambda r: (_ROLE_ORDER[r.role], r.citizen.birth_date or date.max, r.citizen.first_names),
    )
    return HouseholdView(h.id, h.name, h.address, h.postal_code, h.city, tuple(members))


def household_views(s: Session, citizen_id: uuid.UUID) -> tuple[HouseholdView, ...]:
    """The households a citizen belongs to now, with their members."""
    households = s.scalars(
        select(Household)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.citizen_id == citizen_id, HouseholdMember.deleted_at.is_(None))
        .where(Household.deleted_at.is_(None))
        .order_by(Household.name)
    ).all()
    return tuple(_view(s, h) for h in households)


def _follow_address(s: Session, h: Household, c: Citizen, agent_id: uuid.UUID, site_id: uuid.UUID) -> None:
    if not h.address or (c.address, c.postal_code, c.city) == (h.address, h.postal_code, h.city):
        return
    c.address, c.postal_code, c.city = h.address, h.postal_code, h.city
    reindex(c)
    audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_CHANGED, citizen_id=c.id,
          detail=f"champs modifiés : adresse (celle du foyer « {h.name} »)")  # fmt: skip


class HouseholdService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, *, household_id: uuid.UUID) -> HouseholdView:
        with self._db.read() as s:
            h = s.get(Household, household_id)
            if h is None or h.deleted_at is not None:
                raise NotFoundError("Ce foyer n'existe pas.")
            return _view(s, h)

    def create(
        self, *, citizen_id: uuid.UUID, role: HouseholdRole, agent_id: uuid.UUID, site_id: uuid.UUID, name: str = "",
        address: str | None = None, postal_code: str | None = None, city: str | None = None,
    ) -> HouseholdView:  # fmt: skip
        """A household around one citizen (its first member); by default named after them, at their address."""
        with self._db.write() as s:
            c = s.get(Citizen, citizen_id)
            if c is None or c.deleted_at is not None:
                raise NotFoundError("Ce citoyen n'existe pas ou a été supprimé.")
            site = s.get(Site, site_id)
            if site is None:
                raise NotFoundError("Site inconnu.")
            values = _clean(
                name or f"Foyer {c.last_name.upper()}",
                c.address if address is None else address,
                c.postal_code if postal_code is None else postal_code,
                c.city if city is None else city,
            )
            h = Household(commune_id=site.commune_id, **values)
            s.add(h)
            s.flush()
            s.add(HouseholdMember(commune_id=site.commune_id, household_id=h.id, citizen_id=c.id, role=role,
                                  since=None))  # fmt: skip
            audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_CHANGED, citizen_id=c.id,
                  detail=f"foyer « {h.name} » créé ({role.label})")  # fmt: skip
            _follow_address(s, h, c, agent_id, site_id)
            s.flush()
            return _view(s, h)

    def update(
        self, *, household_id: uuid.UUID, name: str, address: str, postal_code: str, city: str,
        agent_id: uuid.UUID, site_id: uuid.UUID,
    ) -> HouseholdView:  # fmt: skip
        """Rename the household or change its address (which every member's record follows)."""
        with self._db.write() as s:
            h = s.get(Household, household_id)
            if h is None or h.deleted_at is not None:
                raise NotFoundError("Ce foyer n'existe pas.")
            for field, value in _clean(name, address, postal_code, city).items():
                setattr(h, field, value)
            s.flush()
            for member in _view(s, h).members:
                _follow_address(s, h, s.get(Citizen, member.citizen.id), agent_id, site_id)
            s.flush()
            return _view(s, h)

    def add_member(
        self, *, household_id: uuid.UUID, citizen_id: uuid.UUID, role: HouseholdRole, agent_id: uuid.UUID,
        site_id: uuid.UUID, since: date | None = None,
    ) -> HouseholdView:  # fmt: skip
        """Someone joins the household in a role; their address becomes the household's."""
        with self._db.write() as s:
            h = s.get(Household, household_id)
            c = s.get(Citizen, citizen_id)
            if h is None or h.deleted_at is not None:
                raise NotFoundError("Ce foyer n'existe pas.")
            if c is None or c.deleted_at is not None:
                raise NotFoundError("Ce citoyen n'existe pas ou a été supprimé.")
            already = s.scalar(
                select(HouseholdMember.id).where(
                    HouseholdMember.household_id == h.id,
                    HouseholdMember.citizen_id == c.id,
                    HouseholdMember.deleted_at.is_(None),
                )  # fmt: skip
            )
            if already is not None:
                raise ValidationError({"member": f"{summary(c).display_name} fait déjà partie de ce foyer."})
            s.add(HouseholdMember(commune_id=h.commune_id, household_id=h.id, citizen_id=c.id, role=role,
                                  since=since))  # fmt: skip
            audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_CHANGED, citizen_id=c.id,
                  detail=f"ajouté(e) au foyer « {h.name} » ({role.label})")  # fmt: skip
            _follow_address(s, h, c, agent_id, site_id)
            s.flush()
            return _view(s, h)

    def remove_member(self, *, member_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID) -> HouseholdView:
        """Someone leaves the household (the membership is kept as history)."""
        with self._db.write() as s:
            m = s.get(HouseholdMember, member_id)
            if m is None or m.deleted_at is not None:
                raise NotFoundError("Ce membre ne fait plus partie du foyer.")
            m.deleted_at = clock_now()
            h = s.get(Household, m.household_id)
            audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_CHANGED, citizen_id=m.citizen_id,
                  detail=f"retiré(e) du foyer « {h.name} »")  # fmt: skip
            s.flush()
            return _view(s, h)


def _clean(name: str, address: str, postal_code: str, city: str) -> dict:
    errors = {}
    name = " ".join(name.split())
    if not name:
        errors["household_name"] = "Donnez un nom au foyer (par exemple « Foyer BENALI »)."
    elif len(name) > 150:
        errors["household_name"] = "Le nom du foyer ne doit pas dépasser 150 caractères."
    postal_code = postal_code.strip()
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        errors["household_postal_code"] = "Le code postal doit comporter 5 chiffres."
    if errors:
        raise ValidationError(errors)
    return {"name": name, "address": address.strip(), "postal_code": postal_code, "city": city.strip()}
