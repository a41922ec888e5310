"""Demo data: the town of the demo, its reference data and a few weeks of contacts."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, text

from guichet.domain import Channel, Outcome, Role, SiteKind
from guichet.models import Agent, Citizen, Commune, Contact, ExternalBody, MunicipalService, Site, Theme
from guichet.models import Counter as DeskCounter
from guichet.services import clock
from guichet.services.demo import DEMO_PASSWORD, seed_demo, seed_reference
from guichet.services.taxonomy import EXTERNAL_BODIES, SERVICES, THEMES

TABLES = [Commune, Site, DeskCounter, Agent, MunicipalService, Theme, ExternalBody, Citizen, Contact]


def _counts(db) -> dict[str, int]:  # noqa: ANN001
    with db.read() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in TABLES}


def test_reference_data(demo_db, services):
    with demo_db.read() as s:
        (commune,) = s.scalars(select(Commune)).all()
        assert (commune.code, commune.insee, commune.name) == ("VEN", "69259", "Vénissieux")
        sites = s.scalars(select(Site)).all()
        assert sorted(site.kind for site in sites) == sorted([SiteKind.MAIN, SiteKind.SATELLITE])
        assert all(site.commune_id == commune.id for site in sites)
        counters = Counter(c.site_id for c in s.scalars(select(DeskCounter)))
        assert all(counters[site.id] >= 1 for site in sites)
        agents = s.scalars(select(Agent)).all()
        assert {a.role for a in agents} == set(Role)
        assert {a.site_id for a in agents} == {site.id for site in sites}
        themes = s.scalars(select(Theme)).all()
        by_id = {t.id: t for t in themes}
        parents = {t.code for t in themes if t.parent_id is None}
        assert parents == {code for code, *_ in THEMES}
        children = {t.code for t in themes if t.parent_id is not None}
        assert children == {child for *_, subs in THEMES for child, _ in subs}
        assert all(by_id[t.parent_id].parent_id is None for t in themes if t.parent_id)  # two levels only
        assert all(t.default_service_id for t in themes if t.parent_id is None)
        assert len({t.sort_order for t in themes}) == len(themes)
        assert {x.name for x in s.scalars(select(MunicipalService))} == {name for name, *_ in SERVICES}
        assert {x.name for x in s.scalars(select(ExternalBody))} == {name for name, *_ in EXTERNAL_BODIES}
        assert {"etat_civil", "elections", "scolaire", "ccas", "urbanisme", "autres"} <= parents
    # Every agent can log in with the demo password.
    for agent in agents:
        assert services.auth.login(login=agent.login, password=DEMO_PASSWORD).agent_id == agent.id


def test_reference_data_as_the_forms_see_it(demo_db, services, refs):
    data = services.reference.load(commune_id=refs.commune_id, site_id=refs.sites["HDV"])
    labels = {t.code: t.full_label for t in data.themes}
    assert labels["etat_civil"] == "État civil"
    assert labels["etat_civil.naissance"] == "État civil › Acte de naissance"
    # A sub-theme without its own service is routed to its parent's.
    sub = next(t for t in data.themes if t.code == "etat_civil.naissance")
    assert sub.default_service_id == refs.services["Service État civil"]
    assert "etat civil acte de naissance" in sub.search_key
    assert len(data.services) == len(SERVICES)
    assert len(data.external_bodies) == len(EXTERNAL_BODIES)
    assert {a.name for a in data.agents} >= {"Marie Durand", "Karim Benali", "Sophie Perrin"}
    assert "Linh Nguyen" not in {a.name for a in data.agents}  # agent of the annexe


def test_demo_contacts(db, services):
    summary = seed_demo(db)
    counts = _counts(db)
    assert counts["citizen"] == summary.citizens == 150
    assert counts["contact"] == summary.contacts
    assert 200 <= summary.contacts <= 1000
    with db.read() as s:
        contacts = s.scalars(select(Contact)).all()
        sites = {site.id: site for site in s.scalars(select(Site))}
        citizens = {c.id: c for c in s.scalars(select(Citizen))}
        assert s.execute(text("PRAGMA foreign_key_check")).all() == []
    assert {c.channel for c in contacts} == set(Channel)
    assert {c.outcome for c in contacts} == set(Outcome)
    assert {sites[c.site_id].kind for c in contacts} == {SiteKind.MAIN, SiteKind.SATELLITE}
    now = clock.now()
    days = {clock.local_day(c.started_at) for c in contacts}
    assert max(days) - min(days) >= timedelta(days=21)
    assert len(days) >= 15
    assert all(c.started_at <= now for c in contacts)
    assert all(clock.local_day(c.started_at).weekday() < 5 for c in contacts)
    # The demo obeys the rules of the contact form.
    for c in contacts:
        if c.channel in (Channel.MAIL, Channel.EMAIL, Channel.SMS):
            assert c.citizen_id is not None
        if c.channel is Channel.EMAIL:
            assert citizens[c.citizen_id].email
        if c.channel is Channel.SMS:
            assert citizens[c.citizen_id].phone
        if c.outcome is Outcome.ORIENTED_EXTERNAL:
            assert c.oriented_body_id is not None
        if c.outcome is Outcome.ORIENTED_SERVICE:
            assert c.oriented_service_id is not None
    # Demo citizens are found like any other.
    some = next(c for c in citizens.values() if c.phone)
    assert some.id in {x.id for x in services.citizens.search(query=some.phone, limit=100)}
    assert some.id in {x.id for x in services.citizens.search(query=some.last_name, limit=1000)}
    # And the journal of the desk shows them.
    busiest = Counter((c.site_id, clock.local_day(c.started_at)) for c in contacts).most_common(1)[0]
    (site_id, day), n = busiest
    assert services.contacts.journal(site_id=site_id, day=day).total == n


def test_seeding_is_idempotent(db):
    first = seed_demo(db, citizens=20, days=7)
    counts = _counts(db)
    assert counts["contact"] == first.contacts > 0
    assert seed_demo(db, citizens=20, days=7).contacts == 0
    seed_reference(db)
    assert _counts(db) == counts


def test_reference_alone_then_demo(demo_db):
    before = _counts(demo_db)
    assert before["contact"] == before["citizen"] == 0
    seed_reference(demo_db)
    assert _counts(demo_db) == before
    summary = seed_demo(demo_db, citizens=10, days=5)
    after = _counts(demo_db)
    assert after["agent"] == before["agent"] and after["theme"] == before["theme"]
    assert after["contact"] == summary.contacts > 0
