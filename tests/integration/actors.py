"""What people do at a simulated site, through the real services: contacts, citizens, tickets."""

from __future__ import annotations

import contextlib
import random
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import Channel, Civility, HouseholdRole, MailType, Outcome, RequestStatus, Role
from guichet.models import Agent, Citizen, Commune, Counter, FollowUpRequest, Household, Queue, Site, Theme, utcnow
from guichet.services import Services, clock
from guichet.services.citizens import citizen_search_text
from guichet.services.contacts import ContactInput
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.knowledge_types import SheetContent, SheetInput
from guichet.services.requests_types import MailInput

NAMES = ["Martin", "Lefèvre", "N'Diaye", "Dupont", "Benali", "Nguyen", "Garcia", "Moreau"]
FIRST = ["Anne", "Karim", "Linh", "Paul", "Zoé", "Hugo", "Inès"]
CITIES = ["Vénissieux", "Givors", "Lyon"]


@dataclass
class Actor:
    """A site's agent at work. Its ids come from the reference data the site pulled at its first round."""

    db: Database
    code: str  # "VEN-HDV"
    services: Services = field(init=False)
    site_id: uuid.UUID = field(init=False)
    agent_id: uuid.UUID = field(init=False)
    counter_id: uuid.UUID = field(init=False)
    queue_id: uuid.UUID = field(init=False)
    theme_id: uuid.UUID = field(init=False)
    supervisor_id: uuid.UUID = field(init=False)  # merges need one (the site's agent stands in if it has none)
    counter_open: bool = False

    def __post_init__(self) -> None:
        self.services = Services.on(self.db)
        commune_code, site_code = self.code.split("-")
        with self.db.read() as s:
            site = s.scalars(
                select(Site)
                .join(Commune, Commune.id == Site.commune_id)
                .where(Commune.code == commune_code, Site.code == site_code)
            ).one()
            self.site_id = site.id
            self.agent_id = s.scalars(
                select(Agent.id).where(Agent.site_id == site.id, Agent.role == "agent").order_by(Agent.login)
            ).first()
            self.supervisor_id = (
                s.scalars(
                    select(Agent.id).where(Agent.site_id == site.id, Agent.role.in_((Role.SUPERVISOR, Role.ADMIN)))
                ).first()
                or self.agent_id
            )
            self.counter_id = s.scalars(
                select(Counter.id).where(Counter.site_id == site.id).order_by(Counter.number)
            ).first()
            self.queue_id = s.scalars(
                select(Queue.id).where(Queue.site_id == site.id, Queue.daily_cap.is_(None)).order_by(Queue.letter)
            ).first()
            self.theme_id = s.scalars(select(Theme.id).where(Theme.code == "etat_civil")).one()

    def local_citizens(self) -> list[uuid.UUID]:
        with self.db.read() as s:
            return list(s.scalars(select(Citizen.id).where(Citizen.deleted_at.is_(None)).order_by(Citizen.id)))

    def new_citizen(self, rng: random.Random) -> uuid.UUID:
        return self.services.citizens.create(
            last_name=rng.choice(NAMES), first_names=rng.choice(FIRST), city=rng.choice(CITIES),
            phone=f"06{rng.randrange(10**8):08d}" if rng.random() < 0.5 else "", allow_duplicate=True,
        ).id  # fmt: skip

    # -- households and merges: commune-wide records several sites change ------------------------------------
    def household_step(self, rng: random.Random) -> None:
        """Make a household around a citizen, or add a member to one of the commune's, or move someone out."""
        people = self.local_citizens()
        if not people:
            return
        who = {"agent_id": self.agent_id, "site_id": self.site_id}
        with self.db.read() as s:
            households = list(
                s.scalars(select(Household.id).where(Household.deleted_at.is_(None)).order_by(Household.id))
            )
        try:
            if not households or rng.random() < 0.3:
                self.services.households.create(citizen_id=rng.choice(people), role=HouseholdRole.PARENT, **who)
                return
            household = self.services.households.get(household_id=rng.choice(households))
            if household.members and rng.random() < 0.3:
                self.services.households.remove_member(member_id=rng.choice(household.members).member_id, **who)
            else:
                self.services.households.add_member(household_id=household.id, citizen_id=rng.choice(people),
                                                    role=rng.choice(list(HouseholdRole)), **who)  # fmt: skip
        except (ValidationError, NotFoundError):
            pass  # already a member, or a record merged away meanwhile: nothing written

    def merge_step(self, rng: random.Random) -> None:
        """A supervisor of the site merges two of the commune's citizens (links this site holds move)."""
        people = self.local_citizens()
        if len(people) < 2:
            return
        keep, drop = rng.sample(people, 2)
        # A site without a supervisor: its agents may not merge (refused, nothing written).
        with contextlib.suppress(ValidationError, NotFoundError, NotAllowedError):
            self.services.merges.merge(keep_id=keep, drop_id=drop, agent_id=self.supervisor_id, site_id=self.site_id)

    def new_contact(self, rng: random.Random) -> uuid.UUID:
        people = self.local_citizens()
        citizen = rng.choice(people) if people and rng.random() < 0.6 else None
        data = ContactInput(
            channel=rng.choice([Channel.IN_PERSON, Channel.PHONE]), theme_id=self.theme_id,
            outcome=Outcome.ANSWERED, citizen_id=citizen, subject=f"Demande {rng.randrange(1000)}",
        )  # fmt: skip
        return self.services.contacts.log(agent_id=self.agent_id, site_id=self.site_id, data=data).id

    def edit_citizen(self, rng: random.Random, citizen_id: uuid.UUID | None = None) -> uuid.UUID | None:
        people = self.local_citizens()
        if citizen_id is None:
            if not people:
                return None
            citizen_id = rng.choice(people)
        what = rng.choice(["phone", "city", "first_names", "civility", "delete"])
        with self.db.write() as s:
            c = s.get(Citizen, citizen_id)
            if c is None:
                return None
            if what == "phone":
                c.phone = f"+337{rng.randrange(10**8):08d}"
            elif what == "city":
                c.city = rng.choice(CITIES) + f" {rng.randrange(100)}"
            elif what == "first_names":
                c.first_names = rng.choice(FIRST) + " " + rng.choice(FIRST)
            elif what == "civility":
                c.civility = rng.choice(list(Civility))
            else:
                c.deleted_at = utcnow()
            c.search_text = citizen_search_text(
                last_name=c.last_name, first_names=c.first_names, phone=c.phone, email=c.email, address=c.address
            )
        return citizen_id

    def ticket_step(self, rng: random.Random) -> None:
        """Issue a ticket, or call the next one and finish it (events are appended either way)."""
        queue = self.services.queue
        if not self.counter_open:
            queue.open_counter(counter_id=self.counter_id, agent_id=self.agent_id)
            self.counter_open = True
        if rng.random() < 0.5:
            queue.issue_ticket(site_id=self.site_id, queue_id=self.queue_id)
            return
        try:
            called = queue.call_next(counter_id=self.counter_id, agent_id=self.agent_id)
        except NotAllowedError:
            return
        if called is not None:
            queue.finish(ticket_id=called.id, counter_id=self.counter_id, agent_id=self.agent_id)

    # -- follow-up requests and mail: opened at one site, taken over at another of the same commune ----------
    def new_request(self, rng: random.Random) -> tuple[uuid.UUID | None, bool]:
        """A request opened from a contact, or from a letter registered with it (one transaction either way).
        Returns the request (None for a letter that opened none) and whether a contact was made."""
        people = self.local_citizens()
        if not people:
            return None, False
        citizen = rng.choice(people)
        if rng.random() < 0.5:
            data = ContactInput(
                channel=Channel.PHONE, theme_id=self.theme_id, outcome=Outcome.REQUEST_OPENED, citizen_id=citizen,
                subject=f"Demande écrite {rng.randrange(1000)}",
            )  # fmt: skip
            return self.services.contacts.log(agent_id=self.agent_id, site_id=self.site_id, data=data).request_id, True
        done = self.services.mail.register_incoming(
            agent_id=self.agent_id, site_id=self.site_id,
            data=MailInput(mail_date=clock.local_day(clock.now()), mail_type=MailType.SIMPLE, citizen_id=citizen,
                           subject=f"Courrier {rng.randrange(1000)}", open_request=rng.random() < 0.7,
                           theme_id=self.theme_id),
        )  # fmt: skip
        return (done.request.id if done.request else None), False

    def request_step(self, rng: random.Random) -> None:
        """Move one open request of the commune on (it may have been opened at another site)."""
        with self.db.read() as s:
            commune_id = s.get(Site, self.site_id).commune_id
            open_ids = list(
                s.scalars(
                    select(FollowUpRequest.id)
                    .where(FollowUpRequest.commune_id == commune_id, FollowUpRequest.is_open == 1)
                    .order_by(FollowUpRequest.id)
                )
            )
        if not open_ids:
            return
        request_id = rng.choice(open_ids)
        detail = self.services.requests.get(request_id=request_id)
        who = {"agent_id": self.agent_id, "site_id": self.site_id}
        roll = rng.random()
        try:
            if roll < 0.3:
                self.services.answers.answer(request_id=request_id, answer_text="Réponse {reference}.", **who)
            elif roll < 0.5:
                self.services.requests.add_comment(request_id=request_id, comment=f"Note {rng.randrange(99)}", **who)
            elif roll < 0.6:
                self.services.requests.reassign(
                    request_id=request_id, service_id=detail.row.service_id, assignee_id=self.agent_id, **who
                )
            else:
                steps = [st for st in detail.allowed if st is not RequestStatus.ANSWERED]
                if steps:
                    self.services.requests.change_status(
                        request_id=request_id, to=rng.choice(steps), comment="Étape", **who
                    )
        except (ValidationError, NotAllowedError):
            pass  # e.g. no channel to answer on, or already given to this agent: nothing written

    # -- answer sheets: written by the commune's supervisors, read (and noted in contacts) at every site ---------
    def sheet_step(self, rng: random.Random) -> None:
        """The site's supervisor writes a sheet of the commune, edits or publishes one, or archives it (a site
        without a supervisor is refused: nothing written)."""
        kb = self.services.knowledge
        content = SheetContent(
            title=f"Fiche {rng.randrange(1000)}", answer=f"Réponse validée {rng.randrange(1000)}.",
            documents=("Pièce d'identité", f"Justificatif {rng.randrange(100)}"),
        )  # fmt: skip
        data = SheetInput(theme_id=self.theme_id, content=content, owner="Accueil")
        with contextlib.suppress(NotAllowedError, ValidationError, NotFoundError):
            ours = [r for r in kb.sheets(agent_id=self.supervisor_id).rows if r.commune_id is not None]
            roll = rng.random()
            if not ours or roll < 0.3:
                kb.save_draft(agent_id=self.supervisor_id, data=data, publish=rng.random() < 0.7)
                return
            target = rng.choice(ours)
            if roll < 0.65:
                kb.save_draft(agent_id=self.supervisor_id, sheet_id=target.sheet_id, data=data,
                              publish=rng.random() < 0.5)  # fmt: skip
            elif roll < 0.95:
                kb.publish(agent_id=self.supervisor_id, sheet_id=target.sheet_id)
            else:
                kb.archive(agent_id=self.supervisor_id, sheet_id=target.sheet_id)

    def contact_with_sheet(self, rng: random.Random) -> bool:
        """A contact that used one of the theme's published sheets (the commune's or SITIV's); False if none."""
        with self.db.read() as s:
            commune_id = s.get(Site, self.site_id).commune_id
        sheets = self.services.knowledge.for_theme(theme_id=self.theme_id, commune_id=commune_id)
        if not sheets:
            return False
        data = ContactInput(
            channel=Channel.PHONE, theme_id=self.theme_id, outcome=Outcome.ANSWERED,
            subject=f"Question {rng.randrange(1000)}", sheet_id=rng.choice(sheets).sheet_id,
        )  # fmt: skip
        self.services.contacts.log(agent_id=self.agent_id, site_id=self.site_id, data=data)
        return True

    # -- appointments: each site hands out its own agenda's places; the commune's other agendas are read-only ----
    def agenda(self) -> tuple[uuid.UUID, uuid.UUID]:
        """This site's agenda and its kind (15 min, 2 places), made the first time (its configuration syncs too)."""
        from guichet.models import AppointmentAgenda, AppointmentKind, MunicipalService

        with self.db.write() as s:
            found = s.execute(
                select(AppointmentAgenda.id, AppointmentKind.id)
                .join(AppointmentKind, AppointmentKind.agenda_id == AppointmentAgenda.id)
                .where(AppointmentAgenda.site_id == self.site_id)
            ).first()
            if found is not None:
                return found[0], found[1]
            site = s.get(Site, self.site_id)
            all_day = (
                '{"mon": ["00:00-23:45"], "tue": ["00:00-23:45"], "wed": ["00:00-23:45"], '
                '"thu": ["00:00-23:45"], "fri": ["00:00-23:45"], "sat": ["00:00-23:45"], "sun": ["00:00-23:45"]}'
            )
            agenda = AppointmentAgenda(
                commune_id=site.commune_id, site_id=site.id, name=f"Titres {site.code}", queue_id=self.queue_id,
                service_id=s.scalars(select(MunicipalService.id).order_by(MunicipalService.id)).first(),
                opening_hours=all_day,
            )  # fmt: skip
            s.add(agenda)
            s.flush()
            kind = AppointmentKind(commune_id=site.commune_id, site_id=site.id, agenda_id=agenda.id, name="Dépôt",
                                   duration_min=15, capacity=2)  # fmt: skip
            s.add(kind)
            s.flush()
            return agenda.id, kind.id

    def appointment_step(self, rng: random.Random) -> bool:
        """Book a place (the next free ones, for a citizen of the commune), cancel one, or check one in; and try,
        in vain, another site's agenda. Returns whether an appointment was booked."""
        from guichet.domain import AppointmentStatus, ConfirmationChannel
        from guichet.models import Appointment, AppointmentKind
        from guichet.services.appointment_rules import is_mobile

        _agenda_id, kind_id = self.agenda()
        appointments = self.services.appointments
        who = {"agent_id": self.agent_id, "site_id": self.site_id}
        with self.db.read() as s:
            others = list(s.scalars(select(AppointmentKind.id).where(AppointmentKind.site_id != self.site_id)))
            mine = list(
                s.scalars(
                    select(Appointment.id)
                    .where(Appointment.site_id == self.site_id, Appointment.status == AppointmentStatus.BOOKED)
                    .order_by(Appointment.id)
                )
            )
        roll = rng.random()
        if others and roll < 0.15:  # the single-writer rule: another site's places are not handed out here
            other = rng.choice(others)
            slots = appointments.next_free_slots(kind_id=other, limit=1)
            people = self.local_citizens()
            if slots and people:
                try:
                    appointments.book(kind_id=other, citizen_id=people[0], starts_at=slots[0].start, **who)
                except NotAllowedError:
                    return False
                raise AssertionError("a site booked a place of another site's agenda")
            return False
        if mine and roll < 0.35:
            with contextlib.suppress(NotAllowedError):
                appointments.cancel(appointment_id=rng.choice(mine), reason="Demande du citoyen", **who)
            return False
        if mine and roll < 0.55:
            with contextlib.suppress(NotAllowedError):  # another day: refused, nothing written
                appointments.check_in(appointment_id=rng.choice(mine), **who)
            return False
        people = self.local_citizens()
        slots = appointments.next_free_slots(kind_id=kind_id, limit=4)
        if not people or not slots:
            return False
        citizen_id = rng.choice(people)
        phone = self.services.citizens.get(citizen_id=citizen_id).phone
        confirmation = ConfirmationChannel.SMS if is_mobile(phone) else ConfirmationChannel.NONE
        try:
            appointments.book(kind_id=kind_id, citizen_id=citizen_id, starts_at=rng.choice(slots).start,
                              confirmation=confirmation, **who)  # fmt: skip
        except NotAllowedError:
            return False  # the citizen already has one then: nothing written
        return True
