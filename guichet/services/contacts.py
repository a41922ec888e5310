"""Contacts: every exchange with a citizen, whatever the channel, qualified and journaled."""

from __future__ import annotations

import uuid
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from guichet.db import Database
from guichet.domain import Channel, Outcome, Role
from guichet.models import (
    Agent,
    AnswerSheet,
    Citizen,
    Contact,
    ExternalBody,
    FollowUpRequest,
    MunicipalService,
    Theme,
    Ticket,
)
from guichet.services import clock
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.requests import RequestService
from guichet.services.requests_types import RequestInput

MAX_DURATION_S = 8 * 3600
# Channels whose answer goes back in writing: the sender must be known.
_NEEDS_CITIZEN = {
    Channel.MAIL: "Un courrier doit être rattaché à son expéditeur : recherchez ou créez le citoyen.",
    Channel.EMAIL: "Un courriel doit être rattaché à son expéditeur : recherchez ou créez le citoyen.",
    Channel.SMS: "Un SMS doit être rattaché à son expéditeur : recherchez ou créez le citoyen.",
}
# Outcomes that keep the municipal service named on the form (the others drop it).
_KEEPS_SERVICE = (Outcome.ORIENTED_SERVICE, Outcome.REQUEST_OPENED)


@dataclass(frozen=True)
class ContactInput:
    """What the contact form sends. ``started_at`` defaults to now."""

    channel: Channel | None
    theme_id: uuid.UUID | None
    outcome: Outcome | None
    citizen_id: uuid.UUID | None = None
    subject: str = ""
    notes: str = ""
    oriented_service_id: uuid.UUID | None = None
    oriented_body_id: uuid.UUID | None = None
    started_at: datetime | None = None
    duration_s: int = 0
    ticket_id: uuid.UUID | None = None  # the queue ticket of an in-person visit
    sheet_id: uuid.UUID | None = None  # the answer sheet used (guichet.services.knowledge)


@dataclass(frozen=True)
class ContactRow:
    id: uuid.UUID
    channel: Channel
    started_at: datetime
    duration_s: int
    agent_id: uuid.UUID
    agent_name: str
    citizen_id: uuid.UUID | None
    citizen_name: str
    theme_id: uuid.UUID
    theme_label: str
    subject: str
    notes: str
    outcome: Outcome
    oriented_service_id: uuid.UUID | None
    oriented_body_id: uuid.UUID | None
    orientation_label: str
    ticket_id: uuid.UUID | None = None
    request_id: uuid.UUID | None = None  # the follow-up request this contact opened (outcome "demande ouverte")
    request_reference: str = ""
    request_due_on: date | None = None
    sheet_id: uuid.UUID | None = None  # the answer sheet used


@dataclass(frozen=True)
class Journal:
    day: date
    rows: tuple[ContactRow, ...]
    # Counts for the day under every filter except the channel one, so the agent sees the spread.
    counts_by_channel: dict[Channel, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts_by_channel.values())


class ContactService:
    def __init__(self, db: Database, requests: RequestService | None = None) -> None:
        self._db = db
        self._requests = requests or RequestService(db)

    def log(
        self, *, agent_id: uuid.UUID, site_id: uuid.UUID, data: ContactInput, contact_id: uuid.UUID | None = None
    ) -> ContactRow:
        """Record one contact in one transaction and return it as the journal shows it.

        ``contact_id`` (made by the caller) makes a repeated call harmless: a contact already recorded under it
        is returned as it is (a desk that sends again what it kept while the site's hub was out of reach).
        """
        now = clock.now()
        with self._db.write() as s:
            if contact_id is not None:
                known = s.get(Contact, contact_id)
                if known is not None:
                    if known.agent_id != agent_id or known.site_id != site_id:
                        raise NotAllowedError("Cet identifiant de contact est déjà pris par un autre contact.")
                    return self._row(s, known.id)
            self._check(s, data, now)
            contact = Contact(site_id=site_id, agent_id=agent_id)
            if contact_id is not None:
                contact.id = contact_id
            self._apply(contact, data, now)
            s.add(contact)
            s.flush()
            return self._with_request(s, contact, agent_id, site_id)

    def update(self, *, contact_id: uuid.UUID, agent_id: uuid.UUID, data: ContactInput) -> ContactRow:
        """Correct a contact on the day it was logged, by its author or a supervisor."""
        now = clock.now()
        with self._db.write() as s:
            contact = s.get(Contact, contact_id)
            if contact is None or contact.deleted_at is not None:
                raise NotFoundError("Ce contact n'existe pas ou a été supprimé.")
            if clock.local_day(contact.created_at) != clock.local_day(now):
                raise NotAllowedError("Un contact ne peut être modifié que le jour où il a été saisi.")
            editor = s.get(Agent, agent_id)
            if editor is None or (contact.agent_id != agent_id and editor.role is Role.AGENT):
                raise NotAllowedError("Seul l'agent qui a saisi ce contact, ou un superviseur, peut le modifier.")
            self._check(s, data, now)
            self._apply(contact, data, now, keep_start=True)
            s.flush()
            return self._with_request(s, contact, agent_id, contact.site_id)

    def journal(
        self,
        *,
        site_id: uuid.UUID,
        day: date,
        channel: Channel | None = None,
        theme_id: uuid.UUID | None = None,
        agent_id: uuid.UUID | None = None,
        outcome: Outcome | None = None,
    ) -> Journal:
        """The contacts of one site on one Paris day, newest first, with counts by channel."""
        start, end = clock.day_bounds(day)
        with self._db.read() as s:
            query = self._row_query().where(
                Contact.site_id == site_id,
                Contact.started_at >= start,
                Contact.started_at < end,
                Contact.deleted_at.is_(None),
            )
            if theme_id is not None:
                children = select(Theme.id).where(Theme.parent_id == theme_id)
                query = query.where((Contact.theme_id == theme_id) | Contact.theme_id.in_(children))
            if agent_id is not None:
                query = query.where(Contact.agent_id == agent_id)
            if outcome is not None:
                query = query.where(Contact.outcome == outcome)
            rows = [self._to_row(r) for r in s.execute(query.order_by(Contact.started_at.desc()))]
        counts = Tally(r.channel for r in rows)
        if channel is not None:
            rows = [r for r in rows if r.channel is channel]
        return Journal(day=day, rows=tuple(rows), counts_by_channel={c: counts.get(c, 0) for c in Channel})

    # -- internals ---------------------------------------------------------------------------------

    def _with_request(self, s: Session, contact: Contact, agent_id: uuid.UUID, site_id: uuid.UUID) -> ContactRow:
        """The contact's row; when its outcome is "demande ouverte", the request it opens, in the same
        transaction (a contact corrected to that outcome later opens it then, once)."""
        row = self._row(s, contact.id)
        if contact.outcome is not Outcome.REQUEST_OPENED or row.request_id is not None:
            return row
        theme = s.get(Theme, contact.theme_id)
        subject = contact.subject or (contact.notes.splitlines()[0][:200] if contact.notes else "")
        try:
            self._requests.open_in(
                s,
                agent_id=agent_id,
                site_id=site_id,
                data=RequestInput(
                    channel=contact.channel, theme_id=contact.theme_id, subject=subject or theme.label,
                    citizen_id=contact.citizen_id, description=contact.notes,
                    service_id=contact.oriented_service_id, received_on=clock.local_day(contact.started_at),
                    contact_id=contact.id,
                ),
            )  # fmt: skip
        except ValidationError as e:
            # Said in the words of the contact form: its fields, not the request's.
            fields = {"service": "orientation", "received_on": "started_at"}
            messages = {fields.get(k, k): v for k, v in e.errors.items()}
            if "citizen" in messages:
                messages["citizen"] = "Une demande ouverte appelle une réponse écrite : recherchez ou créez le citoyen."
            raise ValidationError(messages) from None
        s.flush()
        return self._row(s, contact.id)

    @staticmethod
    def _check(s: Session, data: ContactInput, now: datetime) -> None:
        errors: dict[str, str] = {}
        if data.channel is None:
            errors["channel"] = "Choisissez le canal du contact."
        if data.theme_id is None:
            errors["theme"] = "Choisissez un thème."
        else:
            theme = s.get(Theme, data.theme_id)
            if theme is None or theme.deleted_at is not None:
                errors["theme"] = "Ce thème n'existe plus : choisissez-en un autre."
        if data.outcome is None:
            errors["outcome"] = "Indiquez la suite donnée au contact."
        elif data.outcome is Outcome.ORIENTED_SERVICE and data.oriented_service_id is None:
            errors["orientation"] = "Indiquez le service vers lequel le citoyen est orienté."
        elif data.outcome is Outcome.ORIENTED_EXTERNAL and data.oriented_body_id is None:
            errors["orientation"] = "Indiquez l'organisme extérieur vers lequel le citoyen est orienté."
        # The lists of the form may be older than a deletion (by a supervisor, by sync): check what will be kept.
        elif data.outcome is Outcome.ORIENTED_EXTERNAL:
            body = s.get(ExternalBody, data.oriented_body_id)
            if body is None or body.deleted_at is not None:
                errors["orientation"] = "Cet organisme n'existe plus : choisissez-en un autre."
        elif data.outcome in _KEEPS_SERVICE and data.oriented_service_id is not None:
            service = s.get(MunicipalService, data.oriented_service_id)
            if service is None or service.deleted_at is not None:
                errors["orientation"] = "Ce service n'existe plus : choisissez-en un autre."
        if data.channel in _NEEDS_CITIZEN and data.citizen_id is None:
            errors["citizen"] = _NEEDS_CITIZEN[data.channel]
        if data.citizen_id is not None:
            citizen = s.get(Citizen, data.citizen_id)
            if citizen is None or citizen.deleted_at is not None:
                errors["citizen"] = "Ce citoyen n'existe plus : recherchez-le à nouveau."
            elif data.channel is Channel.EMAIL and not citizen.email:
                errors["citizen"] = "Pour un courriel, la fiche du citoyen doit comporter son adresse électronique."
            elif data.channel is Channel.SMS and not citizen.phone:
                errors["citizen"] = "Pour un SMS, la fiche du citoyen doit comporter son numéro de téléphone."
        if data.ticket_id is not None:
            ticket = s.get(Ticket, data.ticket_id)
            if ticket is None or ticket.deleted_at is not None:
                errors["ticket"] = "Ce ticket n'existe pas : enregistrez le contact sans ticket."
        if data.sheet_id is not None:
            sheet = s.get(AnswerSheet, data.sheet_id)
            if sheet is None or sheet.deleted_at is not None:
                errors["sheet"] = (
                    "Cette fiche n'existe plus : enregistrez le contact sans fiche, ou choisissez-en une autre."
                )
        if len(data.subject) > 200:
            errors["subject"] = "L'objet ne doit pas dépasser 200 caractères."
        if not 0 <= data.duration_s <= MAX_DURATION_S:
            errors["duration"] = "La durée doit être comprise entre 0 et 8 heures."
        if data.started_at is not None and data.started_at > now + timedelta(minutes=5):
            errors["started_at"] = "L'heure du contact ne peut pas être dans le futur."
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _apply(contact: Contact, data: ContactInput, now: datetime, keep_start: bool = False) -> None:
        contact.channel = data.channel
        if not keep_start or data.started_at is not None:
            contact.started_at = data.started_at or now
        contact.duration_s = data.duration_s
        contact.citizen_id = data.citizen_id
        contact.theme_id = data.theme_id
        contact.subject = data.subject.strip()
        contact.notes = data.notes.strip()
        contact.outcome = data.outcome
        # Only the orientation that matches the outcome is kept.
        contact.oriented_service_id = data.oriented_service_id if data.outcome in _KEEPS_SERVICE else None
        contact.oriented_body_id = data.oriented_body_id if data.outcome is Outcome.ORIENTED_EXTERNAL else None
        contact.ticket_id = data.ticket_id
        contact.sheet_id = data.sheet_id

    _svc = aliased(MunicipalService)
    _body = aliased(ExternalBody)

    @classmethod
    def _row_query(cls):  # noqa: ANN206
        # Plain columns, not ORM entities: a day of 600 contacts builds in a third of the time.
        return (
            select(
                Contact.id,
                Contact.channel,
                Contact.started_at,
                Contact.duration_s,
                Contact.agent_id,
                Contact.citizen_id,
                Contact.theme_id,
                Contact.subject,
                Contact.notes,
                Contact.outcome,
                Contact.oriented_service_id,
                Contact.oriented_body_id,
                Contact.ticket_id,
                Contact.sheet_id,
                Agent.first_name.label("agent_first"),
                Agent.last_name.label("agent_last"),
                Citizen.civility,
                Citizen.last_name.label("citizen_last"),
                Citizen.first_names.label("citizen_first"),
                Theme.label.label("theme_label"),
                cls._svc.name.label("service_name"),
                cls._body.name.label("body_name"),
                FollowUpRequest.id.label("request_id"),
                FollowUpRequest.reference.label("request_reference"),
                FollowUpRequest.due_on.label("request_due_on"),
            )
            .join(Agent, Agent.id == Contact.agent_id)
            .join(Theme, Theme.id == Contact.theme_id)
            .outerjoin(Citizen, Citizen.id == Contact.citizen_id)
            .outerjoin(cls._svc, cls._svc.id == Contact.oriented_service_id)
            .outerjoin(cls._body, cls._body.id == Contact.oriented_body_id)
            .outerjoin(FollowUpRequest, FollowUpRequest.contact_id == Contact.id)
        )

    @staticmethod
    def _to_row(r) -> ContactRow:  # noqa: ANN001
        civility = r.civility.value if r.civility else ""
        citizen = " ".join(p for p in (civility, (r.citizen_last or "").upper(), r.citizen_first or "") if p)
        return ContactRow(
            id=r.id,
            channel=r.channel,
            started_at=r.started_at,
            duration_s=r.duration_s,
            agent_id=r.agent_id,
            agent_name=f"{r.agent_first} {r.agent_last}",
            citizen_id=r.citizen_id,
            citizen_name=citizen,
            theme_id=r.theme_id,
            theme_label=r.theme_label,
            subject=r.subject,
            notes=r.notes,
            outcome=r.outcome,
            oriented_service_id=r.oriented_service_id,
            oriented_body_id=r.oriented_body_id,
            orientation_label=r.service_name or r.body_name or "",
            ticket_id=r.ticket_id,
            request_id=r.request_id,
            request_reference=r.request_reference or "",
            request_due_on=r.request_due_on,
            sheet_id=r.sheet_id,
        )

    def _row(self, s: Session, contact_id: uuid.UUID) -> ContactRow:
        return self._to_row(s.execute(self._row_query().where(Contact.id == contact_id)).one())
