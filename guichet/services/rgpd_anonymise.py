"""What anonymising means for each kind of row: shared by the retention job and by an erasure.

Rows are never deleted (the statistics and the sync need them): their personal fields are emptied in place and
what statistics read stays as it was — a contact keeps its channel, theme, outcome, times, site and agent; a
request its theme, service, dates and state; a letter its chrono, date, type and service. Scans are the one thing
removed from disk (``purge_files``, after the commit), their rows kept as tombstones.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Session

from guichet.models import (
    Attachment,
    Citizen,
    Contact,
    Dispatch,
    FollowUpRequest,
    Household,
    HouseholdMember,
    MailItem,
    RequestEvent,
)
from guichet.services.attachments import AttachmentStore
from guichet.services.mail import mail_search_text
from guichet.services.requests import request_search_text

ANONYMISED_NAME = "Anonymisé"
REQUEST_SUBJECT = "Demande anonymisée"
MAIL_SUBJECT = "Courrier anonymisé"
HOUSEHOLD_NAME = "Foyer anonymisé"
REMOVED_FILE = "document supprimé"
# Citizen columns an anonymisation keeps: identity, stamps, the merge pointer. Every other column (whatever part
# of the record later versions add) is emptied: a name column gets ANONYMISED_NAME, the rest NULL or "".
_KEPT = frozenset({"id", "created_at", "updated_at", "deleted_at", "anonymised_at", "merged_into_id"})


def anonymise_citizen(c: Citizen, now: datetime) -> None:
    """Empty every personal field of the record, whatever columns it has; the row and its links stay."""
    for column in Citizen.__table__.columns:
        if column.key in _KEPT or column.primary_key or column.foreign_keys:
            continue
        if column.key == "last_name":
            value: object = ANONYMISED_NAME
        elif column.nullable:
            value = None
        elif column.default is not None and getattr(column.default, "is_scalar", False):
            value = column.default.arg
        elif isinstance(column.type, String | Text):
            value = ""
        else:
            continue
        setattr(c, column.key, value)
    if hasattr(c, "anonymised_at"):
        c.anonymised_at = now


def leave_households(s: Session, citizen_ids: list[uuid.UUID], now: datetime) -> int:
    """End the memberships of anonymised people; a household left with nobody loses its name and address.
    Returns the number of households anonymised."""
    memberships = s.scalars(
        select(HouseholdMember).where(HouseholdMember.citizen_id.in_(citizen_ids), HouseholdMember.deleted_at.is_(None))
    ).all()
    households = {m.household_id for m in memberships}
    for m in memberships:
        m.deleted_at = now
    s.flush()
    emptied = 0
    for household_id in households:
        still = s.scalar(
            select(HouseholdMember.id).where(
                HouseholdMember.household_id == household_id, HouseholdMember.deleted_at.is_(None)
            )
        )
        household = s.get(Household, household_id)
        if still is None and household is not None and household.name != HOUSEHOLD_NAME:
            household.name, household.address, household.postal_code, household.city = HOUSEHOLD_NAME, "", "", ""
            emptied += 1
    return emptied


def clear_contact(contact: Contact, *, detach: bool) -> None:
    contact.subject, contact.notes = "", ""
    if detach:
        contact.citizen_id = None


def clear_dispatch(d: Dispatch) -> None:
    d.address, d.body, d.last_error = "", "", ""


def anonymise_request(s: Session, request: FollowUpRequest, now: datetime, *, detach: bool) -> list[str]:
    """The request loses its texts (and its person, with ``detach``), its history its comments, the answers sent
    their address and text; its scans are removed. Returns the hashes of the scans to remove from disk."""
    request.subject, request.description, request.answer_text = REQUEST_SUBJECT, "", ""
    if detach:
        request.citizen_id = None
    request.search_text = request_search_text(request.reference, "", "")
    for event in s.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request.id, RequestEvent.comment != "")
    ):
        event.comment = ""
    for d in s.scalars(select(Dispatch).where(Dispatch.request_id == request.id)):
        clear_dispatch(d)
    return _remove_attachments(s, Attachment.request_id == request.id, now)


def anonymise_mail(s: Session, mail: MailItem, now: datetime, *, detach: bool) -> list[str]:
    """The register line keeps chrono, date, type, direction and service; correspondent, subject, recommandé number
    and scans go. Returns the hashes of the scans to remove from disk."""
    mail.correspondent, mail.subject, mail.registered_number = "", MAIL_SUBJECT, ""
    if detach:
        mail.citizen_id = None
    mail.search_text = mail_search_text(mail.chrono, "", "", "")
    return _remove_attachments(s, Attachment.mail_item_id == mail.id, now)


def _remove_attachments(s: Session, which, now: datetime) -> list[str]:  # noqa: ANN001
    hashes = []
    for a in s.scalars(select(Attachment).where(which, Attachment.deleted_at.is_(None))):
        a.file_name, a.deleted_at = REMOVED_FILE, now
        hashes.append(a.sha256)
    return hashes


def purge_files(s: Session, store: AttachmentStore, hashes: set[str] | None = None) -> int:
    """Remove from disk the scans no live attachment row names any more (all of them when ``hashes`` is None).

    Called after the commit that tombstoned the rows: a crash in between leaves a file on disk, which the next
    run removes, never a row whose file is gone. The same scan registered twice is one file: kept while a live
    row names it.
    """
    live = set(s.scalars(select(Attachment.sha256).where(Attachment.deleted_at.is_(None))))
    if hashes is None:
        hashes = set(s.scalars(select(Attachment.sha256).where(Attachment.deleted_at.is_not(None)).distinct()))
    removed = 0
    for sha in hashes - live:
        path = store.path_of(sha)
        if path.exists():
            path.unlink()
            removed += 1
    return removed
