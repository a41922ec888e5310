"""SQLAlchemy tables. No queries here: services query, models describe."""

from guichet.models.base import Base, Entity, new_id, utcnow
from guichet.models.contact import Citizen, Contact
from guichet.models.reference import Agent, Commune, Counter, ExternalBody, MunicipalService, Site, Theme

__all__ = [
    "Agent",
    "Base",
    "Citizen",
    "Commune",
    "Contact",
    "Counter",
    "Entity",
    "ExternalBody",
    "MunicipalService",
    "Site",
    "Theme",
    "new_id",
    "utcnow",
]
