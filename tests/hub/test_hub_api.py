"""The hub over real HTTP: pairing, tokens, the same services and dataclasses as on one PC, pushed events."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace

import httpx
import pytest

from guichet.domain import Channel, Outcome
from guichet.hub.client import HubLink, RemoteServices
from guichet.hub.listener import EventListener
from guichet.services import Services
from guichet.services.auth import AgentSession, Workstation
from guichet.services.contacts import ContactInput
from guichet.services.errors import AuthenticationError, NotAllowedError, ServiceError, ValidationError
from guichet.services.queue_types import TicketInfo
from tests.hub.harness import ServedHub

PASSWORD = "guichet2026"


def login(desk: RemoteServices, who: str = "mdurand") -> AgentSession:
    return desk.auth.login(login=who, password=PASSWORD, workstation=Workstation("pc-test", "HDV"))


def test_a_pc_that_is_not_paired_gets_nothing(served: ServedHub):
    assert httpx.get(f"{served.url}/api/health").json()["status"] == "ok"
    for token in ("", "not-a-token"):
        answer = httpx.post(
            f"{served.url}/api/services/sites/list", json={}, headers={"Authorization": f"Bearer {token}".strip()}
        )
        assert answer.status_code == 401
        assert "appairé" in answer.json()["message"]
        assert "result" not in answer.json()


def test_a_pairing_code_works_once_and_tokens_can_be_revoked(served: ServedHub):
    pairing = served.hub.devices.pair(name="Guichet 2", role="poste", site_code="HDV")
    from guichet.hub.client import pair_with

    token = pair_with(served.url, pairing.code.lower())["token"]  # typed in lower case: still accepted
    with pytest.raises(AuthenticationError, match="expiré"):
        pair_with(served.url, pairing.code)
    desk = RemoteServices(served.link(token))
    assert [s.code for s in desk.sites.list()] == ["HDV", "MAV"]
    served.hub.devices.revoke(name="Guichet 2")
    with pytest.raises(AuthenticationError, match="révoqué|appairé"):
        desk.sites.list()


def test_codes_tried_in_a_loop_are_refused_for_a_while(served: ServedHub):
    from guichet.hub.client import pair_with

    pairing = served.hub.devices.pair(name="Guichet 4", role="poste", site_code="HDV")
    for _ in range(4):
        with pytest.raises(AuthenticationError, match="inconnu ou expiré"):
            pair_with(served.url, "AAAA-AAAA")
    pair_with(served.url, pairing.code)  # a right code still works, and clears the count
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            pair_with(served.url, "AAAA-AAAA")
    second = served.hub.devices.pair(name="Guichet 5", role="poste", site_code="HDV")
    answer = httpx.post(f"{served.url}/api/pair", json={"code": second.code})
    assert answer.status_code == 429, "past five wrong codes, even a right one waits"
    assert "réessayez dans 5 minutes" in answer.json()["message"]
    assert 290 <= int(answer.headers["retry-after"]) <= 301
    with pytest.raises(ServiceError, match="Trop de codes d'appairage erronés"):
        pair_with(served.url, second.code)
    assert not any(d.name == "Guichet 5" and d.paired_at for d in served.hub.devices.devices()), "code not spent"


def test_the_pairing_throttle_forgets_after_its_window():
    from guichet.hub.server import PairThrottle

    now = [1000.0]
    throttle = PairThrottle(limit=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_s("10.0.0.7") == 0
        throttle.failed("10.0.0.7")
    assert throttle.wait_s("10.0.0.7") == pytest.approx(60)
    assert throttle.wait_s("10.0.0.8") == 0, "another PC is not held back"
    now[0] += 59
    assert throttle.wait_s("10.0.0.7") == pytest.approx(1)
    now[0] += 2
    assert throttle.wait_s("10.0.0.7") == 0


def test_the_desk_gets_the_same_dataclasses_as_on_one_pc(served: ServedHub):
    desk = served.desk()
    session = login(desk)
    local = Services.on(served.hub.db)
    assert isinstance(session, AgentSession) and session.site_code == "HDV"
    remote_reference = desk.reference.load(commune_id=session.commune_id, site_id=session.site_id)
    assert remote_reference == local.reference.load(commune_id=session.commune_id, site_id=session.site_id)
    remote_status = desk.queue.site_status(site_id=session.site_id)
    local_status = local.queue.site_status(site_id=session.site_id)
    assert remote_status.counters and replace(remote_status, at=None) == replace(local_status, at=None)


def test_a_supervisors_statistics_cross_the_wire_whole(served: ServedHub):
    """The report's nested dataclasses (requests, mail, appointments with their delays) come back equal."""
    from datetime import timedelta

    from guichet.services.casework_history import seed_casework_history
    from guichet.services.clock import local_day, now

    seed_casework_history(served.hub.db, days=20, per_day=4)
    desk = served.desk()
    session = login(desk, "sperrin")
    today = local_day(now())
    ask = dict(agent_id=session.agent_id, start=today - timedelta(days=30), end=today)
    remote = desk.stats.report(**ask)
    local = Services.on(served.hub.db).stats.report(**ask)
    assert remote.requests.total.opened > 50 and remote.mail.incoming.count > 0
    assert (remote.requests, remote.mail, remote.appointments, remote.contacts, remote.tickets) == (
        local.requests, local.mail, local.appointments, local.contacts, local.tickets,
    )  # fmt: skip


def test_a_call_naming_an_agent_not_logged_in_from_this_pc_is_refused(served: ServedHub):
    desk = served.desk()
    session = login(desk)
    other = served.desk("Guichet 2")
    theme = desk.reference.load(commune_id=session.commune_id, site_id=session.site_id).themes[0]
    data = ContactInput(channel=Channel.PHONE, theme_id=theme.id, outcome=Outcome.ANSWERED)
    with pytest.raises(AuthenticationError, match="reconnectez-vous"):
        other.contacts.log(agent_id=session.agent_id, site_id=session.site_id, data=data)
    row = desk.contacts.log(agent_id=session.agent_id, site_id=session.site_id, data=data)
    assert row.agent_id == session.agent_id
    desk.auth.logout(agent_id=session.agent_id, workstation=Workstation("pc-test", "HDV"))
    with pytest.raises(AuthenticationError):
        desk.contacts.log(agent_id=session.agent_id, site_id=session.site_id, data=data)


def test_service_errors_arrive_as_the_same_french_errors(served: ServedHub):
    desk = served.desk()
    session = login(desk)
    with pytest.raises(ValidationError) as refused:
        desk.contacts.log(agent_id=session.agent_id, site_id=session.site_id, data=ContactInput(None, None, None))
    assert refused.value.errors and all(isinstance(v, str) and v for v in refused.value.errors.values())
    with pytest.raises(AuthenticationError, match="[Ii]dentifiant|mot de passe"):
        desk.auth.login(login="mdurand", password="faux", workstation=Workstation("x", "HDV"))


def test_a_kiosk_reaches_the_queue_only(served: ServedHub):
    kiosk = served.public("Borne 1")
    site = kiosk.sites.find(code="HDV")
    queue = kiosk.queue.queue_statuses(site_id=site.id)[0]
    ticket = kiosk.queue.issue_ticket(site_id=site.id, queue_id=queue.id)
    assert isinstance(ticket, TicketInfo) and ticket.number
    raw = httpx.post(
        f"{served.url}/api/services/citizens/search", json={"query": "a"},
        headers={"Authorization": f"Bearer {kiosk.link.token}"},
    )  # fmt: skip
    assert raw.status_code == 403 and "borne" in raw.json()["message"]


def test_a_lost_answer_asked_again_with_its_key_does_not_issue_twice(served: ServedHub):
    kiosk = served.public("Borne 1")
    site = kiosk.sites.find(code="HDV")
    queue = kiosk.queue.queue_statuses(site_id=site.id)[0]
    body = {"site_id": str(site.id), "queue_id": str(queue.id)}
    headers = {"Authorization": f"Bearer {kiosk.link.token}", "Idempotency-Key": uuid.uuid4().hex}
    first = httpx.post(f"{served.url}/api/public/queue/issue_ticket", json=body, headers=headers)
    again = httpx.post(f"{served.url}/api/public/queue/issue_ticket", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    waiting = kiosk.queue.queue_statuses(site_id=site.id)
    assert next(q for q in waiting if q.id == queue.id).waiting == 1


def test_a_ticket_issued_is_pushed_to_the_listeners_at_once(served: ServedHub):
    screen = served.public("Ecran 1", role="ecran")
    kiosk = served.public("Borne 1")
    got: list[tuple[str, dict, float]] = []
    arrived = threading.Event()

    def on_event(kind: str, data: dict) -> None:
        got.append((kind, data, time.perf_counter()))
        if kind == "queue":
            arrived.set()

    listener = EventListener(screen.link, on_event).start()
    try:
        assert listener.connected.wait(5)
        site = kiosk.sites.find(code="HDV")
        queue = kiosk.queue.queue_statuses(site_id=site.id)[0]
        sent = time.perf_counter()
        kiosk.queue.issue_ticket(site_id=site.id, queue_id=queue.id)
        assert arrived.wait(5)
        kind, data, at = next(g for g in got if g[0] == "queue")
        assert data["site_id"] == str(site.id) and data["call"] == "issue_ticket"
        assert at - sent < 2.0  # measured properly in bench/bench_hub.py
        assert screen.link.up is True
    finally:
        listener.stop()


def test_the_listener_says_at_once_when_the_hub_stops(served: ServedHub):
    screen = served.public("Ecran 1", role="ecran")
    states: list[bool] = []
    screen.link.listeners.append(lambda up, _text: states.append(up))
    listener = EventListener(screen.link, lambda *_: None, retry_s=0.1).start()
    try:
        assert listener.connected.wait(5)
        served.stop()
        deadline = time.monotonic() + 5
        while screen.link.up is not False and time.monotonic() < deadline:
            time.sleep(0.01)
        assert screen.link.up is False
        served.start()  # same address, same database
        assert listener.connected.wait(10)
        assert screen.link.up is True and states[-2:] == [False, True]
    finally:
        listener.stop()


def test_a_queue_action_without_the_hub_is_refused_not_guessed(served: ServedHub):
    desk = served.desk()
    session = login(desk)
    counter = desk.queue.site_status(site_id=session.site_id).counters[0]
    desk.queue.open_counter(counter_id=counter.id, agent_id=session.agent_id)
    served.stop()
    from guichet.hub.client import HubUnreachableError

    with pytest.raises(HubUnreachableError, match="rien n'a été fait") as refused:
        desk.queue.call_next(counter_id=counter.id, agent_id=session.agent_id)
    assert refused.value.maybe_done is False
    assert desk.link.up is False


def test_an_unknown_method_is_not_a_silent_no_op(served: ServedHub):
    desk = served.desk()
    with pytest.raises(AttributeError):
        desk.queue.drop_everything  # noqa: B018
    with pytest.raises(AttributeError):
        desk.mail.register_outgoing_in  # noqa: B018 - an in-transaction helper is not served


def test_kiosk_role_cannot_use_a_desk_token_shape(served: ServedHub):
    link = HubLink(served.url, "x" * 43)
    try:
        with pytest.raises(AuthenticationError):
            RemoteServices(link).sites.list()
    finally:
        link.close()
    assert NotAllowedError  # imported for the kiosk test above


def test_an_administrator_acts_on_another_agents_account(served: ServedHub):
    desk = served.desk()
    admin = login(desk, "admin")
    target = next(a for a in desk.accounts.agents(admin_id=admin.agent_id) if a.login == "kbenali")
    changed = desk.accounts.set_active(admin_id=admin.agent_id, agent_id=target.id, active=False)
    assert changed.active is False
    other = served.desk("Guichet 2")  # nobody logged in there: an administrator's id is not a pass
    with pytest.raises(AuthenticationError):
        other.accounts.set_active(admin_id=admin.agent_id, agent_id=target.id, active=True)


def test_a_suspected_duplicate_arrives_with_the_records_it_may_duplicate(served: ServedHub):
    from guichet.services.dedup import DuplicateSuspected

    desk = served.desk()
    session = login(desk)
    who = {"agent_id": session.agent_id, "site_id": session.site_id}
    first = desk.citizens.create(last_name="Zygomatique", first_names="Philibert", phone="0611223344", **who)
    with pytest.raises(DuplicateSuspected) as suspected:
        desk.citizens.create(last_name="ZYGOMATIQUE", first_names="Philibert", phone="06 11 22 33 44", **who)
    assert [m.citizen.id for m in suspected.value.matches] == [first.id]
    assert "existe peut-être" in suspected.value.message
