"""SQLAlchemy tables. No queries here: services query, models describe."""

from guichet.models.appointments import (
    Appointment,
    AppointmentAgenda,
    AppointmentClosure,
    AppointmentKind,
    AppointmentNotice,
)
from guichet.models.audit import AuditEntry
from guichet.models.base import Base, Entity, new_id, utcnow
from guichet.models.cache import StatsCache
from guichet.models.contact import Citizen, CitizenConsent, Contact, Household, HouseholdMember
from guichet.models.hub import HubDevice
from guichet.models.knowledge import AnswerSheet, AnswerSheetVersion
from guichet.models.pin import AgentPin
from guichet.models.printing import PrintJob
from guichet.models.queue import (
    CounterQueue,
    CounterSession,
    PriorityReason,
    Queue,
    SiteQueueSettings,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
)
from guichet.models.reference import Agent, Commune, Counter, ExternalBody, MunicipalService, Site, Theme
from guichet.models.requests import (
    Attachment,
    Dispatch,
    FollowUpRequest,
    Letterhead,
    MailItem,
    RequestEvent,
)
from guichet.models.sync import (
    SyncConflict,
    SyncCursor,
    SyncOutbox,
    SyncQuarantine,
    SyncRefetch,
    SyncRowVersion,
    SyncState,
)

__all__ = [
    "Appointment",
    "AppointmentAgenda",
    "AppointmentClosure",
    "AppointmentKind",
    "AppointmentNotice",
    "StatsCache",
    "Attachment",
    "AuditEntry",
    "Dispatch",
    "FollowUpRequest",
    "Letterhead",
    "MailItem",
    "RequestEvent",
    "Agent",
    "AgentPin",
    "HubDevice",
    "AnswerSheet",
    "AnswerSheetVersion",
    "Base",
    "Citizen",
    "CitizenConsent",
    "Household",
    "HouseholdMember",
    "Commune",
    "Contact",
    "Counter",
    "CounterQueue",
    "CounterSession",
    "Entity",
    "ExternalBody",
    "MunicipalService",
    "PrintJob",
    "PriorityReason",
    "Queue",
    "Site",
    "SiteQueueSettings",
    "SyncConflict",
    "SyncCursor",
    "SyncOutbox",
    "SyncQuarantine",
    "SyncRefetch",
    "SyncRowVersion",
    "SyncState",
    "Theme",
    "Ticket",
    "TicketEvent",
    "TicketEventKind",
    "TicketStatus",
    "new_id",
    "utcnow",
]
