"""Check-in of an appointment: at the kiosk by its code, or at the desk. The ticket joins the agenda's queue.

The kiosk's process holds only :class:`CheckIn` (through ``PublicQueue.check_in``): it reads the appointment,
its agenda and queue, never the citizen, and answers with a TicketInfo (number, queue, times) and French
messages that name nobody. The arrival rule is in ``appointment_rules`` (its docstring).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import AppointmentStatus
from guichet.models import Appointment, AppointmentAgenda, Queue, Ticket
from guichet.services.appointment_rules import Arrival, arrival, hour_text, normalise_code, when_text
from guichet.services.clock import now as system_now
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.printing import add_ticket_job
from guichet.services.queue import QueueService, add_ticket
from guichet.services.queue_types import TicketInfo

CODE_HINT = "Tapez les 6 caractères du code de votre confirmation (lettres et chiffres), ou présentez son QR code."
UNKNOWN_CODE = "Ce code ne correspond à aucun rendez-vous de ce site. Vérifiez-le, ou adressez-vous à l'accueil."
ON_TIME_NOTE = "Vous serez appelé à l'heure de votre rendez-vous."
LATE_NOTE = "Vous êtes en retard : vous serez reçu dès que possible, sans priorité."


class CheckIn:
    """Check-ins, by code (the kiosk) or by appointment (the desk). ``clock`` gives the current instant."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = system_now) -> None:
        self._db = db
        self._clock = clock

    def by_code(self, *, site_id: uuid.UUID, code: str, print_on: str | None = None) -> TicketInfo:
        """The kiosk: the appointment of this site with this code joins its queue; its ticket, nothing else."""
        normal = normalise_code(code)
        if normal is None:
            raise ValidationError({"code": CODE_HINT})
        with self._db.write() as s:
            s.connection()  # BEGIN IMMEDIATE: the clock is read under the write lock, like the queue's
            now = self._clock()
            appointment = s.scalar(
                select(Appointment).where(
                    Appointment.site_id == site_id, Appointment.code == normal, Appointment.deleted_at.is_(None)
                )
            )
            if appointment is None:
                raise NotFoundError(UNKNOWN_CODE)
            _ticket, info = check_in_in(s, appointment, now, print_on=print_on, at_desk=False)
            return info


def check_in_in(
    s: Session, appointment: Appointment, now: datetime, *, print_on: str | None, at_desk: bool
) -> tuple[Ticket, TicketInfo]:
    """In the caller's transaction: check the appointment in under the arrival rule, issue its ticket.

    At the desk an agent may check in a citizen who came too early (the ticket then waits for its time); the
    kiosk sends them back until the check-in opens. A second check-in gives the same ticket again.
    """
    agenda = s.get(AppointmentAgenda, appointment.agenda_id)
    assert agenda is not None
    if appointment.status is AppointmentStatus.CHECKED_IN and appointment.ticket_id is not None:
        ticket = s.get(Ticket, appointment.ticket_id)
        if ticket is not None:
            note = f"Vous êtes déjà enregistré : votre numéro est le {ticket.number}."
            return ticket, replace(QueueService._info(s, ticket), note=note)
    if appointment.status is AppointmentStatus.CANCELLED:
        raise NotAllowedError("Ce rendez-vous a été annulé. Adressez-vous à l'accueil.")
    if appointment.status is AppointmentStatus.MISSED:
        raise NotAllowedError("Ce rendez-vous est passé. Adressez-vous à l'accueil pour en prendre un autre.")
    if appointment.status is not AppointmentStatus.BOOKED:
        raise NotAllowedError("Ce rendez-vous est déjà enregistré. Adressez-vous à l'accueil.")
    when = arrival(now, appointment.starts_at, early_min=agenda.early_min, late_min=agenda.late_min)
    if when is Arrival.OTHER_DAY:
        past = appointment.starts_at < now
        raise NotAllowedError(
            f"Ce rendez-vous {'était' if past else 'est'} prévu le {when_text(appointment.starts_at)}."
            + (" Adressez-vous à l'accueil." if past else " Revenez ce jour-là.")
        )
    if when is Arrival.TOO_EARLY and not at_desk:
        opens = appointment.starts_at - timedelta(minutes=agenda.early_min)
        raise NotAllowedError(
            f"Votre rendez-vous est à {hour_text(appointment.starts_at)} : l'enregistrement ouvre à "
            f"{hour_text(opens)}. Revenez à ce moment-là."
        )
    queue = s.get(Queue, agenda.queue_id) if agenda.queue_id else None
    if queue is None or queue.deleted_at is not None or not queue.active:
        raise NotAllowedError("Aucune file d'attente ne reçoit ces rendez-vous : adressez-vous à l'accueil.")
    late = when is Arrival.LATE
    # The daily cap and the kiosk's hours are for walk-ins: a promised appointment is received anyway.
    ticket = add_ticket(s, queue, now, appointment_at=None if late else appointment.starts_at)
    appointment.status = AppointmentStatus.CHECKED_IN
    appointment.checked_in_at = now
    appointment.arrived_late = late
    appointment.ticket_id = ticket.id
    note = LATE_NOTE if late else ON_TIME_NOTE
    info = replace(QueueService._info(s, ticket), note=note)
    if print_on is not None:
        job = add_ticket_job(s, ticket, printer_key=print_on, people_ahead=None, estimated_wait_min=None, now=now)
        info = replace(info, print_job_id=job.id)
    return ticket, info
