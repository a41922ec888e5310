"""Field-by-field merge of a record several sites edit (citizens), run inside the central transaction.

Three versions of the row meet: ``base``, the row as the site had it just before its change (the outbox
carries it); ``mine``, the row after the site's change; ``theirs``, the central row now, locked FOR UPDATE.
For each field:

- the site did not change it (mine == base): the central value stays, whatever other sites did;
- nobody else changed it since (theirs == base), or both wrote the same value: the site's value is taken;
- both changed it to different values: a true conflict. The value written later in the central database's
  commit order wins (the batch being applied now: the row is locked, so "later" is well defined and never
  depends on a PC's clock), and the value it replaces goes to the conflict log for a supervisor.

A row the central does not have yet is inserted as it is; a row inserted by a site while the central already
holds it (no base) has every differing field logged as a conflict, so nothing is overwritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guichet.services.citizens import citizen_search_text
from guichet.sync.tables import CITIZEN_FIELDS

_NO_BASE = object()


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: Any  # None when the site created the row without knowing the central one
    kept: Any  # the value written now (later in the central commit order)
    lost: Any  # the central value it replaced


def merge_row(
    base: dict[str, Any] | None, mine: dict[str, Any], theirs: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldConflict]]:
    """The merged row (site format) and the fields in conflict."""
    merged = dict(theirs)
    conflicts: list[FieldConflict] = []
    for name in CITIZEN_FIELDS:
        m, t = mine.get(name), theirs.get(name)
        b = base.get(name) if base is not None else _NO_BASE
        if m in (b, t):
            continue
        merged[name] = m
        if t != b:
            conflicts.append(FieldConflict(name, None if b is _NO_BASE else b, m, t))
    # Stamps follow the data, not the winner: first creation, latest change (display only).
    merged["created_at"] = min(filter(None, (theirs.get("created_at"), mine.get("created_at"))), default=None)
    merged["updated_at"] = max(filter(None, (theirs.get("updated_at"), mine.get("updated_at"))), default=None)
    merged["search_text"] = search_text(merged)
    return merged, conflicts


def search_text(row: dict[str, Any]) -> str:
    """The citizen's search words, recomputed from the merged fields (same function as the desk's)."""
    return citizen_search_text(
        last_name=row.get("last_name") or "",
        first_names=row.get("first_names") or "",
        phone=row.get("phone") or "",
        email=row.get("email") or "",
        address=row.get("address") or "",
        birth_name=row.get("birth_name") or "",
        phone2=row.get("phone2") or "",
    )
