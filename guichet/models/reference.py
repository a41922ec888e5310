"""Reference data: communes, sites, counters, agents, themes, services, external bodies."""

from __future__ import annotations

import uuid

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guichet.domain import Role, SiteKind
from guichet.models.base import Base, Entity


def enum_column(enum_cls: type, length: int = 30) -> Enum:
    """Store the enum's value (not its name) as plain text, portable to SQLite and PostgreSQL."""
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Commune(Entity, Base):
    __tablename__ = "commune"

    code: Mapped[str] = mapped_column(String(3), unique=True)  # "VEN": prefix of reference numbers
    insee: Mapped[str] = mapped_column(String(5))
    name: Mapped[str] = mapped_column(String(100))

    sites: Mapped[list[Site]] = relationship(back_populates="commune")


class Site(Entity, Base):
    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("commune_id", "code"),)

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"), index=True)
    code: Mapped[str] = mapped_column(String(3))  # "HDV"; unique within the commune
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[SiteKind] = mapped_column(enum_column(SiteKind))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="")

    commune: Mapped[Commune] = relationship(back_populates="sites")


class Counter(Entity, Base):
    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("site_id", "number"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(50))  # "Guichet 3", "Bureau accueil social"


class Agent(Entity, Base):
    __tablename__ = "agent"

    login: Mapped[str] = mapped_column(String(50), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    password_hash: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)


class MunicipalService(Entity, Base):
    __tablename__ = "municipal_service"

    commune_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commune.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str] = mapped_column(String(200), default="")


class Theme(Entity, Base):
    """Two levels: a theme of the taxonomy and its sub-themes (parent_id set)."""

    __tablename__ = "theme"

    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("theme.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    default_service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipal_service.id"))
    sort_order: Mapped[int] = mapped_column(default=0)
    # The town's commitment: a written answer within this many working days (0: the commune's default).
    answer_days: Mapped[int] = mapped_column(default=0, server_default="0")


class ExternalBody(Entity, Base):
    """Another administration or partner a citizen is oriented to (CAF, CPAM, préfecture...)."""

    __tablename__ = "external_body"

    name: Mapped[str] = mapped_column(String(120))
    handles: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
