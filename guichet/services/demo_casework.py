"""Demo follow-up requests and mail: the requests the demo contacts opened, the morning mail of past days,
answers sent and some late ones, so the "Demandes" and "Courrier" screens have a life of their own."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import MailType, Outcome, RequestStatus, Role
from guichet.models import Agent, Citizen, Commune, Contact, FollowUpRequest, Letterhead, Site, Theme
from guichet.services import clock
from guichet.services.attachments import AttachmentStore
from guichet.services.mail import MailService
from guichet.services.requests import RequestService
from guichet.services.requests_types import MailInput, RequestInput

# The towns' commitments, in working days (CONTEXT.md: answers left to each agent's initiative until now).
ANSWER_DAYS = {"etat_civil": 10, "elections": 10, "scolaire": 15, "urbanisme": 30, "suggestions": 20, "technique": 20}
LETTERS = [
    ("Demande de subvention pour la saison 2027", "sport_assos.subvention", True),
    ("Réclamation : lampadaire éteint rue Paul-Bert", "technique.travaux", True),
    ("Demande de copie intégrale d'acte de naissance", "etat_civil.naissance", True),
    ("Contestation d'une facture de cantine", "scolaire.cantine", True),
    ("Invitation à l'assemblée générale", "", False),
    ("Avis de passage du contrôle d'hygiène", "", False),
    ("Déclaration préalable de travaux : clôture", "urbanisme.permis", True),
    ("Signalement d'un logement insalubre", "hygiene.insalubrite", True),
]


def seed_casework(db: Database, store: AttachmentStore, *, seed: int = 2026) -> int:
    """Letterhead, deadlines per theme, requests for the demo contacts and a few weeks of mail. Returns the
    number of requests made (0 when there already are some)."""
    rng = random.Random(seed)
    requests = RequestService(db)
    mail = MailService(db, store, requests)
    with db.write() as s:
        if s.scalar(select(FollowUpRequest.id).limit(1)) is not None:
            return 0
        commune = s.scalars(select(Commune)).first()
        if commune is None:
            return 0
        if s.scalar(select(Letterhead.id).where(Letterhead.commune_id == commune.id)) is None:
            s.add(
                Letterhead(
                    commune_id=commune.id, service_line="Direction de la relation aux usagers",
                    address="Hôtel de ville\n5 avenue Marcel-Houël\nBP 24\n69631 Vénissieux Cedex",
                    phone="04 72 21 44 44", email="accueil@ville-venissieux.fr", website="ville-venissieux.fr",
                    signatory_name="Claire Moreau", signatory_title="Pour la Maire, l'adjointe déléguée à la relation aux usagers",
                    footer="Toute correspondance doit être adressée à Madame la Maire — Hôtel de ville — 69631 Vénissieux Cedex",
                    default_answer_days=15,
                )
            )  # fmt: skip
        for theme in s.scalars(select(Theme).where(Theme.parent_id.is_(None))):
            theme.answer_days = ANSWER_DAYS.get(theme.code, 0)
        contacts = list(
            s.scalars(
                select(Contact)
                .where(Contact.outcome == Outcome.REQUEST_OPENED, Contact.citizen_id.is_not(None))
                .order_by(Contact.started_at)
            )
        )
        agents = list(s.scalars(select(Agent).where(Agent.role == Role.AGENT).order_by(Agent.login)))
        today = clock.local_day(clock.now())
        made = 0
        for contact in contacts:
            received = clock.local_day(contact.started_at)
            request = requests.open_in(
                s, agent_id=contact.agent_id, site_id=contact.site_id,
                data=RequestInput(
                    channel=contact.channel, theme_id=contact.theme_id, subject=contact.subject or "Demande",
                    citizen_id=contact.citizen_id, description=contact.notes, received_on=received,
                    contact_id=contact.id, service_id=contact.oriented_service_id,
                ),
            )  # fmt: skip
            made += 1
            age = (today - received).days
            roll = rng.random()
            if age > 3 and roll < 0.7:
                agent = rng.choice(agents)
                request.assignee_id = agent.id
                requests.set_status_in(s, request, RequestStatus.ASSIGNED, contact.agent_id, contact.site_id, "")
                requests.set_status_in(s, request, RequestStatus.IN_PROGRESS, agent.id, contact.site_id, "")
                if age > 10 and roll < 0.5:
                    request.answer_text = "Réponse apportée par courrier (démonstration)."
                    requests.set_status_in(s, request, RequestStatus.ANSWERED, agent.id, contact.site_id, "")
                    if roll < 0.3:
                        requests.set_status_in(s, request, RequestStatus.CLOSED, agent.id, contact.site_id, "")
        site = s.scalars(select(Site).where(Site.commune_id == commune.id).order_by(Site.code)).first()
        citizens = list(s.scalars(select(Citizen).where(Citizen.address != "").limit(40)))
        clerk = agents[0] if agents else None
        themes = {t.code: t.id for t in s.scalars(select(Theme))}
    if site is None or clerk is None or not citizens:
        return made
    for back in range(12, -1, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for _ in range(rng.randint(1, 3)):
            subject, theme_code, opens = rng.choice(LETTERS)
            citizen = rng.choice(citizens)
            registered = rng.random() < 0.2
            try:
                mail.register_incoming(
                    agent_id=clerk.id, site_id=site.id,
                    data=MailInput(
                        mail_date=day, mail_type=MailType.REGISTERED if registered else MailType.SIMPLE,
                        registered_number=f"1A {rng.randrange(10**9, 10**10)}" if registered else "",
                        subject=subject, citizen_id=citizen.id if opens or rng.random() < 0.5 else None,
                        correspondent="" if opens else rng.choice(["Association Les Minguettes", "Cabinet Arnaud, géomètre"]),
                        open_request=opens, theme_id=themes.get(theme_code) if opens else None,
                    ),
                )  # fmt: skip
            except Exception:  # noqa: BLE001 - demo data: a letter refused by a check is simply not in the demo
                continue
            made += int(opens)
    return made
