"""Use cases, plain Python: no Qt. Each call is one unit of work and returns frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from guichet.db import Database
from guichet.services.auth import AuthService
from guichet.services.citizens import CitizenService
from guichet.services.contacts import ContactService
from guichet.services.printing import PrintJobService
from guichet.services.queue import QueueService
from guichet.services.reference import ReferenceService
from guichet.services.sites import SiteService
from guichet.services.stats import StatsService


@dataclass(frozen=True)
class Services:
    """Every service of a desk, wired on one database (built by the composition root)."""

    auth: AuthService
    reference: ReferenceService
    citizens: CitizenService
    contacts: ContactService
    queue: QueueService
    sites: SiteService
    printing: PrintJobService
    stats: StatsService

    @classmethod
    def on(cls, db: Database) -> Services:
        return cls(
            auth=AuthService(db), reference=ReferenceService(db), citizens=CitizenService(db),
            contacts=ContactService(db), queue=QueueService(db), sites=SiteService(db),
            printing=PrintJobService(db), stats=StatsService(db),
        )  # fmt: skip
