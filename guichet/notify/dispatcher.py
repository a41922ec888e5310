"""Delivering the answers queued by AnswerService: a letter to print, an e-mail, an SMS.

Runs off the GUI thread and off the database worker (it waits on the network): the desk's network worker
calls ``deliver``. Each outcome is recorded by the services in its own transaction: sent (with the Message-ID
or SMS id and the letter PDF kept with the request) or failed (with the French reason, to send again).
The e-mail's Message-ID is made from the dispatch id, so a retry after an unclear failure carries the same
one and the citizen's mail software shows a single message.
"""

from __future__ import annotations

import uuid

from guichet.domain import DispatchStatus, PreferredChannel
from guichet.notify.email import OutgoingEmail, send_email
from guichet.notify.errors import SendError
from guichet.notify.settings import SmsSettings, SmtpSettings
from guichet.notify.sms import OutgoingSms, SmsSender, make_sms_sender, sms_segments, to_gsm_friendly
from guichet.reports.request_letters import RequestLetters
from guichet.services import Services
from guichet.services.errors import ServiceError
from guichet.services.letter_templates import fill_template
from guichet.services.requests_types import DispatchRow, RequestDetail
from guichet.services.validation import normalize_phone
from guichet.text import fold

SMS_MAX_SEGMENTS = 6  # beyond that, the SMS says the answer is long and where to read it


class Dispatcher:
    def __init__(
        self,
        services: Services,
        letters: RequestLetters,
        *,
        smtp: SmtpSettings | None = None,
        sms: SmsSettings | None = None,
        smtp_password: str | None = None,
        sms_sender: SmsSender | None = None,
    ) -> None:
        self._services = services
        self._letters = letters
        self._smtp = smtp or SmtpSettings()
        self._smtp_password = smtp_password
        self._sms_settings = sms or SmsSettings()
        self._sms = sms_sender

    def deliver(self, *, dispatch_id: uuid.UUID, agent_id: uuid.UUID) -> DispatchRow:
        """Send one queued answer now; returns the dispatch as recorded (sent, or failed with its reason)."""
        answers = self._services.answers
        dispatch = answers.get(dispatch_id=dispatch_id)
        if dispatch.status is DispatchStatus.SENT:
            return dispatch
        detail = self._services.requests.get(request_id=dispatch.request_id)
        try:
            if dispatch.channel is PreferredChannel.EMAIL:
                external, pdf = self._email(dispatch, detail)
                name = f"reponse-{detail.row.reference}.pdf"
                return answers.mark_sent(
                    dispatch_id=dispatch_id, agent_id=agent_id, external_id=external, document=pdf, document_name=name
                )
            if dispatch.channel is PreferredChannel.SMS:
                external = self._send_sms(dispatch, detail)
                return answers.mark_sent(dispatch_id=dispatch_id, agent_id=agent_id, external_id=external)
            pdf = self._letters.answer(request_id=detail.row.id, text=dispatch.body)
            return answers.mark_sent(
                dispatch_id=dispatch_id, agent_id=agent_id, document=pdf,
                document_name=f"reponse-{detail.row.reference}.pdf",
            )  # fmt: skip
        except SendError as e:
            advice = " Vous pourrez renvoyer la réponse depuis la demande." if e.retryable else ""
            return answers.mark_failed(dispatch_id=dispatch_id, agent_id=agent_id, error=e.message + advice)
        except ServiceError as e:
            return answers.mark_failed(dispatch_id=dispatch_id, agent_id=agent_id, error=e.message)

    def deliver_pending(self, *, site_id: uuid.UUID, agent_id: uuid.UUID) -> list[DispatchRow]:
        """Every answer of this site still waiting (new, or failed before): sent again, oldest first."""
        return [
            self.deliver(dispatch_id=d.id, agent_id=agent_id) for d in self._services.answers.pending(site_id=site_id)
        ]

    def _text(self, dispatch: DispatchRow, detail: RequestDetail) -> str:
        head = self._services.letterheads.get(commune_id=detail.commune_id)
        return fill_template(dispatch.body, self._letters.values(detail, head))

    def _email(self, dispatch: DispatchRow, detail: RequestDetail) -> tuple[str, bytes]:
        head = self._services.letterheads.get(commune_id=detail.commune_id)
        body = self._text(dispatch, detail)
        greeting = detail.citizen.civility_name if detail.citizen else "Madame, Monsieur"
        signature = "\n".join(
            x for x in (head.signatory_title, head.signatory_name, f"Mairie de {head.commune_name}") if x
        )
        text = (
            f"{greeting},\n\n{body}\n\n"
            f"Vous trouverez ce courrier en pièce jointe (PDF). Référence à rappeler : {detail.row.reference}.\n\n"
            f"{signature}\n"
        )
        pdf = self._letters.answer(request_id=detail.row.id, text=dispatch.body)
        email = OutgoingEmail(
            to_address=dispatch.address,
            to_name=detail.citizen.formal_name if detail.citizen else "",
            subject=f"Réponse à votre demande {detail.row.reference} — {detail.row.subject}",
            body=text,
            attachments=((f"reponse-{detail.row.reference}.pdf", pdf, "application/pdf"),),
            reference=detail.row.reference,
            message_id=f"<{dispatch.id}@guichet.{fold(head.commune_name).replace(' ', '-') or 'mairie'}.local>",
        )
        return send_email(self._smtp, email, password=self._smtp_password), pdf

    def _send_sms(self, dispatch: DispatchRow, detail: RequestDetail) -> str:
        sender = self._sms or make_sms_sender(self._sms_settings)
        if sender is None:
            raise SendError(
                "L'envoi de SMS n'est pas configuré sur ce poste : demandez à l'administrateur de remplir la "
                "section [sms] des réglages, ou répondez par courrier.",
                retryable=False,
            )
        head = self._services.letterheads.get(commune_id=detail.commune_id)
        text = to_gsm_friendly(
            f"Mairie de {head.commune_name}, demande {detail.row.reference} : {self._text(dispatch, detail)}"
        )
        if sms_segments(text) > SMS_MAX_SEGMENTS:
            text = to_gsm_friendly(
                f"Mairie de {head.commune_name} : la reponse a votre demande {detail.row.reference} est prete. "
                f"Elle est longue : retirez-la a l'accueil de la mairie ou demandez-la par courriel."
            )
        return sender.send(
            OutgoingSms(
                to_phone=normalize_phone(dispatch.address) or dispatch.address,
                text=text,
                reference=detail.row.reference,
            )
        )
