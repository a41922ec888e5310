"""Closing the loop ("re-bouclage"): the written answer goes to the citizen on their preferred channel.

Answering is one transaction: the answer text, the state "répondue", and one dispatch per channel in the
state "à envoyer" (plus the departure in the mail register for a letter). Delivering it (an e-mail, an SMS,
a PDF to print) is network or printer work, done afterwards by guichet.notify.dispatcher, which records
the outcome with ``mark_sent`` / ``mark_failed``. A failed dispatch stays visible and can be sent again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import DispatchStatus, MailType, PreferredChannel, RequestEventKind, RequestStatus
from guichet.models import Citizen, Dispatch, FollowUpRequest, MailItem
from guichet.services import clock
from guichet.services.casework_rows import citizen_contact, citizen_display, dispatch_row
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.mail import MailService
from guichet.services.requests import RequestService
from guichet.services.requests_types import DispatchRow

# A citizen who prefers the phone still gets the answer in writing: by post (the agent may call as well).
_WRITTEN = {
    PreferredChannel.POST: PreferredChannel.POST,
    PreferredChannel.EMAIL: PreferredChannel.EMAIL,
    PreferredChannel.SMS: PreferredChannel.SMS,
    PreferredChannel.PHONE: PreferredChannel.POST,
}
CHANNEL_NAMES = {
    PreferredChannel.POST: "courrier postal",
    PreferredChannel.EMAIL: "courriel",
    PreferredChannel.SMS: "SMS",
    PreferredChannel.PHONE: "téléphone",
}


@dataclass(frozen=True)
class AnswerRoute:
    """Where the answer would go: the channel chosen, the address, and what is missing for the others."""

    channel: PreferredChannel | None
    address: str
    available: dict[PreferredChannel, str]  # channel -> address, for every channel the record allows
    reason: str  # why this channel (French), or why none


def routes(citizen: Citizen | None) -> AnswerRoute:
    if citizen is None:
        return AnswerRoute(None, "", {}, "La demande n'a pas de citoyen : la réponse ne peut pas partir.")
    info = citizen_contact(citizen)
    available: dict[PreferredChannel, str] = {}
    if info.address_lines:
        available[PreferredChannel.POST] = " — ".join(info.address_lines)
    if info.email:
        available[PreferredChannel.EMAIL] = info.email
    if info.phone and info.phone.startswith(("+336", "+337")):
        available[PreferredChannel.SMS] = info.phone
    preferred = citizen.preferred_channel
    wanted = _WRITTEN.get(preferred) if preferred else None
    if wanted in available:
        reason = f"Canal préféré du citoyen : {CHANNEL_NAMES[preferred]}"
        if preferred is PreferredChannel.PHONE:
            reason += " ; la réponse écrite part par courrier"
        return AnswerRoute(wanted, available[wanted], available, reason)
    for fallback in (PreferredChannel.EMAIL, PreferredChannel.POST, PreferredChannel.SMS):
        if fallback in available:
            why = "pas de canal préféré" if preferred is None else f"{CHANNEL_NAMES[preferred]} impossible"
            return AnswerRoute(
                fallback, available[fallback], available, f"{why.capitalize()} : {CHANNEL_NAMES[fallback]}"
            )
    return AnswerRoute(
        None, "", available, "La fiche du citoyen n'a ni adresse postale, ni courriel, ni mobile : complétez-la."
    )


class AnswerService:
    def __init__(self, db: Database, requests: RequestService, mail: MailService) -> None:
        self._db = db
        self._requests = requests
        self._mail = mail

    def route(self, *, request_id: uuid.UUID) -> AnswerRoute:
        with self._db.read() as s:
            request = self._get(s, request_id)
            return routes(s.get(Citizen, request.citizen_id) if request.citizen_id else None)

    def answer(
        self,
        *,
        request_id: uuid.UUID,
        agent_id: uuid.UUID,
        site_id: uuid.UUID,
        answer_text: str,
        channel: PreferredChannel | None = None,
    ) -> DispatchRow:
        """Record the answer, mark the request answered and queue its delivery, in one transaction."""
        body = answer_text.strip()
        if not body:
            raise ValidationError({"answer": "Écrivez la réponse avant de l'envoyer."})
        with self._db.write() as s:
            request = self._get(s, request_id)
            if not request.status.is_open:
                raise NotAllowedError(f"Cette demande est déjà « {request.status.label.lower()} ».")
            citizen = s.get(Citizen, request.citizen_id) if request.citizen_id else None
            route = routes(citizen)
            chosen = channel or route.channel
            if chosen is None or chosen not in route.available:
                raise ValidationError({"channel": route.reason if chosen is None else
                                       f"Impossible d'envoyer par {CHANNEL_NAMES[chosen]} : la fiche ne le permet pas."})  # fmt: skip
            request.answer_text = body
            self._requests.set_status_in(s, request, RequestStatus.ANSWERED, agent_id, site_id,
                                       f"Réponse par {CHANNEL_NAMES[chosen]}")  # fmt: skip
            dispatch = Dispatch(
                commune_id=request.commune_id, site_id=site_id, request_id=request.id, channel=chosen,
                address=route.available[chosen], status=DispatchStatus.PENDING, agent_id=agent_id, body=body,
            )  # fmt: skip
            if chosen is PreferredChannel.POST:
                departure = self._mail.register_outgoing_in(
                    s, agent_id=agent_id, site_id=site_id, request=request, mail_type=MailType.SIMPLE,
                    subject=f"Réponse — {request.subject}"[:200], correspondent=citizen_display(citizen),
                    citizen_id=request.citizen_id,
                )  # fmt: skip
                dispatch.mail_item_id = departure.id
            s.add(dispatch)
            s.flush()
            return dispatch_row(dispatch)

    def pending(self, *, site_id: uuid.UUID) -> list[DispatchRow]:
        """Dispatches of this site still to deliver (new or failed), oldest first."""
        with self._db.read() as s:
            return [
                dispatch_row(d)
                for d in s.scalars(
                    select(Dispatch)
                    .where(Dispatch.site_id == site_id, Dispatch.status != DispatchStatus.SENT)
                    .order_by(Dispatch.created_at)
                )
            ]

    def get(self, *, dispatch_id: uuid.UUID) -> DispatchRow:
        with self._db.read() as s:
            dispatch = s.get(Dispatch, dispatch_id)
            if dispatch is None:
                raise NotFoundError("Cet envoi n'existe pas.")
            return dispatch_row(dispatch)

    def mark_sent(
        self,
        *,
        dispatch_id: uuid.UUID,
        agent_id: uuid.UUID,
        external_id: str = "",
        document: bytes | None = None,
        document_name: str = "",
    ) -> DispatchRow:
        """Delivery done: the dispatch, its document (the letter PDF) and the request's history, together."""
        with self._db.write() as s:
            dispatch = self._dispatch(s, dispatch_id)
            if dispatch.status is DispatchStatus.SENT:
                return dispatch_row(dispatch)  # a second report of the same delivery changes nothing
            request = self._get(s, dispatch.request_id)
            dispatch.status = DispatchStatus.SENT
            dispatch.attempts += 1
            dispatch.sent_at = clock.now()
            dispatch.external_id = external_id[:200]
            dispatch.last_error = ""
            if document is not None:
                mail = None
                if dispatch.mail_item_id is not None:
                    mail = s.get(MailItem, dispatch.mail_item_id)
                self._mail.store_document_in(
                    s, request=request, site_id=dispatch.site_id, data=document, file_name=document_name, mail=mail
                )
            what = {
                PreferredChannel.POST: "Lettre éditée, à poster",
                PreferredChannel.EMAIL: f"Courriel envoyé à {dispatch.address}",
                PreferredChannel.SMS: f"SMS envoyé au {dispatch.address}",
            }.get(dispatch.channel, "Réponse envoyée")
            self._requests.event(s, request, agent_id, dispatch.site_id, RequestEventKind.ANSWER_SENT, comment=what)
            s.flush()
            return dispatch_row(dispatch)

    def mark_failed(self, *, dispatch_id: uuid.UUID, agent_id: uuid.UUID, error: str) -> DispatchRow:
        """Delivery failed: kept with its French reason, visible on the request, to be sent again."""
        with self._db.write() as s:
            dispatch = self._dispatch(s, dispatch_id)
            if dispatch.status is DispatchStatus.SENT:
                return dispatch_row(dispatch)
            request = self._get(s, dispatch.request_id)
            dispatch.status = DispatchStatus.FAILED
            dispatch.attempts += 1
            dispatch.last_error = error
            self._requests.event(s, request, agent_id, dispatch.site_id, RequestEventKind.SEND_FAILED, comment=error)
            s.flush()
            return dispatch_row(dispatch)

    def _dispatch(self, s: Session, dispatch_id: uuid.UUID) -> Dispatch:
        dispatch = s.get(Dispatch, dispatch_id)
        if dispatch is None:
            raise NotFoundError("Cet envoi n'existe pas.")
        return dispatch

    def _get(self, s: Session, request_id: uuid.UUID) -> FollowUpRequest:
        request = s.get(FollowUpRequest, request_id)
        if request is None or request.deleted_at is not None:
            raise NotFoundError("Cette demande n'existe pas ou a été supprimée.")
        return request
