"""Capture, push, pull and idempotence against a real PostgreSQL server."""

from __future__ import annotations

import random

from guichet.db.migrate import head_revision
from guichet.sync.central import CentralLink, build_conninfo
from guichet.sync.local import LocalStore
from guichet.sync.pull import LoadProgress
from guichet.sync.push import Pusher
from guichet.sync.service import SyncService
from tests.integration.actors import Actor
from tests.integration.world import central_rows, outbox_size, role_password, site_rows

OWN_TABLES = ("citizen", "contact", "ticket", "ticket_event", "counter_session")


def _counts(central, tables=OWN_TABLES) -> dict[str, int]:
    with central.admin() as c:
        return {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_first_load_shows_progress_and_brings_the_reference_data(make_site, central):
    site = make_site("VEN-HDV")
    seen: list[LoadProgress] = []
    service = SyncService(site.db, site.settings, on_progress=seen.append)
    status = service.run_round()
    service.close()
    assert status.online and status.errors == ()
    assert status.pending == 0, "rows applied from the central must not echo into the outbox"
    ven = "WHERE site_id IN (SELECT s.id FROM site s JOIN commune m ON m.id = s.commune_id WHERE m.code = 'VEN')"
    with central.admin() as c:
        for table in ("commune", "site", "theme", "municipal_service", "external_body"):
            assert site_rows(site.db, table) == central_rows(c, table), table
        # Row-level security: the site gets its commune's configuration, not Givors'.
        for table in ("agent", "queue", "counter", "site_queue_settings"):
            assert site_rows(site.db, table) == central_rows(c, table, ven), table
    assert seen and seen[-1].label.startswith("Premier chargement")
    assert {p.table for p in seen} >= {"theme", "agent"}
    assert all(p.done <= p.total for p in seen)


def test_a_day_at_a_site_reaches_the_central_once_and_does_not_echo(make_site, central):
    site = make_site("VEN-HDV")
    assert site.service.run_round().errors == ()
    actor = Actor(site.db, "VEN-HDV")
    rng = random.Random(1)
    for _ in range(5):
        actor.new_citizen(rng)
    for _ in range(10):
        actor.new_contact(rng)
        actor.ticket_step(rng)
    actor.edit_citizen(rng)
    assert outbox_size(site.db) > 0
    status = site.service.run_round()
    assert status.errors == () and status.pending == 0 and status.pushed > 0
    with central.admin() as c:
        for table in OWN_TABLES:
            assert central_rows(c, table) == site_rows(site.db, table), table
        communes = {r[0] for r in c.execute("SELECT m.code FROM citizen JOIN commune m ON m.id = citizen.commune_id")}
    assert communes == {"VEN"}
    # The site's own citizens came back with the pull: applied without a new outbox row.
    again = site.service.run_round()
    assert (again.pushed, again.pending, again.errors) == (0, 0, ())


def test_a_batch_whose_acknowledgement_was_lost_is_applied_once(make_site, central):
    site = make_site("VEN-HDV")
    site.service.run_round()
    actor = Actor(site.db, "VEN-HDV")
    rng = random.Random(2)
    for _ in range(8):
        actor.new_contact(rng)
        actor.ticket_step(rng)
    store = LocalStore(site.db)
    batch = store.next_batch(1000)
    assert batch is not None
    link = CentralLink(build_conninfo(site.settings, role_password("VEN-HDV")), timeout_s=5)
    pusher = Pusher(link, schema=head_revision())
    first = pusher.push(batch)
    after_first = _counts(central)
    # The commit happened but the site never heard of it: the same batch, same key, goes again.
    again = store.next_batch(1000)
    assert again == batch
    second = pusher.push(again)
    link.close()
    assert (first.duplicate, second.duplicate) == (False, True)
    assert _counts(central) == after_first
    status = site.service.run_round()
    assert status.pending == 0 and status.errors == ()
    assert _counts(central) == after_first
    with central.admin() as c:
        assert c.execute("SELECT count(*) FROM sync_batch").fetchone()[0] == 1


def test_nothing_to_do_is_a_quiet_round(make_site):
    site = make_site("VEN-MAV")
    site.service.run_round()
    status = site.service.run_round()
    assert (status.pushed, status.pulled, status.pending, status.errors, status.online) == (0, 0, 0, (), True)
    assert status.last_success is not None
    assert status.summary == "Synchronisé"


def test_a_reinstalled_site_pc_numbers_its_batches_after_the_old_ones(make_site, central):
    first = make_site("VEN-HDV")
    first.service.run_round()
    rng = random.Random(8)
    old = [Actor(first.db, "VEN-HDV").new_contact(rng) for _ in range(5)]
    assert first.service.run_round().pending == 0
    first.close()
    # The PC is replaced: a new, empty database for the same site and role.
    second = make_site("VEN-HDV")
    assert second.service.run_round().errors == ()
    actor = Actor(second.db, "VEN-HDV")
    new = [actor.new_contact(rng) for _ in range(3)]
    assert second.service.run_round().pending == 0
    # Even a batch formed under a number the central already holds (another batch) is renumbered, not dropped.
    with second.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("UPDATE sync_state SET next_batch = 1")
        raw.commit()
    new.append(actor.new_contact(rng))
    status = second.service.run_round()
    assert status.pending == 0 and status.errors == ()
    with central.admin() as c:
        contacts = central_rows(c, "contact")
        numbers = [r[0] for r in c.execute("SELECT batch_no FROM sync_batch ORDER BY batch_no")]
    assert {x.hex for x in old + new} <= set(contacts)
    assert numbers == [1, 2, 3]
