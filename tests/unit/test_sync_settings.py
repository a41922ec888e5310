"""Sync settings, the keyring, TLS and the French messages of the sync errors (no server needed)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import psycopg
import pytest
from keyring.backend import KeyringBackend
from psycopg import conninfo

from guichet.config import Settings, SyncSettings
from guichet.sync.central import build_conninfo, role_of, sslmode_for, store_password, stored_password
from guichet.sync.errors import ConfigError, OfflineError, RejectedError, translate
from guichet.sync.service import SyncService


class DictKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


@pytest.fixture
def vault() -> Iterator[DictKeyring]:
    previous = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_sync_table_of_the_settings_file(tmp_path):
    path = tmp_path / "guichet.toml"
    path.write_text(
        '[sync]\ncentral_url = "postgresql://site_ven_hdv@central.sitiv.fr/guichet"\nsite_code = "ven-hdv"\n'
        "interval_s = 3\n",
        encoding="utf-8",
    )
    sync = Settings.load(path).sync
    assert (sync.central_url, sync.site_code, sync.interval_s, sync.tls) == (
        "postgresql://site_ven_hdv@central.sitiv.fr/guichet", "VEN-HDV", 3.0, "auto",
    )  # fmt: skip
    assert Settings().sync == SyncSettings()


@pytest.mark.parametrize(
    "url", ["postgresql://site:secret@central/guichet", "postgresql://site@central/guichet?password=secret"]
)
def test_a_password_in_the_settings_file_is_refused(url):
    with pytest.raises(ValueError, match="trousseau"):
        SyncSettings.from_toml({"central_url": url})


def test_unknown_tls_mode_is_refused():
    with pytest.raises(ValueError, match="tls"):
        SyncSettings.from_toml({"tls": "off"})


def test_tls_is_required_and_checked_except_on_loopback():
    auto = SyncSettings()
    assert sslmode_for(auto, "central.sitiv.fr") == "verify-full"
    assert sslmode_for(auto, "10.0.0.5") == "verify-full"
    assert {sslmode_for(auto, h) for h in ("127.0.0.1", "::1", "localhost", "/run/postgresql")} == {"prefer"}
    assert sslmode_for(SyncSettings(tls="require"), "127.0.0.1") == "require"
    params = conninfo.conninfo_to_dict(
        build_conninfo(
            SyncSettings(central_url="postgresql://site_a@central.sitiv.fr/g", ca_file="/etc/sitiv.pem"), "pw"
        )
    )
    assert (params["sslmode"], params["sslrootcert"], params["password"], params["user"]) == (
        "verify-full", "/etc/sitiv.pem", "pw", "site_a",
    )  # fmt: skip


def test_the_password_lives_in_the_keyring(vault):
    with pytest.raises(ConfigError, match="guichet sync --store-password"):
        stored_password("site_ven_hdv")
    store_password("site_ven_hdv", "s3cret")
    assert vault.data == {("guichet-sync", "site_ven_hdv"): "s3cret"}
    assert stored_password("site_ven_hdv") == "s3cret"
    assert role_of("postgresql://site_ven_hdv@central/guichet") == "site_ven_hdv"
    with pytest.raises(ConfigError, match="rôle"):
        role_of("postgresql://central/guichet")


def test_errors_are_told_in_french():
    assert isinstance(translate(psycopg.OperationalError("connection refused")), OfflineError)
    lost = translate(psycopg.OperationalError("server closed the connection unexpectedly"))
    assert "rien n'est perdu" in str(lost)
    assert isinstance(translate(psycopg.OperationalError("password authentication failed for user")), ConfigError)
    assert isinstance(translate(psycopg.errors.ForeignKeyViolation("x")), RejectedError)
    assert "refuse" in str(translate(psycopg.errors.InsufficientPrivilege("x")))


def test_rounds_back_off_while_the_central_cannot_be_reached(db):
    service = SyncService(db, SyncSettings(interval_s=5, max_backoff_s=300), password="x")
    assert service.next_delay() == 5
    waits = []
    for _ in range(10):
        status = service.run_round()  # no central configured: offline, nothing lost
        assert not status.online and "central" in status.errors[0]
        waits.append(service.next_delay())
    assert 8 <= waits[0] <= 12 and waits[1] > waits[0] and max(waits) <= 300 * 1.2
    assert service.status().pending == 0 and service.status().summary.startswith("Hors ligne")
