"""Merging two records of one person, and the history of a record across channels.

A merge keeps one record and moves every link of the other onto it, in one transaction: contacts (those this
site holds), requests and letters (the commune's), household memberships and consents. Empty fields of the
kept record are filled from the other. The other record becomes a tombstone (``deleted_at``) that points at
the kept one (``merged_into_id``): what other sites logged with it while offline (their contacts are theirs,
this site neither holds nor may change them) still leads to the right person, and the history of the kept
record includes it. The audit log is history: its entries keep the record they were written about. One
RECORDS_MERGED entry names both records and what moved (counts and field names, never values).

Supervisors (and administrators) merge; agents see the possible duplicates and point them out. A merge is
hard to undo by hand (links from both records are mixed afterwards): it deserves a second pair of eyes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import AuditAction, Channel, Civility, MailType, Role
from guichet.models import (
    Agent,
    Appointment,
    Citizen,
    CitizenConsent,
    Contact,
    FollowUpRequest,
    HouseholdMember,
    MailItem,
    Theme,
)
from guichet.services.citizen_types import CitizenSummary, HistoryItem, summary
from guichet.services.citizens import FIELD_LABELS, audit, reindex
from guichet.services.clock import now as clock_now
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError

HISTORY_LIMIT = 500
# Fields filled from the dropped record when empty on the kept one (the address as a whole).
_FILLED = ("birth_name", "birth_date", "first_names", "email", "preferred_channel")


@dataclass(frozen=True)
class MergeResult:
    kept: CitizenSummary
    dropped_id: uuid.UUID
    moved: dict[str, int]  # table -> rows moved onto the kept record
    filled: tuple[str, ...]  # French labels of the fields completed


def merged_ids(s: Session, citizen_id: uuid.UUID) -> list[uuid.UUID]:
    """The record and every record merged into it, directly or through another merge."""
    ids, frontier = [citizen_id], [citizen_id]
    while frontier and len(ids) < 100:
        frontier = list(s.scalars(select(Citizen.id).where(Citizen.merged_into_id.in_(frontier))))
        ids += [i for i in frontier if i not in ids]
    return ids


def _fill(keep: Citizen, drop: Citizen) -> list[str]:
    filled = []
    for field in _FILLED:
        if not getattr(keep, field) and getattr(drop, field):
            setattr(keep, field, getattr(drop, field))
            filled.append(field)
    if keep.civility is Civility.UNSPECIFIED and drop.civility is not Civility.UNSPECIFIED:
        keep.civility = drop.civility
        filled.append("civility")
    numbers = [n for n in (keep.phone, keep.phone2) if n]
    for n in (drop.phone, drop.phone2):
        if n and n not in numbers and len(numbers) < 2:
            numbers.append(n)
            filled.append("phone" if len(numbers) == 1 else "phone2")
    keep.phone, keep.phone2 = (numbers + ["", ""])[:2]
    if not keep.address and drop.address:
        keep.address, keep.postal_code, keep.city = drop.address, drop.postal_code, drop.city
        filled.append("address")
    return filled


class MergeService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def merge(self, *, keep_id: uuid.UUID, drop_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID) -> MergeResult:
        """Merge record ``drop_id`` into ``keep_id`` (supervisors): every link moves, one transaction."""
        if keep_id == drop_id:
            raise ValidationError({"merge": "Choisissez deux fiches différentes."})
        with self._db.write() as s:
            agent = s.get(Agent, agent_id)
            if agent is None or agent.role not in (Role.SUPERVISOR, Role.ADMIN):  # the role as the database says
                raise NotAllowedError(
                    "Seul un superviseur peut fusionner deux fiches : signalez-lui ce doublon possible."
                )
            keep, drop = s.get(Citizen, keep_id), s.get(Citizen, drop_id)
            for c in (keep, drop):
                if c is None or c.deleted_at is not None:
                    raise NotFoundError("Une des deux fiches n'existe plus (déjà fusionnée ou supprimée ?).")
                if c.anonymised_at is not None:
                    raise ValidationError({"merge": "Une fiche anonymisée ne peut pas être fusionnée."})
            now = clock_now()
            moved = {}
            for model in (Contact, FollowUpRequest, MailItem, CitizenConsent):
                result = s.execute(
                    update(model).where(model.citizen_id == drop.id).values(citizen_id=keep.id, updated_at=now)
                )
                moved[model.__tablename__] = result.rowcount
            # Appointments belong to their agenda's site: only this site's are moved (another site's would be
            # refused by the central); the others keep the old id, which points to the kept record.
            result = s.execute(
                update(Appointment)
                .where(Appointment.citizen_id == drop.id, Appointment.site_id == site_id)
                .values(citizen_id=keep.id, updated_at=now)
            )
            moved["appointment"] = result.rowcount
            moved["household_member"] = self._move_memberships(s, keep.id, drop.id, now)
            filled = _fill(keep, drop)
            reindex(keep)
            drop.deleted_at = now
            drop.merged_into_id = keep.id
            labels = tuple(FIELD_LABELS[f] for f in filled)
            counts = ", ".join(f"{n} {_TABLE_WORDS[t]}" for t, n in moved.items() if n) or "aucun lien"
            detail = f"fiche {drop.id} fusionnée dans la fiche {keep.id} ; déplacés : {counts}"
            if labels:
                detail += " ; champs complétés : " + ", ".join(labels)
            audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORDS_MERGED, citizen_id=keep.id,
                  detail=detail)  # fmt: skip
            s.flush()
            return MergeResult(summary(keep), drop.id, moved, labels)

    @staticmethod
    def _move_memberships(s: Session, keep_id: uuid.UUID, drop_id: uuid.UUID, now) -> int:  # noqa: ANN001
        kept_in = set(
            s.scalars(
                select(HouseholdMember.household_id).where(
                    HouseholdMember.citizen_id == keep_id, HouseholdMember.deleted_at.is_(None)
                )
            )
        )
        moved = 0
        for m in s.scalars(select(HouseholdMember).where(HouseholdMember.citizen_id == drop_id)):
            if m.deleted_at is None and m.household_id in kept_in:
                m.deleted_at = now  # already a member there: one membership is enough
            else:
                m.citizen_id = keep_id
                kept_in.add(m.household_id)
            moved += 1
        return moved

    def history(self, *, citizen_id: uuid.UUID, limit: int = HISTORY_LIMIT) -> list[HistoryItem]:
        """Every exchange with the citizen, newest first: contacts logged at this site, the commune's requests and
        letters, including those of records merged into this one."""
        with self._db.read() as s:
            ids = merged_ids(s, citizen_id)
            agents = {a.id: f"{a.first_name} {a.last_name}" for a in s.scalars(select(Agent))}
            items: list[HistoryItem] = []
            contacts = s.execute(
                select(Contact, Theme.label)
                .join(Theme, Theme.id == Contact.theme_id)
                .where(Contact.citizen_id.in_(ids), Contact.deleted_at.is_(None))
                .order_by(Contact.started_at.desc())
                .limit(limit)
            ).all()
            opened_by_contact = dict(
                s.execute(
                    select(FollowUpRequest.contact_id, FollowUpRequest.id).where(
                        FollowUpRequest.contact_id.in_([c.id for c, _ in contacts])
                    )
                ).all()
            )
            for c, theme in contacts:
                items.append(
                    HistoryItem(
                        at=c.started_at, kind="Contact", channel=c.channel, subject=c.subject or theme,
                        agent_name=agents.get(c.agent_id, ""), detail=c.outcome.short_label,
                        request_id=opened_by_contact.get(c.id),
                    )
                )  # fmt: skip
            for r in s.scalars(
                select(FollowUpRequest)
                .where(FollowUpRequest.citizen_id.in_(ids), FollowUpRequest.deleted_at.is_(None))
                .order_by(FollowUpRequest.opened_at.desc())
                .limit(limit)
            ):
                items.append(
                    HistoryItem(
                        at=r.opened_at, kind="Demande", channel=r.channel, subject=r.subject,
                        agent_name=agents.get(r.opened_by, ""), detail=f"{r.reference} — {r.status.label}",
                        request_id=r.id, reference=r.reference,
                    )
                )  # fmt: skip
            for m in s.scalars(
                select(MailItem)
                .where(MailItem.citizen_id.in_(ids), MailItem.deleted_at.is_(None))
                .order_by(MailItem.registered_at.desc())
                .limit(limit)
            ):
                channel = Channel.EMAIL if m.mail_type is MailType.EMAIL else Channel.MAIL
                items.append(
                    HistoryItem(
                        at=m.registered_at, kind="Courrier", channel=channel, subject=m.subject,
                        agent_name=agents.get(m.registered_by, ""), detail=f"{m.chrono} — {m.direction.label}",
                        request_id=m.request_id, reference=m.chrono,
                    )
                )  # fmt: skip
        items.sort(key=lambda i: i.at, reverse=True)
        return items[:limit]


_TABLE_WORDS = {
    "contact": "contact(s)",
    "request": "demande(s)",
    "mail_item": "courrier(s)",
    "citizen_consent": "consentement(s)",
    "appointment": "rendez-vous",
    "household_member": "appartenance(s) à un foyer",
}
