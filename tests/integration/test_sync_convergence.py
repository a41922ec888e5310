"""2 to 6 sites, each with its own SQLite file, random work and random offline periods: all converge to
the central state, with no row lost and none doubled (hypothesis, against the real server)."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guichet.sync.service import SyncService
from guichet.sync.tables import PULLED_TABLES
from tests.integration.actors import Actor
from tests.integration.world import SITES, SiteHandle, central_rows, open_site, outbox_size, role_password, site_rows

# Repeated to weigh them: edits of shared citizens and syncs are what make merges and conflicts happen.
ACTIONS = (
    "contact", "citizen", "citizen", "edit", "edit", "edit", "ticket", "request", "step", "step", "sync", "sync",
    "offline", "online", "household", "household", "merge", "sheet", "sheet_contact", "appointment", "appointment",
)  # fmt: skip
SITE_TABLES = {
    "contact": "WHERE site_id = %s",
    "ticket": "WHERE site_id = %s",
    "ticket_event": "WHERE site_id = %s",
    "counter_session": "WHERE counter_id IN (SELECT id FROM counter WHERE site_id = %s)",
    "audit_entry": "WHERE site_id = %s",  # the rest of the requests' tables are the commune's: PULLED_TABLES
}

steps = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from(ACTIONS), st.integers(0, 2**16)), min_size=20, max_size=60
)


def _visible(central, code: str, table: str) -> dict[str, dict]:
    """What the site's role may read of a table on the central (its scope), in the site's format."""
    with psycopg.connect(central.site_url(code), password=role_password(code), autocommit=True) as conn:
        return central_rows(conn, table)


def _settle(sites: list[SiteHandle]) -> None:
    for _ in range(6):
        statuses = [site.service.run_round() for site in sites]
        assert all(s.online and not s.errors and not s.rejected for s in statuses), statuses
        if all(s.pending == 0 and s.pulled == 0 and s.pushed == 0 for s in statuses):
            return
    raise AssertionError("the sites did not settle")


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(codes=st.permutations(SITES), count=st.integers(2, 6), program=steps)
def test_sites_converge_to_the_central_state(centrals, _templates, codes, count, program):
    central = centrals.create()
    folder = Path(tempfile.mkdtemp(prefix="guichet-conv-"))
    sites: list[SiteHandle] = []
    try:
        for code in codes[:count]:
            site = open_site(code, folder, _templates["empty"], central.site_url(code), timeout_s=5.0, batch_size=4)
            assert site.service.run_round().errors == ()
            sites.append(site)
        actors = [Actor(site.db, site.code) for site in sites]
        # Offline: the same site, pointed at a port where nobody answers.
        dead = [
            SyncService(s.db, replace(s.settings, central_url=central.site_url(s.code, port=1)), password="x")
            for s in sites
        ]
        offline = [False] * len(sites)
        made: Counter[str] = Counter()
        for index, action, seed in program:
            i = index % len(sites)
            rng = random.Random(seed)
            burst = 1 + seed % 3
            if action == "contact":
                for _ in range(burst):
                    actors[i].new_contact(rng)
                made["contact"] += burst
            elif action == "citizen":
                for _ in range(burst):
                    actors[i].new_citizen(rng)
                made["citizen"] += burst
            elif action == "edit":
                for _ in range(burst):
                    # Mostly the commune's oldest citizens, so sites of a commune edit the same ones.
                    shared = actors[i].local_citizens()[:3]
                    actors[i].edit_citizen(rng, rng.choice(shared) if shared and rng.random() < 0.7 else None)
            elif action == "request":
                for _ in range(burst):
                    request_id, from_contact = actors[i].new_request(rng)
                    made["request"] += request_id is not None
                    made["contact"] += from_contact
            elif action == "step":
                for _ in range(burst):
                    actors[i].request_step(rng)
            elif action == "household":
                for _ in range(burst):
                    actors[i].household_step(rng)
            elif action == "merge":
                actors[i].merge_step(rng)  # a merge soft-deletes: every citizen made is still counted once
            elif action == "sheet":
                actors[i].sheet_step(rng)  # answer sheets: a supervisor writes, every site of the commune reads
            elif action == "sheet_contact":
                made["contact"] += actors[i].contact_with_sheet(rng)
            elif action == "appointment":
                for _ in range(burst):
                    made["appointment"] += actors[i].appointment_step(rng)
            elif action == "ticket":
                for _ in range(burst):
                    actors[i].ticket_step(rng)
            elif action == "offline":
                offline[i] = True
            elif action == "online":
                offline[i] = False
            elif offline[i]:
                waiting = outbox_size(sites[i].db)
                status = dead[i].run_round()
                assert not status.online and status.pending == waiting  # offline: nothing sent, nothing lost
            else:
                assert sites[i].service.run_round().errors == ()
        for service in dead:
            service.close()
        _settle(sites)
        _check(central, sites, made)
    finally:
        for site in sites:
            site.close()
        shutil.rmtree(folder, ignore_errors=True)
        centrals.drop(central)


def _check(central, sites: list[SiteHandle], made: Counter[str]) -> None:
    with central.admin() as c:
        totals = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("contact", "citizen", "request")}
        site_ids = dict(
            c.execute("SELECT c.code || '-' || s.code, s.id FROM site s JOIN commune c ON c.id = s.commune_id")
        )
        for site in sites:
            # The site's own records: all on the central, once, as the site has them.
            for table, where in SITE_TABLES.items():
                assert central_rows(c, table, where, (site_ids[site.code],)) == site_rows(site.db, table), table
    # Nothing lost, nothing doubled: every contact and citizen made somewhere is there exactly once.
    assert totals == {"contact": made["contact"], "citizen": made["citizen"], "request": made["request"]}
    with central.admin() as c:
        # Every appointment booked is there once, and no slot holds more than its kind's places (each agenda's
        # places are handed out by its own site only, under that site's write lock).
        assert c.execute("SELECT count(*) FROM appointment").fetchone()[0] == made["appointment"]
        crowded = c.execute(
            "SELECT a.kind_id, a.starts_at, count(*), max(k.capacity) FROM appointment a "
            "JOIN appointment_kind k ON k.id = a.kind_id WHERE a.status IN ('reserve', 'arrive') "
            "GROUP BY a.kind_id, a.starts_at HAVING count(*) > max(k.capacity)"
        ).fetchall()
        assert crowded == []
    for site in sites:
        # Everything in the site's scope on the central is on the site, exactly (merged citizens included).
        for table in PULLED_TABLES:
            assert site_rows(site.db, table) == _visible(central, site.code, table), (site.code, table)
