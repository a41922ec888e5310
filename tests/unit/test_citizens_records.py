"""The citizen record: validation, the audit of creation, change and consultation, consents, households."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from guichet.domain import AuditAction, ConsentKind, HouseholdRole
from guichet.models import AuditEntry
from guichet.services.errors import ValidationError


@pytest.fixture
def who(refs):
    return {"agent_id": refs.agents["mdurand"], "site_id": refs.sites["HDV"]}


def _audit(db, action=None):
    with db.read() as s:
        q = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
        if action is not None:
            q = q.where(AuditEntry.action == action)
        return s.scalars(q).all()


def test_full_record_is_validated_field_by_field(services, who):
    with pytest.raises(ValidationError) as caught:
        services.citizens.create(last_name=" ", phone2="12", birth_date=date(2999, 1, 1), postal_code="692", **who)
    assert set(caught.value.errors) == {"last_name", "phone2", "birth_date", "postal_code"}
    c = services.citizens.create(last_name="Martin", first_names="Anne", birth_name="Dupont", birth_date=date(1980, 3, 4),
                                 phone2="04 72 00 00 00", **who)  # fmt: skip
    assert (c.phone, c.phone2) == ("+33472000000", "")  # a single number is the main one
    assert c.birth_line == "né(e) DUPONT le 04/03/1980"
    # Found by the birth name too.
    assert [x.id for x in services.citizens.search(query="dupont anne")] == [c.id]


def test_creation_change_and_view_are_audited_without_values(services, demo_db, who):
    c = services.citizens.create(last_name="Martin", first_names="Anne", phone="06 12 34 56 78", **who)
    [created] = _audit(demo_db, AuditAction.RECORD_CREATED)
    assert (created.subject_table, created.subject_id, created.agent_id) == ("citizen", c.id, who["agent_id"])
    services.citizens.update(citizen_id=c.id, last_name="Martin", first_names="Anne", phone="07 00 00 00 01",
                             email="anne@free.fr", **who)  # fmt: skip
    [changed] = _audit(demo_db, AuditAction.RECORD_CHANGED)
    assert changed.detail == "champs modifiés : téléphone, courriel"
    assert "07" not in changed.detail.replace("0", "") and "free" not in changed.detail
    # Saving what is already there changes nothing and notes nothing.
    services.citizens.update(citizen_id=c.id, last_name=" Martin ", first_names="Anne", phone="0700000001",
                             email="anne@free.fr", **who)  # fmt: skip
    assert len(_audit(demo_db, AuditAction.RECORD_CHANGED)) == 1
    record = services.citizens.open_record(citizen_id=c.id, **who)
    assert record.citizen.phone == "+33700000001"
    assert len(_audit(demo_db, AuditAction.RECORD_VIEWED)) == 1
    services.citizens.open_record(citizen_id=c.id, viewed=False, **who)  # a refresh, not a person looking
    assert len(_audit(demo_db, AuditAction.RECORD_VIEWED)) == 1


def test_a_refused_update_changes_nothing(services, who):
    c = services.citizens.create(last_name="Martin", phone="06 12 34 56 78", **who)
    with pytest.raises(ValidationError) as caught:
        services.citizens.update(citizen_id=c.id, last_name="", phone="abc", **who)
    assert set(caught.value.errors) == {"last_name", "phone"}
    assert services.citizens.get(citizen_id=c.id) == c


def test_consents_are_dated_and_withdrawals_kept(services, demo_db, who):
    c = services.citizens.create(last_name="Martin", **who)
    services.citizens.give_consent(citizen_id=c.id, kind=ConsentKind.SMS, **who)
    with pytest.raises(ValidationError):
        services.citizens.give_consent(citizen_id=c.id, kind=ConsentKind.SMS, **who)
    [given] = services.citizens.open_record(citizen_id=c.id, viewed=False, **who).consents
    assert given.active and given.given_at is not None and given.agent_name == "Marie Durand"
    services.citizens.withdraw_consent(consent_id=given.id, **who)
    services.citizens.give_consent(citizen_id=c.id, kind=ConsentKind.SMS, **who)
    consents = services.citizens.open_record(citizen_id=c.id, viewed=False, **who).consents
    assert sorted(x.active for x in consents) == [False, True]
    assert [e.detail for e in _audit(demo_db, AuditAction.RECORD_CHANGED)] == [
        "consentement donné : Recevoir des SMS de la mairie",
        "consentement retiré : Recevoir des SMS de la mairie",
        "consentement donné : Recevoir des SMS de la mairie",
    ]


def test_household_members_share_the_household_address(services, who):
    mother = services.citizens.create(last_name="Benali", first_names="Aïcha", address="3 rue Gambetta",
                                      postal_code="69200", city="Vénissieux", **who)  # fmt: skip
    child = services.citizens.create(last_name="Benali", first_names="Inès", birth_date=date(2015, 9, 1), **who)
    family = services.households.create(citizen_id=mother.id, role=HouseholdRole.PARENT, **who)
    assert family.name == "Foyer BENALI" and family.full_address == "3 rue Gambetta, 69200 Vénissieux"
    family = services.households.add_member(household_id=family.id, citizen_id=child.id, role=HouseholdRole.CHILD,
                                            **who)  # fmt: skip
    assert [(m.citizen.first_names, m.role) for m in family.members] == [
        ("Aïcha", HouseholdRole.PARENT), ("Inès", HouseholdRole.CHILD),
    ]  # fmt: skip
    assert services.citizens.get(citizen_id=child.id).address == "3 rue Gambetta"
    with pytest.raises(ValidationError):
        services.households.add_member(household_id=family.id, citizen_id=child.id, role=HouseholdRole.CHILD, **who)
    services.households.update(household_id=family.id, name="Foyer BENALI", address="8 avenue Jean-Jaurès",
                               postal_code="69200", city="Vénissieux", **who)  # fmt: skip
    assert {services.citizens.get(citizen_id=x.id).address for x in (mother, child)} == {"8 avenue Jean-Jaurès"}
    assert [x.id for x in services.citizens.search(query="jaures benali")] != []
    record = services.citizens.open_record(citizen_id=child.id, viewed=False, **who)
    assert [h.name for h in record.households] == ["Foyer BENALI"]
    child_membership = next(m for m in family.members if m.citizen.id == child.id)
    left = services.households.remove_member(member_id=child_membership.member_id, **who)
    assert [m.citizen.id for m in left.members] == [mother.id]
    assert services.citizens.open_record(citizen_id=child.id, viewed=False, **who).households == ()
