"""Agent login and password hashes."""

from __future__ import annotations

import pytest

from guichet.domain import Role
from guichet.models import Agent, utcnow
from guichet.services.auth import hash_password, verify_password
from guichet.services.demo import DEMO_PASSWORD
from guichet.services.errors import AuthenticationError

BAD_LOGIN = "Identifiant ou mot de passe incorrect."


def test_demo_login(demo_db, services, refs):
    session = services.auth.login(login="mdurand", password=DEMO_PASSWORD)
    assert (session.agent_id, session.login, session.role) == (refs.agents["mdurand"], "mdurand", Role.AGENT)
    assert session.display_name == "Marie Durand"
    assert (session.site_id, session.site_code, session.site_name) == (refs.sites["HDV"], "HDV", "Hôtel de ville")
    assert (session.commune_id, session.commune_code, session.commune_name) == (refs.commune_id, "VEN", "Vénissieux")
    annexe = services.auth.login(login="lnguyen", password=DEMO_PASSWORD)
    assert (annexe.site_code, annexe.role) == ("MAV", Role.AGENT)
    assert services.auth.login(login="sperrin", password=DEMO_PASSWORD).role is Role.SUPERVISOR


def test_login_ignores_case_and_spaces_of_the_login_not_of_the_password(demo_db, services):
    assert services.auth.login(login="  MDurand ", password=DEMO_PASSWORD).login == "mdurand"
    with pytest.raises(AuthenticationError):
        services.auth.login(login="mdurand", password=DEMO_PASSWORD.upper())
    with pytest.raises(AuthenticationError):
        services.auth.login(login="mdurand", password=f" {DEMO_PASSWORD}")


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("mdurand", "wrong"),
        ("mdurand", ""),
        ("inconnu", DEMO_PASSWORD),
        ("", ""),
    ],
)
def test_bad_login_says_the_same_thing_whatever_was_wrong(demo_db, services, login, password):
    with pytest.raises(AuthenticationError) as raised:
        services.auth.login(login=login, password=password)
    assert raised.value.message == BAD_LOGIN


def _set(db, login: str, **values) -> None:  # noqa: ANN001
    with db.write() as s:
        agent = s.query(Agent).filter_by(login=login).one()
        for name, value in values.items():
            setattr(agent, name, value)


def test_inactive_agent_is_refused(demo_db, services):
    _set(demo_db, "kbenali", active=False)
    with pytest.raises(AuthenticationError, match="désactivé"):
        services.auth.login(login="kbenali", password=DEMO_PASSWORD)
    # Without the right password, nothing tells that the account exists.
    with pytest.raises(AuthenticationError) as raised:
        services.auth.login(login="kbenali", password="wrong")
    assert raised.value.message == BAD_LOGIN


def test_deleted_agent_is_unknown(demo_db, services):
    _set(demo_db, "kbenali", deleted_at=utcnow())
    with pytest.raises(AuthenticationError) as raised:
        services.auth.login(login="kbenali", password=DEMO_PASSWORD)
    assert raised.value.message == BAD_LOGIN


def test_hashes_are_salted_and_verified():
    first, second = hash_password("guichet"), hash_password("guichet")
    assert first != second
    assert first.startswith("scrypt$")
    assert "guichet" not in first
    assert verify_password("guichet", first) and verify_password("guichet", second)
    assert not verify_password("Guichet", first)
    assert not verify_password("", first)
    accents = hash_password("mot de passe à l'accueil €")
    assert verify_password("mot de passe à l'accueil €", accents)
    assert not verify_password("mot de passe a l'accueil €", accents)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "garbage",
        "scrypt$",
        "bcrypt$16384$8$1$c2FsdA==$ZGlnZXN0",
        "scrypt$x$8$1$c2FsdA==$ZGlnZXN0",
        "scrypt$16384$8$1$!!!$ZGlnZXN0",
        "scrypt$16384$8$1$c2FsdA==$",
        "scrypt$3$8$1$c2FsdA==$ZGlnZXN0",  # N not a power of 2
        "scrypt$1073741824$8$1$c2FsdA==$ZGlnZXN0",  # would need 1 TiB
        "scrypt$16384$8$1$c2FsdA==$ZGlnZXN0$extra",
    ],
)
def test_verify_rejects_garbage(stored):
    assert verify_password("guichet", stored) is False


def test_a_tampered_hash_is_rejected():
    stored = hash_password("guichet")
    scheme, n, r, p, salt, digest = stored.split("$")
    other_salt = hash_password("guichet").split("$")[4]
    assert not verify_password("guichet", "$".join([scheme, n, r, p, other_salt, digest]))
    assert not verify_password("guichet", "$".join([scheme, n, r, p, salt, digest[:-4] + "AAA="]))
