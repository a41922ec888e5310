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


class TicketStatus(StrEnum):
    WAITING = "en_attente"
    CALLED = "appele"
    IN_SERVICE = "en_cours"
    PARKED = "mis_de_cote"
    DONE = "termine"
    NO_SHOW = "absent"
    CANCELLED = "annule"
    CLOSED = "clos"

    @property
    def label(self) -> str:
        return TICKET_STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED, TicketStatus.CLOSED)


TICKET_STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.WAITING: "En attente",
    TicketStatus.CALLED: "Appelé",
    TicketStatus.IN_SERVICE: "En cours",
    TicketStatus.PARKED: "Mis de côté",
    TicketStatus.DONE: "Terminé",
    TicketStatus.NO_SHOW: "Absent",
    TicketStatus.CANCELLED: "Annulé",
    TicketStatus.CLOSED: "Clos en fin de journée",
}


class PriorityReason(StrEnum):
    PMR = "pmr"
    PREGNANCY = "grossesse"
    AGE = "age"

    @property
    def label(self) -> str:
        return PRIORITY_REASON_LABELS[self]


PRIORITY_REASON_LABELS: dict[PriorityReason, str] = {
    PriorityReason.PMR: "Personne à mobilité réduite",
    PriorityReason.PREGNANCY: "Femme enceinte",
    PriorityReason.AGE: "Personne âgée",
}


class TicketEventKind(StrEnum):
    ISSUED = "emis"
    CALLED = "appele"
    CALLED_BY_NUMBER = "appele_par_numero"
    RECALLED = "rappele"
    STARTED = "accueilli"
    PARKED = "mis_de_cote"
    RESUMED = "repris"
    TRANSFERRED = "transfere"
    NO_SHOW = "absent"
    DONE = "termine"
    CANCELLED = "annule"
    CLOSED = "clos"

    @property
    def label(self) -> str:
        return TICKET_EVENT_LABELS[self]


TICKET_EVENT_LABELS: dict[TicketEventKind, str] = {
    TicketEventKind.ISSUED: "Ticket émis",
    TicketEventKind.CALLED: "Appelé",
    TicketEventKind.CALLED_BY_NUMBER: "Appelé par son numéro",
    TicketEventKind.RECALLED: "Rappelé",
    TicketEventKind.STARTED: "Accueilli au guichet",
    TicketEventKind.PARKED: "Mis de côté",
    TicketEventKind.RESUMED: "Repris",
    TicketEventKind.TRANSFERRED: "Transféré vers une autre file",
    TicketEventKind.NO_SHOW: "Absent à l'appel",
    TicketEventKind.DONE: "Terminé",
    TicketEventKind.CANCELLED: "Annulé",
    TicketEventKind.CLOSED: "Clos en fin de journée",
}


class PrintJobKind(StrEnum):
    TICKET = "ticket"
    RECEIPT = "recepisse"
    TEST = "test"

    @property
    def label(self) -> str:
        return {PrintJobKind.TICKET: "Ticket", PrintJobKind.RECEIPT: "Récépissé", PrintJobKind.TEST: "Page de test"}[
            self
        ]


class PrintJobStatus(StrEnum):
    PENDING = "en_attente"  # waits for the print worker (first time, or again after a failure)
    PRINTING = "en_cours"  # taken by the print worker; found at start, it is sent again
    PRINTED = "imprime"
    FAILED = "echec"  # last attempt failed: retried at ``next_attempt_at``, or never when that is empty
    CANCELLED = "annule"  # dismissed, or replaced by a reprint

    @property
    def label(self) -> str:
        return PRINT_JOB_STATUS_LABELS[self]


PRINT_JOB_STATUS_LABELS: dict[PrintJobStatus, str] = {
    PrintJobStatus.PENDING: "En attente d'impression",
    PrintJobStatus.PRINTING: "Impression en cours",
    PrintJobStatus.PRINTED: "Imprimé",
    PrintJobStatus.FAILED: "Échec d'impression",
    PrintJobStatus.CANCELLED: "Annulé",
}
