"""The sync process killed (SIGKILL) in the middle of its batches, again and again, then restarted: the site
and the central database converge, nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from guichet.domain import Channel, Outcome
from guichet.models import Contact, utcnow
from tests.integration.actors import Actor
from tests.integration.world import SiteHandle, central_rows, outbox_size, role_name, role_password, site_rows

ROOT = Path(__file__).parents[2]
KILLS = 8


def _config(site: SiteHandle, folder: Path) -> Path:
    path = folder / f"{site.code}.toml"
    path.write_text(
        f'db_path = "{site.path}"\n[sync]\ncentral_url = "{site.settings.central_url}"\nsite_code = "{site.code}"\n'
        "interval_s = 0.1\nbatch_size = 10\ntimeout_s = 5\n",
        encoding="utf-8",
    )
    return path


def _env(folder: Path, site: SiteHandle) -> dict[str, str]:
    vault = folder / "keyring.json"
    vault.write_text(json.dumps({f"guichet-sync/{role_name(site.code)}": role_password(site.code)}))
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PYTHON_KEYRING_BACKEND": "tests.integration.keyring_file.TestKeyring",
        "GUICHET_TEST_KEYRING": str(vault),
    }


def _sync(config: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "guichet", "--config", str(config), "sync", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _run_until_settled(config: Path, env: dict[str, str], site: SiteHandle) -> None:
    for _ in range(6):
        proc = _sync(config, env, "--once")
        out, _ = proc.communicate(timeout=120)
        if proc.returncode == 0 and outbox_size(site.db) == 0:
            return
    raise AssertionError(f"sync --once did not finish: {out.decode(errors='replace')}")


def _citizens(site: SiteHandle) -> int:
    with site.db.engine.connect() as conn:
        return conn.connection.dbapi_connection.execute("SELECT count(*) FROM citizen").fetchone()[0]


def _add_contacts(site: SiteHandle, actor: Actor, n: int) -> None:
    with site.db.write() as s:
        s.add_all(
            Contact(
                channel=Channel.PHONE, started_at=utcnow(), site_id=actor.site_id, agent_id=actor.agent_id,
                theme_id=actor.theme_id, outcome=Outcome.ANSWERED, subject=f"appel {i}",
            )
            for i in range(n)
        )  # fmt: skip


@pytest.mark.slow
def test_killed_in_the_middle_of_pushing_then_restarted(make_site, central, tmp_path):
    site = make_site("VEN-HDV")
    assert site.service.run_round().errors == ()
    site.service.close()
    actor = Actor(site.db, "VEN-HDV")
    rng = random.Random(5)
    for _ in range(40):
        actor.ticket_step(rng)
    _add_contacts(site, actor, 1500)
    config, env = _config(site, tmp_path), _env(tmp_path, site)
    partial = 0
    for _ in range(KILLS):
        _add_contacts(site, actor, 300)
        before = outbox_size(site.db)
        proc = _sync(config, env)
        # Once the pushing has begun, kill it at a random instant; the desk keeps writing meanwhile.
        deadline = time.monotonic() + 30
        while outbox_size(site.db) >= before and time.monotonic() < deadline:
            time.sleep(0.01)
        writer = threading.Thread(target=_add_contacts, args=(site, actor, 30))
        writer.start()
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        writer.join()
        partial += 0 < outbox_size(site.db) - 30 < before
    assert partial >= 3, "the kills did not land while batches were being pushed"
    _run_until_settled(config, env, site)
    with central.admin() as c:
        site_id = actor.site_id
        for table in ("contact", "ticket", "ticket_event"):
            assert central_rows(c, table, "WHERE site_id = %s", (site_id,)) == site_rows(site.db, table), table
        batches = [r[0] for r in c.execute("SELECT batch_no FROM sync_batch WHERE site_id = %s", (site_id,))]
    with site.db.read() as s:
        assert len(s.scalars(select(Contact.id)).all()) == 1500 + 330 * KILLS
    assert sorted(batches) == list(range(1, max(batches) + 1))


@pytest.mark.slow
def test_killed_during_the_first_load_then_restarted(make_site, central, tmp_path):
    with central.admin() as c:
        c.execute(
            "INSERT INTO citizen (id, civility, last_name, first_names, phone, email, address, postal_code, city, "
            "search_text, created_at, updated_at, commune_id) "
            "SELECT gen_random_uuid(), '', 'Nom ' || n, 'Prénom', '', '', n || ' rue du Rhône', '69700', 'Givors', "
            "'nom ' || n, now(), now(), (SELECT id FROM commune WHERE code = 'GIV') FROM generate_series(1, 40000) n"
        )
    site = make_site("GIV-HDV")
    config, env = _config(site, tmp_path), _env(tmp_path, site)
    rng = random.Random(6)
    counts = []
    for _ in range(4):
        proc = _sync(config, env)
        start = _citizens(site)
        deadline = time.monotonic() + 30
        while _citizens(site) == start and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.2))  # somewhere in the middle of the pages
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        counts.append(_citizens(site))
    assert any(0 < n < 40000 for n in counts), counts
    _run_until_settled(config, env, site)
    with central.admin() as c:
        central_citizens = central_rows(c, "citizen")
    assert site_rows(site.db, "citizen") == central_citizens and len(central_citizens) == 40000
    assert outbox_size(site.db) == 0  # a load is never echoed back
