"""What the requests and mail services take and give back: frozen dataclasses, no ORM objects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from guichet.domain import (
    Channel,
    DispatchStatus,
    MailDirection,
    MailType,
    PreferredChannel,
    RequestEventKind,
    RequestStatus,
)


class RequestView(StrEnum):
    """The lists of the "Demandes" screen."""

    MINE = "mes_demandes"
    SERVICE = "mon_service"
    OVERDUE = "en_retard"
    DUE_SOON = "echeance_proche"
    OPEN = "ouvertes"
    ALL = "toutes"

    @property
    def label(self) -> str:
        return REQUEST_VIEW_LABELS[self]


REQUEST_VIEW_LABELS = {
    RequestView.MINE: "Mes demandes",
    RequestView.SERVICE: "Demandes du service",
    RequestView.OVERDUE: "En retard",
    RequestView.DUE_SOON: "Échéance dans les 5 jours",
    RequestView.OPEN: "Toutes les demandes en cours",
    RequestView.ALL: "Toutes, y compris closes",
}


@dataclass(frozen=True)
class RequestInput:
    """What opening a request needs. ``service_id`` defaults to the theme's service, ``received_on`` to today."""

    channel: Channel | None
    theme_id: uuid.UUID | None
    subject: str
    citizen_id: uuid.UUID | None
    description: str = ""
    service_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    received_on: date | None = None
    contact_id: uuid.UUID | None = None


@dataclass(frozen=True)
class RequestRow:
    id: uuid.UUID
    reference: str
    status: RequestStatus
    subject: str
    channel: Channel
    received_on: date
    due_on: date
    citizen_id: uuid.UUID | None
    citizen_name: str
    theme_id: uuid.UUID
    theme_label: str
    service_id: uuid.UUID
    service_name: str
    assignee_id: uuid.UUID | None
    assignee_name: str
    opened_at: datetime
    answered_at: datetime | None

    def overdue(self, today: date) -> bool:
        return self.status.is_open and self.due_on < today

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days


@dataclass(frozen=True)
class RequestList:
    rows: tuple[RequestRow, ...]
    counts: dict[RequestView, int] = field(default_factory=dict)
    truncated: bool = False  # more rows match than were returned


@dataclass(frozen=True)
class RequestEventRow:
    at: datetime
    kind: RequestEventKind
    agent_name: str
    from_status: RequestStatus | None
    to_status: RequestStatus | None
    service_name: str
    assignee_name: str
    comment: str

    @property
    def summary(self) -> str:
        """One line of the timeline, in French."""
        if self.kind is RequestEventKind.STATUS and self.to_status is not None:
            text = f"{self.from_status.label if self.from_status else '—'} → {self.to_status.label}"
        elif self.kind is RequestEventKind.REASSIGNED:
            who = f" ({self.assignee_name})" if self.assignee_name else ""
            text = f"Confiée à {self.service_name}{who}"
        elif self.kind is RequestEventKind.CREATED:
            text = f"Ouverte, confiée à {self.service_name}"
        else:
            text = self.kind.label
        return f"{text} — {self.comment}" if self.comment else text


@dataclass(frozen=True)
class MailRow:
    id: uuid.UUID
    chrono: str
    direction: MailDirection
    mail_date: date
    mail_type: MailType
    registered_number: str
    correspondent: str
    citizen_id: uuid.UUID | None
    body_id: uuid.UUID | None
    subject: str
    service_id: uuid.UUID | None
    service_name: str
    request_id: uuid.UUID | None
    request_reference: str
    attachment_count: int = 0


@dataclass(frozen=True)
class AttachmentInfo:
    id: uuid.UUID
    file_name: str
    mime_type: str
    size: int
    sha256: str
    mail_item_id: uuid.UUID | None
    request_id: uuid.UUID | None


@dataclass(frozen=True)
class DispatchRow:
    id: uuid.UUID
    request_id: uuid.UUID
    channel: PreferredChannel
    address: str
    status: DispatchStatus
    attempts: int
    last_error: str
    sent_at: datetime | None
    created_at: datetime
    external_id: str
    mail_item_id: uuid.UUID | None
    body: str


@dataclass(frozen=True)
class CitizenContactInfo:
    """What answering a citizen needs: where to reach them."""

    id: uuid.UUID
    display_name: str
    formal_name: str  # "Madame Aïcha Benali"
    civility_name: str  # "Madame Benali"
    last_name: str
    email: str
    phone: str
    address_lines: tuple[str, ...]
    preferred_channel: PreferredChannel | None


@dataclass(frozen=True)
class RequestDetail:
    row: RequestRow
    description: str
    answer_text: str
    commune_id: uuid.UUID
    commune_name: str
    site_name: str
    opened_by_name: str
    closed_at: datetime | None
    contact_id: uuid.UUID | None
    citizen: CitizenContactInfo | None
    service_phone: str
    service_email: str
    service_location: str
    events: tuple[RequestEventRow, ...]
    mails: tuple[MailRow, ...]
    dispatches: tuple[DispatchRow, ...]
    attachments: tuple[AttachmentInfo, ...]
    allowed: tuple[RequestStatus, ...]  # the states it may go to next
    theme_code: str = ""  # the code of the theme's top level ("etat_civil"): picks the model answer


@dataclass(frozen=True)
class MailInput:
    """An arrival typed at the desk. The correspondent is a citizen, an organisation of the directory or a name.

    ``open_request``: open a request from this letter (theme, subject and citizen taken from here);
    ``request_id``: join an existing request instead.
    """

    mail_date: date | None
    mail_type: MailType | None
    subject: str
    citizen_id: uuid.UUID | None = None
    body_id: uuid.UUID | None = None
    correspondent: str = ""
    registered_number: str = ""
    service_id: uuid.UUID | None = None
    request_id: uuid.UUID | None = None
    open_request: bool = False
    theme_id: uuid.UUID | None = None
    description: str = ""
    attachment_path: str = ""  # a scan (PDF or image) to keep in the attachment store
    attachment_data: bytes | None = None  # or its bytes, from a PC whose files the service cannot read (hub)
    attachment_name: str = ""

    # Bytes cross the site hub's JSON as base64 (read by pydantic there; nothing else looks at it).
    __pydantic_config__ = {"ser_json_bytes": "base64", "val_json_bytes": "base64"}  # noqa: RUF012


@dataclass(frozen=True)
class MailRegistered:
    mail: MailRow
    request: RequestRow | None  # the request it opened or joined
    opened: bool  # True when this letter opened the request


@dataclass(frozen=True)
class Letterhead:
    commune_id: uuid.UUID
    commune_name: str
    service_line: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    website: str
    logo_png: bytes
    signatory_name: str
    signatory_title: str
    footer: str
    follow_up: str
    default_answer_days: int
