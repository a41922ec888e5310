"""SQLite <-> central PostgreSQL replication: nothing lost, nothing doubled.

- capture: SQLite triggers (migration 0004) copy every insert or update of a synced table into
  ``sync_outbox``, in the same transaction; rows applied from the central database are not copied
  (``sync_state.applying``), so they never echo back.
- push (``push.py``): outbox batches keyed by (site, batch number), applied once by the central database
  with their key; deleted from the outbox only after the central commit.
- pull (``pull.py``): per table, a cursor on (writing transaction id, change number) that a late commit
  cannot overtake; a page and its cursor are applied in one SQLite transaction.
- merge (``merge.py``): citizens edited at several sites are merged field by field against the version each
  site started from; true conflicts go to the conflict log (``conflicts.py``), none is lost silently.
- security (``central.py``, central migration): one PostgreSQL role per site, password in the OS keyring,
  TLS, row-level security on every table.
- ``service.py``: rounds and the status shown to people; ``admin.py``: SITIV's commands.

This package uses ``guichet.db``, ``guichet.models`` and a few pure functions and errors of
``guichet.services``; never Qt.
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use: `guichet --help` and the command parsers import this package, and must not pay for
# SQLAlchemy and the services (0.6 s) before a command runs.
_EXPORTS = {
    "ConflictInfo": "guichet.sync.conflicts", "ConflictService": "guichet.sync.conflicts",
    "LoadProgress": "guichet.sync.pull", "RejectedBatch": "guichet.sync.service",
    "SyncService": "guichet.sync.service", "SyncStatus": "guichet.sync.service",
}  # fmt: skip

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'guichet.sync' has no attribute {name!r}")
