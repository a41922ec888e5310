"""Follow-up requests: references made offline, deadlines in working days, the life of a request and its views."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from guichet.domain import Channel, RequestEventKind, RequestStatus
from guichet.models import FollowUpRequest, RequestEvent, Theme
from guichet.services import Services, clock
from guichet.services.errors import NotAllowedError, ValidationError
from guichet.services.requests_types import RequestInput, RequestView
from guichet.services.workdays import add_working_days

ETAT_CIVIL = "Service État civil"
URBANISME = "Service Urbanisme"


@pytest.fixture
def anne(services):
    return services.citizens.create(last_name="Lefèvre", first_names="Anne", email="anne.lefevre@free.fr",
                                    address="12 rue Paul-Bert", postal_code="69200", city="Vénissieux")  # fmt: skip


@pytest.fixture
def open_request(services, refs, anne):
    def make(login: str = "mdurand", site: str = "HDV", **changes):
        values = dict(channel=Channel.PHONE, theme_id=refs.themes["etat_civil.naissance"],
                      subject="Copie intégrale d'acte de naissance", citizen_id=anne.id)  # fmt: skip
        values.update(changes)
        return services.requests.open(
            agent_id=refs.agents[login], site_id=refs.sites[site], data=RequestInput(**values)
        )

    return make


def test_a_request_gets_its_reference_deadline_and_service(services, refs, open_request):
    today = clock.local_day(clock.now())
    first = open_request()
    second = open_request(site="MAV", login="lnguyen")
    third = open_request()
    assert first.reference == f"VEN-HDV-{today.year}-000001"
    assert second.reference == f"VEN-MAV-{today.year}-000001"  # each site numbers its own: no clash offline
    assert third.reference == f"VEN-HDV-{today.year}-000002"
    assert first.service_name == ETAT_CIVIL  # the theme's (here its parent's) service
    assert first.status is RequestStatus.NEW and first.received_on == today
    assert first.due_on == add_working_days(today, 15)  # the commune's default commitment


def test_the_deadline_follows_the_theme_commitment(services, refs, demo_db, open_request):
    with demo_db.write() as s:
        s.get(Theme, refs.themes["urbanisme"]).answer_days = 30
        s.get(Theme, refs.themes["etat_civil.naissance"]).answer_days = 5
    received = clock.local_day(clock.now()) - timedelta(days=3)
    assert open_request(received_on=received).due_on == add_working_days(received, 5)
    permis = open_request(theme_id=refs.themes["urbanisme.permis"], received_on=received)
    assert permis.due_on == add_working_days(received, 30) and permis.service_name == URBANISME


def test_bad_input_is_refused_field_by_field(services, refs):
    with pytest.raises(ValidationError) as refused:
        services.requests.open(
            agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
            data=RequestInput(channel=None, theme_id=None, subject="  ", citizen_id=None,
                              received_on=clock.local_day(clock.now()) + timedelta(days=2)),
        )  # fmt: skip
    assert set(refused.value.errors) == {"channel", "theme", "subject", "citizen", "received_on"}
    assert all("  " not in m and m[0].isupper() for m in refused.value.errors.values())


def test_the_life_of_a_request_is_kept_step_by_step(services, refs, open_request):
    row = open_request()
    hdv, agent, chief = refs.sites["HDV"], refs.agents["mdurand"], refs.agents["sperrin"]
    detail = services.requests.reassign(request_id=row.id, agent_id=chief, site_id=hdv,
                                        service_id=refs.services[ETAT_CIVIL], assignee_id=refs.agents["kbenali"],
                                        comment="Karim connaît le dossier")  # fmt: skip
    assert detail.row.status is RequestStatus.ASSIGNED and detail.row.assignee_name == "Karim Benali"
    with pytest.raises(NotAllowedError, match="nouvelle|affectée"):
        services.requests.change_status(request_id=row.id, agent_id=agent, site_id=hdv, to=RequestStatus.CLOSED)
    services.requests.change_status(request_id=row.id, agent_id=agent, site_id=hdv, to=RequestStatus.IN_PROGRESS)
    services.requests.change_status(request_id=row.id, agent_id=agent, site_id=hdv,
                                    to=RequestStatus.WAITING_CITIZEN, comment="Pièce d'identité demandée")  # fmt: skip
    with pytest.raises(ValidationError):  # answered needs an answer
        services.requests.change_status(request_id=row.id, agent_id=agent, site_id=hdv, to=RequestStatus.ANSWERED)
    services.requests.add_comment(request_id=row.id, agent_id=agent, site_id=hdv, comment="Reçue par courriel")
    detail = services.requests.change_status(request_id=row.id, agent_id=agent, site_id=hdv,
                                             to=RequestStatus.ANSWERED, comment="Acte envoyé")  # fmt: skip
    assert detail.row.answered_at is not None and detail.allowed == (RequestStatus.CLOSED, RequestStatus.IN_PROGRESS)
    detail = services.requests.change_status(request_id=row.id, agent_id=agent, site_id=hdv, to=RequestStatus.CLOSED)
    kinds = [(e.kind, e.to_status, e.agent_name) for e in detail.events]
    assert kinds == [
        (RequestEventKind.CREATED, RequestStatus.NEW, "Marie Durand"),
        (RequestEventKind.REASSIGNED, None, "Sophie Perrin"),
        (RequestEventKind.STATUS, RequestStatus.ASSIGNED, "Sophie Perrin"),
        (RequestEventKind.STATUS, RequestStatus.IN_PROGRESS, "Marie Durand"),
        (RequestEventKind.STATUS, RequestStatus.WAITING_CITIZEN, "Marie Durand"),
        (RequestEventKind.COMMENT, None, "Marie Durand"),
        (RequestEventKind.STATUS, RequestStatus.ANSWERED, "Marie Durand"),
        (RequestEventKind.STATUS, RequestStatus.CLOSED, "Marie Durand"),
    ]
    assert "Karim connaît le dossier" in detail.events[1].summary
    assert detail.events[4].summary == "En cours → En attente du citoyen — Pièce d'identité demandée"
    assert detail.allowed == () and detail.closed_at is not None
    with pytest.raises(NotAllowedError):
        services.requests.reassign(request_id=row.id, agent_id=chief, site_id=hdv,
                                   service_id=refs.services[URBANISME], assignee_id=None)  # fmt: skip


def test_dropping_needs_a_reason_and_only_supervisors_move_deadlines(services, refs, open_request):
    row = open_request()
    hdv, agent = refs.sites["HDV"], refs.agents["mdurand"]
    with pytest.raises(ValidationError, match="pourquoi"):
        services.requests.change_status(request_id=row.id, agent_id=agent, site_id=hdv, to=RequestStatus.DROPPED)
    with pytest.raises(NotAllowedError):
        services.requests.change_deadline(request_id=row.id, agent_id=agent, site_id=hdv,
                                          due_on=row.due_on + timedelta(days=7), comment="Dossier complexe")  # fmt: skip
    detail = services.requests.change_deadline(request_id=row.id, agent_id=refs.agents["sperrin"], site_id=hdv,
                                               due_on=row.due_on + timedelta(days=7), comment="Dossier complexe")  # fmt: skip
    assert detail.row.due_on == row.due_on + timedelta(days=7)
    assert detail.events[-1].kind is RequestEventKind.DEADLINE and "Dossier complexe" in detail.events[-1].comment


def test_views_and_their_counts(services, refs, open_request, anne):
    today = clock.local_day(clock.now())
    old = today - timedelta(days=40)
    late = open_request(received_on=old, subject="Demande ancienne")
    mine = open_request(assignee_id=refs.agents["mdurand"], subject="Pour Marie")
    permis = open_request(theme_id=refs.themes["urbanisme.permis"], subject="Permis de construire")
    done = open_request(received_on=old, subject="Déjà répondue")
    hdv, agent = refs.sites["HDV"], refs.agents["mdurand"]
    services.requests.change_status(request_id=done.id, agent_id=agent, site_id=hdv, to=RequestStatus.IN_PROGRESS)
    services.requests.change_status(request_id=done.id, agent_id=agent, site_id=hdv, to=RequestStatus.ANSWERED,
                                    comment="Répondu")  # fmt: skip

    def ids(view, service: str | None = None, **kw):
        found = services.requests.list(commune_id=refs.commune_id, view=view, agent_id=agent,
                                       service_id=refs.services[service] if service else None, **kw)  # fmt: skip
        return [r.id for r in found.rows], found.counts

    overdue, counts = ids(RequestView.OVERDUE, ETAT_CIVIL)
    assert overdue == [late.id] and late.due_on < today
    assert counts == {RequestView.OPEN: 3, RequestView.OVERDUE: 1, RequestView.DUE_SOON: 0, RequestView.MINE: 1,
                      RequestView.SERVICE: 2}  # fmt: skip
    assert ids(RequestView.MINE)[0] == [mine.id]
    assert set(ids(RequestView.SERVICE, ETAT_CIVIL)[0]) == {late.id, mine.id}
    assert ids(RequestView.OPEN, URBANISME)[0] == [permis.id]  # the service filter applies to every list
    assert ids(RequestView.OPEN)[0] == [late.id, mine.id, permis.id]  # most urgent first
    assert set(ids(RequestView.ALL)[0]) == {late.id, mine.id, permis.id, done.id}
    assert ids(RequestView.OPEN, theme_id=refs.themes["urbanisme"])[0] == [permis.id]  # a theme and its children
    assert set(ids(RequestView.ALL, citizen_id=anne.id)[0]) == {late.id, mine.id, permis.id, done.id}
    assert ids(RequestView.ALL, query="permis constr")[0] == [permis.id]
    assert ids(RequestView.ALL, query="lefevre deja")[0] == [done.id]  # accents and case ignored
    assert ids(RequestView.ALL, query=permis.reference.rsplit("-", 1)[1].lstrip("0"))[0] == [permis.id]
    assert services.requests.find(reference=permis.reference.lower()).row.id == permis.id


def test_two_desks_opening_requests_at_once_never_share_a_reference(db, refs, anne):
    errors: list[Exception] = []

    def desk(n: int) -> None:
        services = Services.on(db)
        try:
            for _ in range(15):
                services.requests.open(
                    agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
                    data=RequestInput(channel=Channel.MAIL, theme_id=refs.themes["elections"], subject=f"Desk {n}",
                                      citizen_id=anne.id),
                )  # fmt: skip
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as s:
        seqs = s.scalars(select(FollowUpRequest.seq).order_by(FollowUpRequest.seq)).all()
        events = s.scalar(select(func.count()).select_from(RequestEvent))
        fts = s.execute(text("SELECT count(*) FROM request_fts WHERE request_fts MATCH 'desk'")).scalar()
    assert seqs == list(range(1, 46)) and events == 45 and fts == 45
