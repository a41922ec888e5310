"""Use cases, plain Python: no Qt. Each call is one unit of work and returns frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from guichet.db import Database
from guichet.services.auth import AuthService
from guichet.services.citizens import CitizenService
from guichet.services.contacts import ContactService
from guichet.services.queue import QueueService
from guichet.services.reference import ReferenceService


@dataclass(frozen=True)
class Services:
    """Every service of a desk, wired on one database (built by the composition root)."""

    auth: AuthService
    reference: ReferenceService
    citizens: CitizenService
    contacts: ContactService
    queue: QueueService

    @classmethod
    def on(cls, db: Database) -> Services:
        return cls(AuthService(db), ReferenceService(db), CitizenService(db), ContactService(db), QueueService(db))
