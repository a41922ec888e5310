"""Citizens: found as the agent types, created on the spot."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select, text

from guichet.db import Database
from guichet.domain import Civility, PreferredChannel
from guichet.models import Citizen
from guichet.services.errors import NotFoundError, ValidationError
from guichet.services.validation import (
    EMAIL_MESSAGE,
    PHONE_MESSAGE,
    format_phone,
    national_digits,
    normalize_email,
    normalize_phone,
)
from guichet.text import digits, fold, name_tokens

SORT_CAP = 2000
_PHONE_LIKE = re.compile(r"^[+0-9 .\-/()]{2,}$")


@dataclass(frozen=True)
class CitizenSummary:
    id: uuid.UUID
    civility: Civility
    last_name: str
    first_names: str
    phone: str
    email: str
    address: str
    postal_code: str
    city: str
    preferred_channel: PreferredChannel | None

    @property
    def display_name(self) -> str:
        parts = [self.civility.value, self.last_name.upper(), self.first_names]
        return " ".join(p for p in parts if p)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone) if self.phone else ""

    @property
    def full_address(self) -> str:
        town = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.address, town) if p)


def summary(c: Citizen) -> CitizenSummary:
    return CitizenSummary(
        c.id, c.civility, c.last_name, c.first_names, c.phone, c.email, c.address, c.postal_code, c.city,
        c.preferred_channel,
    )  # fmt: skip


def citizen_search_text(*, last_name: str, first_names: str, phone: str, email: str, address: str) -> str:
    """The folded words the search index holds for one citizen: names first, then phone, e-mail, street.

    Postal code and town are left out: most residents share them, so they would only make every
    two-letter query match the whole town.
    """
    words = name_tokens(last_name, first_names)
    if phone:
        words.append(national_digits(phone))
    words.extend(fold(email).split())
    words.extend(fold(address).split())
    return " ".join(dict.fromkeys(words))


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


class CitizenService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def search(self, *, query: str, limit: int = 20) -> list[CitizenSummary]:
        """Citizens whose name, phone, e-mail or address words start with every word typed."""
        terms = search_terms(query)
        if not terms:
            return []
        match = " ".join(f'"{t}"*' for t in terms)
        # search_text starts with the folded last name, then first names: ordering on it is alphabetical
        # regardless of case and accents, and done before LIMIT, so "Évrard" is not cut in favour of "Ezzine".
        # Only the first SORT_CAP matches are sorted: a two-letter prefix can match most of the town, and
        # sorting 100,000 rows to show 20 costs 40 ms a keystroke; the agent types one more letter anyway.
        with self._db.read() as s:
            found = s.scalars(
                select(Citizen).from_statement(
                    text(
                        "SELECT c.* FROM (SELECT rowid FROM citizen_fts WHERE citizen_fts MATCH :match LIMIT :cap) f "
                        "JOIN citizen c ON c.rowid = f.rowid WHERE c.deleted_at IS NULL "
                        "ORDER BY c.search_text, c.id LIMIT :limit"
                    )
                ),
                {"match": match, "limit": limit, "cap": SORT_CAP},
            ).all()
        return [summary(c) for c in found]

    def get(self, *, citizen_id: uuid.UUID) -> CitizenSummary:
        with self._db.read() as s:
            c = s.get(Citizen, citizen_id)
            if c is None or c.deleted_at is not None:
                raise NotFoundError("Ce citoyen n'existe pas ou a été supprimé.")
            return summary(c)

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
    ) -> CitizenSummary:
        """Create a citizen record after checking what was typed."""
        errors: dict[str, str] = {}
        last_name = " ".join(last_name.split())
        first_names = " ".join(first_names.split())
        if not last_name:
            errors["last_name"] = "Le nom est obligatoire."
        elif len(last_name) > 100:
            errors["last_name"] = "Le nom ne doit pas dépasser 100 caractères."
        phone_e164 = ""
        if phone.strip():
            phone_e164 = normalize_phone(phone) or ""
            if not phone_e164:
                errors["phone"] = PHONE_MESSAGE
        email_norm = ""
        if email.strip():
            email_norm = normalize_email(email) or ""
            if not email_norm:
                errors["email"] = EMAIL_MESSAGE
        postal_code = postal_code.strip()
        if postal_code and not re.fullmatch(r"\d{5}", postal_code):
            errors["postal_code"] = "Le code postal doit comporter 5 chiffres."
        if preferred_channel is PreferredChannel.EMAIL and not email_norm and "email" not in errors:
            errors["email"] = "Le canal préféré est le courriel : indiquez une adresse électronique."
        if preferred_channel in (PreferredChannel.SMS, PreferredChannel.PHONE) and not phone_e164:
            errors.setdefault("phone", "Le canal préféré demande un numéro de téléphone.")
        if preferred_channel is PreferredChannel.POST and not address.strip():
            errors["address"] = "Le canal préféré est le courrier : indiquez une adresse postale."
        if errors:
            raise ValidationError(errors)
        citizen = Citizen(
            civility=civility,
            last_name=last_name,
            first_names=first_names,
            phone=phone_e164,
            email=email_norm,
            address=address.strip(),
            postal_code=postal_code,
            city=city.strip(),
            preferred_channel=preferred_channel,
        )
        citizen.search_text = citizen_search_text(
            last_name=last_name, first_names=first_names, phone=phone_e164, email=email_norm,
            address=citizen.address,
        )  # fmt: skip
        with self._db.write() as s:
            s.add(citizen)
        return summary(citizen)
