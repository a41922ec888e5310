"""Appointments: agendas of a site's services, booking from the desk, moves, cancellations, check-in.

A booking is one transaction (``Database.write``: BEGIN IMMEDIATE): it checks the slot against the agenda
(hours, public holidays, closures, the past, the horizon) and counts, under the write lock, the appointments
of the kind that overlap it; then it writes the appointment, and in the same transaction its confirmation: a
pending notice (e-mail, SMS) that ``guichet.notify.appointments`` sends afterwards, or the printed receipt's
print job. Two desks of a site booking the last place at once are serialised by the lock: the second one is
told the slot was just taken.

Across sites — the rule that keeps a place from being handed out twice offline: **only the agenda's own site
writes its appointments** (books, moves, cancels, checks in). Every site of the commune reads them (pulled:
any desk can tell a citizen when and where they are expected), and row-level security on the central refuses
any other site's write. A desk of another site that is asked for an appointment is told which site to call.
So capacity is only ever counted on one SQLite file, under its write lock, and never needs checking again.

Free slots and the arrival rule are pure functions (``appointment_rules``); the reads are in
``appointment_views``; the check-in itself in ``appointment_checkin``.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import (
    AppointmentStatus,
    Channel,
    ConfirmationChannel,
    DispatchStatus,
    NoticeKind,
    PreferredChannel,
    PrintJobKind,
    Role,
)
from guichet.models import (
    Agent,
    Appointment,
    AppointmentAgenda,
    AppointmentClosure,
    AppointmentKind,
    AppointmentNotice,
    Citizen,
    MunicipalService,
    Queue,
    Site,
)
from guichet.services.appointment_checkin import check_in_in
from guichet.services.appointment_rules import (
    Occupancy,
    closed_reason,
    default_confirmation,
    is_mobile,
    new_code,
    on_grid,
    qr_payload,
    when_text,
)
from guichet.services.appointment_types import (
    AgendaInfo,
    AppointmentDocument,
    AppointmentRow,
    BookingResult,
    CheckInResult,
    ClosureInfo,
    KindInfo,
    NoticeRow,
)
from guichet.services.appointment_views import AppointmentReads, agenda_hours, notice_row
from guichet.services.casework_rows import citizen_display
from guichet.services.clock import local_day
from guichet.services.clock import now as system_now
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.printing import add_print_job
from guichet.services.queue_policy import dump_hours, parse_hours
from guichet.services.validation import format_phone

MAX_DURATION_MIN = 240
MAX_CAPACITY = 20
_CODE_ATTEMPTS = 20


class AppointmentService(AppointmentReads):
    """Agendas, bookings and check-ins. ``clock`` gives the current instant, ``randbelow`` draws the codes."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = system_now,
        randbelow: Callable[[int], int] = secrets.randbelow,
    ) -> None:
        super().__init__(db, clock=clock)
        self._randbelow = randbelow

    # -- agendas (supervisors and administrators of the agenda's site) ------------------------------------------

    def save_agenda(
        self, *, agent_id: uuid.UUID, site_id: uuid.UUID, name: str, service_id: uuid.UUID,
        opening_hours: str | Mapping[str, Sequence[str]], queue_id: uuid.UUID | None = None, location: str = "",
        early_min: int = 30, late_min: int = 15, horizon_days: int = 90, active: bool = True,
        agenda_id: uuid.UUID | None = None,
    ) -> AgendaInfo:  # fmt: skip
        """Create an agenda of the site, or change one."""
        name = name.strip()
        errors = {}
        if not name:
            errors["name"] = "Donnez un nom à l'agenda (ex. « État civil — titres d'identité »)."
        try:
            hours = opening_hours if isinstance(opening_hours, str) else dump_hours(opening_hours)
            parse_hours(hours)
        except ValueError as e:
            errors["opening_hours"] = str(e)
        if not 0 <= early_min <= 240 or not 0 <= late_min <= 120:
            errors["late_min"] = "L'avance admise va de 0 à 240 min, le retard admis de 0 à 120 min."
        if not 1 <= horizon_days <= 366:
            errors["horizon_days"] = "Les rendez-vous se donnent de 1 à 366 jours à l'avance."
        if errors:
            raise ValidationError(errors)
        with self._db.write() as s:
            site = self._manager(s, agent_id, site_id)
            if s.get(MunicipalService, service_id) is None:
                raise ValidationError({"service_id": "Choisissez le service qui reçoit ces rendez-vous."})
            if queue_id is not None:
                queue = s.get(Queue, queue_id)
                if queue is None or queue.site_id != site_id:
                    raise ValidationError({"queue_id": "Choisissez une file d'attente de ce site."})
            if agenda_id is None:
                agenda = AppointmentAgenda(commune_id=site.commune_id, site_id=site_id)
                s.add(agenda)
            else:
                agenda = self._agenda(s, agenda_id)
                self._own(s, agenda, site_id)
            agenda.name, agenda.service_id, agenda.queue_id, agenda.opening_hours = name, service_id, queue_id, hours
            agenda.location, agenda.early_min, agenda.late_min = location.strip(), early_min, late_min
            agenda.horizon_days, agenda.active = horizon_days, active
            s.flush()
            return self._agenda_info(s, agenda, site_id)

    def save_kind(
        self, *, agent_id: uuid.UUID, agenda_id: uuid.UUID, name: str, duration_min: int, capacity: int = 1,
        documents: str | Sequence[str] = "", active: bool = True, kind_id: uuid.UUID | None = None,
        sort_order: int = 0,
    ) -> KindInfo:  # fmt: skip
        """Add a kind of appointment to an agenda, or change one (its length applies to bookings made after)."""
        name = name.strip()
        errors = {}
        if not name:
            errors["name"] = "Donnez un nom au type de rendez-vous (ex. « Dépôt de passeport »)."
        if not 5 <= duration_min <= MAX_DURATION_MIN:
            errors["duration_min"] = f"Une durée de 5 à {MAX_DURATION_MIN} minutes."
        if not 1 <= capacity <= MAX_CAPACITY:
            errors["capacity"] = f"De 1 à {MAX_CAPACITY} guichets reçoivent ce rendez-vous en même temps."
        if errors:
            raise ValidationError(errors)
        text = documents if isinstance(documents, str) else "\n".join(documents)
        with self._db.write() as s:
            agenda = self._agenda(s, agenda_id)
            self._manager(s, agent_id, agenda.site_id)
            if kind_id is None:
                kind = AppointmentKind(commune_id=agenda.commune_id, site_id=agenda.site_id, agenda_id=agenda.id)
                s.add(kind)
            else:
                kind = self._kind(s, kind_id)
                if kind.agenda_id != agenda.id:
                    raise NotFoundError("Ce type de rendez-vous n'est pas de cet agenda.")
            kind.name, kind.duration_min, kind.capacity, kind.documents = name, duration_min, capacity, text.strip()
            kind.active, kind.sort_order = active, sort_order
            s.flush()
            return KindInfo(kind.id, agenda.id, kind.name, kind.duration_min, kind.capacity,
                            tuple(x for x in text.splitlines() if x.strip()), kind.active)  # fmt: skip

    def add_closure(
        self, *, agent_id: uuid.UUID, agenda_id: uuid.UUID, first_day: date, last_day: date, reason: str
    ) -> ClosureInfo:
        """Days without appointments (both ends included). Appointments already booked then stay: the page
        lists them so that the citizens are called and moved."""
        if last_day < first_day:
            raise ValidationError({"last_day": "La fin de la fermeture précède son début."})
        with self._db.write() as s:
            agenda = self._agenda(s, agenda_id)
            self._manager(s, agent_id, agenda.site_id)
            closure = AppointmentClosure(
                commune_id=agenda.commune_id, site_id=agenda.site_id, agenda_id=agenda.id, first_day=first_day,
                last_day=last_day, reason=reason.strip()[:200],
            )  # fmt: skip
            s.add(closure)
            s.flush()
            return ClosureInfo(closure.id, first_day, last_day, closure.reason)

    def remove_closure(self, *, agent_id: uuid.UUID, closure_id: uuid.UUID) -> None:
        with self._db.write() as s:
            closure = s.get(AppointmentClosure, closure_id)
            if closure is None or closure.deleted_at is not None:
                raise NotFoundError("Cette fermeture n'existe pas.")
            self._manager(s, agent_id, closure.site_id)
            closure.deleted_at = self._clock()

    # -- booking --------------------------------------------------------------------------------------------------

    def suggested_confirmation(self, *, citizen_id: uuid.UUID, at_desk: bool) -> ConfirmationChannel:
        """The confirmation a booking for this citizen sends unless the agent picks another."""
        with self._db.read() as s:
            return _default_confirmation(self._citizen(s, citizen_id), at_desk=at_desk)

    def book(
        self, *, agent_id: uuid.UUID, site_id: uuid.UUID, kind_id: uuid.UUID, citizen_id: uuid.UUID,
        starts_at: datetime, channel: Channel = Channel.PHONE, confirmation: ConfirmationChannel | None = None,
        printer_key: str | None = None, notes: str = "",
    ) -> BookingResult:  # fmt: skip
        """Book the slot beginning at ``starts_at`` for a citizen, with its confirmation, in one transaction."""
        with self._db.write() as s:
            s.connection()  # the write lock first: the places are counted under it
            now = self._clock()
            kind = self._kind(s, kind_id)
            agenda = self._agenda(s, kind.agenda_id)
            self._own(s, agenda, site_id)
            citizen = self._citizen(s, citizen_id)
            start, end = self._check_slot(s, agenda, kind, starts_at, now, moving=None)
            self._check_citizen_free(s, citizen, start, end, moving=None)
            chosen = self._confirmation(citizen, confirmation, channel, printer_key)
            appointment = Appointment(
                commune_id=agenda.commune_id, site_id=agenda.site_id, agenda_id=agenda.id, kind_id=kind.id,
                citizen_id=citizen.id, starts_at=start, ends_at=end, code=self._new_code(s, agenda.site_id),
                status=AppointmentStatus.BOOKED, channel=channel, confirmation=chosen, booked_at=now,
                booked_by=agent_id, notes=notes.strip(),
            )  # fmt: skip
            s.add(appointment)
            s.flush()
            return self._confirm(s, appointment, citizen, NoticeKind.CONFIRMATION, agent_id, printer_key, now)

    def move(
        self, *, agent_id: uuid.UUID, site_id: uuid.UUID, appointment_id: uuid.UUID, starts_at: datetime,
        kind_id: uuid.UUID | None = None, confirmation: ConfirmationChannel | None = None,
        printer_key: str | None = None,
    ) -> BookingResult:  # fmt: skip
        """Move a booked appointment to another slot (of the same agenda); it keeps its code."""
        with self._db.write() as s:
            s.connection()
            now = self._clock()
            appointment = self._appointment(s, appointment_id)
            agenda = self._agenda(s, appointment.agenda_id)
            self._own(s, agenda, site_id)
            if appointment.status is not AppointmentStatus.BOOKED:
                raise NotAllowedError(f"Ce rendez-vous est « {appointment.status.label.lower()} » : il ne peut plus "
                                      "être déplacé. Prenez-en un nouveau.")  # fmt: skip
            kind = self._kind(s, kind_id or appointment.kind_id)
            if kind.agenda_id != agenda.id:
                raise ValidationError({"kind": "Choisissez un type de rendez-vous du même agenda."})
            citizen = self._citizen(s, appointment.citizen_id)
            start, end = self._check_slot(s, agenda, kind, starts_at, now, moving=appointment.id)
            self._check_citizen_free(s, citizen, start, end, moving=appointment.id)
            if confirmation is not None:
                appointment.confirmation = self._confirmation(citizen, confirmation, appointment.channel, printer_key)
            appointment.kind_id, appointment.starts_at, appointment.ends_at = kind.id, start, end
            appointment.moves += 1
            s.flush()
            return self._confirm(s, appointment, citizen, NoticeKind.CHANGE, agent_id, printer_key, now)

    def cancel(
        self, *, agent_id: uuid.UUID, site_id: uuid.UUID, appointment_id: uuid.UUID, reason: str
    ) -> BookingResult:
        """Cancel a booked appointment; the citizen is told by the channel that confirmed it (e-mail, SMS)."""
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": "Indiquez le motif de l'annulation (ex. « demande du citoyen »)."})
        with self._db.write() as s:
            s.connection()
            now = self._clock()
            appointment = self._appointment(s, appointment_id)
            self._own(s, self._agenda(s, appointment.agenda_id), site_id)
            if appointment.status is not AppointmentStatus.BOOKED:
                raise NotAllowedError(f"Ce rendez-vous est déjà « {appointment.status.label.lower()} ».")
            appointment.status = AppointmentStatus.CANCELLED
            appointment.cancelled_at = now
            appointment.cancel_reason = reason[:500]
            citizen = self._citizen(s, appointment.citizen_id, allow_deleted=True)
            s.flush()
            return self._confirm(s, appointment, citizen, NoticeKind.CANCELLATION, agent_id, None, now)

    def check_in(
        self, *, agent_id: uuid.UUID, site_id: uuid.UUID, appointment_id: uuid.UUID, printer_key: str | None = None
    ) -> CheckInResult:
        """The citizen is at the desk: their ticket joins the agenda's queue (the arrival rule applies, except that
        an agent may check in someone who came early: the ticket then waits for its time)."""
        with self._db.write() as s:
            s.connection()
            now = self._clock()
            appointment = self._appointment(s, appointment_id)
            self._own(s, self._agenda(s, appointment.agenda_id), site_id)
            _ticket, info = check_in_in(s, appointment, now, print_on=printer_key, at_desk=True)
            s.flush()
            row = self._rows(s, self._row_query().where(Appointment.id == appointment.id), now)[0]
            return CheckInResult(row, info)

    # -- notices (the notifier reports here) ---------------------------------------------------------------

    def mark_notice_sent(self, *, notice_id: uuid.UUID, external_id: str = "") -> NoticeRow:
        with self._db.write() as s:
            notice = self._notice(s, notice_id)
            if notice.status is not DispatchStatus.SENT:
                notice.status = DispatchStatus.SENT
                notice.attempts += 1
                notice.sent_at = self._clock()
                notice.external_id = external_id[:200]
                notice.last_error = ""
            s.flush()
            return notice_row(notice)

    def mark_notice_failed(self, *, notice_id: uuid.UUID, error: str) -> NoticeRow:
        with self._db.write() as s:
            notice = self._notice(s, notice_id)
            if notice.status is not DispatchStatus.SENT:
                notice.status = DispatchStatus.FAILED
                notice.attempts += 1
                notice.last_error = error
            s.flush()
            return notice_row(notice)

    # -- internals ----------------------------------------------------------------------------------------------

    def _check_slot(
        self, s: Session, agenda: AppointmentAgenda, kind: AppointmentKind, starts_at: datetime, now: datetime,
        *, moving: uuid.UUID | None,
    ) -> tuple[datetime, datetime]:  # fmt: skip
        if starts_at.tzinfo is None:
            raise ValidationError({"slot": "Heure de rendez-vous sans fuseau horaire."})
        if not agenda.active or not kind.active:
            raise NotAllowedError(f"« {kind.name} » ne se prend plus en rendez-vous.")
        hours = agenda_hours(agenda)
        day = local_day(starts_at)
        reason = closed_reason(day, hours, self._closures(s, agenda.id))
        if reason:
            raise NotAllowedError(f"Pas de rendez-vous ce jour-là — {reason}.")
        slot = on_grid(starts_at, hours, kind.duration_min)
        if slot is None:
            raise ValidationError({"slot": "Ce créneau n'existe pas dans l'agenda : choisissez un créneau proposé."})
        start, end = slot
        if start <= now:
            raise NotAllowedError("Ce créneau est déjà passé : choisissez-en un autre.")
        if day > local_day(now) + timedelta(days=agenda.horizon_days):
            raise NotAllowedError(f"Les rendez-vous se donnent au plus {agenda.horizon_days} jours à l'avance.")
        booked = s.execute(
            select(Appointment.starts_at, Appointment.ends_at).where(
                Appointment.kind_id == kind.id,
                Appointment.starts_at < end,
                Appointment.ends_at > start,
                Appointment.status.in_((AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)),
                Appointment.deleted_at.is_(None),
                Appointment.id != (moving or uuid.UUID(int=0)),
            )
        ).all()
        if Occupancy([(b[0], b[1]) for b in booked]).taken(start, end) >= kind.capacity:
            raise NotAllowedError(f"Le créneau du {when_text(start)} vient d'être pris : choisissez-en un autre.")
        return start, end

    @staticmethod
    def _check_citizen_free(
        s: Session, citizen: Citizen, start: datetime, end: datetime, *, moving: uuid.UUID | None
    ) -> None:
        other = s.scalar(
            select(Appointment).where(
                Appointment.citizen_id == citizen.id,
                Appointment.starts_at < end,
                Appointment.ends_at > start,
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.deleted_at.is_(None),
                Appointment.id != (moving or uuid.UUID(int=0)),
            )
        )
        if other is not None:
            raise NotAllowedError(
                f"{citizen_display(citizen)} a déjà un rendez-vous à ce moment-là ({when_text(other.starts_at)})."
            )

    @staticmethod
    def _confirmation(
        citizen: Citizen, wanted: ConfirmationChannel | None, channel: Channel, printer_key: str | None
    ) -> ConfirmationChannel:
        chosen = wanted or _default_confirmation(citizen, at_desk=channel is Channel.IN_PERSON)
        if chosen is ConfirmationChannel.RECEIPT and not printer_key:
            if wanted is not None:
                raise ValidationError(
                    {"confirmation": "Aucune imprimante n'est réglée sur ce poste : choisissez une autre confirmation."}
                )
            chosen = ConfirmationChannel.LETTER if citizen.address else ConfirmationChannel.NONE
        if chosen is ConfirmationChannel.EMAIL and not citizen.email:
            raise ValidationError({"confirmation": "La fiche du citoyen n'a pas de courriel : complétez-la ou "
                                                   "choisissez une autre confirmation."})  # fmt: skip
        if chosen is ConfirmationChannel.SMS and not is_mobile(citizen.phone):
            raise ValidationError({"confirmation": "La fiche du citoyen n'a pas de numéro de portable : complétez-la "
                                                   "ou choisissez une autre confirmation."})  # fmt: skip
        return chosen

    def _confirm(
        self, s: Session, a: Appointment, citizen: Citizen, kind: NoticeKind, agent_id: uuid.UUID,
        printer_key: str | None, now: datetime,
    ) -> BookingResult:  # fmt: skip
        """The confirmation of a booking, move or cancellation, in the same transaction."""
        notice = job = None
        letter = False
        said = {
            NoticeKind.CONFIRMATION: f"Rendez-vous pris le {when_text(a.starts_at)} — code {a.code}.",
            NoticeKind.CHANGE: f"Rendez-vous déplacé au {when_text(a.starts_at)} — code {a.code}.",
            NoticeKind.CANCELLATION: f"Rendez-vous du {when_text(a.starts_at)} annulé.",
        }[kind]
        how = a.confirmation
        if how in (ConfirmationChannel.EMAIL, ConfirmationChannel.SMS):
            email = how is ConfirmationChannel.EMAIL
            notice = AppointmentNotice(
                commune_id=a.commune_id, site_id=a.site_id, appointment_id=a.id, kind=kind,
                channel=PreferredChannel.EMAIL if email else PreferredChannel.SMS,
                address=citizen.email if email else citizen.phone, status=DispatchStatus.PENDING, agent_id=agent_id,
            )  # fmt: skip
            s.add(notice)
            s.flush()
            shown = citizen.email if email else format_phone(citizen.phone)
            said += f" {'Courriel' if email else 'SMS'} en cours d'envoi à {shown}."
        elif how is ConfirmationChannel.RECEIPT and printer_key and kind is not NoticeKind.CANCELLATION:
            job = add_print_job(
                s, site_id=a.site_id, kind=PrintJobKind.APPOINTMENT, printer_key=printer_key,
                label=f"rendez-vous {a.code}", payload=_receipt_payload(self._document(s, a)), now=now,
            )  # fmt: skip
            said += " Reçu envoyé à l'imprimante."
        elif how is ConfirmationChannel.LETTER:
            letter = True
            said += " Lettre de confirmation à imprimer et à poster."
        elif kind is not NoticeKind.CANCELLATION:
            said += " Donnez le code au citoyen."
        row = self._rows(s, self._row_query().where(Appointment.id == a.id), now)[0]
        return BookingResult(row, notice_row(notice) if notice else None, job.id if job else None, letter, said)

    def _new_code(self, s: Session, site_id: uuid.UUID) -> str:
        for _ in range(_CODE_ATTEMPTS):
            code = new_code(self._randbelow)
            taken = s.scalar(select(Appointment.id).where(Appointment.site_id == site_id, Appointment.code == code))
            if taken is None:
                return code
        raise RuntimeError("no free appointment code after 20 draws")  # 31⁶ codes: never, unless randbelow is fixed

    @staticmethod
    def _own(s: Session, agenda: AppointmentAgenda, site_id: uuid.UUID) -> None:
        """Only the agenda's site writes its appointments (the module's docstring says why)."""
        if agenda.site_id != site_id:
            site = s.get(Site, agenda.site_id)
            where = site.name if site else "un autre site"
            phone = f" ({site.phone})" if site is not None and site.phone else ""
            raise NotAllowedError(
                f"Les rendez-vous « {agenda.name} » sont donnés par {where}{phone} : seul ce site les prend, les "
                "déplace ou les annule, pour qu'une place ne soit jamais donnée deux fois. Appelez-le."
            )

    @staticmethod
    def _manager(s: Session, agent_id: uuid.UUID, site_id: uuid.UUID) -> Site:
        agent = s.get(Agent, agent_id)
        site = s.get(Site, site_id)
        if site is None:
            raise NotFoundError("Ce site n'existe pas.")
        if agent is None or agent.role is Role.AGENT or agent.site_id != site_id:
            raise NotAllowedError("Seul un superviseur ou un administrateur du site règle ses agendas de rendez-vous.")
        return site

    @staticmethod
    def _citizen(s: Session, citizen_id: uuid.UUID, *, allow_deleted: bool = False) -> Citizen:
        citizen = s.get(Citizen, citizen_id)
        if citizen is None or (citizen.deleted_at is not None and not allow_deleted):
            raise NotFoundError("Ce citoyen n'existe pas ou sa fiche a été supprimée.")
        return citizen

    @staticmethod
    def _appointment(s: Session, appointment_id: uuid.UUID) -> Appointment:
        appointment = s.get(Appointment, appointment_id)
        if appointment is None or appointment.deleted_at is not None:
            raise NotFoundError("Ce rendez-vous n'existe pas.")
        return appointment

    @staticmethod
    def _notice(s: Session, notice_id: uuid.UUID) -> AppointmentNotice:
        notice = s.get(AppointmentNotice, notice_id)
        if notice is None:
            raise NotFoundError("Cet envoi n'existe pas.")
        return notice


def _default_confirmation(citizen: Citizen, *, at_desk: bool) -> ConfirmationChannel:
    return default_confirmation(
        citizen.preferred_channel, email=citizen.email, phone=citizen.phone, has_address=bool(citizen.address),
        at_desk=at_desk,
    )  # fmt: skip


def _receipt_payload(doc: AppointmentDocument) -> dict[str, Any]:
    """What the printed confirmation needs (no name: see AppointmentSlip)."""
    place = " — ".join(p for p in (doc.site_name, doc.location) if p)
    return {
        "commune": doc.commune_name, "site": doc.site_name, "agenda": doc.agenda_name, "kind": doc.kind_name,
        "starts_at": doc.starts_at.isoformat(), "code": doc.code, "qr": qr_payload(doc.code), "place": place,
        "documents": list(doc.documents), "early_min": doc.early_min, "late_min": doc.late_min,
        "site_footer": " — ".join(p for p in (doc.site_name, doc.site_address,
                                              f"Tél. {doc.site_phone}" if doc.site_phone else "") if p),
    }  # fmt: skip


__all__ = ["AppointmentRow", "AppointmentService", "BookingResult", "CheckInResult"]
