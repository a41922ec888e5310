"""The mail register ("courrier"): arrivals get a chrono on entry, departures are the answers sent."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import Channel, MailDirection, MailType, RequestEventKind
from guichet.models import (
    Attachment,
    Citizen,
    Commune,
    ExternalBody,
    FollowUpRequest,
    MailItem,
    MunicipalService,
    Site,
)
from guichet.services import clock
from guichet.services.attachments import AttachmentStore, StoredFile
from guichet.services.casework_rows import attachment_info, citizen_display, mail_rows
from guichet.services.errors import NotFoundError, ValidationError
from guichet.services.requests import RequestService, next_number
from guichet.services.requests_types import AttachmentInfo, MailInput, MailRegistered, MailRow, RequestInput
from guichet.text import fold, fts_prefix_query, word_tokens

SEARCH_LIMIT = 200
_DIRECTION_LETTER = {MailDirection.INCOMING: "A", MailDirection.OUTGOING: "D"}
_CHRONO = re.compile(r"^[A-Z]{3}-[A-Z]{3}-[AD]-\d{4}-\d{1,6}$")
_MAIL_CHANNEL = {
    MailType.SIMPLE: Channel.MAIL,
    MailType.REGISTERED: Channel.MAIL,
    MailType.FAX: Channel.MAIL,
    MailType.HAND: Channel.MAIL,
    MailType.EMAIL: Channel.EMAIL,
}


def mail_search_text(chrono: str, correspondent: str, subject: str, registered_number: str) -> str:
    words = fold(chrono).split()
    words.append(chrono.rsplit("-", 1)[-1].lstrip("0"))  # "42" finds VEN-HDV-A-2026-000042
    words.extend(fold(correspondent).split())
    words.extend(word_tokens(subject))
    words.extend(fold(registered_number).split())
    return " ".join(dict.fromkeys(w for w in words if w))


class MailService:
    def __init__(self, db: Database, store: AttachmentStore, requests: RequestService) -> None:
        self._db = db
        self._store = store
        self._requests = requests

    @property
    def store(self) -> AttachmentStore:
        return self._store

    def register_incoming(self, *, agent_id: uuid.UUID, site_id: uuid.UUID, data: MailInput) -> MailRegistered:
        """Register an arrival with its chrono, scan, service, and the request it opens or joins: one transaction."""
        errors = self._check(data)
        stored: StoredFile | None = None
        if (data.attachment_path or data.attachment_data) and "attachment" not in errors:
            try:  # the file is stored before the transaction: an orphan file is harmless, a missing one is not
                if data.attachment_data is not None:
                    stored = self._store.put(data.attachment_data, file_name=data.attachment_name or "document")
                else:
                    stored = self._store.put_file(data.attachment_path)
            except ValidationError as e:
                errors.update(e.errors)
        if errors:
            raise ValidationError(errors)
        with self._db.write() as s:
            correspondent, citizen_id = self._correspondent(s, data)
            request: FollowUpRequest | None = None
            if data.request_id is not None:
                request = s.get(FollowUpRequest, data.request_id)
                if request is None or request.deleted_at is not None:
                    raise ValidationError({"request": "Cette demande n'existe pas."})
            mail = self._new(
                s, site_id, agent_id, MailDirection.INCOMING, data.mail_date or clock.local_day(clock.now()),
                data.mail_type, data.subject, correspondent, citizen_id, data.body_id, data.registered_number,
                data.service_id,
            )  # fmt: skip
            opened = False
            if data.open_request:
                request = self._requests.open_in(
                    s,
                    agent_id=agent_id,
                    site_id=site_id,
                    data=RequestInput(
                        channel=_MAIL_CHANNEL[data.mail_type] if data.mail_type else None,
                        theme_id=data.theme_id,
                        subject=data.subject,
                        citizen_id=citizen_id,
                        description=data.description,
                        service_id=data.service_id,
                        received_on=mail.mail_date,
                    ),
                )
                opened = True
                if mail.service_id is None:
                    mail.service_id = request.service_id
            if request is not None:
                mail.request_id = request.id
                self._requests.event(
                    s, request, agent_id, site_id, RequestEventKind.MAIL_LINKED,
                    comment=f"Courrier {mail.chrono} du {mail.mail_date:%d/%m/%Y}",
                )  # fmt: skip
            if stored is not None:
                self._attach(s, mail, stored)
            s.flush()
            row = mail_rows(s, select(MailItem).where(MailItem.id == mail.id))[0]
            request_row = self._requests.row_in(s, request.id) if request is not None else None
        return MailRegistered(row, request_row, opened)

    def register_outgoing_in(
        self, s: Session, *, agent_id: uuid.UUID, site_id: uuid.UUID, request: FollowUpRequest, mail_type: MailType,
        subject: str, correspondent: str, citizen_id: uuid.UUID | None,
    ) -> MailItem:  # fmt: skip
        """A departure registered inside the caller's transaction (the answer to a request)."""
        mail = self._new(
            s, site_id, agent_id, MailDirection.OUTGOING, clock.local_day(clock.now()), mail_type, subject,
            correspondent, citizen_id, None, "", request.service_id,
        )  # fmt: skip
        mail.request_id = request.id
        return mail

    def attach(
        self, *, mail_item_id: uuid.UUID | None = None, request_id: uuid.UUID | None = None, path: str
    ) -> AttachmentInfo:
        """Add a scan or document to a letter or a request."""
        return self._attach_stored(mail_item_id, request_id, self._store.put_file(path))

    def attach_data(
        self, *, mail_item_id: uuid.UUID | None = None, request_id: uuid.UUID | None = None, data: bytes,
        file_name: str,
    ) -> AttachmentInfo:  # fmt: skip
        """Add a scan or document, given by its bytes (a desk that works through the site hub)."""
        return self._attach_stored(mail_item_id, request_id, self._store.put(data, file_name=file_name))

    def _attach_stored(
        self, mail_item_id: uuid.UUID | None, request_id: uuid.UUID | None, stored: StoredFile
    ) -> AttachmentInfo:
        with self._db.write() as s:
            if mail_item_id is not None:
                mail = s.get(MailItem, mail_item_id)
                if mail is None:
                    raise NotFoundError("Ce courrier n'existe pas.")
                attachment = self._attach(s, mail, stored)
            else:
                request = s.get(FollowUpRequest, request_id) if request_id else None
                if request is None:
                    raise NotFoundError("Cette demande n'existe pas.")
                attachment = Attachment(
                    commune_id=request.commune_id, site_id=request.site_id, request_id=request.id,
                    file_name=stored.file_name, mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256,
                )  # fmt: skip
                s.add(attachment)
            s.flush()
            return attachment_info(attachment)

    def store_document_in(
        self, s: Session, *, request: FollowUpRequest, site_id: uuid.UUID, data: bytes, file_name: str,
        mail: MailItem | None = None,
    ) -> Attachment:  # fmt: skip
        """Keep a document made here (a letter PDF) with the request, inside the caller's transaction."""
        stored = self._store.put(data, file_name=file_name)
        attachment = Attachment(
            commune_id=request.commune_id, site_id=site_id, request_id=request.id,
            mail_item_id=mail.id if mail is not None else None, file_name=stored.file_name,
            mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256,
        )  # fmt: skip
        s.add(attachment)
        return attachment

    def read_attachment(self, *, attachment_id: uuid.UUID) -> tuple[AttachmentInfo, bytes]:
        with self._db.read() as s:
            attachment = s.get(Attachment, attachment_id)
            if attachment is None:
                raise NotFoundError("Cette pièce jointe n'existe pas.")
            info = attachment_info(attachment)
        return info, self._store.read(info.sha256)

    def search(
        self,
        *,
        commune_id: uuid.UUID,
        query: str = "",
        direction: MailDirection | None = None,
        since: date | None = None,
        limit: int = SEARCH_LIMIT,
    ) -> list[MailRow]:
        """The register, newest first: by chrono, correspondent, subject or recommandé number (accent-blind)."""
        raw = query.strip().upper()
        with self._db.read() as s:
            if _CHRONO.match(raw):
                commune, site, letter, year, seq = raw.split("-")
                raw = f"{commune}-{site}-{letter}-{year}-{int(seq):06d}"
                exact = select(MailItem).where(
                    MailItem.chrono == raw, MailItem.commune_id == commune_id, MailItem.deleted_at.is_(None)
                )
                if direction is not None:
                    exact = exact.where(MailItem.direction == direction)
                return mail_rows(s, exact)
            words = fold(query).split()
            stmt = select(MailItem).where(MailItem.commune_id == commune_id, MailItem.deleted_at.is_(None))
            if direction is not None:
                stmt = stmt.where(MailItem.direction == direction)
            if since is not None:
                stmt = stmt.where(MailItem.mail_date >= since)
            if words:
                # FTS5 hands its matches back newest first (rowid order is insertion order) and stops at the
                # limit: a common word of a ten-year register costs what the first screen costs.
                match = fts_prefix_query(words)
                ids = (
                    s.execute(
                        text(
                            "SELECT rowid FROM mail_item_fts WHERE mail_item_fts MATCH :match ORDER BY rowid DESC "
                            "LIMIT :cap"
                        ),
                        {"match": match, "cap": limit * 5},
                    )
                    .scalars()
                    .all()
                )
                stmt = stmt.where(text("mail_item.rowid IN (SELECT value FROM json_each(:ids))").bindparams(
                    ids="[" + ",".join(map(str, ids)) + "]"
                ))  # fmt: skip
                stmt = stmt.order_by(text("mail_item.rowid DESC"))
            else:
                stmt = stmt.order_by(MailItem.mail_date.desc(), MailItem.chrono.desc())
            return mail_rows(s, stmt.limit(limit))

    def get(self, *, mail_item_id: uuid.UUID) -> MailRow:
        with self._db.read() as s:
            rows = mail_rows(s, select(MailItem).where(MailItem.id == mail_item_id))
            if not rows:
                raise NotFoundError("Ce courrier n'existe pas.")
            return rows[0]

    def attachments(self, *, mail_item_id: uuid.UUID) -> list[AttachmentInfo]:
        with self._db.read() as s:
            return [
                attachment_info(a)
                for a in s.scalars(
                    select(Attachment).where(Attachment.mail_item_id == mail_item_id, Attachment.deleted_at.is_(None))
                )
            ]

    # -- internals -------------------------------------------------------------------------------------------
    def _check(self, data: MailInput) -> dict[str, str]:
        errors: dict[str, str] = {}
        today = clock.local_day(clock.now())
        if data.mail_date is None:
            errors["mail_date"] = "Indiquez la date de réception du courrier."
        elif data.mail_date > today:
            errors["mail_date"] = "La date de réception ne peut pas être dans le futur."
        elif data.mail_date < today - timedelta(days=366):
            errors["mail_date"] = "La date de réception a plus d'un an : vérifiez-la."
        if data.mail_type is None:
            errors["mail_type"] = "Indiquez le type de courrier (simple, recommandé, courriel, fax, dépôt)."
        if data.mail_type is MailType.REGISTERED and not data.registered_number.strip():
            errors["registered_number"] = "Un recommandé se note avec son numéro (sur l'avis de réception)."
        if not " ".join(data.subject.split()):
            errors["subject"] = "Indiquez l'objet du courrier."
        elif len(data.subject) > 200:
            errors["subject"] = "L'objet ne doit pas dépasser 200 caractères."
        if data.citizen_id is None and data.body_id is None and not data.correspondent.strip():
            errors["correspondent"] = "Indiquez l'expéditeur : un citoyen, un organisme, ou son nom tel qu'écrit."
        if data.open_request and data.request_id is not None:
            errors["request"] = "Un courrier ouvre une demande ou rejoint une demande existante, pas les deux."
        if data.open_request and data.citizen_id is None:
            errors["correspondent"] = (
                "Pour ouvrir une demande, l'expéditeur doit être un citoyen enregistré : recherchez-le ou créez-le."
            )
        if data.open_request and data.theme_id is None:
            errors["theme"] = "Choisissez le thème de la demande que ce courrier ouvre."
        return errors

    def _correspondent(self, s: Session, data: MailInput) -> tuple[str, uuid.UUID | None]:
        if data.citizen_id is not None:
            citizen = s.get(Citizen, data.citizen_id)
            if citizen is None:
                raise ValidationError({"correspondent": "Ce citoyen n'existe pas."})
            return citizen_display(citizen), citizen.id
        if data.body_id is not None:
            body = s.get(ExternalBody, data.body_id)
            if body is None:
                raise ValidationError({"correspondent": "Cet organisme n'existe pas."})
            return body.name, None
        return " ".join(data.correspondent.split())[:200], None

    def _new(
        self, s: Session, site_id: uuid.UUID, agent_id: uuid.UUID, direction: MailDirection, mail_date: date,
        mail_type: MailType | None, subject: str, correspondent: str, citizen_id: uuid.UUID | None,
        body_id: uuid.UUID | None, registered_number: str, service_id: uuid.UUID | None,
    ) -> MailItem:  # fmt: skip
        if service_id is not None and s.get(MunicipalService, service_id) is None:
            raise ValidationError({"service": "Ce service n'existe pas."})
        site, commune = s.execute(
            select(Site, Commune).join(Commune, Commune.id == Site.commune_id).where(Site.id == site_id)
        ).one()
        now = clock.now()
        year = clock.local_day(now).year
        seq = next_number(s, MailItem, site_id, year, direction=direction)
        chrono = f"{commune.code}-{site.code}-{_DIRECTION_LETTER[direction]}-{year}-{seq:06d}"
        subject = " ".join(subject.split())
        number = registered_number.strip().upper()
        mail = MailItem(
            commune_id=commune.id, site_id=site_id, direction=direction, chrono=chrono, year=year, seq=seq,
            mail_date=mail_date, registered_at=now, registered_by=agent_id, mail_type=mail_type,
            registered_number=number, citizen_id=citizen_id, body_id=body_id, correspondent=correspondent,
            subject=subject, service_id=service_id,
            search_text=mail_search_text(chrono, correspondent, subject, number),
        )  # fmt: skip
        s.add(mail)
        s.flush()
        return mail

    def _attach(self, s: Session, mail: MailItem, stored: StoredFile) -> Attachment:
        attachment = Attachment(
            commune_id=mail.commune_id, site_id=mail.site_id, mail_item_id=mail.id, request_id=mail.request_id,
            file_name=stored.file_name, mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256,
        )  # fmt: skip
        s.add(attachment)
        return attachment
