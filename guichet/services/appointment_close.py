"""End of the day for appointments: whoever was expected and never checked in is marked « non venu »."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.domain import AppointmentStatus
from guichet.models import Appointment


def mark_missed_in(s: Session, *, site_id: uuid.UUID, before: datetime, now: datetime) -> int:
    """In the caller's transaction: appointments of the site that started before ``before`` and are still
    « réservé » become « non venu » (counted in the statistics). Returns how many."""
    missed = s.scalars(
        select(Appointment).where(
            Appointment.site_id == site_id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at < before,
            Appointment.deleted_at.is_(None),
        )
    ).all()
    for appointment in missed:
        appointment.status = AppointmentStatus.MISSED
        appointment.missed_at = now
    return len(missed)
