"""Each site's own PostgreSQL role, with row-level security: real roles trying to cross the line.

Also the password (OS keyring only), TLS, and the site schema revisions the central accepts.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid

import keyring
import psycopg
import pytest
from alembic.script import ScriptDirectory

from guichet.db.migrate import _config, head_revision
from guichet.sync.push import upsert_sql
from guichet.sync.service import SyncService
from tests.integration.actors import Actor
from tests.integration.world import central_rows, outbox_size, role_name, role_password


def _ids(conn: psycopg.Connection) -> dict[str, uuid.UUID]:
    rows = conn.execute(
        "SELECT c.code || '-' || s.code, s.id FROM site s JOIN commune c ON c.id = s.commune_id"
    ).fetchall()
    return dict(rows)


@pytest.fixture
def seeded(make_site, central):
    """VEN-HDV and GIV-HDV each with a citizen and a contact on the central."""
    rng = random.Random(3)
    for code in ("VEN-HDV", "GIV-HDV"):
        site = make_site(code)
        site.service.run_round()
        actor = Actor(site.db, code)
        actor.new_citizen(rng)
        actor.new_contact(rng)
        assert site.service.run_round().errors == ()
    return central


def test_a_site_reads_only_its_scope(seeded):
    with seeded.as_site("VEN-HDV") as conn, seeded.admin() as admin:
        ids = _ids(admin)
        citizens = conn.execute("SELECT m.code FROM citizen c JOIN commune m ON m.id = c.commune_id").fetchall()
        assert citizens and {c for (c,) in citizens} == {"VEN"}
        sites = {r[0] for r in conn.execute("SELECT site_id FROM contact")}
        assert sites == {ids["VEN-HDV"]}
        agent_sites = {r[0] for r in conn.execute("SELECT site_id FROM agent")}
        assert ids["GIV-HDV"] not in agent_sites and ids["VEN-MAV"] in agent_sites  # its commune's configuration
        assert {r[0] for r in conn.execute("SELECT site_id FROM sync_batch")} == {ids["VEN-HDV"]}
        assert conn.execute("SELECT role_name FROM sync_site_role").fetchall() == [(role_name("VEN-HDV"),)]
        # Reference data is readable by every site.
        assert conn.execute("SELECT count(*) FROM commune").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM theme").fetchone()[0] > 10


def test_a_site_cannot_write_outside_its_own_rows(seeded):
    with seeded.admin() as admin:
        ids = _ids(admin)
        giv_citizen = admin.execute(
            "SELECT c.id FROM citizen c JOIN commune m ON m.id = c.commune_id WHERE m.code = 'GIV'"
        ).fetchone()[0]
        giv_contact = admin.execute("SELECT id, subject FROM contact WHERE site_id = %s", (ids["GIV-HDV"],)).fetchone()
        mav_agent = admin.execute("SELECT id FROM agent WHERE site_id = %s", (ids["VEN-MAV"],)).fetchone()[0]
        theme = admin.execute("SELECT id FROM theme LIMIT 1").fetchone()[0]
    with seeded.as_site("VEN-HDV") as conn:
        # A contact in another site's name.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO contact (id, channel, started_at, duration_s, site_id, agent_id, theme_id, subject, "
                "notes, outcome, created_at, updated_at) VALUES (%s, 'telephone', now(), 0, %s, %s, %s, 'x', '', "
                "'reponse_immediate', now(), now())",
                (uuid.uuid4(), ids["VEN-MAV"], mav_agent, theme),
            )
        # A citizen of another commune: invisible, so untouchable; and none can be created there.
        assert conn.execute("UPDATE citizen SET city = 'piraté' WHERE id = %s", (giv_citizen,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO citizen (id, civility, last_name, first_names, phone, email, address, postal_code, city, "
                "search_text, created_at, updated_at, commune_id) SELECT %s, '', 'X', '', '', '', '', '', '', 'x', "
                "now(), now(), id FROM commune WHERE code = 'GIV'",
                (uuid.uuid4(),),
            )
        # The upsert a push uses cannot take another site's row over either, even in the site's own name.
        stolen = {
            "id": giv_contact[0].hex, "channel": "telephone", "started_at": "2026-01-05 10:00:00.000000",
            "duration_s": 0, "site_id": ids["VEN-HDV"].hex, "agent_id": mav_agent.hex, "theme_id": theme.hex,
            "subject": "volé", "notes": "", "outcome": "reponse_immediate",
            "created_at": "2026-01-05 10:00:00.000000", "updated_at": "2026-01-05 10:00:00.000000",
        }  # fmt: skip
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(upsert_sql("contact"), (json.dumps([stolen]),))
        # SITIV's reference data is read-only for sites; nothing can be deleted; keys of other sites are out of reach.
        assert conn.execute("UPDATE commune SET name = 'x'").rowcount == 0
        assert conn.execute("UPDATE agent SET last_name = 'x' WHERE id = %s", (mav_agent,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM contact")
        # The change stamps of the pull cursor are the central's: a site cannot hide a row from the others.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE contact SET sync_xid = '1'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO sync_site_role VALUES ('intrus', %s)", (ids["GIV-HDV"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO sync_batch (site_id, batch_no, schema_version, row_count) VALUES (%s, 999, %s, 0)",
                (ids["GIV-HDV"], head_revision()),
            )
    with seeded.admin() as admin:
        assert (
            admin.execute("SELECT subject FROM contact WHERE id = %s", (giv_contact[0],)).fetchone()[0]
            == (giv_contact[1])
        )
        assert admin.execute("SELECT count(*) FROM citizen WHERE city = 'piraté'").fetchone()[0] == 0
        assert admin.execute("SELECT name FROM commune WHERE code = 'VEN'").fetchone()[0] == "Vénissieux"


def test_a_refused_row_is_set_aside_and_the_rest_goes_on(make_site, central):
    site = make_site("VEN-HDV")
    site.service.run_round()
    actor = Actor(site.db, "VEN-HDV")
    rng = random.Random(4)
    with central.admin() as admin:
        mav = _ids(admin)["VEN-MAV"]
    good_before = actor.new_contact(rng)
    # A row this site may not write (a queue of another site, made by hand in its database).
    raw = sqlite3.connect(site.path)
    raw.execute(
        "INSERT INTO queue (id, site_id, letter, name, opening_hours, target_wait_min, icon, sort_order, active, "
        "created_at, updated_at) VALUES (?, ?, 'Z', 'Intruse', '', 15, '', 9, 1, '2026-01-05 10:00:00.000000', "
        "'2026-01-05 10:00:00.000000')",
        (uuid.uuid4().hex, mav.hex),
    )
    raw.commit()
    raw.close()
    good_after = actor.new_contact(rng)
    statuses = [site.service.run_round() for _ in range(3)]
    first, last = statuses[0], statuses[-1]
    assert first.rejected and not first.rejected[0].quarantined and first.pending == 3
    assert "les droits de ce site ne permettent pas de modifier cette file d'attente" in first.errors[0]
    # Third refusal: the row is tried alone, set aside with its reason; the contacts go through.
    assert last.pending == 0
    assert [(b.rows, b.quarantined) for b in last.rejected] == [(1, True)]
    assert "file d'attente" in last.rejected[0].reason
    with central.admin() as admin:
        contacts = central_rows(admin, "contact")
        assert admin.execute("SELECT count(*) FROM queue WHERE letter = 'Z'").fetchone()[0] == 0
    assert good_before.hex in contacts and good_after.hex in contacts
    assert site.service.run_round().rejected == last.rejected  # shown until someone acts
    assert site.service.requeue_quarantine() == 1
    assert outbox_size(site.db) == 1


def test_password_only_from_the_keyring_and_checked_by_the_server(make_site, central):
    site = make_site("VEN-HDV")
    keyring.delete_password("guichet-sync", role_name("VEN-HDV"))
    status = SyncService(site.db, site.settings).run_round()
    assert not status.online and "trousseau" in status.errors[0]
    keyring.set_password("guichet-sync", role_name("VEN-HDV"), "mauvais")
    status = SyncService(site.db, site.settings).run_round()
    assert not status.online and "mot de passe" in status.errors[0]
    keyring.set_password("guichet-sync", role_name("VEN-HDV"), role_password("VEN-HDV"))
    assert SyncService(site.db, site.settings).run_round().online


def test_tls_required_means_no_clear_text_connection(make_site):
    site = make_site("VEN-HDV", tls="require")  # the test server has no certificate
    status = site.service.run_round()
    assert not status.online and "TLS" in status.errors[0]


def test_the_central_accepts_the_current_and_previous_schema_only(make_site, central):
    site = make_site("VEN-HDV")
    site.service.run_round()
    Actor(site.db, "VEN-HDV").new_contact(random.Random(5))

    def set_revision(rev: str) -> None:
        raw = sqlite3.connect(site.path)
        raw.execute("UPDATE alembic_version SET version_num = ?", (rev,))
        raw.commit()
        raw.close()

    set_revision("0002")
    old = SyncService(site.db, site.settings).run_round()
    assert "Mettez Guichet à jour sur ce poste" in old.errors[0] and old.pending == 1
    set_revision("0099")
    new = SyncService(site.db, site.settings).run_round()
    assert "Le serveur central doit être mis à jour" in new.errors[0] and new.pending == 1
    set_revision(previous_revision())  # the previous revision is still accepted
    assert SyncService(site.db, site.settings).run_round().pending == 0
    # The central refuses by itself a batch of an old schema, whatever the client does.
    with central.as_site("VEN-HDV") as conn, pytest.raises(psycopg.Error, match="Mettez Guichet à jour") as raised:
        conn.execute(
            "INSERT INTO sync_batch (site_id, batch_no, schema_version, row_count) VALUES (sync_site(), 77, '0001', 0)"
        )
    assert raised.value.sqlstate == "GSV01"


def previous_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_revision(head_revision()).down_revision


def test_only_the_agendas_own_site_writes_its_appointments(make_site, central):
    """VEN-HDV books in its agenda; VEN-MAV (same commune) reads the appointment but cannot book, move or cancel
    in HDV's agenda, even by writing to the central directly (the single-writer rule of the appointments)."""
    rng = random.Random(5)
    hdv, mav = make_site("VEN-HDV"), make_site("VEN-MAV")
    for site in (hdv, mav):
        site.service.run_round()
    actor = Actor(hdv.db, "VEN-HDV")
    actor.new_citizen(rng)
    assert hdv.service.run_round().errors == ()
    while not actor.appointment_step(random.Random(rng.random())):
        pass
    assert hdv.service.run_round().errors == ()
    assert mav.service.run_round().errors == ()
    with central.admin() as admin:
        row = admin.execute("SELECT id, site_id, citizen_id FROM appointment").fetchone()
    # The annexe sees it (any desk of the commune can tell the citizen), through its own pull.
    seen = Actor(mav.db, "VEN-MAV").services.appointments.for_citizen(citizen_id=row[2])
    assert [r.id for r in seen] == [row[0]]
    with central.as_site("VEN-MAV") as conn:
        assert conn.execute("SELECT count(*) FROM appointment").fetchone()[0] == 1
        # Moving it: the row is visible but not the annexe's to write (the update touches nothing).
        moved = conn.execute("UPDATE appointment SET status = 'annule' WHERE id = %s", (row[0],))
        assert moved.rowcount == 0
        # Booking another place of HDV's agenda from the annexe (a new row in HDV's name): refused.
        columns = [c for (c,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'appointment' "
            "AND column_name NOT IN ('id', 'code', 'sync_cn', 'sync_xid') ORDER BY ordinal_position"
        )]  # fmt: skip
        listed = ", ".join(columns)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                f"INSERT INTO appointment (id, code, {listed}) SELECT %s, 'ZZZZZZ', {listed} FROM appointment "
                "WHERE id = %s",
                (uuid.uuid4(), row[0]),
            )
