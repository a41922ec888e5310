"""The read side of appointments: agendas, free slots, the day and week grids, today's board, searches, counts,
and what a confirmation says. Writes are in ``guichet.services.appointments``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from guichet.db import Database
from guichet.domain import AppointmentStatus
from guichet.models import (
    Agent,
    Appointment,
    AppointmentAgenda,
    AppointmentClosure,
    AppointmentKind,
    AppointmentNotice,
    Citizen,
    Commune,
    MunicipalService,
    Queue,
    Site,
    Ticket,
)
from guichet.services.appointment_rules import Closure, Slot, closed_reason, qr_payload, slots
from guichet.services.appointment_types import (
    AgendaDay,
    AgendaInfo,
    AppointmentCounts,
    AppointmentDocument,
    AppointmentRow,
    Board,
    ClosureInfo,
    KindInfo,
    NoticeRow,
    Standing,
)
from guichet.services.casework_rows import citizen_contact, citizen_display
from guichet.services.clock import day_bounds, local_day
from guichet.services.clock import now as system_now
from guichet.services.errors import NotFoundError, ValidationError
from guichet.services.queue_policy import Hours, hours_text, parse_hours
from guichet.services.validation import format_phone

BOARD_EXPECTED = 12  # appointments listed as « attendus » on today's board


def agenda_hours(agenda: AppointmentAgenda) -> Hours | None:
    """The agenda's hours; badly written hours give no slot at all (rather than slots at any hour)."""
    try:
        return parse_hours(agenda.opening_hours) or {}
    except ValueError:
        return {}


def notice_row(n: AppointmentNotice) -> NoticeRow:
    return NoticeRow(n.id, n.appointment_id, n.kind, n.channel, n.address, n.status, n.attempts, n.last_error,
                     n.sent_at)  # fmt: skip


def standing(a: Appointment, late_min: int, now: datetime) -> Standing:
    if a.status is AppointmentStatus.CHECKED_IN:
        return Standing.CHECKED_IN
    if a.status is AppointmentStatus.MISSED:
        return Standing.MISSED
    if a.status is AppointmentStatus.CANCELLED:
        return Standing.CANCELLED
    return Standing.LATE if now > a.starts_at + timedelta(minutes=late_min) else Standing.EXPECTED


class AppointmentReads:
    _db: Database
    _clock: Callable[[], datetime]

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = system_now) -> None:
        self._db = db
        self._clock = clock

    # -- agendas ---------------------------------------------------------------------------------------------

    def agendas(self, *, site_id: uuid.UUID, everywhere: bool = True) -> list[AgendaInfo]:
        """The active agendas of the site's commune (the site's own first), or of the site only."""
        with self._db.read() as s:
            site = s.get(Site, site_id)
            if site is None:
                raise NotFoundError("Ce site n'existe pas.")
            query = select(AppointmentAgenda).where(
                AppointmentAgenda.commune_id == site.commune_id,
                AppointmentAgenda.active.is_(True),
                AppointmentAgenda.deleted_at.is_(None),
            )
            if not everywhere:
                query = query.where(AppointmentAgenda.site_id == site_id)
            query = query.order_by(AppointmentAgenda.sort_order, AppointmentAgenda.name)
            found = [self._agenda_info(s, a, site_id) for a in s.scalars(query)]
        return sorted(found, key=lambda a: not a.bookable_here)  # the query gives the agendas in their order

    def agenda(self, *, agenda_id: uuid.UUID, site_id: uuid.UUID | None = None) -> AgendaInfo:
        with self._db.read() as s:
            return self._agenda_info(s, self._agenda(s, agenda_id), site_id)

    # -- slots -----------------------------------------------------------------------------------------------

    def free_slots(self, *, kind_id: uuid.UUID, first_day: date, days: int = 31) -> list[Slot]:
        """The free slots of a kind over ``days`` days from ``first_day`` (a month: one index range read)."""
        days = _span(days)
        with self._db.read() as s:
            return self._slots(s, kind_id, first_day, first_day + timedelta(days=days - 1), self._clock())

    def next_free_slots(self, *, kind_id: uuid.UUID, after: datetime | None = None, limit: int = 9) -> list[Slot]:
        """The first ``limit`` free slots of a kind from ``after`` (now by default): what the booking proposes."""
        now = self._clock()
        start = max(after or now, now)
        first = local_day(start)
        found: list[Slot] = []
        with self._db.read() as s:
            kind = self._kind(s, kind_id)
            agenda = self._agenda(s, kind.agenda_id)
            last = local_day(now) + timedelta(days=agenda.horizon_days)
            while first <= last and len(found) < limit:
                chunk_end = min(first + timedelta(days=13), last)
                found += [x for x in self._slots(s, kind_id, first, chunk_end, start - timedelta(microseconds=1))]
                first = chunk_end + timedelta(days=1)
        return found[:limit]

    def _slots(self, s: Session, kind_id: uuid.UUID, first: date, last: date, now: datetime, *,
               only_free: bool = True) -> list[Slot]:  # fmt: skip
        kind = self._kind(s, kind_id)
        agenda = self._agenda(s, kind.agenda_id)
        start, _ = day_bounds(first)
        _, end = day_bounds(last)
        booked = s.execute(
            select(Appointment.starts_at, Appointment.ends_at).where(
                Appointment.kind_id == kind.id,
                Appointment.starts_at < end,
                Appointment.starts_at >= start - timedelta(minutes=max(kind.duration_min, 240)),
                Appointment.status.in_((AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)),
                Appointment.deleted_at.is_(None),
            )
        ).all()
        horizon = day_bounds(local_day(self._clock()) + timedelta(days=agenda.horizon_days))[1]
        return slots(
            hours=agenda_hours(agenda), closures=self._closures(s, agenda.id), duration_min=kind.duration_min,
            capacity=kind.capacity, booked=[(b[0], b[1]) for b in booked], first_day=first, last_day=last, now=now,
            horizon_end=horizon, only_free=only_free,
        )  # fmt: skip

    # -- day, week, board --------------------------------------------------------------------------------------

    def day(self, *, agenda_id: uuid.UUID, day: date) -> AgendaDay:
        """One day of an agenda: every slot of each kind (full ones too) and the appointments of the day."""
        return self.days(agenda_id=agenda_id, first_day=day, count=1)[0]

    def week(self, *, agenda_id: uuid.UUID, day: date) -> tuple[AgendaDay, ...]:
        """Monday to Saturday of the week of ``day``."""
        monday = day - timedelta(days=day.weekday())
        return self.days(agenda_id=agenda_id, first_day=monday, count=6)

    def days(self, *, agenda_id: uuid.UUID, first_day: date, count: int) -> tuple[AgendaDay, ...]:
        count = _span(count)
        now = self._clock()
        last_day = first_day + timedelta(days=count - 1)
        with self._db.read() as s:
            agenda = self._agenda(s, agenda_id)
            hours = agenda_hours(agenda)
            closures = self._closures(s, agenda.id)
            kinds = self._kinds(s, agenda.id)
            start, _ = day_bounds(first_day)
            _, end = day_bounds(last_day)
            rows = self._rows(
                s,
                self._row_query()
                .where(Appointment.agenda_id == agenda.id, Appointment.starts_at >= start, Appointment.starts_at < end)
                .order_by(Appointment.starts_at, Appointment.booked_at),
                now,
            )
            # Past slots are shown too (the grid is a plan of the day): "now" is the start of the first day.
            by_kind = {k.id: self._slots(s, k.id, first_day, last_day, start - timedelta(seconds=1), only_free=False)
                       for k in kinds}  # fmt: skip
        result = []
        for n in range(count):
            day = first_day + timedelta(days=n)
            reason = closed_reason(day, hours, closures)
            result.append(
                AgendaDay(
                    day=day,
                    closed_reason=reason,
                    slots={k: tuple(x for x in found if local_day(x.start) == day) for k, found in by_kind.items()},
                    appointments=tuple(r for r in rows if local_day(r.starts_at) == day),
                )  # fmt: skip
            )
        return tuple(result)

    def board(self, *, site_id: uuid.UUID, agenda_id: uuid.UUID | None = None) -> Board:
        """Today at the site: the next expected, the late, the checked in (most recent first), and the counts."""
        now = self._clock()
        today = local_day(now)
        start, end = day_bounds(today)
        with self._db.read() as s:
            query = self._row_query().where(
                Appointment.site_id == site_id, Appointment.starts_at >= start, Appointment.starts_at < end
            )
            if agenda_id is not None:
                query = query.where(Appointment.agenda_id == agenda_id)
            rows = self._rows(s, query.order_by(Appointment.starts_at), now)
        expected = tuple(r for r in rows if r.standing is Standing.EXPECTED)[:BOARD_EXPECTED]
        late = tuple(r for r in rows if r.standing is Standing.LATE)
        checked = tuple(sorted((r for r in rows if r.standing is Standing.CHECKED_IN),
                               key=lambda r: r.checked_in_at or r.starts_at, reverse=True))  # fmt: skip
        return Board(now, expected, late, checked, _count(rows))

    # -- searches ------------------------------------------------------------------------------------------------

    def for_citizen(self, *, citizen_id: uuid.UUID, commune_id: uuid.UUID | None = None) -> list[AppointmentRow]:
        """A citizen's appointments, every agenda of the commune, the coming ones first, then the past ones."""
        now = self._clock()
        with self._db.read() as s:
            query = self._row_query().where(Appointment.citizen_id == citizen_id)
            if commune_id is not None:
                query = query.where(Appointment.commune_id == commune_id)
            rows = self._rows(s, query.order_by(Appointment.starts_at), now)
        coming = [r for r in rows if r.ends_at >= now]
        return coming + sorted((r for r in rows if r.ends_at < now), key=lambda r: r.starts_at, reverse=True)

    def find_code(self, *, commune_id: uuid.UUID, code: str) -> list[AppointmentRow]:
        """The appointments with this code in the commune (one per site at most)."""
        from guichet.services.appointment_rules import normalise_code

        normal = normalise_code(code)
        if normal is None:
            return []
        with self._db.read() as s:
            query = self._row_query().where(Appointment.commune_id == commune_id, Appointment.code == normal)
            return self._rows(s, query, self._clock())

    def get(self, *, appointment_id: uuid.UUID) -> AppointmentRow:
        with self._db.read() as s:
            found = self._rows(s, self._row_query().where(Appointment.id == appointment_id), self._clock())
        if not found:
            raise NotFoundError("Ce rendez-vous n'existe pas.")
        return found[0]

    def counts(self, *, site_id: uuid.UUID, first_day: date, last_day: date) -> AppointmentCounts:
        """How the appointments of a period went at a site: kept, late, missed (« non venus »), cancelled."""
        start, _ = day_bounds(first_day)
        _, end = day_bounds(last_day)
        with self._db.read() as s:
            found = s.execute(
                select(Appointment.status, Appointment.arrived_late, func.count())
                .where(Appointment.site_id == site_id, Appointment.starts_at >= start, Appointment.starts_at < end,
                       Appointment.deleted_at.is_(None))
                .group_by(Appointment.status, Appointment.arrived_late)
            ).all()  # fmt: skip
        by: dict[AppointmentStatus, int] = {}
        late = 0
        for status, was_late, n in found:
            by[status] = by.get(status, 0) + n
            late += n if status is AppointmentStatus.CHECKED_IN and was_late else 0
        return AppointmentCounts(
            booked=sum(n for st, n in by.items() if st is not AppointmentStatus.CANCELLED),
            checked_in=by.get(AppointmentStatus.CHECKED_IN, 0), late=late, missed=by.get(AppointmentStatus.MISSED, 0),
            cancelled=by.get(AppointmentStatus.CANCELLED, 0), waiting=by.get(AppointmentStatus.BOOKED, 0),
        )  # fmt: skip

    # -- confirmations -------------------------------------------------------------------------------------------

    def document(self, *, appointment_id: uuid.UUID) -> AppointmentDocument:
        """What the confirmation of an appointment says (letter, e-mail, SMS)."""
        with self._db.read() as s:
            a = s.get(Appointment, appointment_id)
            if a is None or a.deleted_at is not None:
                raise NotFoundError("Ce rendez-vous n'existe pas.")
            return self._document(s, a)

    def notice(self, *, notice_id: uuid.UUID) -> NoticeRow:
        with self._db.read() as s:
            n = s.get(AppointmentNotice, notice_id)
            if n is None:
                raise NotFoundError("Cet envoi n'existe pas.")
            return notice_row(n)

    def notices(self, *, appointment_id: uuid.UUID) -> list[NoticeRow]:
        with self._db.read() as s:
            return [
                notice_row(n)
                for n in s.scalars(
                    select(AppointmentNotice)
                    .where(AppointmentNotice.appointment_id == appointment_id)
                    .order_by(AppointmentNotice.created_at)
                )
            ]

    def pending_notices(self, *, site_id: uuid.UUID) -> list[NoticeRow]:
        """Messages of this site still to send (new, or failed before), oldest first."""
        from guichet.domain import DispatchStatus

        with self._db.read() as s:
            return [
                notice_row(n)
                for n in s.scalars(
                    select(AppointmentNotice)
                    .where(AppointmentNotice.site_id == site_id, AppointmentNotice.status != DispatchStatus.SENT)
                    .order_by(AppointmentNotice.created_at)
                )
            ]

    # -- internals -------------------------------------------------------------------------------------------

    @staticmethod
    def _document(s: Session, a: Appointment) -> AppointmentDocument:
        agenda = s.get(AppointmentAgenda, a.agenda_id)
        kind = s.get(AppointmentKind, a.kind_id)
        site = s.get(Site, a.site_id)
        commune = s.get(Commune, a.commune_id)
        citizen = s.get(Citizen, a.citizen_id)
        assert agenda and kind and site and commune and citizen
        service = s.get(MunicipalService, agenda.service_id)
        info = citizen_contact(citizen)
        civility = {"Mme": "Madame", "M.": "Monsieur"}.get(citizen.civility.value, "")
        return AppointmentDocument(
            appointment_id=a.id, code=a.code, qr_payload=qr_payload(a.code), status=a.status,
            commune_id=commune.id, commune_name=commune.name, site_name=site.name, site_address=site.address,
            site_phone=site.phone, agenda_name=agenda.name, location=agenda.location,
            service_name=service.name if service else "", service_phone=service.phone if service else "",
            service_email=service.email if service else "", kind_name=kind.name, duration_min=kind.duration_min,
            documents=_lines(kind.documents), starts_at=a.starts_at, early_min=agenda.early_min,
            late_min=agenda.late_min, citizen_formal_name=info.formal_name, citizen_civility=civility,
            citizen_address_lines=info.address_lines, cancel_reason=a.cancel_reason,
        )  # fmt: skip

    @staticmethod
    def _agenda(s: Session, agenda_id: uuid.UUID) -> AppointmentAgenda:
        agenda = s.get(AppointmentAgenda, agenda_id)
        if agenda is None or agenda.deleted_at is not None:
            raise NotFoundError("Cet agenda n'existe pas.")
        return agenda

    @staticmethod
    def _kind(s: Session, kind_id: uuid.UUID) -> AppointmentKind:
        kind = s.get(AppointmentKind, kind_id)
        if kind is None or kind.deleted_at is not None:
            raise NotFoundError("Ce type de rendez-vous n'existe pas.")
        return kind

    @staticmethod
    def _kinds(s: Session, agenda_id: uuid.UUID) -> list[AppointmentKind]:
        return list(
            s.scalars(
                select(AppointmentKind)
                .where(AppointmentKind.agenda_id == agenda_id, AppointmentKind.deleted_at.is_(None),
                       AppointmentKind.active.is_(True))
                .order_by(AppointmentKind.sort_order, AppointmentKind.name)
            )
        )  # fmt: skip

    @staticmethod
    def _closures(s: Session, agenda_id: uuid.UUID) -> list[Closure]:
        return [
            Closure(c.first_day, c.last_day, c.reason)
            for c in s.scalars(
                select(AppointmentClosure).where(
                    AppointmentClosure.agenda_id == agenda_id, AppointmentClosure.deleted_at.is_(None)
                )
            )
        ]

    def _agenda_info(self, s: Session, a: AppointmentAgenda, site_id: uuid.UUID | None) -> AgendaInfo:
        site = s.get(Site, a.site_id)
        service = s.get(MunicipalService, a.service_id)
        queue = s.get(Queue, a.queue_id) if a.queue_id else None
        kinds = tuple(
            KindInfo(k.id, k.agenda_id, k.name, k.duration_min, k.capacity, _lines(k.documents), k.active)
            for k in self._kinds(s, a.id)
        )
        today = local_day(self._clock())
        closures = tuple(
            ClosureInfo(c.id, c.first_day, c.last_day, c.reason)
            for c in s.scalars(
                select(AppointmentClosure)
                .where(AppointmentClosure.agenda_id == a.id, AppointmentClosure.deleted_at.is_(None),
                       AppointmentClosure.last_day >= today)
                .order_by(AppointmentClosure.first_day)
            )
        )  # fmt: skip
        assert site is not None
        return AgendaInfo(
            id=a.id, site_id=a.site_id, site_name=site.name, site_phone=site.phone, service_id=a.service_id,
            service_name=service.name if service else "", name=a.name, queue_id=a.queue_id,
            queue_name=f"{queue.letter} — {queue.name}" if queue else "", opening_hours=a.opening_hours,
            hours_text=hours_text(agenda_hours(a)) if a.opening_hours.strip() else "Aucun horaire",
            location=a.location, early_min=a.early_min, late_min=a.late_min, horizon_days=a.horizon_days,
            active=a.active, kinds=kinds, closures=closures, bookable_here=site_id is None or a.site_id == site_id,
        )  # fmt: skip

    @staticmethod
    def _row_query() -> Select:
        booker = aliased(Agent)
        return (
            select(
                Appointment,
                Citizen,
                AppointmentKind.name,
                AppointmentAgenda.name,
                AppointmentAgenda.late_min,
                Site.name,
                booker.first_name,
                booker.last_name,
                Ticket.number,
            )
            .join(Citizen, Citizen.id == Appointment.citizen_id)
            .join(AppointmentKind, AppointmentKind.id == Appointment.kind_id)
            .join(AppointmentAgenda, AppointmentAgenda.id == Appointment.agenda_id)
            .join(Site, Site.id == Appointment.site_id)
            .join(booker, booker.id == Appointment.booked_by)
            .outerjoin(Ticket, Ticket.id == Appointment.ticket_id)
            .where(Appointment.deleted_at.is_(None))
        )

    @staticmethod
    def _rows(s: Session, query: Select, now: datetime) -> list[AppointmentRow]:
        return [
            to_row(a, c, kind, agenda, late_min, site, f"{first} {last}", number or "", now)
            for a, c, kind, agenda, late_min, site, first, last, number in s.execute(query)
        ]


def to_row(
    a: Appointment, c: Citizen, kind: str, agenda: str, late_min: int, site: str, booker: str, number: str,
    now: datetime,
) -> AppointmentRow:  # fmt: skip
    return AppointmentRow(
        id=a.id, code=a.code, site_id=a.site_id, site_name=site, agenda_id=a.agenda_id, agenda_name=agenda,
        kind_id=a.kind_id, kind_name=kind, citizen_id=a.citizen_id, citizen_name=citizen_display(c),
        citizen_phone=format_phone(c.phone) if c.phone else "", starts_at=a.starts_at, ends_at=a.ends_at,
        status=a.status, standing=standing(a, late_min, now), channel=a.channel, confirmation=a.confirmation,
        booked_at=a.booked_at, booked_by=booker, moves=a.moves, checked_in_at=a.checked_in_at,
        arrived_late=a.arrived_late, ticket_id=a.ticket_id, ticket_number=number, cancel_reason=a.cancel_reason,
        notes=a.notes,
    )  # fmt: skip


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t"))


def _count(rows: Iterable[AppointmentRow]) -> AppointmentCounts:
    rows = list(rows)
    of = [r.status for r in rows]
    return AppointmentCounts(
        booked=sum(1 for st in of if st is not AppointmentStatus.CANCELLED),
        checked_in=of.count(AppointmentStatus.CHECKED_IN), late=sum(1 for r in rows if r.arrived_late),
        missed=of.count(AppointmentStatus.MISSED), cancelled=of.count(AppointmentStatus.CANCELLED),
        waiting=of.count(AppointmentStatus.BOOKED),
    )  # fmt: skip


def _span(days: int) -> int:
    """A number of days asked for: at least one, at most a year (a screen never shows more)."""
    if not 1 <= days <= 366:
        raise ValidationError({"days": "Choisissez une période de 1 à 366 jours."})
    return days
