"""Durability: a desk PC can die at any instant; what the agent was told is saved stays saved.

A writer process logs contacts in a loop and reports each one after the service returned; it is
killed (SIGKILL, no clean-up) at a random instant, again and again, on the same database file.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, text

from guichet.db import Database
from guichet.models import Citizen, Contact
from guichet.services.citizens import CitizenService

WRITER = Path(__file__).with_name("_kill_writer.py")
ROOT = Path(__file__).parents[2]  # so that the writer imports this checkout's guichet
ROUNDS = 25


def _run_and_kill(args: list[str], delay: float, stderr_path: Path) -> tuple[list[str], int]:
    """Start the writer, kill it ``delay`` seconds after it is ready; the complete lines it printed."""
    with stderr_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), *args],
            stdout=subprocess.PIPE,
            stderr=err,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
        )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:  # drain the pipe so the writer never blocks on a full one
        for raw in proc.stdout:
            if raw.endswith(b"\n"):  # a line cut by the kill was never fully written: ignore it
                line = raw.decode().strip()
                if line == "ready":
                    ready.set()
                else:
                    lines.append(line)
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(30):
            raise AssertionError("the writer did not start")
        time.sleep(delay)
    finally:
        proc.kill()
        proc.wait(30)
        reader.join(30)
        proc.stdout.close()
    return lines, proc.returncode


@pytest.mark.slow
def test_killed_writers_lose_nothing_they_reported(demo_db, db_path, refs, tmp_path):
    citizen = CitizenService(demo_db).create(last_name="Durand", phone="06 12 34 56 78", email="d@free.fr")
    demo_db.close()
    args = [
        str(db_path),
        str(refs.agents["mdurand"]),
        str(refs.sites["HDV"]),
        str(refs.themes["etat_civil.naissance"]),
        str(citizen.id),
    ]
    rng = random.Random()
    reported: list[str] = []
    for n in range(ROUNDS):
        stderr_path = tmp_path / f"writer{n}.err"
        lines, returncode = _run_and_kill(args, rng.uniform(0.01, 0.3), stderr_path)
        # Killed by us, not dead of an error of its own (e.g. "database is locked" on a leftover WAL).
        assert returncode == (1 if sys.platform == "win32" else -signal.SIGKILL), stderr_path.read_text()
        reported.extend(lines)

    kinds = Counter(line.split()[0] for line in reported)
    assert kinds["contact"] >= 2 * ROUNDS, f"the writer wrote too little to prove anything: {kinds}"
    assert kinds["citizen"] >= 1

    db = Database.open(db_path)
    try:
        with db.read() as s:
            assert s.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert s.execute(text("PRAGMA foreign_key_check")).all() == []
            # The FTS5 index (kept by triggers) matches the citizen table exactly.
            s.execute(text("INSERT INTO citizen_fts(citizen_fts, rank) VALUES ('integrity-check', 1)"))
            contact_ids = Counter(s.scalars(select(Contact.id)))
            citizen_ids = Counter(s.scalars(select(Citizen.id).where(Citizen.last_name.like("Tué%"))))
        for line in reported:
            kind, raw_id = line.split()
            found = (contact_ids if kind == "contact" else citizen_ids)[uuid.UUID(raw_id)]
            assert found == 1, f"{kind} {raw_id} was reported saved but is in the database {found} times"
        # Each kill can cut at most one transaction between its commit and its report.
        assert len(reported) <= sum(contact_ids.values()) + sum(citizen_ids.values()) <= len(reported) + ROUNDS
        # Reported citizens are found by the search, i.e. their index rows survived too.
        search = CitizenService(db)
        last = next(line.split()[1] for line in reversed(reported) if line.startswith("citizen"))
        assert uuid.UUID(last) in {c.id for c in search.search(query="jeanpierre tué", limit=10_000)}
    finally:
        db.close()
