"""Demo data: a town, its main site and one satellite, agents, and a few weeks of realistic contacts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import Channel, Civility, ConsentKind, HouseholdRole, Outcome, PreferredChannel, Role, SiteKind
from guichet.models import (
    Agent,
    Citizen,
    CitizenConsent,
    Commune,
    Contact,
    Counter,
    ExternalBody,
    Household,
    HouseholdMember,
    MunicipalService,
    Site,
    Theme,
)
from guichet.services import clock
from guichet.services.appointment_seed import seed_appointments
from guichet.services.attachments import AttachmentStore, attachment_dir_for
from guichet.services.auth import hash_password
from guichet.services.citizens import reindex
from guichet.services.demo_casework import seed_casework
from guichet.services.demo_knowledge import seed_knowledge
from guichet.services.names import EMAIL_DOMAINS, FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, STREETS
from guichet.services.queue_seed import seed_queues, seed_ticket_history
from guichet.services.taxonomy import EXTERNAL_BODIES, SERVICES, THEMES
from guichet.text import fold

DEMO_PASSWORD = "guichet2026"
# login, first name, last name, role, site code
DEMO_AGENTS = [
    ("mdurand", "Marie", "Durand", Role.AGENT, "HDV"),
    ("kbenali", "Karim", "Benali", Role.AGENT, "HDV"),
    ("lnguyen", "Linh", "Nguyen", Role.AGENT, "MAV"),
    ("sperrin", "Sophie", "Perrin", Role.SUPERVISOR, "HDV"),
    ("admin", "Alain", "Chabert", Role.ADMIN, "HDV"),
]

# Typical situations of CONTEXT.md: (theme code, channels with weights, outcome, subject, orientation body or None)
SITUATIONS: list[tuple[str, dict[Channel, int], Outcome, str, str | None]] = [
    ("scolaire.inscription", {Channel.IN_PERSON: 6, Channel.PHONE: 3, Channel.EMAIL: 1}, Outcome.REQUEST_OPENED,
     "Inscription de l'enfant en petite section", None),
    ("technique.espaces_verts", {Channel.PHONE: 5, Channel.EMAIL: 2, Channel.WEB: 2}, Outcome.REQUEST_OPENED,
     "Nettoyage du square au pied de l'immeuble", None),
    ("emploi.stage", {Channel.EMAIL: 4, Channel.MAIL: 2, Channel.IN_PERSON: 2}, Outcome.ORIENTED_SERVICE,
     "Candidature pour un stage de 3e", None),
    ("petite_enfance.paiement", {Channel.IN_PERSON: 7, Channel.PHONE: 2}, Outcome.ANSWERED,
     "Paiement de la facture de crèche", None),
    ("sport_assos.subvention", {Channel.MAIL: 4, Channel.EMAIL: 4, Channel.IN_PERSON: 1}, Outcome.REQUEST_OPENED,
     "Demande de subvention annuelle de l'association", None),
    ("sport_assos.clubs", {Channel.PHONE: 6, Channel.IN_PERSON: 3}, Outcome.ANSWERED,
     "Renseignements sur les cours de judo pour adultes", None),
    ("economie.implantation", {Channel.PHONE: 4, Channel.EMAIL: 4}, Outcome.ORIENTED_SERVICE,
     "Accompagnement à l'installation d'une entreprise", None),
    ("economie.marches", {Channel.PHONE: 5, Channel.IN_PERSON: 3}, Outcome.ANSWERED,
     "Règlement du marché forain", None),
    ("sport_assos.materiel", {Channel.EMAIL: 5, Channel.MAIL: 2, Channel.PHONE: 2}, Outcome.REQUEST_OPENED,
     "Prêt de tables et de barnums pour la fête de quartier", None),
    ("elections.inscription", {Channel.IN_PERSON: 6, Channel.WEB: 3}, Outcome.ONLINE_HELP,
     "Inscription sur les listes électorales", None),
    ("urbanisme.permis", {Channel.IN_PERSON: 6, Channel.MAIL: 3}, Outcome.REQUEST_OPENED,
     "Dépôt d'un permis de construire (extension)", None),
    ("hygiene.insalubrite", {Channel.PHONE: 4, Channel.EMAIL: 4}, Outcome.REQUEST_OPENED,
     "Diagnostic d'insalubrité demandé par une assistante sociale", None),
    ("hygiene.conseils", {Channel.PHONE: 5, Channel.EMAIL: 3}, Outcome.ORIENTED_SERVICE,
     "Conseils d'hygiène et logistique pour une distribution alimentaire", None),
    ("suggestions.suggestion", {Channel.WEB: 4, Channel.MAIL: 3, Channel.IN_PERSON: 2}, Outcome.REQUEST_OPENED,
     "Suggestion : bancs supplémentaires place Léon-Sublet", None),
    ("technique.graffitis", {Channel.PHONE: 6, Channel.WEB: 3, Channel.SMS: 1}, Outcome.REQUEST_OPENED,
     "Graffitis sur la façade de la maison", None),
    ("etat_civil.naissance", {Channel.IN_PERSON: 6, Channel.PHONE: 2, Channel.MAIL: 2}, Outcome.ANSWERED,
     "Copie intégrale d'acte de naissance", None),
    ("etat_civil.titres", {Channel.PHONE: 8, Channel.IN_PERSON: 4}, Outcome.ANSWERED,
     "Prise de rendez-vous pour une carte d'identité", None),
    ("scolaire.annulation_repas", {Channel.PHONE: 5, Channel.SMS: 3, Channel.EMAIL: 2}, Outcome.ANSWERED,
     "Annulation du repas de cantine de jeudi", None),
    ("police.otv", {Channel.IN_PERSON: 5, Channel.WEB: 3}, Outcome.ANSWERED,
     "Inscription à l'Opération Tranquillité Vacances", None),
    ("autres", {Channel.PHONE: 6, Channel.IN_PERSON: 4}, Outcome.ORIENTED_EXTERNAL,
     "Question sur les allocations logement", "CAF du Rhône"),
    ("autres", {Channel.PHONE: 5, Channel.IN_PERSON: 4}, Outcome.ORIENTED_EXTERNAL,
     "Renouvellement de la carte Vitale", "CPAM du Rhône"),
    ("autres", {Channel.PHONE: 6, Channel.IN_PERSON: 2}, Outcome.ORIENTED_EXTERNAL,
     "Titre de séjour : où déposer le dossier", "Préfecture du Rhône / ANTS"),
    ("ccas.aide", {Channel.IN_PERSON: 6, Channel.PHONE: 4}, Outcome.ORIENTED_SERVICE,
     "Demande d'aide pour une facture d'énergie", None),
    ("culture.mediatheque", {Channel.PHONE: 4, Channel.IN_PERSON: 3}, Outcome.ANSWERED,
     "Horaires de la médiathèque pendant les vacances", None),
]  # fmt: skip

# Arrivals by hour of the day (opening 8h30–17h, peaks at opening and around lunch).
HOUR_WEIGHTS = {8: 10, 9: 16, 10: 12, 11: 13, 12: 9, 13: 12, 14: 10, 15: 8, 16: 7}


@dataclass(frozen=True)
class DemoSummary:
    citizens: int
    contacts: int


def random_citizen(rng: random.Random) -> Citizen:
    """A plausible resident of Vénissieux with the usual gaps (no e-mail, no phone...)."""
    female = rng.random() < 0.52
    first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    last = rng.choice(LAST_NAMES)
    phone = ""
    if rng.random() < 0.85:
        phone = "+33" + rng.choice("67") + "".join(str(rng.randrange(10)) for _ in range(8))
    email = ""
    if rng.random() < 0.6:
        email = f"{fold(first).replace(' ', '')}.{fold(last).replace(' ', '')}{rng.randrange(100)}@{rng.choice(EMAIL_DOMAINS)}"
    address = f"{rng.randrange(1, 180)} {rng.choice(STREETS)}"
    preferred = rng.choice([PreferredChannel.POST, PreferredChannel.PHONE])
    if email and rng.random() < 0.6:
        preferred = PreferredChannel.EMAIL
    elif phone and rng.random() < 0.3:
        preferred = PreferredChannel.SMS
    if not phone and preferred in (PreferredChannel.PHONE, PreferredChannel.SMS):
        preferred = PreferredChannel.POST
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(64 * 365)) if rng.random() < 0.9 else None
    c = Citizen(
        civility=Civility.MADAME if female else Civility.MONSIEUR,
        last_name=last,
        first_names=first,
        phone=phone,
        email=email,
        address=address,
        postal_code="69200",
        city="Vénissieux",
        preferred_channel=preferred,
        birth_date=born,
        birth_name=rng.choice(LAST_NAMES) if female and rng.random() < 0.35 else "",
        phone2="",
    )
    reindex(c)
    return c


def _families_and_twins(rng: random.Random, people: list[Citizen]) -> list[tuple[list[Citizen], Citizen]]:
    """Turn some residents into families (same name and home, children born 2006-2020) and plant a few duplicates
    (the same person typed again at another counter: accents dropped, capitals, birth name), for the merge tool.
    Returns the families (members, head); the total number of records does not change."""
    families = []
    step = 6
    for start in range(0, len(people) - step, step * 3):
        head, spouse, *children = people[start : start + rng.choice([2, 3, 4])]
        for member in (spouse, *children):
            member.last_name, member.address = head.last_name, head.address
        spouse.civility = Civility.MADAME if head.civility is Civility.MONSIEUR else Civility.MONSIEUR
        for child in children:
            child.birth_date = date(2006, 1, 1) + timedelta(days=rng.randrange(14 * 365))
            child.birth_name, child.email, child.phone = "", "", ""
            child.preferred_channel = PreferredChannel.POST
        for member in (head, spouse, *children):
            reindex(member)
        families.append(([head, spouse, *children], head))
    originals = [p for p in people[len(people) // 2 :] if p.phone][:3]
    for original, copy in zip(originals, people[1 : len(people) : 17][-3:], strict=False):
        if copy is original:
            continue
        copy.civility, copy.first_names, copy.phone, copy.address = (
            original.civility, fold(original.first_names).upper(), original.phone, original.address,
        )  # fmt: skip
        copy.last_name = original.birth_name or fold(original.last_name).upper()
        copy.birth_date, copy.birth_name, copy.email, copy.phone2 = original.birth_date, "", "", ""
        reindex(copy)
    return families


def seed_reference(db: Database) -> None:
    """Commune, sites, counters, agents, services, themes and external bodies of the demo town."""
    with db.write() as s:
        if s.scalar(select(Commune.id).limit(1)) is not None:
            return
        commune = Commune(code="VEN", insee="69259", name="Vénissieux")
        s.add(commune)
        s.flush()
        hdv = Site(
            commune_id=commune.id, code="HDV", name="Hôtel de ville", kind=SiteKind.MAIN,
            address="5 avenue Marcel-Houël, 69200 Vénissieux", phone="04 72 21 44 44",
            opening_hours="Lundi au vendredi 8 h 30 – 17 h, samedi 9 h – 12 h",
        )  # fmt: skip
        mav = Site(
            commune_id=commune.id, code="MAV", name="Mairie annexe du Moulin-à-Vent", kind=SiteKind.SATELLITE,
            address="rue du Moulin-à-Vent, 69200 Vénissieux", phone="04 72 21 46 00",
            opening_hours="Lundi, mardi, jeudi 9 h – 12 h et 13 h 30 – 17 h",
        )  # fmt: skip
        s.add_all([hdv, mav])
        s.flush()
        s.add_all(Counter(site_id=hdv.id, number=n, name=f"Guichet {n}") for n in range(1, 6))
        s.add_all(Counter(site_id=mav.id, number=n, name=f"Guichet {n}") for n in range(1, 3))
        sites = {"HDV": hdv, "MAV": mav}
        pw = hash_password(DEMO_PASSWORD)
        for login, first, last, role, site in DEMO_AGENTS:
            s.add(
                Agent(
                    login=login, first_name=first, last_name=last, role=role, password_hash=pw, site_id=sites[site].id
                )
            )
        services = {}
        for name, phone, location in SERVICES:
            services[name] = MunicipalService(commune_id=commune.id, name=name, phone=phone, location=location)
        s.add_all(services.values())
        s.flush()
        order = 0
        for code, label, service, children in THEMES:
            order += 1
            parent = Theme(code=code, label=label, default_service_id=services[service].id, sort_order=order)
            s.add(parent)
            s.flush()
            for child_code, child_label in children:
                order += 1
                s.add(Theme(code=child_code, label=child_label, parent_id=parent.id, sort_order=order))
        for name, handles, phone, address, hours, website in EXTERNAL_BODIES:
            s.add(ExternalBody(name=name, handles=handles, phone=phone, address=address, hours=hours, website=website))


def seed_demo(db: Database, *, citizens: int = 150, days: int = 28, per_day: int = 14, seed: int = 2026) -> DemoSummary:
    """Reference data, queues (open at any hour, so the demo works at night too), citizens and the
    contacts of the past ``days`` working days."""
    seed_reference(db)
    seed_queues(db, open_all_day=True)
    seed_ticket_history(db, days=10)
    rng = random.Random(seed)
    with db.write() as s:
        if s.scalar(select(Contact.id).limit(1)) is not None:
            return DemoSummary(0, 0)
        people = [random_citizen(rng) for _ in range(citizens)]
        families = _families_and_twins(rng, people)
        s.add_all(people)
        themes = {t.code: t for t in s.scalars(select(Theme))}
        services_by_id = {x.id: x for x in s.scalars(select(MunicipalService))}
        bodies = {b.name: b for b in s.scalars(select(ExternalBody))}
        agents = list(s.scalars(select(Agent).where(Agent.role != Role.ADMIN)))
        s.flush()
        _seed_households_and_consents(s, rng, families, people, agents)
        count = 0
        today = clock.local_day(clock.now())
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            n = per_day if back else per_day // 3
            for _ in range(rng.randint(n - 3, n + 3)):
                code, channels, outcome, subject, body = rng.choice(SITUATIONS)
                channel = rng.choices(list(channels), weights=list(channels.values()))[0]
                hour = rng.choices(list(HOUR_WEIGHTS), weights=list(HOUR_WEIGHTS.values()))[0]
                start = datetime(
                    day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=clock.PARIS
                )
                if back == 0 and start > clock.now():
                    continue
                agent = rng.choice(agents)
                theme = themes[code]
                parent = themes.get(code.split(".")[0])
                service_id = theme.default_service_id or (parent.default_service_id if parent else None)
                citizen = rng.choice(people) if channel is not Channel.PHONE or rng.random() < 0.6 else None
                if channel is Channel.EMAIL and (citizen is None or not citizen.email):
                    citizen = next(p for p in people if p.email)
                if channel is Channel.SMS and (citizen is None or not citizen.phone):
                    citizen = next(p for p in people if p.phone)
                s.add(
                    Contact(
                        channel=channel,
                        started_at=start.astimezone(clock.PARIS),
                        duration_s=rng.randint(60, 900)
                        if channel in (Channel.IN_PERSON, Channel.PHONE)
                        else rng.randint(60, 300),
                        site_id=agent.site_id,
                        agent_id=agent.id,
                        citizen_id=citizen.id if citizen else None,
                        theme_id=theme.id,
                        subject=subject,
                        outcome=outcome,
                        oriented_service_id=service_id
                        if outcome in (Outcome.ORIENTED_SERVICE, Outcome.REQUEST_OPENED)
                        and service_id in services_by_id
                        else None,
                        oriented_body_id=bodies[body].id if body else None,
                    )
                )
                count += 1
    seed_casework(db, AttachmentStore(attachment_dir_for(Path(db.path))), seed=seed)
    seed_knowledge(db, seed=seed)  # answer sheets, and the contacts that used them
    seed_appointments(db, seed=seed)  # agendas, and appointments from today on
    return DemoSummary(citizens, count)


def _seed_households_and_consents(s, rng: random.Random, families, people, agents) -> None:  # noqa: ANN001
    commune_id = s.scalar(select(Commune.id))
    for members, head in families:
        household = Household(commune_id=commune_id, name=f"Foyer {head.last_name.upper()}", address=head.address,
                              postal_code=head.postal_code, city=head.city)  # fmt: skip
        s.add(household)
        s.flush()
        roles = [HouseholdRole.PARENT, HouseholdRole.SPOUSE] + [HouseholdRole.CHILD] * (len(members) - 2)
        for member, role in zip(members, roles, strict=True):
            s.add(HouseholdMember(commune_id=commune_id, household_id=household.id, citizen_id=member.id, role=role))
    now = clock.now()
    for person in people:
        agent = rng.choice(agents)
        for kind, has in ((ConsentKind.SMS, person.phone), (ConsentKind.EMAIL, person.email)):
            if has and rng.random() < 0.4:
                given = now - timedelta(days=rng.randrange(1, 700))
                withdrawn = given + timedelta(days=rng.randrange(1, 200)) if rng.random() < 0.1 else None
                s.add(CitizenConsent(commune_id=commune_id, citizen_id=person.id, kind=kind, given_at=given,
                                     withdrawn_at=withdrawn if withdrawn and withdrawn < now else None,
                                     agent_id=agent.id, site_id=agent.site_id))  # fmt: skip
