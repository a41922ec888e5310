"""A network that cuts and stalls at random points of push and pull: nothing lost, nothing doubled."""

from __future__ import annotations

import random
from collections import Counter

from guichet.sync.errors import SyncError
from guichet.sync.pull import Puller
from guichet.sync.push import Pusher
from tests.integration.actors import Actor
from tests.integration.proxy import FaultyProxy
from tests.integration.world import SiteHandle, central_rows, site_rows

ROUNDS = 200
SITE_TABLES = ("contact", "ticket", "ticket_event", "counter_session")


def _settle(sites: list[SiteHandle]) -> None:
    """Rounds until every site is online, has nothing left to push and nothing new to pull."""
    for _ in range(20):
        statuses = [site.service.run_round() for site in sites]
        if all(s.online and not s.errors and s.pending == 0 and s.pulled == 0 for s in statuses):
            return
    raise AssertionError(f"did not settle: {statuses}")


def _next_batch(site: SiteHandle) -> int:
    with site.db.engine.connect() as conn:
        return conn.connection.dbapi_connection.execute("SELECT next_batch FROM sync_state").fetchone()[0]


def _count_failures(monkeypatch, cls: type, method: str, hits: Counter[str], name: str) -> None:
    original = getattr(cls, method)

    def counted(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        try:
            return original(self, *args, **kwargs)
        except SyncError:
            hits[name] += 1
            raise

    monkeypatch.setattr(cls, method, counted)


def test_cuts_and_stalls_at_random_points_lose_nothing_and_double_nothing(make_site, central, pg_cluster, monkeypatch):
    hits: Counter[str] = Counter()  # where the faults struck
    _count_failures(monkeypatch, Pusher, "push", hits, "push")
    _count_failures(monkeypatch, Puller, "pull", hits, "pull")
    proxy = FaultyProxy(pg_cluster.port, seed=2026, enabled=False)
    try:
        sites = [make_site(code, port=proxy.port, timeout_s=0.4, batch_size=5) for code in ("VEN-HDV", "VEN-MAV")]
        for site in sites:
            assert site.service.run_round().errors == ()
        actors = {site.code: Actor(site.db, site.code) for site in sites}
        rng = random.Random(11)
        made: Counter[str] = Counter()
        contacts: set[str] = set()
        failed_rounds = 0
        proxy.enabled = True
        for site in sites:
            site.service.close()  # from now on, every connection fails at some point
        for n in range(ROUNDS):
            site = sites[n % 2]
            actor = actors[site.code]
            for _ in range(rng.randint(0, 3)):
                pick = rng.random()
                if pick < 0.35:
                    contacts.add(actor.new_contact(rng).hex)
                elif pick < 0.55:
                    actor.new_citizen(rng)
                    made["citizen"] += 1
                elif pick < 0.8:
                    actor.ticket_step(rng)
                else:
                    actor.edit_citizen(rng)
            status = site.service.run_round()
            failed_rounds += not status.online or bool(status.errors)
        proxy.enabled = False
        for site in sites:
            site.service.close()  # connections opened under a fault plan are dropped
        _settle(sites)
    finally:
        proxy.close()

    kinds = Counter(p.kind for p in proxy.plans)
    assert kinds["cut"] >= 15 and kinds["stall"] >= 3, kinds
    assert failed_rounds >= 20 and hits["push"] >= 3 and hits["pull"] >= 3, (failed_rounds, hits)
    with central.admin() as c:
        for site in sites:
            site_id = actors[site.code].site_id
            for table in SITE_TABLES:
                mine = central_rows(c, table, "WHERE site_id = %s" if table != "counter_session" else
                                    "WHERE counter_id IN (SELECT id FROM counter WHERE site_id = %s)", (site_id,))  # fmt: skip
                assert mine == site_rows(site.db, table), (site.code, table)
            # Every batch the site formed was applied exactly once, none skipped.
            applied = [r[0] for r in c.execute("SELECT batch_no FROM sync_batch WHERE site_id = %s", (site_id,))]
            assert sorted(applied) == list(range(1, _next_batch(site)))
        citizens = central_rows(c, "citizen")
        assert {k for k in central_rows(c, "contact")} == contacts
    assert len(citizens) == made["citizen"]
    for site in sites:
        assert site_rows(site.db, "citizen") == citizens
        assert site.service.status().rejected == ()
