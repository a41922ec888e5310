"""What services hand out about citizens (frozen dataclasses), and the words the search index holds for one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from guichet.domain import Channel, Civility, ConsentKind, HouseholdRole, PreferredChannel
from guichet.models import Citizen
from guichet.services.validation import format_phone, national_digits
from guichet.text import fold, name_tokens


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
    birth_name: str = ""
    birth_date: date | None = None
    phone2: str = ""

    @property
    def display_name(self) -> str:
        parts = [self.civility.value, self.last_name.upper(), self.first_names]
        return " ".join(p for p in parts if p)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone) if self.phone else ""

    @property
    def phone2_display(self) -> str:
        return format_phone(self.phone2) if self.phone2 else ""

    @property
    def full_address(self) -> str:
        town = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.address, town) if p)

    @property
    def birth_line(self) -> str:
        """« née DUPONT le 03/04/1975 », « né le ... », or ""."""
        born = {Civility.MADAME: "née", Civility.MONSIEUR: "né"}.get(self.civility, "né(e)")
        name = (
            f" {self.birth_name.upper()}" if self.birth_name and fold(self.birth_name) != fold(self.last_name) else ""
        )
        day = f" le {self.birth_date:%d/%m/%Y}" if self.birth_date else ""
        return f"{born}{name}{day}" if name or day else ""


def summary(c: Citizen) -> CitizenSummary:
    return CitizenSummary(
        c.id, c.civility, c.last_name, c.first_names, c.phone, c.email, c.address, c.postal_code, c.city,
        c.preferred_channel, c.birth_name or "", c.birth_date, c.phone2 or "",
    )  # fmt: skip


def citizen_search_text(
    *, last_name: str, first_names: str, phone: str, email: str, address: str, birth_name: str = "", phone2: str = ""
) -> str:
    """The folded words the search index holds for one citizen: names first, then phones, e-mail, street.

    Postal code and town are left out: most residents share them, so they would only make every
    two-letter query match the whole town.
    """
    words = name_tokens(last_name, first_names, birth_name)
    for number in (phone, phone2):
        if number:
            words.append(national_digits(number))
    words.extend(fold(email).split())
    words.extend(fold(address).split())
    return " ".join(dict.fromkeys(words))


@dataclass(frozen=True)
class ConsentRow:
    id: uuid.UUID
    kind: ConsentKind
    given_at: datetime
    withdrawn_at: datetime | None
    agent_name: str

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class MemberRow:
    member_id: uuid.UUID  # the membership (household_member row)
    citizen: CitizenSummary
    role: HouseholdRole
    since: date | None


@dataclass(frozen=True)
class HouseholdView:
    id: uuid.UUID
    name: str
    address: str
    postal_code: str
    city: str
    members: tuple[MemberRow, ...]

    @property
    def full_address(self) -> str:
        town = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.address, town) if p)


@dataclass(frozen=True)
class CitizenRecord:
    """The whole record as the "Usagers" page shows it."""

    citizen: CitizenSummary
    created_at: datetime
    updated_at: datetime
    anonymised_at: datetime | None
    consents: tuple[ConsentRow, ...]
    households: tuple[HouseholdView, ...]
    merged_from: tuple[uuid.UUID, ...]  # records merged into this one


@dataclass(frozen=True)
class HistoryItem:
    """One exchange with the citizen, whatever its channel: a contact, a request, a letter."""

    at: datetime
    kind: str  # "Contact", "Demande", "Courrier"
    channel: Channel | None
    subject: str
    agent_name: str
    detail: str  # outcome, state, chrono
    request_id: uuid.UUID | None  # what Entrée opens in "Demandes"
    reference: str = ""
