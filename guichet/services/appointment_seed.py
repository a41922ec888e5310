"""Demo agendas of the demo town (passports and ID cards, CCAS, urbanisme, petite enfance) and appointments
booked for today and the coming days."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import AppointmentStatus, Channel, ConfirmationChannel, Role
from guichet.models import (
    Agent,
    Appointment,
    AppointmentAgenda,
    AppointmentKind,
    Citizen,
    MunicipalService,
    Queue,
    Site,
)
from guichet.services.appointment_rules import closed_reason, day_grid, new_code
from guichet.services.clock import local_day
from guichet.services.clock import now as system_now
from guichet.services.queue_policy import dump_hours, parse_hours

_WEEK = ("mon", "tue", "wed", "thu", "fri")
_DAY = ["08:30-12:00", "13:30-16:30"]

PASSPORT_DOCUMENTS = (
    "Le numéro de pré-demande en ligne (ANTS) ou le formulaire cerfa rempli",
    "Une photo d'identité de moins de 6 mois",
    "Un justificatif de domicile de moins d'un an",
    "L'ancien titre, ou la déclaration de perte ou de vol",
    "Un timbre fiscal pour un passeport (ou pour une carte perdue ou volée)",
)


@dataclass(frozen=True)
class KindSpec:
    name: str
    duration_min: int
    capacity: int
    documents: tuple[str, ...]


@dataclass(frozen=True)
class AgendaSpec:
    site: str
    name: str
    service: str
    queue_letter: str
    hours: dict[str, list[str]]
    location: str
    kinds: tuple[KindSpec, ...]
    fill: float  # share of the coming slots booked in the demo


AGENDAS: tuple[AgendaSpec, ...] = (
    AgendaSpec("HDV", "État civil — titres d'identité", "Service État civil", "A",
               {**{d: _DAY for d in _WEEK}, "sat": ["09:00-11:30"]}, "Rez-de-chaussée, guichets 1 et 2",
               (KindSpec("Dépôt de passeport ou de carte d'identité", 15, 2, PASSPORT_DOCUMENTS),
                KindSpec("Retrait de titre d'identité", 5, 1,
                         ("Le récépissé de dépôt", "L'ancien titre (il sera rendu invalide)"))), 0.55),
    AgendaSpec("HDV", "CCAS — accueil social", "CCAS", "B", {d: ["09:00-12:00", "14:00-16:30"] for d in _WEEK},
               "Rez-de-chaussée, bureau 3 (accès au fond du hall)",
               (KindSpec("Premier rendez-vous avec un travailleur social", 30, 1,
                         ("Une pièce d'identité", "Les justificatifs de ressources des 3 derniers mois",
                          "Le dernier avis d'imposition", "Les factures en cours (énergie, loyer)")),), 0.5),
    AgendaSpec("HDV", "Urbanisme", "Service Urbanisme", "D", {d: ["09:00-12:00", "13:30-16:30"] for d in ("tue", "thu")},
               "3e étage, bureau 305",
               (KindSpec("Conseil ou dépôt de permis de construire", 45, 1,
                         ("Un plan de situation du terrain", "Les plans et photos du projet",
                          "Le formulaire cerfa si vous déposez la demande")),), 0.45),
    AgendaSpec("HDV", "Petite enfance", "Service Petite enfance", "C",
               {d: _DAY for d in ("mon", "wed", "fri")}, "1er étage, relais petite enfance",
               (KindSpec("Pré-inscription en crèche", 30, 1,
                         ("Le livret de famille", "Un justificatif de domicile", "Le dernier avis d'imposition",
                          "Le numéro d'allocataire CAF")),), 0.4),
    AgendaSpec("MAV", "État civil — titres d'identité (annexe)", "Service État civil", "A",
               {d: ["09:00-12:00", "13:30-16:30"] for d in ("mon", "tue", "thu")}, "Guichet 1",
               (KindSpec("Dépôt de passeport ou de carte d'identité", 20, 1, PASSPORT_DOCUMENTS),), 0.5),
)  # fmt: skip


def seed_agendas(db: Database) -> int:
    """The demo agendas and their kinds (sites, services and queues must exist); adds only what is missing."""
    created = 0
    with db.write() as s:
        sites = {x.code: x for x in s.scalars(select(Site))}
        services = {x.name: x.id for x in s.scalars(select(MunicipalService))}
        for order, spec in enumerate(AGENDAS, start=1):
            site = sites.get(spec.site)
            if site is None or spec.service not in services:
                continue
            exists = s.scalar(
                select(AppointmentAgenda.id).where(
                    AppointmentAgenda.site_id == site.id, AppointmentAgenda.name == spec.name
                )
            )
            if exists is not None:
                continue
            queue = s.scalar(select(Queue).where(Queue.site_id == site.id, Queue.letter == spec.queue_letter))
            agenda = AppointmentAgenda(
                commune_id=site.commune_id, site_id=site.id, service_id=services[spec.service], name=spec.name,
                queue_id=queue.id if queue else None, opening_hours=dump_hours(spec.hours), location=spec.location,
                sort_order=order,
            )  # fmt: skip
            s.add(agenda)
            s.flush()
            for k, kind in enumerate(spec.kinds):
                s.add(
                    AppointmentKind(
                        commune_id=site.commune_id, site_id=site.id, agenda_id=agenda.id, name=kind.name,
                        duration_min=kind.duration_min, capacity=kind.capacity, documents="\n".join(kind.documents),
                        sort_order=k,
                    )
                )  # fmt: skip
            created += 1
    return created


def seed_appointments(
    db: Database, *, days: int = 12, seed: int = 2026, clock: Callable[[], datetime] = system_now
) -> int:
    """The demo agendas, and appointments from today over ``days`` days for the demo's citizens: the agendas
    filled to their demo share; those of today already past are checked in, or left late. Returns how many."""
    seed_agendas(db)
    rng = random.Random(seed)
    now = clock()
    today = local_day(now)
    count = 0
    with db.write() as s:
        if s.scalar(select(Appointment.id).limit(1)) is not None:
            return 0
        people = list(s.scalars(select(Citizen.id).where(Citizen.deleted_at.is_(None)).order_by(Citizen.id)))
        if not people:
            return 0
        specs = {x.name: x for x in AGENDAS}
        codes: set[tuple[object, str]] = set()
        for agenda in s.scalars(select(AppointmentAgenda).order_by(AppointmentAgenda.sort_order)).all():
            spec = specs.get(agenda.name)
            if spec is None:
                continue
            hours = parse_hours(agenda.opening_hours)
            agents = list(
                s.scalars(select(Agent.id).where(Agent.site_id == agenda.site_id, Agent.role != Role.ADMIN))
            ) or list(s.scalars(select(Agent.id)))
            kinds = list(s.scalars(select(AppointmentKind).where(AppointmentKind.agenda_id == agenda.id)))
            for back in range(days):
                day = today + timedelta(days=back)
                if closed_reason(day, hours, ()):
                    continue
                for kind in kinds:
                    for start, end in day_grid(day, hours, kind.duration_min):
                        for _place in range(kind.capacity):
                            if rng.random() >= spec.fill * (1.3 if back < 3 else 1.0):
                                continue
                            code = new_code(rng.randrange)
                            while (agenda.site_id, code) in codes:
                                code = new_code(rng.randrange)
                            codes.add((agenda.site_id, code))
                            status, checked, cancelled = AppointmentStatus.BOOKED, None, None
                            if end <= now:
                                roll = rng.random()
                                if roll < 0.8:
                                    status = AppointmentStatus.CHECKED_IN
                                    checked = start - timedelta(minutes=rng.randint(0, 12))
                            elif rng.random() < 0.04:
                                status, cancelled = (
                                    AppointmentStatus.CANCELLED,
                                    now - timedelta(hours=rng.randint(1, 48)),
                                )
                            s.add(
                                Appointment(
                                    commune_id=agenda.commune_id, site_id=agenda.site_id, agenda_id=agenda.id,
                                    kind_id=kind.id, citizen_id=rng.choice(people), starts_at=start, ends_at=end,
                                    code=code, status=status,
                                    channel=rng.choice([Channel.PHONE, Channel.PHONE, Channel.IN_PERSON]),
                                    confirmation=rng.choice([ConfirmationChannel.SMS, ConfirmationChannel.EMAIL,
                                                             ConfirmationChannel.LETTER, ConfirmationChannel.RECEIPT]),
                                    booked_at=now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600)),
                                    booked_by=rng.choice(agents), checked_in_at=checked, cancelled_at=cancelled,
                                    cancel_reason="Demande du citoyen" if cancelled else "",
                                )
                            )  # fmt: skip
                            count += 1
    return count
