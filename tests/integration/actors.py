"""What people do at a simulated site, through the real services: contacts, citizens, tickets."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import Channel, Civility, MailType, Outcome, RequestStatus
from guichet.models import Agent, Citizen, Commune, Counter, FollowUpRequest, Queue, Site, Theme, utcnow
from guichet.services import Services, clock
from guichet.services.citizens import citizen_search_text
from guichet.services.contacts import ContactInput
from guichet.services.errors import NotAllowedError, ValidationError
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
            phone=f"06{rng.randrange(10**8):08d}" if rng.random() < 0.5 else "",
        ).id  # fmt: skip

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
