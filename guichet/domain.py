"""Vocabulary shared by every layer: enumerations and their French labels.

Kept outside ``models`` so that ``ui`` (which must not import the ORM) and ``services``
speak the same words. Values are stable identifiers stored in the database and synced;
labels are what a person reads.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    IN_PERSON = "accueil_physique"
    PHONE = "telephone"
    MAIL = "courrier"
    EMAIL = "courriel"
    SMS = "sms"
    WEB = "web"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.IN_PERSON: "Accueil physique",
    Channel.PHONE: "Téléphone",
    Channel.MAIL: "Courrier",
    Channel.EMAIL: "Courriel",
    Channel.SMS: "SMS",
    Channel.WEB: "Web",
}


class Outcome(StrEnum):
    ANSWERED = "reponse_immediate"
    ORIENTED_SERVICE = "orientation_service"
    ORIENTED_EXTERNAL = "orientation_externe"
    ONLINE_HELP = "accompagnement_en_ligne"
    REQUEST_OPENED = "demande_ouverte"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def short_label(self) -> str:
        return OUTCOME_SHORT_LABELS[self]


OUTCOME_SHORT_LABELS: dict[Outcome, str] = {
    Outcome.ANSWERED: "Réponse immédiate",
    Outcome.ORIENTED_SERVICE: "Orienté (service)",
    Outcome.ORIENTED_EXTERNAL: "Orienté (extérieur)",
    Outcome.ONLINE_HELP: "Aide démarche en ligne",
    Outcome.REQUEST_OPENED: "Demande ouverte",
}

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.ANSWERED: "Réponse immédiate",
    Outcome.ORIENTED_SERVICE: "Orientation vers un service",
    Outcome.ORIENTED_EXTERNAL: "Orientation vers un organisme extérieur",
    Outcome.ONLINE_HELP: "Accompagnement à une démarche en ligne",
    Outcome.REQUEST_OPENED: "Demande ouverte",
}


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "superviseur"
    ADMIN = "administrateur"

    @property
    def label(self) -> str:
        return {Role.AGENT: "Agent d'accueil", Role.SUPERVISOR: "Superviseur", Role.ADMIN: "Administrateur"}[self]


class Civility(StrEnum):
    MADAME = "Mme"
    MONSIEUR = "M."
    UNSPECIFIED = ""

    @property
    def label(self) -> str:
        return {Civility.MADAME: "Madame", Civility.MONSIEUR: "Monsieur", Civility.UNSPECIFIED: "Non précisée"}[self]


class PreferredChannel(StrEnum):
    POST = "courrier"
    EMAIL = "courriel"
    SMS = "sms"
    PHONE = "telephone"

    @property
    def label(self) -> str:
        return {
            PreferredChannel.POST: "Courrier",
            PreferredChannel.EMAIL: "Courriel",
            PreferredChannel.SMS: "SMS",
            PreferredChannel.PHONE: "Téléphone",
        }[self]


class SiteKind(StrEnum):
    MAIN = "principal"
    SATELLITE = "annexe"

    @property
    def label(self) -> str:
        return {SiteKind.MAIN: "Accueil principal", SiteKind.SATELLITE: "Mairie annexe / accueil excentré"}[self]
