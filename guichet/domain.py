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
    APPOINTMENT = "rendez_vous"  # the printed confirmation of an appointment (code, QR, documents to bring)
    SHEET = "pieces"  # the documents to bring of an answer sheet (no personal data)

    @property
    def label(self) -> str:
        return {
            PrintJobKind.TICKET: "Ticket",
            PrintJobKind.RECEIPT: "Récépissé",
            PrintJobKind.TEST: "Page de test",
            PrintJobKind.APPOINTMENT: "Confirmation de rendez-vous",
            PrintJobKind.SHEET: "Liste des pièces",
        }[self]


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


class RequestStatus(StrEnum):
    """The life of a follow-up request ("demande"): nouvelle -> affectée -> en cours -> (en attente du citoyen)
    -> répondue -> clôturée, or sans suite."""

    NEW = "nouvelle"
    ASSIGNED = "affectee"
    IN_PROGRESS = "en_cours"
    WAITING_CITIZEN = "attente_citoyen"
    ANSWERED = "repondue"
    CLOSED = "cloturee"
    DROPPED = "sans_suite"

    @property
    def label(self) -> str:
        return REQUEST_STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Still owed an answer: counts for the deadline."""
        return self not in (RequestStatus.ANSWERED, RequestStatus.CLOSED, RequestStatus.DROPPED)


REQUEST_STATUS_LABELS: dict[RequestStatus, str] = {
    RequestStatus.NEW: "Nouvelle",
    RequestStatus.ASSIGNED: "Affectée",
    RequestStatus.IN_PROGRESS: "En cours",
    RequestStatus.WAITING_CITIZEN: "En attente du citoyen",
    RequestStatus.ANSWERED: "Répondue",
    RequestStatus.CLOSED: "Clôturée",
    RequestStatus.DROPPED: "Sans suite",
}
# Which state may follow which. Reassigning (service or agent) is allowed in every open state and is not a
# change of state; "répondue" may be reopened (en cours) when the citizen writes back.
REQUEST_TRANSITIONS: dict[RequestStatus, tuple[RequestStatus, ...]] = {
    RequestStatus.NEW: (RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS, RequestStatus.DROPPED),
    RequestStatus.ASSIGNED: (RequestStatus.IN_PROGRESS, RequestStatus.WAITING_CITIZEN, RequestStatus.DROPPED),
    RequestStatus.IN_PROGRESS: (RequestStatus.WAITING_CITIZEN, RequestStatus.ANSWERED, RequestStatus.DROPPED),
    RequestStatus.WAITING_CITIZEN: (RequestStatus.IN_PROGRESS, RequestStatus.ANSWERED, RequestStatus.DROPPED),
    RequestStatus.ANSWERED: (RequestStatus.CLOSED, RequestStatus.IN_PROGRESS),
    RequestStatus.CLOSED: (),
    RequestStatus.DROPPED: (),
}


class RequestEventKind(StrEnum):
    CREATED = "creee"
    STATUS = "changement_etat"
    REASSIGNED = "reaffectee"
    COMMENT = "commentaire"
    DEADLINE = "echeance_modifiee"
    MAIL_LINKED = "courrier_rattache"
    LETTER = "courrier_edite"
    ANSWER_SENT = "reponse_envoyee"
    SEND_FAILED = "envoi_echoue"

    @property
    def label(self) -> str:
        return REQUEST_EVENT_LABELS[self]


REQUEST_EVENT_LABELS: dict[RequestEventKind, str] = {
    RequestEventKind.CREATED: "Demande ouverte",
    RequestEventKind.STATUS: "Changement d'état",
    RequestEventKind.REASSIGNED: "Réaffectation",
    RequestEventKind.COMMENT: "Commentaire",
    RequestEventKind.DEADLINE: "Échéance modifiée",
    RequestEventKind.MAIL_LINKED: "Courrier rattaché",
    RequestEventKind.LETTER: "Document édité",
    RequestEventKind.ANSWER_SENT: "Réponse envoyée au citoyen",
    RequestEventKind.SEND_FAILED: "Échec d'envoi de la réponse",
}


class MailDirection(StrEnum):
    INCOMING = "arrivee"
    OUTGOING = "depart"

    @property
    def label(self) -> str:
        return {MailDirection.INCOMING: "Courrier arrivée", MailDirection.OUTGOING: "Courrier départ"}[self]


class MailType(StrEnum):
    SIMPLE = "simple"
    REGISTERED = "recommande"
    EMAIL = "courriel"
    FAX = "fax"
    HAND = "depot"

    @property
    def label(self) -> str:
        return MAIL_TYPE_LABELS[self]


MAIL_TYPE_LABELS: dict[MailType, str] = {
    MailType.SIMPLE: "Lettre simple",
    MailType.REGISTERED: "Recommandé",
    MailType.EMAIL: "Courriel",
    MailType.FAX: "Fax",
    MailType.HAND: "Dépôt en mairie",
}


class DispatchStatus(StrEnum):
    """An answer on its way to the citizen."""

    PENDING = "a_envoyer"
    SENT = "envoye"
    FAILED = "echec"

    @property
    def label(self) -> str:
        return {DispatchStatus.PENDING: "À envoyer", DispatchStatus.SENT: "Envoyé", DispatchStatus.FAILED: "Échec"}[
            self
        ]


class AppointmentStatus(StrEnum):
    """An appointment: booked, then the citizen checked in (a ticket joined the queue), or never came, or it
    was cancelled. Moving it to another time keeps it « réservé » (and its code)."""

    BOOKED = "reserve"
    CHECKED_IN = "arrive"
    MISSED = "absent"
    CANCELLED = "annule"

    @property
    def label(self) -> str:
        return {
            AppointmentStatus.BOOKED: "Réservé",
            AppointmentStatus.CHECKED_IN: "Arrivé",
            AppointmentStatus.MISSED: "Non venu",
            AppointmentStatus.CANCELLED: "Annulé",
        }[self]

    @property
    def holds_place(self) -> bool:
        """Counts against the slot's capacity."""
        return self in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class ConfirmationChannel(StrEnum):
    """How the confirmation of an appointment reaches the citizen."""

    RECEIPT = "recu_imprime"  # handed over at the desk: the thermal printer's slip with the QR code
    LETTER = "courrier"  # the PDF letter, printed and posted (or handed over)
    EMAIL = "courriel"  # the letter as PDF attached to an e-mail
    SMS = "sms"
    NONE = "aucune"

    @property
    def label(self) -> str:
        return {
            ConfirmationChannel.RECEIPT: "Reçu imprimé au guichet",
            ConfirmationChannel.LETTER: "Lettre (PDF à imprimer)",
            ConfirmationChannel.EMAIL: "Courriel",
            ConfirmationChannel.SMS: "SMS",
            ConfirmationChannel.NONE: "Pas de confirmation",
        }[self]


class NoticeKind(StrEnum):
    """Why a message goes to the citizen about an appointment."""

    CONFIRMATION = "confirmation"
    CHANGE = "modification"
    CANCELLATION = "annulation"

    @property
    def label(self) -> str:
        return {
            NoticeKind.CONFIRMATION: "Confirmation",
            NoticeKind.CHANGE: "Changement d'horaire",
            NoticeKind.CANCELLATION: "Annulation",
        }[self]


class AuditAction(StrEnum):
    LOGIN = "connexion"
    LOGIN_FAILED = "connexion_refusee"
    LOGOUT = "deconnexion"
    LOCK = "verrouillage"
    UNLOCK = "deverrouillage"
    SWITCH = "changement_agent"
    RECORD_VIEWED = "consultation_fiche"
    RECORD_CHANGED = "modification_fiche"
    RECORD_CREATED = "creation_fiche"
    RECORDS_MERGED = "fusion_fiches"
    ACCESS_EXPORT = "export_acces"
    ERASED = "effacement"
    ANONYMISED = "anonymisation"
    ACCOUNT_DISABLED = "compte_desactive"
    ACCOUNT_ENABLED = "compte_reactive"
    PASSWORD_CHANGED = "mot_de_passe_change"

    @property
    def label(self) -> str:
        return AUDIT_ACTION_LABELS[self]


AUDIT_ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.LOGIN: "Connexion",
    AuditAction.LOGIN_FAILED: "Connexion refusée",
    AuditAction.LOGOUT: "Déconnexion",
    AuditAction.LOCK: "Verrouillage du poste",
    AuditAction.UNLOCK: "Déverrouillage du poste",
    AuditAction.SWITCH: "Changement d'agent",
    AuditAction.RECORD_VIEWED: "Consultation d'une fiche",
    AuditAction.RECORD_CHANGED: "Modification d'une fiche",
    AuditAction.RECORD_CREATED: "Création d'une fiche",
    AuditAction.RECORDS_MERGED: "Fusion de fiches",
    AuditAction.ACCESS_EXPORT: "Export au titre du droit d'accès",
    AuditAction.ERASED: "Effacement",
    AuditAction.ANONYMISED: "Anonymisation (durée de conservation échue)",
    AuditAction.ACCOUNT_DISABLED: "Compte désactivé",
    AuditAction.ACCOUNT_ENABLED: "Compte réactivé",
    AuditAction.PASSWORD_CHANGED: "Mot de passe changé",
}


class HouseholdRole(StrEnum):
    """A member's place in a household ("foyer")."""

    PARENT = "parent"
    SPOUSE = "conjoint"
    CHILD = "enfant"
    OTHER = "autre"

    @property
    def label(self) -> str:
        return {
            HouseholdRole.PARENT: "Parent",
            HouseholdRole.SPOUSE: "Conjoint(e)",
            HouseholdRole.CHILD: "Enfant",
            HouseholdRole.OTHER: "Autre membre",
        }[self]


class ConsentKind(StrEnum):
    """What a resident agreed to, each given (and maybe withdrawn) on a date."""

    SMS = "sms_notifications"
    EMAIL = "courriel_notifications"
    SHARED = "donnees_partagees_services"

    @property
    def label(self) -> str:
        return {
            ConsentKind.SMS: "Recevoir des SMS de la mairie",
            ConsentKind.EMAIL: "Recevoir des courriels de la mairie",
            ConsentKind.SHARED: "Partage de la fiche entre les services municipaux",
        }[self]


class SheetStatus(StrEnum):
    """A version of an answer sheet: a draft being written, or published (then never edited again)."""

    DRAFT = "brouillon"
    PUBLISHED = "publiee"

    @property
    def label(self) -> str:
        return {SheetStatus.DRAFT: "Brouillon", SheetStatus.PUBLISHED: "Publiée"}[self]
