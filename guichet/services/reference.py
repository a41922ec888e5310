"""Read-only lists the forms choose from: themes, services, external bodies, agents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from guichet.db import Database
from guichet.models import Agent, ExternalBody, MunicipalService, Theme
from guichet.text import fold


@dataclass(frozen=True)
class ThemeInfo:
    id: uuid.UUID
    code: str
    label: str
    parent_id: uuid.UUID | None
    parent_label: str | None
    default_service_id: uuid.UUID | None

    @property
    def full_label(self) -> str:
        return f"{self.parent_label} › {self.label}" if self.parent_label else self.label

    @property
    def search_key(self) -> str:
        return fold(self.full_label)


@dataclass(frozen=True)
class ServiceInfo:
    id: uuid.UUID
    name: str
    phone: str
    location: str


@dataclass(frozen=True)
class ExternalBodyInfo:
    id: uuid.UUID
    name: str
    handles: str
    phone: str
    address: str
    hours: str


@dataclass(frozen=True)
class AgentInfo:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class ReferenceData:
    themes: tuple[ThemeInfo, ...]
    services: tuple[ServiceInfo, ...]
    external_bodies: tuple[ExternalBodyInfo, ...]
    agents: tuple[AgentInfo, ...]


class ReferenceService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self, *, commune_id: uuid.UUID, site_id: uuid.UUID) -> ReferenceData:
        """Everything a desk form offers, for one commune and site, loaded in one read."""
        with self._db.read() as s:
            themes = s.scalars(select(Theme).where(Theme.deleted_at.is_(None)).order_by(Theme.sort_order)).all()
            by_id = {t.id: t for t in themes}
            services = s.scalars(
                select(MunicipalService)
                .where(MunicipalService.commune_id == commune_id, MunicipalService.deleted_at.is_(None))
                .order_by(MunicipalService.name)
            ).all()
            bodies = s.scalars(
                select(ExternalBody).where(ExternalBody.deleted_at.is_(None)).order_by(ExternalBody.name)
            ).all()
            agents = s.scalars(
                select(Agent).where(Agent.site_id == site_id, Agent.deleted_at.is_(None)).order_by(Agent.last_name)
            ).all()
        theme_infos = []
        for t in themes:
            parent = by_id.get(t.parent_id) if t.parent_id else None
            default_service = t.default_service_id or (parent.default_service_id if parent else None)
            theme_infos.append(
                ThemeInfo(t.id, t.code, t.label, t.parent_id, parent.label if parent else None, default_service)
            )
        return ReferenceData(
            themes=tuple(theme_infos),
            services=tuple(ServiceInfo(x.id, x.name, x.phone, x.location) for x in services),
            external_bodies=tuple(
                ExternalBodyInfo(b.id, b.name, b.handles, b.phone, b.address, b.hours) for b in bodies
            ),
            agents=tuple(AgentInfo(a.id, f"{a.first_name} {a.last_name}") for a in agents),
        )
