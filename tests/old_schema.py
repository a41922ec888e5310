"""Reference data in a database kept at an older schema revision, for the tests of upgrades."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from guichet.db import Database
from guichet.db.migrate import upgrade
from guichet.services.demo import seed_reference
from guichet.services.queue_seed import seed_queues
from guichet.sync.tables import SYNCED_TABLES


def seed_old_schema(db: Database, tmp_path: Path, *, queues: bool = False) -> None:
    """The demo reference in a database at an older schema: made at head, copied by the columns both have
    (the models describe the head schema only)."""
    source = Database.open(tmp_path / "head.sqlite3")
    upgrade(source.engine)
    seed_reference(source)
    if queues:
        seed_queues(source, open_all_day=True)
    source.close()
    raw = sqlite3.connect(db.path)
    raw.execute("ATTACH ? AS head", (str(tmp_path / "head.sqlite3"),))
    for table in SYNCED_TABLES:
        old = [r[1] for r in raw.execute(f"PRAGMA main.table_info('{table}')")]
        if old:
            cols = ", ".join(old)
            raw.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM head.{table} ORDER BY rowid")
    raw.commit()
    raw.close()
