"""A past of follow-up requests and mail for the statistics: tests, benchmarks and the demo's supervision.

Rows are written as the services leave them at the end of a request's life (status, answer date, closing),
without the event log: the statistics read only the request and mail tables. Numbers follow the ones already
there, so this can run on a database that has requests.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from guichet.db import Database
from guichet.domain import Channel, MailDirection, MailType, RequestStatus
from guichet.models import Agent, Commune, FollowUpRequest, MailItem, MunicipalService, Site, Theme
from guichet.services.clock import PARIS, local_day
from guichet.services.clock import now as system_now
from guichet.services.workdays import add_working_days

_CHANNELS = (Channel.MAIL, Channel.MAIL, Channel.EMAIL, Channel.IN_PERSON, Channel.PHONE)
_MAIL_TYPES = (MailType.SIMPLE, MailType.SIMPLE, MailType.SIMPLE, MailType.EMAIL, MailType.REGISTERED, MailType.HAND)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=PARIS)


def seed_casework_history(
    db: Database, *, days: int = 60, per_day: int = 6, seed: int = 2026, commune_code: str = "VEN",
    sites: tuple[str, ...] | None = None, clock: Callable[[], datetime] = system_now,
) -> tuple[int, int]:  # fmt: skip
    """Requests opened and letters registered over the past ``days`` days at every site of the commune
    (``per_day`` requests a day per site, about twice as many letters), or at the sites whose codes are in
    ``sites``. Returns (requests, letters) written."""
    rng = random.Random(seed)
    moment = clock()
    today = local_day(moment)
    requests = letters = 0
    with db.write() as s:
        commune = s.scalars(select(Commune).where(Commune.code == commune_code)).one()
        chosen = [x for x in s.scalars(select(Site).where(Site.commune_id == commune.id).order_by(Site.code))
                  if sites is None or x.code in sites]  # fmt: skip
        themes = list(s.scalars(select(Theme.id).where(Theme.parent_id.is_not(None)).order_by(Theme.code)))
        services = list(s.scalars(select(MunicipalService.id).order_by(MunicipalService.name)))
        seqs: dict[tuple, int] = {}

        def next_seq(site: Site, kind: object, year: int) -> int:
            key = (site.id, kind, year)
            if key not in seqs:
                if kind == "request":
                    query = select(func.max(FollowUpRequest.seq)).where(
                        FollowUpRequest.site_id == site.id, FollowUpRequest.year == year
                    )
                else:
                    query = select(func.max(MailItem.seq)).where(
                        MailItem.site_id == site.id, MailItem.direction == kind, MailItem.year == year
                    )
                seqs[key] = s.scalar(query) or 0
            seqs[key] += 1
            return seqs[key]

        for site in chosen:
            agents = list(s.scalars(select(Agent.id).where(Agent.site_id == site.id).order_by(Agent.login)))
            for back in range(days, 0, -1):
                day = today - timedelta(days=back)
                if day.weekday() >= 5:
                    continue
                for _ in range(rng.randrange(per_day // 2, per_day + per_day // 2 + 1)):
                    received = day - timedelta(days=rng.choice((0, 0, 0, 1, 2, 3)))
                    due = add_working_days(received, 15)
                    channel = rng.choice(_CHANNELS)
                    delay = max(0, int(rng.gauss(14, 9)))  # calendar days to the answer
                    answered_day = received + timedelta(days=delay)
                    roll = rng.random()
                    if roll < 0.05:
                        status = RequestStatus.DROPPED
                    elif answered_day < today and roll < 0.92:
                        status = RequestStatus.CLOSED if rng.random() < 0.5 else RequestStatus.ANSWERED
                    else:
                        status = rng.choice((RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS,
                                             RequestStatus.WAITING_CITIZEN))  # fmt: skip
                    answered = status in (RequestStatus.ANSWERED, RequestStatus.CLOSED)
                    opened = _at(day, rng)
                    answered_at = max(_at(answered_day, rng), opened + timedelta(minutes=5)) if answered else None
                    seq = next_seq(site, "request", day.year)
                    request = FollowUpRequest(
                        id=uuid.uuid4(), commune_id=commune.id, site_id=site.id,
                        reference=f"{commune.code}-{site.code}-{day.year}-{seq:06d}", year=day.year, seq=seq,
                        channel=channel, received_on=received, opened_at=opened, opened_by=rng.choice(agents),
                        theme_id=rng.choice(themes), subject="Demande (historique simulé)",
                        service_id=rng.choice(services), due_on=due, status=status,
                        is_open=1 if status.is_open else 0, answered_at=answered_at,
                        closed_at=answered_at + timedelta(days=1) if status is RequestStatus.CLOSED else None,
                    )  # fmt: skip
                    s.add(request)
                    requests += 1
                    if channel is Channel.MAIL:  # the letter that brought it, registered in the mail book
                        s.add(_letter(commune, site, MailDirection.INCOMING, received, rng, agents,
                                      next_seq(site, MailDirection.INCOMING, received.year), request.id, now=moment))  # fmt: skip
                        letters += 1
                    if answered and rng.random() < 0.6:  # the answer went by post
                        sent = answered_at.astimezone(PARIS).date()
                        s.add(_letter(commune, site, MailDirection.OUTGOING, sent, rng, agents,
                                      next_seq(site, MailDirection.OUTGOING, sent.year), request.id, now=moment, when=answered_at))  # fmt: skip
                        letters += 1
                for _ in range(rng.randrange(per_day // 2, per_day + 1)):  # letters that open no request
                    direction = MailDirection.INCOMING if rng.random() < 0.7 else MailDirection.OUTGOING
                    s.add(
                        _letter(
                            commune,
                            site,
                            direction,
                            day,
                            rng,
                            agents,
                            next_seq(site, direction, day.year),
                            None,
                            now=moment,
                        )
                    )
                    letters += 1
    return requests, letters


def _letter(
    commune: Commune, site: Site, direction: MailDirection, day: date, rng: random.Random, agents: list[uuid.UUID],
    seq: int, request_id: uuid.UUID | None, *, now: datetime, when: datetime | None = None,
) -> MailItem:  # fmt: skip
    letter = "A" if direction is MailDirection.INCOMING else "D"
    late = rng.choice((0, 0, 0, 0, 1, 1, 2, 4)) if direction is MailDirection.INCOMING else 0
    kind = rng.choice(_MAIL_TYPES)
    return MailItem(
        id=uuid.uuid4(), commune_id=commune.id, site_id=site.id, direction=direction,
        chrono=f"{commune.code}-{site.code}-{letter}-{day.year}-{seq:06d}", year=day.year, seq=seq, mail_date=day,
        registered_at=when or min(_at(day + timedelta(days=late), rng), now), registered_by=rng.choice(agents), mail_type=kind,
        registered_number=f"1A{rng.randrange(10**10, 10**11)}" if kind is MailType.REGISTERED else "",
        correspondent="Correspondant (historique simulé)", subject="Courrier (historique simulé)",
        request_id=request_id,
    )  # fmt: skip
