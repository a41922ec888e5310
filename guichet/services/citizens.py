"""Citizens: found as the agent types (typing mistakes forgiven), created once (duplicates caught), kept up to
date, their record opened (the audit log notes who looked), their consents dated.

The site holds only its commune's citizens (the central database hands it nothing else, under row-level
security): an agent sees and edits the citizens of their own commune only, by the scope of the data itself.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import AuditAction, Civility, ConsentKind, PreferredChannel
from guichet.models import Agent, Citizen, CitizenConsent, Site
from guichet.services.audit import record_by
from guichet.services.citizen_types import (
    CitizenRecord,
    CitizenSummary,
    ConsentRow,
    citizen_search_text,
    summary,
)
from guichet.services.clock import local_day
from guichet.services.clock import now as clock_now
from guichet.services.dedup import DuplicateMatch, DuplicateSuspected, Person, find_duplicates
from guichet.services.errors import NotFoundError, ValidationError
from guichet.services.fuzzy import neighbours, typo_candidates
from guichet.services.validation import EMAIL_MESSAGE, PHONE_MESSAGE, normalize_email, normalize_phone
from guichet.text import digits, fold, fts_prefix_query

__all__ = [
    "CitizenService",
    "CitizenSummary",
    "DuplicateMatch",
    "DuplicateSuspected",
    "audit",
    "citizen_search_text",
    "search_terms",
    "summary",
]

SORT_CAP = 2000
_PHONE_LIKE = re.compile(r"^[+0-9 .\-/()]{2,}$")
EDITABLE = (
    "civility", "last_name", "birth_name", "first_names", "birth_date", "phone", "phone2", "email", "address",
    "postal_code", "city", "preferred_channel",
)  # fmt: skip
FIELD_LABELS = {
    "civility": "civilité", "last_name": "nom", "birth_name": "nom de naissance", "first_names": "prénoms",
    "birth_date": "date de naissance", "phone": "téléphone", "phone2": "second téléphone", "email": "courriel",
    "address": "adresse", "postal_code": "code postal", "city": "ville", "preferred_channel": "canal préféré",
}  # fmt: skip
_SEARCH_SQL = (
    "SELECT c.* FROM (SELECT rowid FROM citizen_fts WHERE citizen_fts MATCH :match LIMIT :cap) f "
    "JOIN citizen c ON c.rowid = f.rowid WHERE c.deleted_at IS NULL "
    "ORDER BY c.search_text, c.id LIMIT :limit"
)


def search_terms(query: str) -> list[str]:
    """What the agent typed, as index words: folded names, or one phone number's digits."""
    if _PHONE_LIKE.match(query.strip()) and len(digits(query)) >= 2:
        number = digits(query)
        if query.strip().startswith("+33") or number.startswith("0033"):
            number = "0" + number[(2 if query.strip().startswith("+") else 4) :].lstrip("0")
        return [number]
    # A stray letter beside real words (an initial, the "d" of "d'Angelo" typed "d angelo") only narrows
    # the list to nobody in particular; alone, it is kept (some names are one letter long).
    words = fold(query).split()
    longer = [w for w in words if len(w) > 1]
    return longer or words


def audit(
    s: Session, *, agent_id: uuid.UUID, site_id: uuid.UUID, action: AuditAction, citizen_id: uuid.UUID | None,
    detail: str = "",
) -> None:  # fmt: skip
    """One audit entry in the caller's transaction (who, where, what, on which record; never the values)."""
    site = s.get(Site, site_id)
    agent = s.get(Agent, agent_id)
    if site is None or agent is None:
        raise NotFoundError("Agent ou site inconnu : l'action n'a pas été enregistrée.")
    record_by(s, agent, site, action, subject_table="citizen" if citizen_id else "", subject_id=citizen_id,
              detail=detail, at=clock_now())  # fmt: skip


def _live(s: Session, citizen_id: uuid.UUID) -> Citizen:
    c = s.get(Citizen, citizen_id)
    if c is None or c.deleted_at is not None:
        raise NotFoundError("Ce citoyen n'existe pas ou a été supprimé.")
    return c


def _clean(
    *, last_name: str, first_names: str, phone: str, phone2: str, email: str, address: str, postal_code: str,
    city: str, preferred_channel: PreferredChannel | None, birth_name: str, birth_date: date | None,
) -> dict:  # fmt: skip
    """The values to store, or ValidationError naming each field at fault (French)."""
    errors: dict[str, str] = {}
    last_name = " ".join(last_name.split())
    first_names = " ".join(first_names.split())
    birth_name = " ".join(birth_name.split())
    if not last_name:
        errors["last_name"] = "Le nom est obligatoire."
    elif len(last_name) > 100:
        errors["last_name"] = "Le nom ne doit pas dépasser 100 caractères."
    if len(first_names) > 150:
        errors["first_names"] = "Les prénoms ne doivent pas dépasser 150 caractères."
    if len(birth_name) > 100:
        errors["birth_name"] = "Le nom de naissance ne doit pas dépasser 100 caractères."
    numbers = {}
    for field, raw in (("phone", phone), ("phone2", phone2)):
        numbers[field] = ""
        if raw.strip():
            numbers[field] = normalize_phone(raw) or ""
            if not numbers[field]:
                errors[field] = PHONE_MESSAGE
    if not numbers["phone"] and numbers["phone2"]:  # one number: it is the main one
        numbers = {"phone": numbers["phone2"], "phone2": ""}
    email_norm = ""
    if email.strip():
        email_norm = normalize_email(email) or ""
        if not email_norm:
            errors["email"] = EMAIL_MESSAGE
    postal_code = postal_code.strip()
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        errors["postal_code"] = "Le code postal doit comporter 5 chiffres."
    if birth_date is not None:
        if birth_date > local_day(clock_now()):
            errors["birth_date"] = "La date de naissance est dans le futur."
        elif birth_date.year < 1900:
            errors["birth_date"] = "La date de naissance est antérieure à 1900 : vérifiez l'année."
    if preferred_channel is PreferredChannel.EMAIL and not email_norm and "email" not in errors:
        errors["email"] = "Le canal préféré est le courriel : indiquez une adresse électronique."
    if preferred_channel in (PreferredChannel.SMS, PreferredChannel.PHONE) and not numbers["phone"]:
        errors.setdefault("phone", "Le canal préféré demande un numéro de téléphone.")
    if preferred_channel is PreferredChannel.POST and not address.strip():
        errors["address"] = "Le canal préféré est le courrier : indiquez une adresse postale."
    if errors:
        raise ValidationError(errors)
    if fold(birth_name) == fold(last_name):
        birth_name = ""  # the same name twice says nothing more
    return {
        "last_name": last_name, "first_names": first_names, "birth_name": birth_name, "birth_date": birth_date,
        "phone": numbers["phone"], "phone2": numbers["phone2"], "email": email_norm, "address": address.strip(),
        "postal_code": postal_code, "city": city.strip(), "preferred_channel": preferred_channel,
    }  # fmt: skip


def reindex(c: Citizen) -> None:
    c.search_text = citizen_search_text(
        last_name=c.last_name, first_names=c.first_names, phone=c.phone, email=c.email, address=c.address,
        birth_name=c.birth_name or "", phone2=c.phone2 or "",
    )  # fmt: skip


def _person(values: dict) -> Person:
    return Person(
        last_name=values["last_name"], first_names=values["first_names"], birth_name=values["birth_name"],
        birth_date=values["birth_date"], phones=tuple(p for p in (values["phone"], values["phone2"]) if p),
        email=values["email"], address=values["address"], postal_code=values["postal_code"],
    )  # fmt: skip


class CitizenService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- finding ---------------------------------------------------------------------------------------

    def search(self, *, query: str, limit: int = 20) -> list[CitizenSummary]:
        """Citizens whose name, phone, e-mail or address words start with every word typed; when that finds
        nobody, those matching once a typing mistake (one letter per word of 4 letters or more) is forgiven."""
        terms = search_terms(query)
        if not terms:
            return []
        match = fts_prefix_query(terms)
        # search_text starts with the folded last name, then first names: ordering on it is alphabetical
        # regardless of case and accents, and done before LIMIT, so "Évrard" is not cut in favour of "Ezzine".
        # Only the first SORT_CAP matches are sorted: a two-letter prefix can match most of the town, and
        # sorting 100,000 rows to show 20 costs 40 ms a keystroke; the agent types one more letter anyway.
        with self._db.read() as s:
            found = list(self._fts(s, match, limit))
            # Only when nothing matches: a name that exists as typed ("Lefevre") must not bring its neighbours
            # ("Lefebvre") into the list the agent picks from.
            if not found and any(typo_candidates(t) for t in terms):
                fuzzy = self._typo_match(s, terms)
                if fuzzy:
                    found = self._fts(s, fuzzy, limit)
            return [summary(c) for c in found]

    @staticmethod
    def _fts(s: Session, match: str, limit: int) -> list[Citizen]:
        return list(
            s.scalars(
                select(Citizen).from_statement(text(_SEARCH_SQL)), {"match": match, "limit": limit, "cap": SORT_CAP}
            ).all()
        )

    @staticmethod
    def _typo_match(s: Session, terms: list[str]) -> str:
        """The query again, each long word also allowed as the index words one edit away ("" if none)."""
        parts, widened = [], False
        for t in terms:
            near = neighbours(s, t)
            widened = widened or bool(near)
            parts.append("(" + " OR ".join([f'"{t}"*', *(f'"{w}"' for w in near)]) + ")" if near else f'"{t}"*')
        return " AND ".join(parts) if widened else ""

    def get(self, *, citizen_id: uuid.UUID) -> CitizenSummary:
        with self._db.read() as s:
            return summary(_live(s, citizen_id))

    def open_record(
        self, *, citizen_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID, viewed: bool = True,
        detail: str = "page Usagers",
    ) -> CitizenRecord:  # fmt: skip
        """The whole record (consents, households, records merged into it). ``viewed``: a person opens it on
        screen, and the audit log notes it in the same transaction (False for a refresh after an edit)."""
        from guichet.services.households import household_views

        with self._db.write() if viewed else self._db.read() as s:
            c = s.get(Citizen, citizen_id)
            if c is None:
                raise NotFoundError("Ce citoyen n'existe pas.")
            if c.deleted_at is not None and c.merged_into_id is not None:
                raise NotFoundError("Cette fiche a été fusionnée dans une autre : ouvrez la fiche conservée.")
            if viewed:
                audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_VIEWED, citizen_id=c.id,
                      detail=detail)  # fmt: skip
            consents = s.execute(
                select(CitizenConsent, Agent.first_name, Agent.last_name)
                .join(Agent, Agent.id == CitizenConsent.agent_id)
                .where(CitizenConsent.citizen_id == c.id, CitizenConsent.deleted_at.is_(None))
                .order_by(CitizenConsent.given_at.desc())
            ).all()
            merged = s.scalars(select(Citizen.id).where(Citizen.merged_into_id == c.id).order_by(Citizen.id)).all()
            return CitizenRecord(
                citizen=summary(c), created_at=c.created_at, updated_at=c.updated_at, anonymised_at=c.anonymised_at,
                consents=tuple(
                    ConsentRow(x.id, x.kind, x.given_at, x.withdrawn_at, f"{first} {last}")
                    for x, first, last in consents
                ),
                households=household_views(s, c.id), merged_from=tuple(merged),
            )  # fmt: skip

    def duplicates_of(self, *, citizen_id: uuid.UUID, min_score: float = 0.5) -> list[DuplicateMatch]:
        """Other live records that may be the same person as this one (the merge tool's list)."""
        with self._db.read() as s:
            return find_duplicates(s, Person.of(_live(s, citizen_id)), exclude=citizen_id, min_score=min_score)

    def check_duplicates(self, **fields) -> list[DuplicateMatch]:  # noqa: ANN003 - the fields of create()
        """What ``create`` would say about these fields, without creating anything (empty: no probable duplicate)."""
        fields.pop("civility", None)
        values = _clean(**{**_BLANK, **fields})
        with self._db.read() as s:
            return find_duplicates(s, _person(values))

    # -- writing ---------------------------------------------------------------------------------------

    def create(
        self,
        *,
        last_name: str,
        first_names: str = "",
        civility: Civility = Civility.UNSPECIFIED,
        phone: str = "",
        email: str = "",
        address: str = "",
        postal_code: str = "",
        city: str = "",
        preferred_channel: PreferredChannel | None = None,
        birth_name: str = "",
        birth_date: date | None = None,
        phone2: str = "",
        agent_id: uuid.UUID | None = None,
        site_id: uuid.UUID | None = None,
        allow_duplicate: bool = False,
    ) -> CitizenSummary:
        """Create a citizen record after checking what was typed; DuplicateSuspected when the person probably
        has a record already (unless ``allow_duplicate``: the agent confirmed). With an agent, the audit log
        notes the creation."""
        values = _clean(
            last_name=last_name, first_names=first_names, phone=phone, phone2=phone2, email=email, address=address,
            postal_code=postal_code, city=city, preferred_channel=preferred_channel, birth_name=birth_name,
            birth_date=birth_date,
        )  # fmt: skip
        citizen = Citizen(civility=civility, **values)
        reindex(citizen)
        with self._db.write() as s:
            matches = find_duplicates(s, _person(values))
            if matches and not allow_duplicate:
                raise DuplicateSuspected(matches)
            s.add(citizen)
            s.flush()
            if agent_id is not None and site_id is not None:
                note = f"doublon possible signalé ({len(matches)} fiche(s)), création confirmée" if matches else ""
                audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_CREATED,
                      citizen_id=citizen.id, detail=note)  # fmt: skip
        return summary(citizen)

    def update(
        self, *, citizen_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID, last_name: str,
        first_names: str = "", civility: Civility = Civility.UNSPECIFIED, phone: str = "", phone2: str = "",
        email: str = "", address: str = "", postal_code: str = "", city: str = "",
        preferred_channel: PreferredChannel | None = None, birth_name: str = "", birth_date: date | None = None,
    ) -> CitizenSummary:  # fmt: skip
        """Save the record as edited; the audit log names the fields changed (never their values)."""
        values = _clean(
            last_name=last_name, first_names=first_names, phone=phone, phone2=phone2, email=email, address=address,
            postal_code=postal_code, city=city, preferred_channel=preferred_channel, birth_name=birth_name,
            birth_date=birth_date,
        )  # fmt: skip
        values["civility"] = civility
        with self._db.write() as s:
            c = _live(s, citizen_id)
            if c.anonymised_at is not None:
                raise ValidationError({"last_name": "Cette fiche est anonymisée : elle ne peut plus être modifiée."})
            changed = [f for f in EDITABLE if getattr(c, f) != values[f]]
            if changed:
                for f in changed:
                    setattr(c, f, values[f])
                reindex(c)
                audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_CHANGED, citizen_id=c.id,
                      detail="champs modifiés : " + ", ".join(FIELD_LABELS.get(f, f) for f in changed))  # fmt: skip
            return summary(c)

    # -- consents --------------------------------------------------------------------------------------

    def give_consent(
        self, *, citizen_id: uuid.UUID, kind: ConsentKind, agent_id: uuid.UUID, site_id: uuid.UUID,
        given_at: datetime | None = None,
    ) -> None:  # fmt: skip
        """The resident agrees to ``kind`` (today, or on the date they signed)."""
        with self._db.write() as s:
            c = _live(s, citizen_id)
            active = s.scalar(
                select(CitizenConsent.id).where(
                    CitizenConsent.citizen_id == c.id,
                    CitizenConsent.kind == kind,
                    CitizenConsent.withdrawn_at.is_(None),
                    CitizenConsent.deleted_at.is_(None),
                )  # fmt: skip
            )
            if active is not None:
                raise ValidationError({"consent": f"Ce consentement est déjà donné : « {kind.label} »."})
            site = s.get(Site, site_id)
            if site is None:
                raise NotFoundError("Site inconnu.")
            s.add(CitizenConsent(commune_id=site.commune_id, citizen_id=c.id, kind=kind,
                                 given_at=given_at or clock_now(), agent_id=agent_id, site_id=site_id))  # fmt: skip
            audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_CHANGED, citizen_id=c.id,
                  detail=f"consentement donné : {kind.label}")  # fmt: skip

    def withdraw_consent(self, *, consent_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID) -> None:
        """The resident withdraws a consent: dated, kept in the record's history."""
        with self._db.write() as s:
            x = s.get(CitizenConsent, consent_id)
            if x is None or x.deleted_at is not None:
                raise NotFoundError("Ce consentement n'existe pas.")
            if x.withdrawn_at is not None:
                raise ValidationError({"consent": "Ce consentement est déjà retiré."})
            x.withdrawn_at = clock_now()
            audit(s, agent_id=agent_id, site_id=site_id, action=AuditAction.RECORD_CHANGED, citizen_id=x.citizen_id,
                  detail=f"consentement retiré : {x.kind.label}")  # fmt: skip


_BLANK = {
    "last_name": "", "first_names": "", "phone": "", "phone2": "", "email": "", "address": "", "postal_code": "",
    "city": "", "preferred_channel": None, "birth_name": "", "birth_date": None,
}  # fmt: skip
