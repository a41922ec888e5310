"""Merging two records of one person: every link moves, the audit log says so, one transaction."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from guichet.domain import AuditAction, Channel, ConsentKind, HouseholdRole, MailType, Outcome
from guichet.models import (
    AuditEntry,
    Citizen,
    CitizenConsent,
    Contact,
    FollowUpRequest,
    HouseholdMember,
    MailItem,
)
from guichet.services import clock
from guichet.services.contacts import ContactInput
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.requests_types import MailInput, RequestInput

LINKS = (Contact, FollowUpRequest, MailItem, CitizenConsent, HouseholdMember)


def _links(db, citizen_id) -> dict[str, int]:
    with db.read() as s:
        return {
            m.__tablename__: s.scalar(
                select(func.count()).select_from(m).where(m.citizen_id == citizen_id, m.deleted_at.is_(None))
            )
            for m in LINKS
        }


@pytest.fixture
def pair(services, refs):
    """The same woman twice: once under her birth name with a phone, once under her married name with more."""
    who = {"agent_id": refs.agents["mdurand"], "site_id": refs.sites["HDV"]}
    keep = services.citizens.create(last_name="Martin", first_names="Anne", birth_name="Dupont",
                                    email="anne.martin@free.fr", **who)  # fmt: skip
    drop = services.citizens.create(last_name="Dupont", first_names="Anne", phone="06 12 34 56 78",
                                    birth_date=date(1980, 3, 4), address="3 rue de la Paix", postal_code="69200",
                                    city="Vénissieux", allow_duplicate=True, **who)  # fmt: skip
    theme = refs.themes["etat_civil"]
    for citizen in (keep, drop):
        services.contacts.log(**who, data=ContactInput(channel=Channel.PHONE, theme_id=theme, outcome=Outcome.ANSWERED,
                                                       citizen_id=citizen.id, subject="Question"))  # fmt: skip
    services.contacts.log(**who, data=ContactInput(channel=Channel.IN_PERSON, theme_id=theme,
                                                   outcome=Outcome.REQUEST_OPENED, citizen_id=drop.id,
                                                   subject="Acte de naissance"))  # fmt: skip
    services.requests.open(**who, data=RequestInput(channel=Channel.EMAIL, theme_id=theme, subject="Copie d'acte",
                                                    citizen_id=drop.id))  # fmt: skip
    services.mail.register_incoming(**who, data=MailInput(mail_date=clock.local_day(clock.now()),
                                                          mail_type=MailType.SIMPLE, subject="Lettre",
                                                          citizen_id=drop.id))  # fmt: skip
    services.citizens.give_consent(citizen_id=drop.id, kind=ConsentKind.SMS, **who)
    family = services.households.create(citizen_id=drop.id, role=HouseholdRole.PARENT, **who)
    services.households.add_member(household_id=family.id, citizen_id=keep.id, role=HouseholdRole.PARENT, **who)
    other = services.households.create(citizen_id=drop.id, role=HouseholdRole.OTHER, name="Foyer de la mère", **who)
    return keep, drop, other


def test_every_link_moves_and_empty_fields_are_filled(services, refs, demo_db, pair):
    keep, drop, other = pair
    before_keep, before_drop = _links(demo_db, keep.id), _links(demo_db, drop.id)
    assert before_drop == {"contact": 2, "request": 2, "mail_item": 1, "citizen_consent": 1, "household_member": 2}
    result = services.merges.merge(keep_id=keep.id, drop_id=drop.id, agent_id=refs.agents["sperrin"],
                                   site_id=refs.sites["HDV"])  # fmt: skip
    after_keep, after_drop = _links(demo_db, keep.id), _links(demo_db, drop.id)
    assert after_drop == dict.fromkeys(before_drop, 0)
    # Every link is now the kept record's; the one household they were both in counts once.
    expected = {t: before_keep[t] + before_drop[t] for t in before_keep} | {"household_member": 2}
    assert after_keep == expected
    kept = result.kept
    assert (kept.phone, kept.birth_date, kept.address) == ("+33612345678", date(1980, 3, 4), "3 rue de la Paix")
    assert kept.email == "anne.martin@free.fr"  # what the kept record had stays
    assert set(result.filled) == {"téléphone", "date de naissance"}  # the address came with the household
    with demo_db.read() as s:
        gone = s.get(Citizen, drop.id)
        assert gone.deleted_at is not None and gone.merged_into_id == keep.id
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.RECORDS_MERGED)).all()
    assert entry.subject_id == keep.id and str(drop.id) in entry.detail and str(keep.id) in entry.detail
    assert "612345678" not in entry.detail and "Dupont" not in entry.detail  # counts and field names, never values
    # The dropped record is out of searches; the kept one is found by the dropped one's phone now.
    assert [c.id for c in services.citizens.search(query="06 12 34")] == [keep.id]
    assert services.households.get(household_id=other.id).members[0].citizen.id == keep.id


def test_history_shows_every_channel_newest_first_including_merged_records(services, refs, pair):
    keep, drop, _ = pair
    services.merges.merge(keep_id=keep.id, drop_id=drop.id, agent_id=refs.agents["sperrin"],
                          site_id=refs.sites["HDV"])  # fmt: skip
    items = services.merges.history(citizen_id=keep.id)
    assert {i.kind for i in items} == {"Contact", "Demande", "Courrier"}
    assert {i.channel for i in items} >= {Channel.PHONE, Channel.IN_PERSON, Channel.EMAIL, Channel.MAIL}
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    assert sum(i.kind == "Contact" for i in items) == 3


def test_only_supervisors_merge_and_nothing_is_written_when_refused(services, refs, demo_db, pair):
    keep, drop, _ = pair
    before = _links(demo_db, drop.id)
    with pytest.raises(NotAllowedError, match="superviseur"):
        services.merges.merge(keep_id=keep.id, drop_id=drop.id, agent_id=refs.agents["mdurand"],
                              site_id=refs.sites["HDV"])  # fmt: skip
    assert _links(demo_db, drop.id) == before
    with pytest.raises(ValidationError):
        services.merges.merge(keep_id=keep.id, drop_id=keep.id, agent_id=refs.agents["sperrin"],
                              site_id=refs.sites["HDV"])  # fmt: skip
    services.merges.merge(keep_id=keep.id, drop_id=drop.id, agent_id=refs.agents["sperrin"], site_id=refs.sites["HDV"])
    with pytest.raises(NotFoundError):  # already merged
        services.merges.merge(keep_id=keep.id, drop_id=drop.id, agent_id=refs.agents["sperrin"],
                              site_id=refs.sites["HDV"])  # fmt: skip
    with pytest.raises(NotFoundError, match="fusionnée"):
        services.citizens.open_record(citizen_id=drop.id, agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"])


def test_appointments_move_only_at_the_merging_site(services, refs, demo_db, pair):
    """An appointment belongs to its agenda's site: the central refuses another site's write, so a merge moves
    only this site's appointments; the others keep the old id (which points to the kept record)."""
    from datetime import datetime, timedelta

    from guichet.domain import AppointmentStatus, ConfirmationChannel
    from guichet.models import Appointment, AppointmentAgenda, AppointmentKind
    from guichet.services.appointment_seed import seed_agendas
    from guichet.services.queue_seed import seed_queues

    keep, drop, _other = pair
    seed_queues(demo_db, open_all_day=True)
    seed_agendas(demo_db)
    with demo_db.write() as s:
        made = {}
        for code in ("HDV", "MAV"):
            site_id = refs.sites[code]
            agenda = s.scalars(select(AppointmentAgenda).where(AppointmentAgenda.site_id == site_id)).first()
            if agenda is None:  # the demo has no agenda at this site: one for the test
                agenda = AppointmentAgenda(commune_id=refs.commune_id, site_id=site_id, name="Test",
                                           service_id=refs.services["Service État civil"], opening_hours="")  # fmt: skip
                s.add(agenda)
                s.flush()
                s.add(AppointmentKind(commune_id=refs.commune_id, site_id=site_id, agenda_id=agenda.id, name="Dépôt",
                                      duration_min=15, capacity=1, documents=""))  # fmt: skip
                s.flush()
            kind = s.scalars(select(AppointmentKind).where(AppointmentKind.agenda_id == agenda.id)).first()
            at = datetime.now(clock.PARIS) + timedelta(days=3)
            appointment = Appointment(
                commune_id=refs.commune_id, site_id=site_id, agenda_id=agenda.id, kind_id=kind.id,
                citizen_id=drop.id, starts_at=at, ends_at=at + timedelta(minutes=15), code=f"TEST{code[:2]}",
                status=AppointmentStatus.BOOKED, channel=Channel.PHONE, confirmation=ConfirmationChannel.RECEIPT,
                booked_at=clock.now(), booked_by=refs.agents["mdurand"],
            )  # fmt: skip
            s.add(appointment)
            s.flush()
            made[code] = appointment.id
    result = services.merges.merge(keep_id=keep.id, drop_id=drop.id, agent_id=refs.agents["sperrin"],
                                   site_id=refs.sites["HDV"])  # fmt: skip
    assert result.moved["appointment"] == 1
    with demo_db.read() as s:
        assert s.get(Appointment, made["HDV"]).citizen_id == keep.id
        assert s.get(Appointment, made["MAV"]).citizen_id == drop.id  # MAV's: moved by MAV, never from here
