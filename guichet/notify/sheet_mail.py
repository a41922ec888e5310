"""Sending an answer sheet to a citizen by e-mail: the documents to bring in the text, the handout as a PDF.

Runs on the desk's network worker (it waits on the SMTP server). Nothing is recorded but the contact's sheet
(the desk marks the sheet used): the message carries no reference to follow, it is information the citizen
asked for at the counter or on the phone.
"""

from __future__ import annotations

import uuid

from guichet.domain import Civility
from guichet.notify.email import OutgoingEmail, new_message_id, send_email
from guichet.notify.errors import SendError
from guichet.notify.settings import SmtpSettings
from guichet.reports.sheet_pdf import SheetHandouts, handout_file_name
from guichet.services import Services, clock
from guichet.services.errors import ServiceError, ValidationError
from guichet.services.knowledge_types import SheetView
from guichet.text import fold


class SheetSendError(ServiceError):
    """The e-mail could not be sent; the message says why in French."""


def email_text(sheet: SheetView, *, greeting: str, commune_name: str) -> str:
    """The plain-text body: the answer, the documents as a list, where and when, fees, links."""
    parts = [f"{greeting},", "", f"Voici les informations demandées : « {sheet.title} »."]
    if sheet.content.answer:
        parts += ["", sheet.content.answer]
    if sheet.content.documents:
        parts += ["", "Pièces à fournir :", *[f"  - {d}" for d in sheet.content.documents]]
    for label, value in (
        ("Où et quand", sheet.content.where_when), ("Service en charge", sheet.in_charge), ("Tarif", sheet.content.fees),
    ):  # fmt: skip
        if value:
            parts += ["", f"{label} : {value}"]
    if sheet.links:
        parts += ["", "En ligne :", *[f"  - {x.label} : {x.url}" if x.label != x.url else f"  - {x.url}"
                                      for x in sheet.links]]  # fmt: skip
    parts += [
        "", "Vous trouverez ces informations en pièce jointe (PDF), à imprimer si besoin.", "",
        f"L'accueil de la mairie de {commune_name}",
    ]  # fmt: skip
    return "\n".join(parts) + "\n"


class SheetMailer:
    def __init__(
        self, services: Services, *, smtp: SmtpSettings | None = None, smtp_password: str | None = None,
        handouts: SheetHandouts | None = None,
    ) -> None:  # fmt: skip
        self._services = services
        self._smtp = smtp or SmtpSettings()
        self._smtp_password = smtp_password
        self._handouts = handouts or SheetHandouts(services)

    def send(self, *, sheet_id: uuid.UUID, citizen_id: uuid.UUID, commune_id: uuid.UUID) -> str:
        """Send a published sheet to the citizen's e-mail address; returns what to tell the agent."""
        citizen = self._services.citizens.get(citizen_id=citizen_id)
        if not citizen.email:
            raise ValidationError(
                {"citizen": "La fiche de ce citoyen n'a pas d'adresse électronique : ajoutez-la, ou imprimez la fiche."}
            )
        sheet = self._services.knowledge.get(sheet_id=sheet_id)
        head = self._services.letterheads.get(commune_id=commune_id)
        pdf = self._handouts.pdf(sheet_id=sheet_id, commune_id=commune_id, on=clock.local_day(clock.now()))
        greeting = {Civility.MADAME: "Madame", Civility.MONSIEUR: "Monsieur"}.get(citizen.civility, "Madame, Monsieur")
        domain = f"guichet.{fold(head.commune_name).replace(' ', '-') or 'mairie'}.local"
        email = OutgoingEmail(
            to_address=citizen.email,
            to_name=f"{citizen.first_names} {citizen.last_name}".strip(),
            subject=f"Mairie de {head.commune_name} — {sheet.title} : pièces à fournir",
            body=email_text(sheet, greeting=greeting, commune_name=head.commune_name),
            attachments=((handout_file_name(sheet), pdf, "application/pdf"),),
            message_id=new_message_id(domain),
        )
        try:
            send_email(self._smtp, email, password=self._smtp_password)
        except SendError as e:
            raise SheetSendError(e.message) from None
        return f"Fiche « {sheet.title} » envoyée par courriel au citoyen."
