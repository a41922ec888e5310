"""The sites of the database, read-only: which one a kiosk or a call screen stands for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from guichet.db import Database
from guichet.models import Commune, Site
from guichet.services.errors import NotFoundError


@dataclass(frozen=True)
class SiteInfo:
    id: uuid.UUID
    code: str  # "HDV": unique within its commune
    name: str
    commune_id: uuid.UUID
    commune_code: str  # "VEN"
    commune_name: str

    @property
    def full_code(self) -> str:
        """ "VEN-HDV": unique in the whole database."""
        return f"{self.commune_code}-{self.code}"


class SiteService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self) -> tuple[SiteInfo, ...]:
        """Every site in service, by commune then code."""
        with self._db.read() as s:
            rows = s.execute(
                select(Site, Commune)
                .join(Commune, Commune.id == Site.commune_id)
                .where(Site.deleted_at.is_(None))
                .order_by(Commune.code, Site.code)
            ).all()
            return tuple(
                SiteInfo(site.id, site.code, site.name, commune.id, commune.code, commune.name)
                for site, commune in rows
            )

    def find(self, *, code: str = "") -> SiteInfo:
        """The site with this code ("HDV" or "VEN-HDV", any case); without a code, the database's only site."""
        sites = self.list()
        wanted = code.strip().upper()
        if not sites:
            raise NotFoundError("Aucun site n'est enregistré dans cette base de données.")
        if not wanted:
            if len(sites) == 1:
                return sites[0]
            raise NotFoundError(
                f"Cette base contient plusieurs sites : précisez lequel avec --site CODE. Sites : {_codes(sites)}."
            )
        matches = [x for x in sites if wanted in (x.code.upper(), x.full_code.upper())]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise NotFoundError(
                f"Plusieurs sites portent le code « {code.strip()} » : précisez la commune. Sites : {_codes(matches, True)}."
            )
        raise NotFoundError(f"Aucun site n'a le code « {code.strip()} ». Sites de cette base : {_codes(sites)}.")


def _codes(sites: tuple[SiteInfo, ...] | list[SiteInfo], full: bool = False) -> str:
    """ "HDV (Hôtel de ville), MAV (Mairie annexe…)", with the commune's code when a site code is not enough."""
    short = {x.code for x in sites}
    use_full = full or len(short) < len(sites)
    return ", ".join(f"{x.full_code if use_full else x.code} ({x.name})" for x in sites)
