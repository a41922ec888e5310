"""Contacts: logging on every channel, the checks, the day's journal and same-day corrections."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from guichet.domain import Channel, Outcome
from guichet.models import Citizen, Contact, ExternalBody, MunicipalService, Theme, utcnow
from guichet.services import clock
from guichet.services.contacts import ContactInput
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError

CAF = "CAF du Rhône"
ETAT_CIVIL = "Service État civil"
WRITTEN = {Channel.MAIL, Channel.EMAIL, Channel.SMS}


def paris(y: int, m: int, d: int, hh: int = 10, mm: int = 0, fold: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=clock.PARIS, fold=fold)


def _count(db) -> int:  # noqa: ANN001
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Contact))


@pytest.fixture
def marie(services):
    """A citizen reachable on every channel."""
    return services.citizens.create(
        last_name="Durand", first_names="Marie", phone="06 12 34 56 78", email="marie@orange.fr", address="1 rue X"
    )


@pytest.fixture
def log(services, refs):
    """Log a contact as mdurand at the Hôtel de ville unless told otherwise."""

    def _log(agent: str = "mdurand", site: str = "HDV", **fields):  # noqa: ANN202
        fields.setdefault("channel", Channel.IN_PERSON)
        fields.setdefault("theme_id", refs.themes["etat_civil.naissance"])
        fields.setdefault("outcome", Outcome.ANSWERED)
        return services.contacts.log(agent_id=refs.agents[agent], site_id=refs.sites[site], data=ContactInput(**fields))

    return _log


def _orientation(refs, outcome: Outcome) -> dict:  # noqa: ANN001
    if outcome is Outcome.ORIENTED_EXTERNAL:
        return {"oriented_body_id": refs.bodies[CAF]}
    if outcome in (Outcome.ORIENTED_SERVICE, Outcome.REQUEST_OPENED):
        return {"oriented_service_id": refs.services[ETAT_CIVIL]}
    return {}


# -- logging --------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("channel", list(Channel))
def test_log_every_channel_and_outcome(services, refs, log, marie, channel, outcome):
    row = log(
        channel=channel,
        outcome=outcome,
        citizen_id=marie.id,
        subject="  Copie d'acte de naissance ",
        notes=" Pour un dossier de passeport\n",
        duration_s=240,
        **_orientation(refs, outcome),
    )
    assert (row.channel, row.outcome) == (channel, outcome)
    assert (row.subject, row.notes) == ("Copie d'acte de naissance", "Pour un dossier de passeport")
    assert (row.agent_id, row.agent_name) == (refs.agents["mdurand"], "Marie Durand")
    assert (row.citizen_id, row.citizen_name) == (marie.id, "DURAND Marie")
    assert (row.theme_id, row.theme_label) == (refs.themes["etat_civil.naissance"], "Acte de naissance")
    assert row.duration_s == 240
    assert row.orientation_label == {
        Outcome.ORIENTED_EXTERNAL: CAF,
        Outcome.ORIENTED_SERVICE: ETAT_CIVIL,
        Outcome.REQUEST_OPENED: ETAT_CIVIL,
    }.get(outcome, "")
    assert abs(row.started_at - clock.now()) < timedelta(seconds=30)
    journal = services.contacts.journal(site_id=refs.sites["HDV"], day=clock.local_day(clock.now()))
    assert [r.id for r in journal.rows] == [row.id]
    assert journal.rows[0] == row


@pytest.mark.parametrize("channel", sorted(set(Channel) - WRITTEN))
def test_spoken_channels_need_no_citizen(log, channel):
    row = log(channel=channel)
    assert (row.citizen_id, row.citizen_name) == (None, "")


def test_only_the_orientation_matching_the_outcome_is_kept(refs, log, marie):
    both = {"oriented_service_id": refs.services[ETAT_CIVIL], "oriented_body_id": refs.bodies[CAF]}
    row = log(outcome=Outcome.ANSWERED, **both)
    assert (row.oriented_service_id, row.oriented_body_id, row.orientation_label) == (None, None, "")
    row = log(outcome=Outcome.ORIENTED_EXTERNAL, **both)
    assert (row.oriented_service_id, row.oriented_body_id) == (None, refs.bodies[CAF])
    row = log(outcome=Outcome.ORIENTED_SERVICE, **both)
    assert (row.oriented_service_id, row.oriented_body_id) == (refs.services[ETAT_CIVIL], None)
    # A request may be opened without naming the service: the theme's service takes it.
    row = log(outcome=Outcome.REQUEST_OPENED, citizen_id=marie.id)
    assert row.oriented_service_id is None and row.request_reference.startswith("VEN-HDV-")


def test_a_request_opened_from_a_contact_is_saved_with_it(services, refs, log, marie):
    with pytest.raises(ValidationError) as refused:  # a request is answered in writing: its citizen is known
        log(outcome=Outcome.REQUEST_OPENED, subject="Rectification d'acte")
    assert set(refused.value.errors) == {"citizen"}
    assert services.contacts.journal(site_id=refs.sites["HDV"], day=clock.local_day(clock.now())).rows == ()
    row = log(outcome=Outcome.REQUEST_OPENED, citizen_id=marie.id, subject="Rectification d'acte", notes="Erreur")
    detail = services.requests.get(request_id=row.request_id)
    assert (detail.row.reference, detail.contact_id, detail.row.subject) == (
        row.request_reference,
        row.id,
        "Rectification d'acte",
    )
    assert detail.description == "Erreur" and detail.row.service_name == ETAT_CIVIL
    assert row.request_due_on == detail.row.due_on > clock.local_day(clock.now())


def test_contact_logged_afterwards_keeps_its_time(log):
    when = clock.now() - timedelta(hours=2)
    assert log(started_at=when).started_at == when


# -- checks ---------------------------------------------------------------------------------------


def _citizen_without(services, missing: str):  # noqa: ANN001, ANN202
    fields = {"phone": "06 12 34 56 78", "email": "x@free.fr"}
    fields.pop(missing)
    return services.citizens.create(last_name="Sans", **fields)


def _soft_delete(db, model, row_id) -> None:  # noqa: ANN001
    with db.write() as s:
        s.get(model, row_id).deleted_at = utcnow()


@pytest.mark.parametrize(
    ("fields", "key", "words"),
    [
        ({"channel": None}, "channel", "canal"),
        ({"theme_id": None}, "theme", "thème"),
        ({"theme_id": uuid.uuid4()}, "theme", "n'existe plus"),
        ({"outcome": None}, "outcome", "suite donnée"),
        ({"outcome": Outcome.ORIENTED_SERVICE}, "orientation", "service"),
        ({"outcome": Outcome.ORIENTED_EXTERNAL}, "orientation", "organisme extérieur"),
        ({"outcome": Outcome.ORIENTED_EXTERNAL, "oriented_service_id": "svc"}, "orientation", "organisme extérieur"),
        ({"outcome": Outcome.ORIENTED_SERVICE, "oriented_body_id": "body"}, "orientation", "service"),
        ({"outcome": Outcome.ORIENTED_SERVICE, "oriented_service_id": uuid.uuid4()}, "orientation", "service"),
        ({"outcome": Outcome.REQUEST_OPENED, "oriented_service_id": uuid.uuid4()}, "orientation", "service"),
        ({"outcome": Outcome.ORIENTED_EXTERNAL, "oriented_body_id": uuid.uuid4()}, "orientation", "organisme"),
        ({"channel": Channel.MAIL}, "citizen", "Un courrier doit être rattaché à son expéditeur"),
        ({"channel": Channel.EMAIL}, "citizen", "Un courriel doit être rattaché à son expéditeur"),
        ({"channel": Channel.SMS}, "citizen", "Un SMS doit être rattaché à son expéditeur"),
        ({"channel": Channel.EMAIL, "citizen_id": "no email"}, "citizen", "adresse électronique"),
        ({"channel": Channel.SMS, "citizen_id": "no phone"}, "citizen", "numéro de téléphone"),
        ({"citizen_id": uuid.uuid4()}, "citizen", "n'existe plus"),
        ({"subject": "x" * 201}, "subject", "200 caractères"),
        ({"duration_s": -1}, "duration", "entre 0 et 8 heures"),
        ({"duration_s": 8 * 3600 + 1}, "duration", "entre 0 et 8 heures"),
        ({"started_at": "tomorrow"}, "started_at", "futur"),
    ],
)
def test_log_refuses_incomplete_contacts_and_writes_nothing(db, services, refs, log, fields, key, words):
    placeholders = {
        "svc": refs.services[ETAT_CIVIL],
        "body": refs.bodies[CAF],
        "no email": lambda: _citizen_without(services, "email").id,
        "no phone": lambda: _citizen_without(services, "phone").id,
        "tomorrow": clock.now() + timedelta(days=1),
    }
    for name, value in fields.items():
        if isinstance(value, str) and value in placeholders:
            resolved = placeholders[value]
            fields[name] = resolved() if callable(resolved) else resolved
    with pytest.raises(ValidationError) as raised:
        log(**fields)
    assert set(raised.value.errors) == {key}
    assert words in raised.value.errors[key]
    assert _count(db) == 0


def test_all_missing_fields_are_reported_at_once(db, log):
    with pytest.raises(ValidationError) as raised:
        log(channel=None, theme_id=None, outcome=None)
    assert set(raised.value.errors) == {"channel", "theme", "outcome"}
    assert raised.value.message.count("\n") == 2


def test_deleted_reference_rows_are_refused(db, refs, log, marie):
    _soft_delete(db, Theme, refs.themes["etat_civil.naissance"])
    _soft_delete(db, MunicipalService, refs.services[ETAT_CIVIL])
    _soft_delete(db, ExternalBody, refs.bodies[CAF])
    _soft_delete(db, Citizen, marie.id)
    cases = [
        ({}, "theme"),
        ({"theme_id": refs.themes["etat_civil"], "citizen_id": marie.id}, "citizen"),
        ({"theme_id": refs.themes["etat_civil"], "outcome": Outcome.ORIENTED_SERVICE}, "orientation"),
        ({"theme_id": refs.themes["etat_civil"], "outcome": Outcome.ORIENTED_EXTERNAL}, "orientation"),
    ]
    for fields, key in cases:
        with pytest.raises(ValidationError) as raised:
            log(**{**_orientation(refs, fields.get("outcome", Outcome.ANSWERED)), **fields})
        assert set(raised.value.errors) == {key}
    assert _count(db) == 0


def test_a_write_failing_midway_leaves_nothing(db, refs, services):
    # The agent id is not checked by the service: the foreign key fails at flush, inside the transaction.
    data = ContactInput(channel=Channel.PHONE, theme_id=refs.themes["autres"], outcome=Outcome.ANSWERED)
    with pytest.raises(IntegrityError):
        services.contacts.log(agent_id=uuid.uuid4(), site_id=refs.sites["HDV"], data=data)
    assert _count(db) == 0


# -- journal --------------------------------------------------------------------------------------

DAY = date(2026, 6, 15)


@pytest.fixture
def day_of_contacts(refs, log, marie):
    """Contacts of 15 June 2026 at both sites, by several agents, on several themes and channels."""
    ec = refs.themes["etat_civil"]
    made = {
        "early": log(started_at=paris(2026, 6, 15, 0, 5), theme_id=refs.themes["etat_civil.titres"]),
        "phone": log(started_at=paris(2026, 6, 15, 9, 0), channel=Channel.PHONE, theme_id=ec),
        "mail": log(
            started_at=paris(2026, 6, 15, 10, 0),
            channel=Channel.MAIL,
            citizen_id=marie.id,
            theme_id=refs.themes["urbanisme.permis"],
            outcome=Outcome.REQUEST_OPENED,
        ),
        "karim": log(
            "kbenali",
            started_at=paris(2026, 6, 15, 11, 0),
            theme_id=refs.themes["scolaire.inscription"],
            outcome=Outcome.ORIENTED_SERVICE,
            oriented_service_id=refs.services[ETAT_CIVIL],
        ),
        "email": log("kbenali", started_at=paris(2026, 6, 15, 14, 0), channel=Channel.EMAIL, citizen_id=marie.id),
        "late": log(started_at=paris(2026, 6, 15, 23, 30), channel=Channel.PHONE),
        # Not of that day, or not of that site:
        "before": log(started_at=paris(2026, 6, 14, 23, 59)),
        "after": log(started_at=paris(2026, 6, 16, 0, 0)),
        "annexe": log("lnguyen", "MAV", started_at=paris(2026, 6, 15, 12, 0)),
    }
    return {k: v.id for k, v in made.items()}


def _ids(journal, made) -> list[str]:  # noqa: ANN001
    names = {v: k for k, v in made.items()}
    return [names[r.id] for r in journal.rows]


def test_journal_of_a_day_newest_first(services, refs, day_of_contacts):
    journal = services.contacts.journal(site_id=refs.sites["HDV"], day=DAY)
    assert journal.day == DAY
    assert _ids(journal, day_of_contacts) == ["late", "email", "karim", "mail", "phone", "early"]
    assert journal.counts_by_channel == {
        Channel.IN_PERSON: 2,
        Channel.PHONE: 2,
        Channel.MAIL: 1,
        Channel.EMAIL: 1,
        Channel.SMS: 0,
        Channel.WEB: 0,
    }
    assert journal.total == 6
    annexe = services.contacts.journal(site_id=refs.sites["MAV"], day=DAY)
    assert _ids(annexe, day_of_contacts) == ["annexe"]
    assert _ids(services.contacts.journal(site_id=refs.sites["HDV"], day=DAY + timedelta(days=1)), day_of_contacts) == [
        "after"
    ]


def test_journal_channel_filter_keeps_counts_of_every_channel(services, refs, day_of_contacts):
    journal = services.contacts.journal(site_id=refs.sites["HDV"], day=DAY, channel=Channel.PHONE)
    assert _ids(journal, day_of_contacts) == ["late", "phone"]
    assert journal.counts_by_channel[Channel.IN_PERSON] == 2
    assert journal.total == 6
    empty = services.contacts.journal(site_id=refs.sites["HDV"], day=DAY, channel=Channel.SMS)
    assert (empty.rows, empty.total) == ((), 6)


def test_journal_theme_filter_includes_sub_themes(services, refs, day_of_contacts):
    hdv = refs.sites["HDV"]
    journal = services.contacts.journal(site_id=hdv, day=DAY, theme_id=refs.themes["etat_civil"])
    assert _ids(journal, day_of_contacts) == ["late", "email", "phone", "early"]
    # The other filters do narrow the counts.
    assert journal.counts_by_channel[Channel.IN_PERSON] == 1
    assert journal.total == 4
    journal = services.contacts.journal(site_id=hdv, day=DAY, theme_id=refs.themes["etat_civil.titres"])
    assert _ids(journal, day_of_contacts) == ["early"]
    journal = services.contacts.journal(site_id=hdv, day=DAY, theme_id=refs.themes["etat_civil"], channel=Channel.PHONE)
    assert _ids(journal, day_of_contacts) == ["late", "phone"]


def test_journal_agent_and_outcome_filters(services, refs, day_of_contacts):
    hdv = refs.sites["HDV"]
    journal = services.contacts.journal(site_id=hdv, day=DAY, agent_id=refs.agents["kbenali"])
    assert _ids(journal, day_of_contacts) == ["email", "karim"]
    assert journal.total == 2
    journal = services.contacts.journal(site_id=hdv, day=DAY, outcome=Outcome.REQUEST_OPENED)
    assert _ids(journal, day_of_contacts) == ["mail"]
    journal = services.contacts.journal(
        site_id=hdv, day=DAY, agent_id=refs.agents["kbenali"], outcome=Outcome.ORIENTED_SERVICE
    )
    assert _ids(journal, day_of_contacts) == ["karim"]
    assert journal.rows[0].orientation_label == ETAT_CIVIL


def test_journal_excludes_deleted_contacts(db, services, refs, day_of_contacts):
    _soft_delete(db, Contact, day_of_contacts["late"])
    journal = services.contacts.journal(site_id=refs.sites["HDV"], day=DAY)
    assert "late" not in _ids(journal, day_of_contacts)
    assert journal.counts_by_channel[Channel.PHONE] == 1


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 29), 23),  # summer time starts: 02:00 -> 03:00
        (date(2026, 10, 25), 25),  # summer time ends: 03:00 -> 02:00, twice
        (date(2026, 1, 15), 24),
        (date(2026, 7, 15), 24),
    ],
)
def test_journal_follows_paris_days_also_when_the_clock_changes(services, refs, log, day, hours):
    start, end = clock.day_bounds(day)
    assert end - start == timedelta(hours=hours)
    y, m, d = day.year, day.month, day.day
    inside = [
        paris(y, m, d, 0, 0),
        paris(y, m, d, 1, 59),
        paris(y, m, d, 2, 30, fold=1),  # on 25 October, the second 02:30 (UTC+1)
        paris(y, m, d, 3, 30),
        paris(y, m, d, 23, 30),
        paris(y, m, d, 23, 59),
    ]
    outside = [paris(y, m, d, 0, 0) - timedelta(minutes=1), end, end + timedelta(minutes=30)]
    ids_in = {log(started_at=t).id for t in inside}
    for t in outside:
        log(started_at=t)
    journal = services.contacts.journal(site_id=refs.sites["HDV"], day=day)
    assert {r.id for r in journal.rows} == ids_in
    assert all(clock.local_day(r.started_at) == day for r in journal.rows)


def test_started_at_comes_back_as_the_same_instant(log):
    when = datetime(2026, 3, 29, 21, 30, tzinfo=UTC)
    assert log(started_at=when.astimezone(clock.PARIS)).started_at == when


# -- corrections ----------------------------------------------------------------------------------


def _data(row, **changes) -> ContactInput:  # noqa: ANN001
    base = ContactInput(
        channel=row.channel,
        theme_id=row.theme_id,
        outcome=row.outcome,
        citizen_id=row.citizen_id,
        subject=row.subject,
        notes=row.notes,
        oriented_service_id=row.oriented_service_id,
        oriented_body_id=row.oriented_body_id,
        duration_s=row.duration_s,
    )
    return replace(base, **changes)


def test_author_corrects_a_contact_the_same_day(services, refs, log):
    row = log(subject="Acte", started_at=clock.now() - timedelta(minutes=20))
    fixed = services.contacts.update(
        contact_id=row.id,
        agent_id=refs.agents["mdurand"],
        data=_data(row, subject=" Acte de mariage ", theme_id=refs.themes["etat_civil.mariage"], duration_s=300),
    )
    assert (fixed.id, fixed.subject, fixed.theme_label, fixed.duration_s) == (
        row.id,
        "Acte de mariage",
        "Acte de mariage / PACS",
        300,
    )
    assert fixed.started_at == row.started_at  # not moved to the time of the correction
    journal = services.contacts.journal(site_id=refs.sites["HDV"], day=clock.local_day(row.started_at))
    assert journal.rows == (fixed,)


def test_a_supervisor_may_correct_another_agents_contact(services, refs, log):
    row = log()
    fixed = services.contacts.update(
        contact_id=row.id, agent_id=refs.agents["sperrin"], data=_data(row, outcome=Outcome.ONLINE_HELP)
    )
    assert fixed.outcome is Outcome.ONLINE_HELP
    assert fixed.agent_id == refs.agents["mdurand"]  # the author stays the author


def test_another_agent_may_not_correct_it(db, services, refs, log):
    row = log(subject="Acte")
    with pytest.raises(NotAllowedError, match="Seul l'agent qui a saisi ce contact"):
        services.contacts.update(contact_id=row.id, agent_id=refs.agents["kbenali"], data=_data(row, subject="X"))
    with pytest.raises(NotAllowedError):
        services.contacts.update(contact_id=row.id, agent_id=uuid.uuid4(), data=_data(row, subject="X"))
    assert services.contacts.journal(site_id=refs.sites["HDV"], day=clock.local_day(row.started_at)).rows == (row,)


def test_no_correction_the_next_day(db, services, refs):
    yesterday = clock.now() - timedelta(days=1)
    with db.write() as s:
        contact = Contact(
            channel=Channel.PHONE,
            started_at=yesterday,
            created_at=yesterday,
            updated_at=yesterday,
            site_id=refs.sites["HDV"],
            agent_id=refs.agents["mdurand"],
            theme_id=refs.themes["autres"],
            outcome=Outcome.ANSWERED,
            subject="Hier",
        )
        s.add(contact)
    data = ContactInput(channel=Channel.PHONE, theme_id=refs.themes["autres"], outcome=Outcome.ANSWERED, subject="X")
    for agent in ("mdurand", "sperrin"):
        with pytest.raises(NotAllowedError, match="que le jour où il a été saisi"):
            services.contacts.update(contact_id=contact.id, agent_id=refs.agents[agent], data=data)
    with db.read() as s:
        assert s.get(Contact, contact.id).subject == "Hier"


def test_correction_of_a_missing_or_deleted_contact(db, services, refs, log):
    data = ContactInput(channel=Channel.PHONE, theme_id=refs.themes["autres"], outcome=Outcome.ANSWERED)
    with pytest.raises(NotFoundError):
        services.contacts.update(contact_id=uuid.uuid4(), agent_id=refs.agents["mdurand"], data=data)
    row = log()
    _soft_delete(db, Contact, row.id)
    with pytest.raises(NotFoundError):
        services.contacts.update(contact_id=row.id, agent_id=refs.agents["mdurand"], data=data)


def test_a_refused_correction_changes_nothing(db, services, refs, log):
    row = log(subject="Acte")
    with pytest.raises(ValidationError) as raised:
        services.contacts.update(
            contact_id=row.id,
            agent_id=refs.agents["mdurand"],
            data=_data(row, subject="Nouveau", channel=Channel.MAIL, outcome=Outcome.ORIENTED_EXTERNAL),
        )
    assert set(raised.value.errors) == {"citizen", "orientation"}
    assert services.contacts.journal(site_id=refs.sites["HDV"], day=clock.local_day(row.started_at)).rows == (row,)
