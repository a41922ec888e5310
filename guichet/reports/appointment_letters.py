"""The letter confirming an appointment (or its change, or its cancellation), as PDF; and the texts of the
e-mail and the SMS that carry the same news.

Gathers what the letter needs from the services (the appointment's document, the commune's letterhead) and
hands it to the layout of guichet.reports.letters. The QR code of the letter is the one the kiosk reads.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from guichet.domain import AppointmentStatus, NoticeKind
from guichet.reports import letter_types as lt
from guichet.reports.letters import closing_formula, render_letter, salutation_for
from guichet.reports.request_letters import RequestLetters
from guichet.services import Services, clock
from guichet.services.appointment_rules import hour_text, when_text
from guichet.services.appointment_types import AppointmentDocument


def _place(doc: AppointmentDocument) -> str:
    where = " — ".join(p for p in (doc.site_name, doc.location) if p)
    return f"{where}, {doc.site_address}" if doc.site_address else where


def _documents(doc: AppointmentDocument) -> str:
    if not doc.documents:
        return ""
    return "Pensez à apporter :\n" + "\n".join(f"– {item}" for item in doc.documents)


def check_in_text(doc: AppointmentDocument) -> str:
    return (
        f"À votre arrivée, présentez le QR code ci-contre à la borne de l'accueil, ou tapez le code {doc.code}, "
        f"à partir de {doc.early_min} minutes avant l'heure. Au-delà de {doc.late_min} minutes de retard, vous "
        "serez reçu dès que possible, sans priorité."
    )


def subject(doc: AppointmentDocument, kind: NoticeKind) -> str:
    what = {
        NoticeKind.CONFIRMATION: "Confirmation de votre rendez-vous",
        NoticeKind.CHANGE: "Nouvel horaire de votre rendez-vous",
        NoticeKind.CANCELLATION: "Annulation de votre rendez-vous",
    }[kind]
    return f"{what} du {when_text(doc.starts_at)}"


def body(doc: AppointmentDocument, kind: NoticeKind) -> tuple[str, ...]:
    """The paragraphs of the letter and of the e-mail."""
    if kind is NoticeKind.CANCELLATION:
        reason = f" (motif : {doc.cancel_reason.strip().rstrip('.')})" if doc.cancel_reason.strip() else ""
        return (
            f"Votre rendez-vous « {doc.kind_name} » du {when_text(doc.starts_at)} ({doc.agenda_name}) est "
            f"annulé{reason}.",
            f"Pour en prendre un autre, appelez le {doc.site_phone or doc.service_phone} ou présentez-vous à "
            f"l'accueil de {doc.site_name}.",
        )
    first = {
        NoticeKind.CONFIRMATION: "Je vous confirme votre rendez-vous",
        NoticeKind.CHANGE: "Votre rendez-vous a été déplacé. Je vous confirme son nouvel horaire",
    }[kind]
    return (
        f"{first} « {doc.kind_name} » le {when_text(doc.starts_at)}, pour une durée d'environ "
        f"{doc.duration_min} minutes.",
        f"Lieu : {_place(doc)}.",
        f"Code du rendez-vous : {doc.code}.",
        "Si vous ne pouvez pas venir, merci de nous prévenir : le créneau sera proposé à une autre personne.",
    )


def sms_text(doc: AppointmentDocument, kind: NoticeKind) -> str:
    """The SMS (kept short: one or two messages)."""
    day = when_text(doc.starts_at)
    if kind is NoticeKind.CANCELLATION:
        return (f"Mairie de {doc.commune_name} : votre RDV « {doc.kind_name} » du {day} est annulé. "
                f"Infos : {doc.site_phone or doc.service_phone}")  # fmt: skip
    verb = "confirmé" if kind is NoticeKind.CONFIRMATION else "déplacé au"
    when = f"le {day}" if kind is NoticeKind.CONFIRMATION else day
    return (
        f"Mairie de {doc.commune_name} : RDV « {doc.kind_name} » {verb} {when}, {doc.site_name}. "
        f"Code borne : {doc.code} (dès {hour_text_before(doc)}). Empêché ? {doc.site_phone or doc.service_phone}"
    )


def hour_text_before(doc: AppointmentDocument) -> str:
    """When the check-in opens: "10 h"."""
    return hour_text(doc.starts_at - timedelta(minutes=doc.early_min))


class AppointmentLetters:
    """PDF letters of appointments. ``letters`` lends the commune's letterhead (logo kept as a file)."""

    def __init__(self, services: Services, letters: RequestLetters | None = None) -> None:
        self._services = services
        self._letters = letters or RequestLetters(services)

    def letter(self, *, appointment_id: uuid.UUID, kind: NoticeKind | None = None, today: date | None = None) -> bytes:
        """The letter about an appointment: its confirmation, or its cancellation when it is cancelled."""
        doc = self._services.appointments.document(appointment_id=appointment_id)
        return self.render(doc, kind or _kind_of(doc), today=today)

    def render(self, doc: AppointmentDocument, kind: NoticeKind, *, today: date | None = None) -> bytes:
        head = self._services.letterheads.get(commune_id=doc.commune_id)
        cancelled = kind is NoticeKind.CANCELLATION
        letter = lt.Letter(
            letterhead=self._letters.letterhead(head),
            recipient=lt.Recipient(doc.citizen_formal_name, doc.citizen_address_lines) if doc.citizen_formal_name
            else None,
            place=head.commune_name, date=today or clock.local_day(clock.now()), reference=f"RDV {doc.code}",
            subject=subject(doc, kind), salutation=salutation_for(doc.citizen_civility), paragraphs=body(doc, kind),
            closing=closing_formula(doc.citizen_civility), follow_up="" if cancelled else _documents(doc),
            handled_by=" – ".join(p for p in (doc.service_name, doc.service_phone) if p),
            heading="Annulation de rendez-vous" if cancelled else "Confirmation de rendez-vous",
            qr_payload="" if cancelled else doc.qr_payload, qr_caption="" if cancelled else check_in_text(doc),
        )  # fmt: skip
        return render_letter(letter)


def _kind_of(doc: AppointmentDocument) -> NoticeKind:
    return NoticeKind.CANCELLATION if doc.status is AppointmentStatus.CANCELLED else NoticeKind.CONFIRMATION
