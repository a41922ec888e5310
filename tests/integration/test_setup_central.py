"""The setup assistant's « Tester la connexion » against a real central database (guichet.setup_steps.check_central):
the role's site is told, a wrong password or another site's role is said in French, the password typed then
reaches the keyring where the synchronisation reads it."""

from __future__ import annotations

import pytest

from guichet import setup_steps as steps
from guichet.config import Settings
from guichet.sync.central import stored_password
from tests.integration.conftest import Central
from tests.integration.world import role_name, role_password


def test_the_connection_test_tells_the_site_of_the_role(central: Central):
    url = central.site_url("VEN-MAV")
    check = steps.check_central(url=url, password=role_password("VEN-MAV"), expected_site="ven-mav", timeout_s=5)
    assert (check.role, check.site_code) == (role_name("VEN-MAV"), "VEN-MAV")
    assert check.summary.startswith("Connexion réussie en ")
    assert f"le rôle « site_ven_mav » est celui du site VEN-MAV sur 127.0.0.1:{central.cluster.port}/" in check.summary


def test_a_wrong_password_and_another_sites_role_are_refused_in_french(central: Central):
    url = central.site_url("VEN-HDV")
    with pytest.raises(steps.SetupError, match="refuse l'identifiant ou le mot de passe de ce site"):
        steps.check_central(url=url, password="pas le bon", timeout_s=5)
    with pytest.raises(steps.SetupError, match="est celui du site VEN-HDV, pas de VEN-MAV"):
        steps.check_central(url=url, password=role_password("VEN-HDV"), expected_site="VEN-MAV", timeout_s=5)


def test_the_password_written_by_the_assistant_is_the_one_sync_reads(central: Central, tmp_path, sync_keyring):
    url = central.site_url("VEN-HDV")
    choices = steps.SetupChoices(site_code="VEN-HDV", central_url=url)
    settings = steps.write_settings(tmp_path / "guichet.toml", choices, password=role_password("VEN-HDV"))
    assert settings == Settings.load(tmp_path / "guichet.toml")
    assert stored_password(role_name("VEN-HDV")) == role_password("VEN-HDV")
    assert role_password("VEN-HDV") not in (tmp_path / "guichet.toml").read_text(encoding="utf-8")
