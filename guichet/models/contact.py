"""Citizens, their households and consents, and contacts, the journal of every exchange.

Citizens belong to a commune: a site holds only its own commune's citizens (the central database hands a site
its commune's rows only, under row-level security), so an agent sees the citizens of their own commune only,
by the scope of the data itself. The same holds for households and consents.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from guichet.domain import Channel, Civility, ConsentKind, HouseholdRole, Outcome, PreferredChannel
from guichet.models.base import Base, Entity
from guichet.models.reference import enum_column


class Citizen(Entity, Base):
    """One resident, entered once and reused by every channel.

    Addresses and phones: one postal address (the one letters go to; a member of a household with a shared
    address gets the household's) and two phone numbers (usually a mobile and a landline). More addresses
    would need a rule for which one a letter uses; residents rarely have two, and the household carries
    the family's. A merged record stays as a tombstone (``deleted_at``) pointing at the record it went into
    (``merged_into_id``): contacts another site logged with it offline still lead to the right person.
    An anonymised record (``anonymised_at``) keeps its row and its links but has lost its personal fields.
    """

    __tablename__ = "citizen"

    civility: Mapped[Civility] = mapped_column(enum_column(Civility, 5), default=Civility.UNSPECIFIED)
    last_name: Mapped[str] = mapped_column(String(100))  # nom d'usage
    first_names: Mapped[str] = mapped_column(String(150), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164, "+33612345678"
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    preferred_channel: Mapped[PreferredChannel | None] = mapped_column(enum_column(PreferredChannel), default=None)
    # Folded words of names, phone, e-mail and address; indexed by the citizen_fts table.
    search_text: Mapped[str] = mapped_column(Text, default="")
    birth_name: Mapped[str] = mapped_column(String(100), default="")  # nom de naissance, when it differs
    birth_date: Mapped[date | None] = mapped_column(default=None, index=True)
    phone2: Mapped[str] = mapped_column(String(20), default="")  # E.164
    anonymised_at: Mapped[datetime | None] = mapped_column(default=None)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None, index=True)


class Household(Entity, Base):
    """A "foyer": people living together, with the address they share."""

    __tablename__ = "household"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"), index=True)
    name: Mapped[str] = mapped_column(String(150))  # "Foyer BENALI"
    address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")


class HouseholdMember(Entity, Base):
    """A citizen in a household, with their role. Leaving it is a tombstone (``deleted_at``)."""

    __tablename__ = "household_member"
    __table_args__ = (Index("ix_household_member_household", "household_id", "deleted_at"),)

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizen.id"), index=True)
    role: Mapped[HouseholdRole] = mapped_column(enum_column(HouseholdRole))
    since: Mapped[date | None] = mapped_column(default=None)


class CitizenConsent(Entity, Base):
    """A consent given on a date by a resident, recorded by an agent; withdrawing it dates it, nothing is erased.
    Giving it again after a withdrawal is a new row: the history of the consent stays readable."""

    __tablename__ = "citizen_consent"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizen.id"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(enum_column(ConsentKind))
    given_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))


class Contact(Entity, Base):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_site_started", "site_id", "started_at"),
        Index("ix_contact_agent_started", "agent_id", "started_at"),
    )

    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    started_at: Mapped[datetime]
    duration_s: Mapped[int] = mapped_column(default=0)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent.id"))
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizen.id"), index=True)
    theme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("theme.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    oriented_service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipal_service.id"))
    oriented_body_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("external_body.id"))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ticket.id"), index=True)  # the visit's ticket
    # The answer sheet the agent used (guichet.models.knowledge; no foreign key: see its docstring).
    sheet_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None, index=True)
