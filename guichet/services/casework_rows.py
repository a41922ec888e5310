"""ORM rows turned into the dataclasses of requests_types, shared by the requests, mail and answer services."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guichet.models import Attachment, Citizen, Dispatch, FollowUpRequest, MunicipalService
from guichet.services.requests_types import AttachmentInfo, CitizenContactInfo, DispatchRow, MailRow


def citizen_display(c: Citizen | None) -> str:
    if c is None:
        return ""
    return " ".join(p for p in (c.civility.value, c.last_name.upper(), c.first_names) if p)


def citizen_contact(c: Citizen) -> CitizenContactInfo:
    title = {"Mme": "Madame", "M.": "Monsieur"}.get(c.civility.value, "")
    formal = " ".join(p for p in (title, c.first_names, c.last_name) if p)
    civility_name = f"{title} {c.last_name}" if title else f"{c.first_names} {c.last_name}".strip()
    town = " ".join(p for p in (c.postal_code, c.city.upper()) if p)
    lines = tuple(p for p in (c.address, town) if p)
    return CitizenContactInfo(
        c.id, citizen_display(c), formal, civility_name, c.last_name, c.email, c.phone, lines, c.preferred_channel
    )


def mail_rows(s: Session, query) -> list[MailRow]:  # noqa: ANN001
    """Mail items as the register shows them (query selects MailItem)."""
    items = list(s.scalars(query))
    if not items:
        return []
    ids = [m.id for m in items]
    services = dict(s.execute(select(MunicipalService.id, MunicipalService.name)).all())
    request_ids = {m.request_id for m in items if m.request_id}
    references = (
        dict(
            s.execute(
                select(FollowUpRequest.id, FollowUpRequest.reference).where(FollowUpRequest.id.in_(request_ids))
            ).all()
        )
        if request_ids
        else {}
    )
    counts = dict(
        s.execute(
            select(Attachment.mail_item_id, func.count())
            .where(Attachment.mail_item_id.in_(ids), Attachment.deleted_at.is_(None))
            .group_by(Attachment.mail_item_id)
        ).all()
    )
    return [
        MailRow(
            m.id,
            m.chrono,
            m.direction,
            m.mail_date,
            m.mail_type,
            m.registered_number,
            m.correspondent,
            m.citizen_id,
            m.body_id,
            m.subject,
            m.service_id,
            services.get(m.service_id, "") if m.service_id else "",
            m.request_id,
            references.get(m.request_id, "") if m.request_id else "",
            counts.get(m.id, 0),
        )  # fmt: skip
        for m in items
    ]


def dispatch_row(d: Dispatch) -> DispatchRow:
    return DispatchRow(
        d.id, d.request_id, d.channel, d.address, d.status, d.attempts, d.last_error, d.sent_at, d.created_at,
        d.external_id, d.mail_item_id, d.body,
    )  # fmt: skip


def attachment_info(a: Attachment) -> AttachmentInfo:
    return AttachmentInfo(a.id, a.file_name, a.mime_type, a.size, a.sha256, a.mail_item_id, a.request_id)
