"""Accounts at a shared desk: password policy, failed logins rate-limited from the audit log, disabling,
PINs of this PC, the switch of agents (and of the counter), and what the audit log records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from guichet.domain import AuditAction, TicketStatus
from guichet.models import AgentPin, AuditEntry, Counter, CounterSession, Queue
from guichet.services.accounts import AccountService
from guichet.services.auth import AuthService, Workstation
from guichet.services.clock import PARIS
from guichet.services.demo import DEMO_PASSWORD
from guichet.services.errors import AuthenticationError, NotAllowedError, ValidationError
from guichet.services.passwords import check_password_policy, check_pin
from guichet.services.queue import QueueService
from guichet.services.queue_seed import seed_queues
from guichet.sync.tables import SYNCED_TABLES

BAD_LOGIN = "Identifiant ou mot de passe incorrect."
PC = Workstation("PC-ACCUEIL-1", "HDV")
GOOD = "Tournesol-Bleu-42"


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 3, 10, 9, 0, tzinfo=PARIS).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def auth(demo_db, clock) -> AuthService:
    return AuthService(demo_db, clock=clock)


@pytest.fixture
def accounts(demo_db, clock) -> AccountService:
    return AccountService(demo_db, clock=clock)


def _entries(db, **where) -> list[AuditEntry]:  # noqa: ANN001, ANN003
    with db.read() as s:
        query = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return list(s.scalars(query))


# -- the password policy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Tournesol-Bleu-42", "marché du jeudi matin à vénissieux", "9 rue des Lilas!", "Accueil#Rive2Gier"],
)
def test_policy_accepts_long_mixed_passwords_and_passphrases(password):
    assert check_password_policy(password, "mdurand", names=("Marie", "Durand")) == []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Court-1", "au moins 12 caractères"),
        ("mdurand-2026-OK", "ni l'identifiant"),
        ("Marie.Durand.2026", "ni l'identifiant ni le nom"),
        ("Azerty2026!!!", "trop courant"),
        ("Vénissieux-2026", "trop courant"),
        ("motdepasse1234", "trop courant"),
        ("123456789012", "trop courant"),
        ("toutenminuscules", "3 sortes de caractères"),
        (" Espace-Devant-42", "espace"),
    ],
)
def test_policy_refuses_with_a_french_reason(password, reason):
    reasons = check_password_policy(password, "mdurand", names=("Marie", "Durand"))
    assert any(reason in r for r in reasons), reasons


def test_a_passphrase_needs_no_mix_of_characters():
    assert check_password_policy("le chat dort sur le radiateur", "kbenali") == []
    assert check_password_policy("le chat dort sur le", "kbenali") != []  # 19 characters


@pytest.mark.parametrize(("pin", "ok"), [("4071", True), ("905213", True), ("123", False), ("1234567", False),
                                         ("12a4", False), ("0000", False), ("1234", False), ("98765", False)])  # fmt: skip
def test_pin_rule(pin, ok):
    assert (check_pin(pin) == []) is ok


# -- failed logins: limited and logged -----------------------------------------------------------------------


def test_every_login_success_and_failure_is_audited(demo_db, auth, refs):
    auth.login(login="mdurand", password=DEMO_PASSWORD, workstation=PC)
    with pytest.raises(AuthenticationError):
        auth.login(login="mdurand", password="faux", workstation=PC)
    with pytest.raises(AuthenticationError):
        auth.login(login="Inconnu", password="faux", workstation=PC)
    rows = _entries(demo_db)
    assert [(r.action, r.login, r.agent_id) for r in rows] == [
        (AuditAction.LOGIN, "mdurand", refs.agents["mdurand"]),
        (AuditAction.LOGIN_FAILED, "mdurand", refs.agents["mdurand"]),
        (AuditAction.LOGIN_FAILED, "inconnu", None),
    ]
    assert all(r.detail.startswith("poste « PC-ACCUEIL-1 »") for r in rows)
    assert {r.site_id for r in rows} == {refs.sites["HDV"]}  # the unknown login is filed at this PC's site
    assert all(r.commune_id == refs.commune_id for r in rows)


def test_five_failures_suspend_the_login_for_five_minutes(demo_db, auth, clock):
    for _ in range(5):
        with pytest.raises(AuthenticationError, match=BAD_LOGIN):
            auth.login(login="mdurand", password="faux", workstation=PC)
        clock.advance(seconds=30)
    # Even the right password is refused now, without being checked; the message says when to come back.
    with pytest.raises(AuthenticationError) as refused:
        auth.login(login="mdurand", password=DEMO_PASSWORD, workstation=PC)
    assert "Trop d'essais" in refused.value.message and "Réessayez à 09:07" in refused.value.message
    assert "(dans 5 min)" in refused.value.message  # the 5th failure was at 09:02, it is 09:02:30: 4 min 30 s
    # Another agent on the same PC is not concerned.
    assert auth.login(login="kbenali", password=DEMO_PASSWORD, workstation=PC).login == "kbenali"
    clock.advance(minutes=5)
    assert auth.login(login="mdurand", password=DEMO_PASSWORD, workstation=PC).login == "mdurand"
    # The refused attempt while suspended was logged too, marked so that it does not prolong the suspension.
    marked = [r for r in _entries(demo_db, login="mdurand") if "refusé sans vérification" in r.detail]
    assert len(marked) == 1 and marked[0].action is AuditAction.LOGIN_FAILED


def test_the_count_starts_again_after_a_success_and_after_fifteen_minutes(auth, clock):
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            auth.login(login="mdurand", password="faux", workstation=PC)
    auth.login(login="mdurand", password=DEMO_PASSWORD, workstation=PC)
    for _ in range(4):
        with pytest.raises(AuthenticationError, match=BAD_LOGIN):
            auth.login(login="mdurand", password="faux", workstation=PC)
    clock.advance(minutes=16)
    for _ in range(4):
        with pytest.raises(AuthenticationError, match=BAD_LOGIN):
            auth.login(login="mdurand", password="faux", workstation=PC)
    assert auth.login(login="mdurand", password=DEMO_PASSWORD, workstation=PC).login == "mdurand"


def test_a_suspension_says_nothing_about_whether_the_login_exists(auth):
    messages = []
    for login in ("mdurand", "personne"):
        for _ in range(5):
            with pytest.raises(AuthenticationError):
                auth.login(login=login, password="faux", workstation=PC)
        with pytest.raises(AuthenticationError) as refused:
            auth.login(login=login, password="faux", workstation=PC)
        messages.append(refused.value.message)
    assert messages[0] == messages[1]


def test_twenty_failures_on_one_pc_suspend_every_login_there(auth, clock):
    for i in range(20):
        with pytest.raises(AuthenticationError, match=BAD_LOGIN):
            auth.login(login=f"essai{i}", password="faux", workstation=PC)
    with pytest.raises(AuthenticationError, match="Trop d'essais"):
        auth.login(login="kbenali", password=DEMO_PASSWORD, workstation=PC)
    # Another PC of the same database is not suspended.
    other = Workstation("PC-ACCUEIL-2", "HDV")
    assert auth.login(login="kbenali", password=DEMO_PASSWORD, workstation=other).login == "kbenali"
    clock.advance(minutes=5, seconds=1)
    assert auth.login(login="kbenali", password=DEMO_PASSWORD, workstation=PC).login == "kbenali"


def test_the_count_survives_a_restart(demo_db, clock):
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            AuthService(demo_db, clock=clock).login(login="mdurand", password="faux", workstation=PC)
    with pytest.raises(AuthenticationError, match="Trop d'essais"):
        AuthService(demo_db, clock=clock).login(login="mdurand", password=DEMO_PASSWORD, workstation=PC)


# -- disabling an agent ------------------------------------------------------------------------------------


def test_an_administrator_disables_an_agent_who_can_then_neither_log_in_nor_unlock_nor_switch(
    demo_db, auth, accounts, refs
):
    admin, kb = refs.agents["admin"], refs.agents["kbenali"]
    session = auth.login(login="kbenali", password=DEMO_PASSWORD, workstation=PC)  # at their desk, then locked
    account = accounts.set_active(admin_id=admin, agent_id=kb, active=False)
    assert account.active is False and account.state_label == "Désactivé"
    with pytest.raises(AuthenticationError, match="désactivé"):
        auth.login(login="kbenali", password=DEMO_PASSWORD, workstation=PC)
    with pytest.raises(AuthenticationError, match="désactivé"):
        auth.unlock(agent_id=session.agent_id, secret=DEMO_PASSWORD, workstation=PC)
    with pytest.raises(AuthenticationError, match="désactivé"):
        auth.switch(from_agent_id=refs.agents["mdurand"], login="kbenali", password=DEMO_PASSWORD, workstation=PC)
    [disabled] = _entries(demo_db, action=AuditAction.ACCOUNT_DISABLED)
    assert (disabled.agent_id, disabled.subject_table, disabled.subject_id) == (admin, "agent", kb)
    accounts.set_active(admin_id=admin, agent_id=kb, active=True)
    assert auth.login(login="kbenali", password=DEMO_PASSWORD, workstation=PC).agent_id == kb
    assert len(_entries(demo_db, action=AuditAction.ACCOUNT_ENABLED)) == 1


def test_only_an_administrator_manages_accounts_and_not_their_own_state(accounts, refs):
    with pytest.raises(NotAllowedError, match="administrateur"):
        accounts.set_active(admin_id=refs.agents["sperrin"], agent_id=refs.agents["kbenali"], active=False)
    with pytest.raises(NotAllowedError, match="administrateur"):
        accounts.agents(admin_id=refs.agents["mdurand"])
    with pytest.raises(NotAllowedError, match="propre compte"):
        accounts.set_active(admin_id=refs.agents["admin"], agent_id=refs.agents["admin"], active=False)
    listed = accounts.agents(admin_id=refs.agents["admin"])
    assert {a.login for a in listed} == {"mdurand", "kbenali", "sperrin", "admin"}  # the site's, not lnguyen (MAV)


def test_a_password_reset_follows_the_policy_and_is_audited(demo_db, auth, accounts, refs):
    admin, md = refs.agents["admin"], refs.agents["mdurand"]
    with pytest.raises(ValidationError) as refused:
        accounts.reset_password(admin_id=admin, agent_id=md, password="mdurand2026")
    assert "12 caractères" in refused.value.errors["password"]
    accounts.reset_password(admin_id=admin, agent_id=md, password=GOOD)
    assert auth.login(login="mdurand", password=GOOD).agent_id == md
    with pytest.raises(AuthenticationError):
        auth.login(login="mdurand", password=DEMO_PASSWORD)
    [changed] = _entries(demo_db, action=AuditAction.PASSWORD_CHANGED)
    assert (changed.agent_id, changed.subject_id) == (admin, md)
    # The agent changes it again themselves: the current one first.
    with pytest.raises(ValidationError, match="actuel"):
        accounts.change_password(agent_id=md, current="faux", new="Autre-Mot-2-Passe")
    accounts.change_password(agent_id=md, current=GOOD, new="Autre-Mot-2-Passe")
    assert auth.login(login="mdurand", password="Autre-Mot-2-Passe").agent_id == md


# -- lock, unlock, PIN ------------------------------------------------------------------------------------------


def test_lock_and_unlock_by_password_or_pin_are_audited(demo_db, auth, accounts, refs):
    md = refs.agents["mdurand"]
    auth.login(login="mdurand", password=DEMO_PASSWORD, workstation=PC)
    with pytest.raises(ValidationError, match="incorrect"):
        accounts.set_pin(agent_id=md, password="faux", pin="4071")
    with pytest.raises(ValidationError, match="trop facile"):
        accounts.set_pin(agent_id=md, password=DEMO_PASSWORD, pin="1111")
    accounts.set_pin(agent_id=md, password=DEMO_PASSWORD, pin="4071")
    assert accounts.has_pin(agent_id=md)
    auth.lock(agent_id=md, reason="Ctrl+L", workstation=PC)
    assert auth.unlock(agent_id=md, secret="4071", workstation=PC).agent_id == md
    auth.lock(agent_id=md, reason="inactivité de 5 min", workstation=PC)
    with pytest.raises(AuthenticationError, match="Mot de passe ou code PIN incorrect"):
        auth.unlock(agent_id=md, secret="9999", workstation=PC)
    assert auth.unlock(agent_id=md, secret=DEMO_PASSWORD, workstation=PC).agent_id == md
    actions = [(r.action, r.detail.split(" — ", 1)[-1]) for r in _entries(demo_db, agent_id=md)]
    assert actions == [
        (AuditAction.LOGIN, "poste « PC-ACCUEIL-1 »"),
        (AuditAction.PASSWORD_CHANGED, "code PIN de ce poste défini"),
        (AuditAction.LOCK, "Ctrl+L"),
        (AuditAction.UNLOCK, "par code PIN"),
        (AuditAction.LOCK, "inactivité de 5 min"),
        (AuditAction.LOGIN_FAILED, "déverrouillage refusé (code PIN)"),
        (AuditAction.UNLOCK, "par mot de passe"),
    ]


def test_three_wrong_pins_leave_only_the_password(auth, accounts, refs):
    md = refs.agents["mdurand"]
    accounts.set_pin(agent_id=md, password=DEMO_PASSWORD, pin="4071")
    messages = []
    for _ in range(3):
        with pytest.raises(AuthenticationError) as refused:
            auth.unlock(agent_id=md, secret="9999", workstation=PC)
        messages.append(refused.value.message)
    assert ["seul le mot de passe" in m for m in messages] == [False, False, True]
    with pytest.raises(AuthenticationError):
        auth.unlock(agent_id=md, secret="4071", workstation=PC)  # the right PIN, too late
    assert auth.unlock(agent_id=md, secret=DEMO_PASSWORD, workstation=PC).agent_id == md
    assert auth.unlock(agent_id=md, secret="4071", workstation=PC).agent_id == md  # back after the password


def test_a_pin_stays_on_this_pc_and_a_new_password_voids_it(demo_db, auth, accounts, refs):
    md = refs.agents["mdurand"]
    accounts.set_pin(agent_id=md, password=DEMO_PASSWORD, pin="4071")
    assert "agent_pin" not in SYNCED_TABLES
    with demo_db.read() as s:
        stored = s.scalars(select(AgentPin.pin_hash)).one()
        outbox = s.execute(text("SELECT count(*) FROM sync_outbox WHERE table_name = 'agent_pin'")).scalar()
    assert stored.startswith("scrypt$") and "4071" not in stored and outbox == 0
    with pytest.raises(AuthenticationError):
        auth.login(login="mdurand", password="4071")  # a PIN never logs in
    accounts.reset_password(admin_id=refs.agents["admin"], agent_id=md, password=GOOD)
    assert not accounts.has_pin(agent_id=md)
    with pytest.raises(AuthenticationError):
        auth.unlock(agent_id=md, secret="4071", workstation=PC)


# -- switch of agents: the counter follows -----------------------------------------------------------------------


def test_a_switch_hands_the_counter_over_and_sets_the_ticket_in_hand_aside(demo_db, auth, refs, clock):
    seed_queues(demo_db, open_all_day=True)
    queue = QueueService(demo_db, clock=clock)
    md, kb = refs.agents["mdurand"], refs.agents["kbenali"]
    with demo_db.read() as s:
        counter = s.scalars(select(Counter).where(Counter.site_id == refs.sites["HDV"], Counter.number == 1)).one()
        letter_a = s.scalars(select(Queue).where(Queue.site_id == refs.sites["HDV"], Queue.letter == "A")).one()
    queue.open_counter(counter_id=counter.id, agent_id=md)
    ticket = queue.issue_ticket(site_id=refs.sites["HDV"], queue_id=letter_a.id)
    assert queue.call_next(counter_id=counter.id, agent_id=md).id == ticket.id
    clock.advance(minutes=2)

    switched = auth.switch(from_agent_id=md, login="kbenali", password=DEMO_PASSWORD, workstation=PC)

    assert switched.session.agent_id == kb and switched.previous_agent_id == md
    assert f"le ticket {ticket.number} est mis de côté" in switched.note and "passe à votre nom" in switched.note
    assert queue.ticket(ticket_id=ticket.id).status is TicketStatus.PARKED
    with demo_db.read() as s:
        sessions = s.scalars(
            select(CounterSession).where(CounterSession.counter_id == counter.id).order_by(CounterSession.opened_at)
        ).all()
    assert [(x.agent_id, x.closed_at is None) for x in sessions] == [(md, False), (kb, True)]
    # The new agent resumes the visit at the same counter.
    assert queue.resume(ticket_id=ticket.id, counter_id=counter.id, agent_id=kb).status is TicketStatus.CALLED
    [entry] = _entries(demo_db, action=AuditAction.SWITCH)
    assert (entry.agent_id, entry.subject_id) == (kb, md) and "prend le poste de Marie Durand" in entry.detail


def test_a_wrong_password_at_a_switch_changes_nothing(demo_db, auth, refs):
    with pytest.raises(AuthenticationError, match=BAD_LOGIN):
        auth.switch(from_agent_id=refs.agents["mdurand"], login="kbenali", password="faux", workstation=PC)
    assert _entries(demo_db, action=AuditAction.SWITCH) == []
    assert len(_entries(demo_db, action=AuditAction.LOGIN_FAILED, login="kbenali")) == 1


# -- views of personal records ------------------------------------------------------------------------------------


def test_opening_a_citizens_record_is_audited(demo_db, services, accounts, refs):
    citizen = services.citizens.create(last_name="Zygomatique", first_names="Philibert")
    accounts.record_view(agent_id=refs.agents["mdurand"], citizen_id=citizen.id, detail="formulaire de contact")
    [viewed] = _entries(demo_db, action=AuditAction.RECORD_VIEWED)
    assert (viewed.agent_id, viewed.subject_table, viewed.subject_id) == (refs.agents["mdurand"], "citizen", citizen.id)
    assert viewed.site_id == refs.sites["HDV"]


# -- the setting of the idle lock -------------------------------------------------------------------------------


def test_lock_after_min_is_read_from_the_settings(tmp_path):
    from guichet.config import Settings

    path = tmp_path / "guichet.toml"
    assert Settings.load(path).ui.lock_after_min == 5  # no file: the default
    path.write_text("[ui]\nlock_after_min = 0\n", encoding="utf-8")
    assert Settings.load(path).ui.lock_after_min == 0  # never
    path.write_text("[ui]\nlock_after_min = 12\n", encoding="utf-8")
    assert Settings.load(path).ui.lock_after_min == 12
    path.write_text("[ui]\nlock_after_min = -3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lock_after_min"):
        Settings.load(path)
