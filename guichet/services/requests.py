"""Follow-up requests ("demandes"): opened from any contact or letter, answered in writing by a deadline."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from guichet.db import Database
from guichet.domain import (
    REQUEST_TRANSITIONS,
    RequestEventKind,
    RequestStatus,
    Role,
)
from guichet.models import (
    Agent,
    Attachment,
    Citizen,
    Commune,
    Dispatch,
    FollowUpRequest,
    Letterhead,
    MailItem,
    MunicipalService,
    RequestEvent,
    Site,
    Theme,
)
from guichet.services import clock
from guichet.services.casework_rows import (
    attachment_info,
    citizen_contact,
    citizen_display,
    dispatch_row,
    mail_rows,
)
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.requests_types import (
    RequestDetail,
    RequestEventRow,
    RequestInput,
    RequestList,
    RequestRow,
    RequestView,
)
from guichet.services.workdays import add_working_days
from guichet.text import fold, fts_prefix_query, word_tokens

DEFAULT_ANSWER_DAYS = 15  # working days, when neither the theme nor the commune says otherwise
DUE_SOON_DAYS = 5  # calendar days ahead for the "échéance proche" view
LIST_LIMIT = 500
_NO_CITIZEN = "Une demande appelle une réponse écrite : recherchez ou créez le citoyen qui la fait."


def request_search_text(reference: str, subject: str, citizen_name: str) -> str:
    """Folded words of a request for the search index: its reference, its subject, who asked."""
    words = fold(reference).split()
    words.append(reference.rsplit("-", 1)[-1].lstrip("0"))  # "123" finds VEN-HDV-2026-000123
    words.extend(word_tokens(subject))
    words.extend(fold(citizen_name).split())
    return " ".join(dict.fromkeys(w for w in words if w))


def answer_days(s: Session, theme: Theme, commune_id: uuid.UUID) -> int:
    """The commitment for a theme: its own, its parent's, the commune's default, or 15 working days."""
    if theme.answer_days:
        return theme.answer_days
    if theme.parent_id is not None:
        parent = s.get(Theme, theme.parent_id)
        if parent is not None and parent.answer_days:
            return parent.answer_days
    default = s.scalar(select(Letterhead.default_answer_days).where(Letterhead.commune_id == commune_id))
    return default or DEFAULT_ANSWER_DAYS


def next_number(s: Session, model: type, site_id: uuid.UUID, year: int, **where: object) -> int:
    """The next number a site hands out this year. Runs inside the writing transaction (BEGIN IMMEDIATE):
    no other writer can take the same number, and a restored database continues after what it holds."""
    query = select(func.max(model.seq)).where(model.site_id == site_id, model.year == year)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return (s.scalar(query) or 0) + 1


class RequestService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- writing ---------------------------------------------------------------------------------------------
    def open(self, *, agent_id: uuid.UUID, site_id: uuid.UUID, data: RequestInput) -> RequestRow:
        """Open a request with its reference, deadline and first event, in one transaction."""
        with self._db.write() as s:
            request = self.open_in(s, agent_id=agent_id, site_id=site_id, data=data)
            return self.row_in(s, request.id)

    def open_in(self, s: Session, *, agent_id: uuid.UUID, site_id: uuid.UUID, data: RequestInput) -> FollowUpRequest:
        """Open a request inside the caller's transaction (a letter registered with the request it opens)."""
        now = clock.now()
        today = clock.local_day(now)
        errors: dict[str, str] = {}
        subject = " ".join(data.subject.split())
        if data.channel is None:
            errors["channel"] = "Indiquez par quel canal la demande est arrivée."
        theme = s.get(Theme, data.theme_id) if data.theme_id else None
        if theme is None or theme.deleted_at is not None:
            errors["theme"] = "Choisissez le thème de la demande."
        if not subject:
            errors["subject"] = "Résumez la demande en une ligne (objet)."
        elif len(subject) > 200:
            errors["subject"] = "L'objet ne doit pas dépasser 200 caractères."
        citizen = s.get(Citizen, data.citizen_id) if data.citizen_id else None
        if citizen is None or citizen.deleted_at is not None:
            errors["citizen"] = _NO_CITIZEN
        received_on = data.received_on or today
        if received_on > today:
            errors["received_on"] = "La date de réception ne peut pas être dans le futur."
        elif received_on < today - timedelta(days=366):
            errors["received_on"] = "La date de réception a plus d'un an : vérifiez-la."
        service_id = data.service_id or _theme_service(s, theme)
        service = s.get(MunicipalService, service_id) if service_id else None
        if service is None and "theme" not in errors:
            errors["service"] = "Ce thème n'a pas de service attitré : choisissez le service qui répondra."
        if data.assignee_id is not None and s.get(Agent, data.assignee_id) is None:
            errors["assignee"] = "Cet agent n'existe pas."
        if errors:
            raise ValidationError(errors)
        assert theme is not None and service is not None and citizen is not None
        site, commune = s.execute(
            select(Site, Commune).join(Commune, Commune.id == Site.commune_id).where(Site.id == site_id)
        ).one()
        year = received_on.year if received_on.year == today.year else today.year
        seq = next_number(s, FollowUpRequest, site_id, year)
        reference = f"{commune.code}-{site.code}-{year}-{seq:06d}"
        status = RequestStatus.ASSIGNED if data.assignee_id else RequestStatus.NEW
        request = FollowUpRequest(
            commune_id=commune.id,
            site_id=site_id,
            reference=reference,
            year=year,
            seq=seq,
            channel=data.channel,
            received_on=received_on,
            opened_at=now,
            opened_by=agent_id,
            citizen_id=citizen.id,
            theme_id=theme.id,
            subject=subject,
            description=data.description.strip(),
            service_id=service.id,
            assignee_id=data.assignee_id,
            due_on=add_working_days(received_on, answer_days(s, theme, commune.id)),
            status=status,
            is_open=1,
            contact_id=data.contact_id,
            search_text=request_search_text(reference, subject, citizen_display(citizen)),
        )
        s.add(request)
        s.flush()
        self.event(
            s, request, agent_id, site_id, RequestEventKind.CREATED, to_status=status, service_id=service.id,
            assignee_id=data.assignee_id, at=now,
        )  # fmt: skip
        return request

    def change_status(
        self, *, request_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID, to: RequestStatus, comment: str = ""
    ) -> RequestDetail:
        """Move a request to its next state; the step is kept with its time, agent and comment."""
        with self._db.write() as s:
            request = self._get(s, request_id)
            if to not in REQUEST_TRANSITIONS[request.status]:
                raise NotAllowedError(
                    f"Une demande « {request.status.label.lower()} » ne peut pas passer à « {to.label.lower()} »."
                )
            comment = comment.strip()
            if to is RequestStatus.DROPPED and not comment:
                raise ValidationError({"comment": "Dites pourquoi la demande est classée sans suite."})
            if to is RequestStatus.ANSWERED and not (request.answer_text or comment):
                raise ValidationError(
                    {"comment": "Écrivez la réponse apportée au citoyen avant de la marquer répondue."}
                )
            self.set_status_in(s, request, to, agent_id, site_id, comment)
            s.flush()
            return self._detail(s, request.id)

    def set_status_in(
        self, s: Session, request: FollowUpRequest, to: RequestStatus, agent_id: uuid.UUID, site_id: uuid.UUID,
        comment: str,
    ) -> None:  # fmt: skip
        """Move a request to ``to`` inside the caller's transaction (also used by answers and the demo)."""
        now = clock.now()
        before = request.status
        request.status = to
        request.is_open = int(to.is_open)
        if to is RequestStatus.ANSWERED:
            request.answered_at = now
        elif to.is_open:
            request.answered_at = None
        if to in (RequestStatus.CLOSED, RequestStatus.DROPPED):
            request.closed_at = now
        self.event(s, request, agent_id, site_id, RequestEventKind.STATUS, from_status=before, to_status=to,
                    comment=comment, at=now)  # fmt: skip

    def reassign(
        self,
        *,
        request_id: uuid.UUID,
        agent_id: uuid.UUID,
        site_id: uuid.UUID,
        service_id: uuid.UUID,
        assignee_id: uuid.UUID | None,
        comment: str = "",
    ) -> RequestDetail:
        """Give an open request to another service and/or agent."""
        with self._db.write() as s:
            request = self._get(s, request_id)
            if not request.status.is_open:
                raise NotAllowedError("Une demande répondue ou close ne peut plus être réaffectée.")
            if s.get(MunicipalService, service_id) is None:
                raise ValidationError({"service": "Choisissez le service qui répondra."})
            if assignee_id is not None and s.get(Agent, assignee_id) is None:
                raise ValidationError({"assignee": "Cet agent n'existe pas."})
            if service_id == request.service_id and assignee_id == request.assignee_id:
                raise ValidationError({"service": "La demande est déjà confiée à ce service et à cet agent."})
            request.service_id = service_id
            request.assignee_id = assignee_id
            self.event(s, request, agent_id, site_id, RequestEventKind.REASSIGNED, service_id=service_id,
                        assignee_id=assignee_id, comment=comment.strip())  # fmt: skip
            if assignee_id is not None and request.status is RequestStatus.NEW:
                self.set_status_in(s, request, RequestStatus.ASSIGNED, agent_id, site_id, "")
            s.flush()
            return self._detail(s, request.id)

    def add_comment(
        self, *, request_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID, comment: str
    ) -> RequestDetail:
        with self._db.write() as s:
            request = self._get(s, request_id)
            if not comment.strip():
                raise ValidationError({"comment": "Le commentaire est vide."})
            self.event(s, request, agent_id, site_id, RequestEventKind.COMMENT, comment=comment.strip())
            s.flush()
            return self._detail(s, request.id)

    def change_deadline(
        self, *, request_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID, due_on: date, comment: str
    ) -> RequestDetail:
        """Move a deadline (supervisors only, with a reason): the old and new dates stay in the history."""
        with self._db.write() as s:
            request = self._get(s, request_id)
            agent = s.get(Agent, agent_id)
            if agent is None or agent.role is Role.AGENT:
                raise NotAllowedError("Seul un superviseur peut modifier l'échéance d'une demande.")
            if not comment.strip():
                raise ValidationError({"comment": "Indiquez pourquoi l'échéance change."})
            before = request.due_on
            request.due_on = due_on
            self.event(s, request, agent_id, site_id, RequestEventKind.DEADLINE,
                        comment=f"{before:%d/%m/%Y} → {due_on:%d/%m/%Y} : {comment.strip()}")  # fmt: skip
            s.flush()
            return self._detail(s, request.id)

    def save_answer(
        self, *, request_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID, text_: str
    ) -> RequestDetail:
        """Keep the answer being written (a draft until it is sent)."""
        with self._db.write() as s:
            request = self._get(s, request_id)
            if request.status in (RequestStatus.CLOSED, RequestStatus.DROPPED):
                raise NotAllowedError("Cette demande est close : sa réponse ne peut plus changer.")
            request.answer_text = text_.strip()
            s.flush()
            return self._detail(s, request.id)

    def event(
        self, s: Session, request: FollowUpRequest, agent_id: uuid.UUID, site_id: uuid.UUID, kind: RequestEventKind,
        *, from_status: RequestStatus | None = None, to_status: RequestStatus | None = None,
        service_id: uuid.UUID | None = None, assignee_id: uuid.UUID | None = None, comment: str = "", at=None,  # noqa: ANN001
    ) -> None:  # fmt: skip
        """Append a step to a request's history inside the caller's transaction (mail, answers use it too)."""
        s.add(
            RequestEvent(
                commune_id=request.commune_id, site_id=site_id, request_id=request.id, at=at or clock.now(),
                agent_id=agent_id, kind=kind, from_status=from_status, to_status=to_status, service_id=service_id,
                assignee_id=assignee_id, comment=comment,
            )
        )  # fmt: skip

    def _get(self, s: Session, request_id: uuid.UUID) -> FollowUpRequest:
        request = s.get(FollowUpRequest, request_id)
        if request is None or request.deleted_at is not None:
            raise NotFoundError("Cette demande n'existe pas ou a été supprimée.")
        return request

    # -- reading ---------------------------------------------------------------------------------------------
    def list(
        self,
        *,
        commune_id: uuid.UUID,
        view: RequestView = RequestView.OPEN,
        agent_id: uuid.UUID | None = None,
        service_id: uuid.UUID | None = None,
        theme_id: uuid.UUID | None = None,
        citizen_id: uuid.UUID | None = None,
        query: str = "",
        today: date | None = None,
        limit: int = LIST_LIMIT,
    ) -> RequestList:
        """One list of the "Demandes" screen, most urgent first, with the count of every view."""
        today = today or clock.local_day(clock.now())
        with self._db.read() as s:
            base = self._row_query().where(FollowUpRequest.commune_id == commune_id)
            base = base.where(FollowUpRequest.deleted_at.is_(None))
            query_ = self._view_filter(base, view, agent_id, service_id, today)
            if service_id is not None and view is not RequestView.SERVICE:  # the service filter, on any list
                query_ = query_.where(FollowUpRequest.service_id == service_id)
            if theme_id is not None:
                children = select(Theme.id).where(Theme.parent_id == theme_id)
                query_ = query_.where(or_(FollowUpRequest.theme_id == theme_id, FollowUpRequest.theme_id.in_(children)))
            if citizen_id is not None:
                query_ = query_.where(FollowUpRequest.citizen_id == citizen_id)
            words = [w for w in fold(query).split() if w]
            if words:
                match = fts_prefix_query(words)
                query_ = query_.where(
                    text("request.rowid IN (SELECT rowid FROM request_fts WHERE request_fts MATCH :match)").bindparams(
                        match=match
                    )
                )
            order = (FollowUpRequest.due_on, FollowUpRequest.reference)
            if view is RequestView.ALL:
                order = (FollowUpRequest.opened_at.desc(),)
            found = s.execute(query_.order_by(*order).limit(limit + 1)).all()
            rows = tuple(self._to_row(r) for r in found[:limit])
            counts = self._counts(s, commune_id, agent_id, service_id, today)
        return RequestList(rows, counts, truncated=len(found) > limit)

    def _view_filter(self, query, view: RequestView, agent_id, service_id, today: date):  # noqa: ANN001, ANN202
        r = FollowUpRequest
        if view is RequestView.ALL:
            return query
        query = query.where(r.is_open == 1)
        if view is RequestView.MINE:
            return query.where(r.assignee_id == agent_id)
        if view is RequestView.SERVICE:
            return query.where(r.service_id == service_id)
        if view is RequestView.OVERDUE:
            return query.where(r.due_on < today)
        if view is RequestView.DUE_SOON:
            return query.where(r.due_on >= today, r.due_on <= today + timedelta(days=DUE_SOON_DAYS))
        return query

    def _counts(self, s: Session, commune_id, agent_id, service_id, today: date) -> dict[RequestView, int]:  # noqa: ANN001
        r = FollowUpRequest
        open_ = and_(r.commune_id == commune_id, r.is_open == 1, r.deleted_at.is_(None))
        soon = today + timedelta(days=DUE_SOON_DAYS)
        row = s.execute(
            select(
                func.count(),
                func.count().filter(r.due_on < today),
                func.count().filter(r.due_on >= today, r.due_on <= soon),
                func.count().filter(r.assignee_id == agent_id),
                func.count().filter(r.service_id == service_id),
            ).where(open_)
        ).one()
        return {
            RequestView.OPEN: row[0],
            RequestView.OVERDUE: row[1],
            RequestView.DUE_SOON: row[2],
            RequestView.MINE: row[3] if agent_id else 0,
            RequestView.SERVICE: row[4] if service_id else 0,
        }

    def overdue_count(self, *, commune_id: uuid.UUID, today: date | None = None) -> int:
        today = today or clock.local_day(clock.now())
        r = FollowUpRequest
        with self._db.read() as s:
            return (
                s.scalar(select(func.count()).where(r.commune_id == commune_id, r.is_open == 1, r.due_on < today)) or 0
            )

    def get(self, *, request_id: uuid.UUID) -> RequestDetail:
        with self._db.read() as s:
            self._get(s, request_id)
            return self._detail(s, request_id)

    def find(self, *, reference: str, commune_id: uuid.UUID | None = None) -> RequestDetail:
        """A request by its reference (of the given commune only, when one is given)."""
        with self._db.read() as s:
            query = select(FollowUpRequest.id).where(
                FollowUpRequest.reference == reference.strip().upper(), FollowUpRequest.deleted_at.is_(None)
            )
            if commune_id is not None:
                query = query.where(FollowUpRequest.commune_id == commune_id)
            found = s.scalar(query)
            if found is None:
                raise NotFoundError(f"Aucune demande ne porte la référence « {reference.strip()} ».")
            return self._detail(s, found)

    _assignee = aliased(Agent)

    @classmethod
    def _row_query(cls):  # noqa: ANN206
        # Plain columns, not ORM entities: a list of 500 requests builds in a third of the time.
        r, a = FollowUpRequest, cls._assignee
        return (
            select(
                r.id,
                r.reference,
                r.status,
                r.subject,
                r.channel,
                r.received_on,
                r.due_on,
                r.citizen_id,
                Citizen.civility,
                Citizen.last_name,
                Citizen.first_names,
                r.theme_id,
                Theme.label,
                r.service_id,
                MunicipalService.name,
                r.assignee_id,
                a.first_name,
                a.last_name,
                r.opened_at,
                r.answered_at,
            )  # fmt: skip
            .join(Theme, Theme.id == r.theme_id)
            .join(MunicipalService, MunicipalService.id == r.service_id)
            .outerjoin(Citizen, Citizen.id == r.citizen_id)
            .outerjoin(a, a.id == r.assignee_id)
        )

    @staticmethod
    def _to_row(r) -> RequestRow:  # noqa: ANN001
        (id_, reference, status, subject, channel, received_on, due_on, citizen_id, civility, last, first, theme_id,
         theme_label, service_id, service_name, assignee_id, a_first, a_last, opened_at, answered_at) = r  # fmt: skip
        citizen = " ".join(p for p in (civility.value if civility else "", (last or "").upper(), first or "") if p)
        return RequestRow(
            id_, reference, status, subject, channel, received_on, due_on, citizen_id, citizen, theme_id, theme_label,
            service_id, service_name, assignee_id, f"{a_first} {a_last}" if a_first else "", opened_at, answered_at,
        )  # fmt: skip

    def row_in(self, s: Session, request_id: uuid.UUID) -> RequestRow:
        """A request as the lists show it, read inside the caller's transaction."""
        return self._to_row(s.execute(self._row_query().where(FollowUpRequest.id == request_id)).one())

    def _detail(self, s: Session, request_id: uuid.UUID) -> RequestDetail:
        row = self.row_in(s, request_id)
        req = s.get(FollowUpRequest, request_id)
        assert req is not None
        commune = s.get(Commune, req.commune_id)
        site = s.get(Site, req.site_id)
        opener = s.get(Agent, req.opened_by)
        service = s.get(MunicipalService, req.service_id)
        citizen = s.get(Citizen, req.citizen_id) if req.citizen_id else None
        author, assignee = aliased(Agent), aliased(Agent)
        events = tuple(
            RequestEventRow(
                e.at,
                e.kind,
                f"{a.first_name} {a.last_name}",
                e.from_status,
                e.to_status,
                svc or "",
                f"{who.first_name} {who.last_name}" if who else "",
                e.comment,
            )  # fmt: skip
            for e, a, svc, who in s.execute(
                select(RequestEvent, author, MunicipalService.name, assignee)
                .join(author, author.id == RequestEvent.agent_id)
                .outerjoin(MunicipalService, MunicipalService.id == RequestEvent.service_id)
                .outerjoin(assignee, assignee.id == RequestEvent.assignee_id)
                .where(RequestEvent.request_id == request_id)
                .order_by(RequestEvent.at, RequestEvent.id)
            )
        )
        mails = tuple(mail_rows(s, select(MailItem).where(MailItem.request_id == request_id)))
        dispatches = tuple(
            dispatch_row(d)
            for d in s.scalars(select(Dispatch).where(Dispatch.request_id == request_id).order_by(Dispatch.created_at))
        )
        mail_ids = [m.id for m in mails]
        attachments = tuple(
            attachment_info(a)
            for a in s.scalars(
                select(Attachment)
                .where(or_(Attachment.request_id == request_id, Attachment.mail_item_id.in_(mail_ids)))
                .where(Attachment.deleted_at.is_(None))
                .order_by(Attachment.created_at)
            )
        )
        return RequestDetail(
            row=row, description=req.description, answer_text=req.answer_text, commune_id=req.commune_id,
            commune_name=commune.name if commune else "", site_name=site.name if site else "",
            opened_by_name=f"{opener.first_name} {opener.last_name}" if opener else "", closed_at=req.closed_at,
            contact_id=req.contact_id, citizen=citizen_contact(citizen) if citizen else None,
            service_phone=service.phone if service else "", service_email=service.email if service else "",
            service_location=service.location if service else "", events=events, mails=mails,
            dispatches=dispatches, attachments=attachments, allowed=REQUEST_TRANSITIONS[req.status],
            theme_code=_top_theme_code(s, req.theme_id),
        )  # fmt: skip


def _top_theme_code(s: Session, theme_id: uuid.UUID) -> str:
    theme = s.get(Theme, theme_id)
    while theme is not None and theme.parent_id is not None:
        theme = s.get(Theme, theme.parent_id)
    return theme.code if theme is not None else ""


def _theme_service(s: Session, theme: Theme | None) -> uuid.UUID | None:
    """The service that answers for a theme: its own, else its parent's."""
    while theme is not None:
        if theme.default_service_id is not None:
            return theme.default_service_id
        theme = s.get(Theme, theme.parent_id) if theme.parent_id else None
    return None
