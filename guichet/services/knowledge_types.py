"""What the knowledge base hands out and takes in: answer sheets, their versions, the orientation directory."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from guichet.domain import Outcome, SheetStatus
from guichet.services.clock import PARIS
from guichet.text import fold

SITIV_LABEL = "Toutes les villes (SITIV)"


@dataclass(frozen=True)
class SheetContent:
    """What a version of a sheet says. ``documents`` and ``links``: one item each ("label | https://...")."""

    title: str
    question: str = ""
    answer: str = ""
    documents: tuple[str, ...] = ()
    in_charge: str = ""
    where_when: str = ""
    fees: str = ""
    links: tuple[str, ...] = ()
    keywords: str = ""
    service_id: uuid.UUID | None = None  # orientation proposed by the sheet: a municipal service...
    body_id: uuid.UUID | None = None  # ...or an external body


@dataclass(frozen=True)
class SheetInput:
    """What the editor sends: the sheet's details (applied at once) and its content (kept as the draft)."""

    theme_id: uuid.UUID | None
    content: SheetContent
    owner: str = ""
    review_on: date | None = None
    sitiv_wide: bool = False  # a new sheet for every town of SITIV (only where SITIV's sheets are written)


@dataclass(frozen=True)
class SheetLink:
    label: str
    url: str


_URL = re.compile(r"^(https?://)?[\w-]+(\.[\w-]+)+(/\S*)?$", re.IGNORECASE)


def parse_link(line: str) -> SheetLink | None:
    """ "Pré-demande ANTS | https://ants.gouv.fr" -> (label, url); a bare address is its own label."""
    label, _, url = line.rpartition("|")
    url = url.strip()
    if not _URL.match(url):
        return None
    full = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
    return SheetLink(label.strip() or url, full)


class DirectoryKind(StrEnum):
    SERVICE = "service"
    BODY = "organisme"

    @property
    def label(self) -> str:
        return {DirectoryKind.SERVICE: "Service municipal", DirectoryKind.BODY: "Organisme extérieur"}[self]

    @property
    def outcome(self) -> Outcome:
        """The outcome of a contact oriented there."""
        return Outcome.ORIENTED_SERVICE if self is DirectoryKind.SERVICE else Outcome.ORIENTED_EXTERNAL


@dataclass(frozen=True)
class DirectoryEntry:
    """A municipal service of the commune or an external body, as the orientation directory shows it."""

    kind: DirectoryKind
    id: uuid.UUID
    name: str
    handles: str  # what they deal with (for a service: the themes it is in charge of)
    phone: str = ""
    address: str = ""
    hours: str = ""
    website: str = ""
    email: str = ""

    @property
    def contact_line(self) -> str:
        """ "Tél. 32 30 · 67 boulevard Vivier-Merle, 69003 Lyon · Lun.–ven. 8 h 30–16 h 30" """
        parts = [f"Tél. {self.phone}" if self.phone else "", self.address, self.hours, self.email, self.website]
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class SheetView:
    """One version of a sheet as it is read: the published one at the desk, or the draft in the editor."""

    sheet_id: uuid.UUID
    version_id: uuid.UUID
    number: int  # 0: a draft
    status: SheetStatus
    commune_id: uuid.UUID | None  # None: every town of SITIV
    theme_id: uuid.UUID
    theme_label: str
    content: SheetContent
    owner: str
    review_on: date | None
    published_at: datetime | None
    published_by: str
    author: str
    edited_at: datetime
    orientation: DirectoryEntry | None = None  # the service or body of content.service_id / body_id

    @property
    def title(self) -> str:
        return self.content.title

    @property
    def scope_label(self) -> str:
        return SITIV_LABEL if self.commune_id is None else "Ville"

    @property
    def links(self) -> tuple[SheetLink, ...]:
        return tuple(link for link in map(parse_link, self.content.links) if link is not None)

    @property
    def in_charge(self) -> str:
        """The service in charge as written, else the name of the proposed orientation."""
        return self.content.in_charge or (self.orientation.name if self.orientation else "")

    @property
    def orientation_is_in_charge(self) -> bool:
        """Whether the proposed orientation is the service in charge (its phone and address go with it)."""
        if self.orientation is None:
            return False
        written, name = fold(self.content.in_charge), fold(self.orientation.name)
        return not written or name in written or written in name

    def to_review(self, today: date) -> bool:
        return self.review_on is not None and self.review_on < today

    @property
    def version_label(self) -> str:
        if self.status is SheetStatus.DRAFT:
            return "Brouillon"
        when = f" du {self.published_at.astimezone(PARIS):%d/%m/%Y}" if self.published_at else ""
        return f"Version {self.number}{when}"


@dataclass(frozen=True)
class VersionInfo:
    """A line of a sheet's history."""

    id: uuid.UUID
    number: int
    status: SheetStatus
    title: str
    author: str
    edited_at: datetime
    published_at: datetime | None
    published_by: str
    current: bool  # the version the desks read


@dataclass(frozen=True)
class SheetSummary:
    """A sheet in the list of the « Fiches » page."""

    sheet_id: uuid.UUID
    title: str
    theme_id: uuid.UUID
    theme_label: str
    commune_id: uuid.UUID | None
    number: int  # the published version (0: never published)
    has_draft: bool
    archived: bool
    owner: str
    review_on: date | None
    to_review: bool
    uses: int = 0  # contacts that used it in the period asked (supervisors only)

    @property
    def scope_label(self) -> str:
        return SITIV_LABEL if self.commune_id is None else "Ville"

    @property
    def state_label(self) -> str:
        if self.archived:
            return "Archivée"
        if not self.number:
            return "Brouillon (jamais publiée)"
        state = f"Publiée v{self.number}"
        if self.has_draft:
            state += " · brouillon en cours"
        return state + (" · à revoir" if self.to_review else "")


@dataclass(frozen=True)
class SheetDetail:
    """Everything the editor shows of a sheet: its published version, its draft, its history, what may be done."""

    summary: SheetSummary
    published: SheetView | None
    draft: SheetView | None
    history: tuple[VersionInfo, ...] = ()
    can_edit: bool = False
    why_not: str = ""  # French: why this agent may not edit it

    @property
    def sheet_id(self) -> uuid.UUID:
        return self.summary.sheet_id


@dataclass(frozen=True)
class SheetUsage:
    sheet_id: uuid.UUID
    title: str
    theme_label: str
    uses: int


@dataclass(frozen=True)
class SheetList:
    rows: tuple[SheetSummary, ...]
    usage_days: int
    usage_shown: bool  # False for agents: usage counts are for supervisors
    may_create: bool = False
    may_create_sitiv: bool = False
