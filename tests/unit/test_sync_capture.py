"""Capture: every change of a synced table lands in the outbox in the same transaction; applied rows do not."""

from __future__ import annotations

import ast
import json
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from guichet.db import Database
from guichet.db.migrate import MIGRATIONS_DIR, _config
from guichet.domain import Channel, Outcome
from guichet.models import Citizen, utcnow
from guichet.services.citizens import citizen_search_text
from guichet.services.contacts import ContactInput
from guichet.sync.admin import CENTRAL_MIGRATIONS
from guichet.sync.local import LocalStore
from guichet.sync.push import fold
from guichet.sync.tables import SPECS, SYNCED_TABLES
from tests.old_schema import seed_old_schema


def _outbox(db: Database) -> list[dict]:
    with db.read() as s:
        rows = s.execute(text("SELECT * FROM sync_outbox ORDER BY seq")).mappings().all()
    return [dict(r) for r in rows]


def _clear(db: Database) -> None:
    with db.write() as s:
        s.execute(text("DELETE FROM sync_outbox"))


def _tuple_in(path: Path, name: str) -> tuple[str, ...]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{name} not in {path}")


def test_the_three_lists_of_synced_tables_agree():
    # Each migration that adds synced tables names them; together, in order, they are the list of the code.
    site = (
        _tuple_in(MIGRATIONS_DIR / "versions" / "0004_sync_capture.py", "SYNCED_TABLES")
        + _tuple_in(MIGRATIONS_DIR / "versions" / "0005_requests_mail_audit.py", "NEW_SYNCED")
        + _tuple_in(MIGRATIONS_DIR / "versions" / "0007_citizens_households.py", "NEW_SYNCED")
        + _tuple_in(MIGRATIONS_DIR / "versions" / "0008_appointments.py", "NEW_SYNCED")
        + _tuple_in(MIGRATIONS_DIR / "versions" / "0009_knowledge_base.py", "NEW_SYNCED")
    )
    central = (
        _tuple_in(CENTRAL_MIGRATIONS / "versions" / "c0001_central_schema.py", "SYNCED_TABLES")
        + _tuple_in(CENTRAL_MIGRATIONS / "versions" / "c0002_requests_mail_audit.py", "NEW_SYNCED")
        + _tuple_in(CENTRAL_MIGRATIONS / "versions" / "c0004_citizens_households.py", "NEW_SYNCED")
        + _tuple_in(CENTRAL_MIGRATIONS / "versions" / "c0005_appointments.py", "NEW_SYNCED")
        + _tuple_in(CENTRAL_MIGRATIONS / "versions" / "c0006_knowledge_base.py", "NEW_SYNCED")
    )
    assert site == central == SYNCED_TABLES


def test_every_synced_table_has_its_triggers_at_head(db):
    with db.read() as s:
        names = set(s.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    missing = [f"sync_capture_{t}_{k}" for t in SYNCED_TABLES for k in ("insert", "update")]
    assert [m for m in missing if m not in names] == []


def test_a_new_contact_is_captured_whole_in_its_transaction(services, refs, demo_db):
    _clear(demo_db)
    row = services.contacts.log(
        agent_id=refs.agents["mdurand"], site_id=refs.sites["HDV"],
        data=ContactInput(channel=Channel.PHONE, theme_id=refs.themes["etat_civil"], outcome=Outcome.ANSWERED),
    )  # fmt: skip
    [captured] = _outbox(demo_db)
    assert (captured["table_name"], captured["row_id"]) == ("contact", row.id.hex)
    with demo_db.read() as s:
        stored = dict(s.execute(text("SELECT * FROM contact")).mappings().one())
    assert json.loads(captured["row_json"]) == stored
    assert captured["base_json"] is None and captured["batch_no"] is None


def test_a_failed_transaction_leaves_nothing_in_the_outbox(demo_db):
    _clear(demo_db)
    with pytest.raises(RuntimeError), demo_db.write() as s:
        s.add(Citizen(last_name="Annulé"))
        s.flush()
        raise RuntimeError("the save failed")
    assert _outbox(demo_db) == []


def test_a_citizen_edit_carries_the_row_before_it_and_its_base_version(services, demo_db):
    created = services.citizens.create(last_name="Martin", phone="0612345678")
    with demo_db.write() as s:
        s.execute(
            text("INSERT INTO sync_row_version (table_name, row_id, version) VALUES ('citizen', :id, 7)"),
            {"id": created.id.hex},
        )
    _clear(demo_db)
    with demo_db.write() as s:
        s.get(Citizen, created.id).deleted_at = utcnow()  # a soft delete is an update
    [captured] = _outbox(demo_db)
    before, after = json.loads(captured["base_json"]), json.loads(captured["row_json"])
    assert before["deleted_at"] is None and after["deleted_at"] is not None
    assert before["phone"] == after["phone"] == "+33612345678"
    assert captured["base_version"] == 7


def test_rows_applied_from_the_central_are_not_captured(demo_db):
    _clear(demo_db)
    spec = SPECS["external_body"]
    row = {c: "" for c in spec.columns} | {
        "id": "0" * 31 + "1", "created_at": "2026-01-05 10:00:00.000000", "updated_at": "2026-01-05 10:00:00.000000",
        "deleted_at": None, "name": "CAF",
    }  # fmt: skip
    applied = LocalStore(demo_db).apply("external_body", [tuple(row[c] for c in spec.columns)], cursor=(10, 3))
    assert applied == 1 and _outbox(demo_db) == []
    with demo_db.read() as s:
        assert s.execute(text("SELECT applying FROM sync_state")).scalar() == 0
        assert s.execute(text("SELECT xid, cn FROM sync_cursor WHERE table_name = 'external_body'")).one() == (10, 3)
    # A local change afterwards is captured again.
    with demo_db.write() as s:
        s.execute(text("UPDATE external_body SET phone = '3230' WHERE name = 'CAF'"))
    assert [r["table_name"] for r in _outbox(demo_db)] == ["external_body"]


def test_a_pulled_row_does_not_overwrite_a_change_waiting_to_be_pushed(services, demo_db):
    created = services.citizens.create(last_name="Local")
    spec = SPECS["citizen"]
    with demo_db.read() as s:
        mine = dict(s.execute(text("SELECT * FROM citizen")).mappings().one())
    theirs = {**mine, "last_name": "Central"}
    store = LocalStore(demo_db)
    assert store.apply("citizen", [tuple(theirs[c] for c in spec.columns)], versions=[4]) == 0
    assert services.citizens.get(citizen_id=created.id).last_name == "Local"
    assert store.refetch_wanted() == {}  # asked again only once the local change is pushed
    with demo_db.write() as s:
        s.execute(text("DELETE FROM sync_outbox"))
    assert store.refetch_wanted() == {"citizen": [created.id.hex]}


def test_batches_keep_their_number_and_rows_until_acknowledged(services, demo_db):
    _clear(demo_db)
    ids = [services.citizens.create(last_name=f"N{i}").id for i in range(5)]
    store = LocalStore(demo_db)
    first = store.next_batch(3)
    assert first is not None and len(first.rows) == 3
    services.citizens.create(last_name="Later")
    assert store.next_batch(3) == first  # resent as it was, whatever was written since
    store.batch_done(first.number)
    second = store.next_batch(100)
    assert second is not None and second.number == first.number + 1
    assert [r.row_id for r in second.rows][:2] == [ids[3].hex, ids[4].hex]


def test_several_changes_of_a_row_in_a_batch_fold_into_its_last_state(services, demo_db):
    _clear(demo_db)
    created = services.citizens.create(last_name="Avant")
    with demo_db.write() as s:
        s.get(Citizen, created.id).last_name = "Après"
    batch = LocalStore(demo_db).next_batch(10)
    assert batch is not None and len(batch.rows) == 2
    [out] = fold(batch.rows)["citizen"]
    assert json.loads(out.row_json)["last_name"] == "Après"
    assert out.base_json is None and out.inserted  # a creation: nothing to merge against


def test_an_existing_site_database_sends_its_history_parents_first(db_path, tmp_path):
    db = Database.open(db_path)
    cfg = _config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    seed_old_schema(db, tmp_path)  # made before capture existed
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with db.read() as s:
        themes = s.scalar(select(text("count(*)")).select_from(text("theme")))
        tables = s.execute(text("SELECT table_name FROM sync_outbox ORDER BY seq")).scalars().all()
    db.close()
    assert tables.count("theme") == themes and "commune" in tables
    firsts = [tables.index(t) for t in dict.fromkeys(tables)]
    assert [tables[i] for i in firsts] == [t for t in SYNCED_TABLES if t in tables]
    raw = sqlite3.connect(db_path)
    parent_after_child = raw.execute(
        "SELECT count(*) FROM sync_outbox child JOIN sync_outbox parent "
        "ON parent.row_id = json_extract(child.row_json, '$.parent_id') WHERE parent.seq > child.seq"
    ).fetchone()[0]
    raw.close()
    assert parent_after_child == 0


def _citizen_row(**values) -> tuple:
    spec = SPECS["citizen"]
    base = {c: "" for c in spec.columns} | {
        "id": "0190aa" + "0" * 26, "civility": "", "preferred_channel": None, "deleted_at": None,
        "birth_date": None, "anonymised_at": None, "merged_into_id": None,
        "created_at": "2026-01-05 10:00:00.000000", "updated_at": "2026-01-05 10:00:00.000000",
    }  # fmt: skip
    row = base | values
    row["search_text"] = citizen_search_text(
        last_name=row["last_name"], first_names=row["first_names"], phone=row["phone"], email=row["email"],
        address=row["address"],
    )  # fmt: skip
    return tuple(row[c] for c in spec.columns)


def test_pulled_citizens_are_found_by_the_desk_search(services, demo_db):
    store = LocalStore(demo_db)
    store.apply("citizen", [_citizen_row(last_name="Lefèvre", first_names="Anne")], versions=[1])
    assert [c.last_name for c in services.citizens.search(query="lefevre an")] == ["Lefèvre"]
    store.apply("citizen", [_citizen_row(last_name="Moreau", first_names="Anne")], versions=[2])  # renamed
    assert services.citizens.search(query="lefevre") == []
    assert [c.last_name for c in services.citizens.search(query="moreau")] == ["Moreau"]
    with demo_db.write() as s:  # the index is exactly in step with the table
        s.execute(text("INSERT INTO citizen_fts(citizen_fts, rank) VALUES ('integrity-check', 1)"))
        assert s.execute(text("SELECT applying FROM sync_state")).scalar() == 0
        versions = s.execute(text("SELECT version FROM sync_row_version")).scalars().all()
    assert versions == [2]
    # A citizen made at the desk afterwards is indexed by the desk's own path.
    services.citizens.create(last_name="Nguyen")
    assert len(services.citizens.search(query="nguyen")) == 1


def test_a_pulled_row_whose_parent_is_missing_fetches_the_parent_first(demo_db):
    spec = SPECS["theme"]
    parent = {c: None for c in spec.columns} | {
        "id": "0190bb" + "0" * 26, "code": "nouveau", "label": "Nouveau thème", "sort_order": 99, "answer_days": 0,
        "created_at": "2026-01-05 10:00:00.000000", "updated_at": "2026-01-05 10:00:00.000000",
    }  # fmt: skip
    child = parent | {
        "id": "0190bc" + "0" * 26,
        "code": "nouveau.sous",
        "label": "Sous-thème",
        "parent_id": parent["id"],
    }
    asked: list[tuple[str, list[str]]] = []
    _clear(demo_db)

    def fetch(table: str, ids) -> list[tuple]:  # noqa: ANN001
        asked.append((table, list(ids)))
        return [tuple(parent[c] for c in spec.columns)]

    applied = LocalStore(demo_db).apply("theme", [tuple(child[c] for c in spec.columns)], fetch=fetch)
    assert applied == 1 and asked == [("theme", [parent["id"]])]
    with demo_db.read() as s:
        codes = set(s.execute(text("SELECT code FROM theme WHERE code LIKE 'nouveau%'")).scalars())
    assert codes == {"nouveau", "nouveau.sous"}
    assert _outbox(demo_db) == []  # neither echoes


def test_a_pulled_row_that_cannot_be_applied_waits_with_its_reason(demo_db):
    spec = SPECS["theme"]
    orphan = {c: None for c in spec.columns} | {
        "id": "0190bd" + "0" * 26, "code": "orphelin", "label": "Orphelin", "sort_order": 1, "answer_days": 0,
        "parent_id": "0190be" + "0" * 26, "created_at": "2026-01-05 10:00:00.000000",
        "updated_at": "2026-01-05 10:00:00.000000",
    }  # fmt: skip
    store = LocalStore(demo_db)
    applied = store.apply("theme", [tuple(orphan[c] for c in spec.columns)], cursor=(5, 5), fetch=lambda t, ids: [])
    assert applied == 0
    assert store.cursors()["theme"] == (5, 5)  # the cursor moves on; the row waits to be fetched again
    assert store.refetch_wanted() == {"theme": [orphan["id"]]}
    assert "FOREIGN KEY" in store.refetch_problems()[0]
