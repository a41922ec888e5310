"""Sending the messages about appointments (confirmation, change, cancellation) by e-mail or SMS.

The booking queued the message (``appointment_notice``, « à envoyer ») in its own transaction; this runs off
the GUI thread and off the database worker (it waits on the network) and records the outcome through the
service: sent (with the Message-ID or the SMS id) or failed (with the French reason, to send again). The
e-mail carries the letter as PDF (with the QR code the kiosk reads); its Message-ID is made from the notice's
id, so a retry after an unclear failure carries the same one.
"""

from __future__ import annotations

import uuid

from guichet.domain import DispatchStatus, NoticeKind, PreferredChannel
from guichet.notify.email import OutgoingEmail, send_email
from guichet.notify.errors import SendError
from guichet.notify.settings import SmsSettings, SmtpSettings
from guichet.notify.sms import OutgoingSms, SmsSender, make_sms_sender, to_gsm_friendly
from guichet.reports.appointment_letters import AppointmentLetters, body, check_in_text, sms_text, subject
from guichet.services import Services
from guichet.services.appointment_types import NoticeRow
from guichet.services.errors import ServiceError
from guichet.text import fold


class AppointmentNotifier:
    def __init__(
        self,
        services: Services,
        letters: AppointmentLetters,
        *,
        smtp: SmtpSettings | None = None,
        sms: SmsSettings | None = None,
        smtp_password: str | None = None,
        sms_sender: SmsSender | None = None,
    ) -> None:
        self._services = services
        self.letters = letters  # the desk prints the letters with it too
        self._smtp = smtp or SmtpSettings()
        self._smtp_password = smtp_password
        self._sms_settings = sms or SmsSettings()
        self._sms = sms_sender

    def deliver(self, *, notice_id: uuid.UUID) -> NoticeRow:
        """Send one queued message now; returns it as recorded (sent, or failed with its reason)."""
        appointments = self._services.appointments
        notice = appointments.notice(notice_id=notice_id)
        if notice.status is DispatchStatus.SENT:
            return notice
        try:
            doc = appointments.document(appointment_id=notice.appointment_id)
            if notice.channel is PreferredChannel.EMAIL:
                external = self._email(notice, doc)
            else:
                external = self._send_sms(notice, doc)
        except SendError as e:
            advice = " Le message pourra être renvoyé depuis la page Rendez-vous." if e.retryable else ""
            return appointments.mark_notice_failed(notice_id=notice_id, error=e.message + advice)
        except ServiceError as e:
            return appointments.mark_notice_failed(notice_id=notice_id, error=e.message)
        return appointments.mark_notice_sent(notice_id=notice_id, external_id=external)

    def deliver_pending(self, *, site_id: uuid.UUID) -> list[NoticeRow]:
        """Every message of this site still waiting (new, or failed before): sent again, oldest first."""
        return [self.deliver(notice_id=n.id) for n in self._services.appointments.pending_notices(site_id=site_id)]

    def _email(self, notice: NoticeRow, doc) -> str:  # noqa: ANN001 - AppointmentDocument
        head = self._services.letterheads.get(commune_id=doc.commune_id)
        pdf = self.letters.render(doc, notice.kind)
        greeting = f"{doc.citizen_civility}," if doc.citizen_civility else "Madame, Monsieur,"
        paragraphs = list(body(doc, notice.kind))
        if notice.kind is not NoticeKind.CANCELLATION:
            if doc.documents:
                paragraphs.append("Pensez à apporter :\n" + "\n".join(f"- {item}" for item in doc.documents))
            paragraphs.append(check_in_text(doc).replace("le QR code ci-contre", "le QR code de la lettre jointe"))
        signature = "\n".join(x for x in (head.signatory_title, head.signatory_name, f"Mairie de {head.commune_name}")
                              if x)  # fmt: skip
        text = greeting + "\n\n" + "\n\n".join(paragraphs) + "\n\n" + signature + "\n"
        email = OutgoingEmail(
            to_address=notice.address, to_name=doc.citizen_formal_name, subject=subject(doc, notice.kind), body=text,
            attachments=((f"rendez-vous-{doc.code}.pdf", pdf, "application/pdf"),), reference=f"RDV {doc.code}",
            message_id=f"<{notice.id}@guichet.{fold(head.commune_name).replace(' ', '-') or 'mairie'}.local>",
        )  # fmt: skip
        return send_email(self._smtp, email, password=self._smtp_password)

    def _send_sms(self, notice: NoticeRow, doc) -> str:  # noqa: ANN001 - AppointmentDocument
        sender = self._sms or make_sms_sender(self._sms_settings)
        if sender is None:
            raise SendError(
                "L'envoi de SMS n'est pas configuré sur ce poste : demandez à l'administrateur de remplir la "
                "section [sms] des réglages, ou confirmez le rendez-vous par courrier.",
                retryable=False,
            )
        text = to_gsm_friendly(sms_text(doc, notice.kind))
        return sender.send(OutgoingSms(to_phone=notice.address, text=text, reference=f"RDV {doc.code}"))
