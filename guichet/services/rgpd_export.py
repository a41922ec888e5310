"""Everything held about one person, gathered for the right of access (article 15 of the GDPR).

The gathering is generic: the person's record (and the records merged into it), every row of every table that
points at it, then every row pointing at those rows (a request's history, its answers sent, a letter's scans),
and the household a membership points at — whatever tables later versions add. Every column is kept except the
folded search keys. Agents are named by nobody: the person learns when and where their record was read or
changed, not by whom (the Court of Justice of the EU, C-579/21, 22 June 2023).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Enum, Table, select
from sqlalchemy.orm import Session

from guichet.domain import AuditAction
from guichet.models import AuditEntry, Base, Site

_CHUNK = 500
_SKIPPED_COLUMNS = frozenset({"search_text"})
_PARENTS = frozenset({"household"})  # fetched for a linked row; their other children (other people) are not
_NOT_PERSONAL = frozenset({"citizen", "audit_entry", "stats_cache", "hub_device", "ticket", "ticket_event"})
# Reference tables whose name stands for an id in the export, beside it.
_NAMES = {"theme": "label", "municipal_service": "name", "external_body": "name", "site": "name", "commune": "name",
          "appointment_agenda": "name", "appointment_kind": "name"}  # fmt: skip
TABLE_LABELS = {
    "household": "Foyer",
    "household_member": "Appartenance à un foyer",
    "citizen_consent": "Consentements",
    "contact": "Contacts (accueil, téléphone, courrier, courriel, SMS, web)",
    "request": "Demandes",
    "request_event": "Historique des demandes",
    "request_dispatch": "Réponses envoyées",
    "mail_item": "Courriers",
    "attachment": "Documents et numérisations",
    "appointment": "Rendez-vous",
    "appointment_notice": "Messages envoyés pour les rendez-vous",
}
ORDER = ("household", "household_member", "citizen_consent", "contact", "request", "request_event",
         "request_dispatch", "mail_item", "attachment", "appointment", "appointment_notice")  # fmt: skip


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in _NOT_PERSONAL and not t.name.startswith("sync_")]


def _fks(table: Table, target: str) -> list[str]:
    return [c.name for c in table.columns for fk in c.foreign_keys if fk.column.table.name == target]


def _chunks(ids: Iterable[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _rows(s: Session, table: Table, column: str, ids: Iterable[uuid.UUID]) -> list[dict[str, Any]]:
    found = []
    for part in _chunks(ids):
        found += [dict(r) for r in s.execute(select(table).where(table.c[column].in_(part))).mappings()]
    return found


def value(v: Any) -> Any:
    """A value as JSON holds it: ids and instants as text, enumerations as their stored value."""
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, enum.Enum):
        return v.value
    return v


class _Labels:
    """Names of the reference rows an export mentions (themes, services, organisations, sites)."""

    def __init__(self, s: Session) -> None:
        self._s = s
        self._cache: dict[tuple[str, uuid.UUID], str] = {}

    def name(self, table: str, row_id: uuid.UUID) -> str:
        key = (table, row_id)
        if key not in self._cache:
            t = Base.metadata.tables[table]
            row = self._s.execute(select(t).where(t.c.id == row_id)).mappings().one_or_none()
            text = "" if row is None else str(row[_NAMES[table]])
            if table == "theme" and row is not None and row["parent_id"] is not None:
                text = f"{self.name('theme', row['parent_id'])} › {text}"
            self._cache[key] = text
        return self._cache[key]


def _export_row(table: Table, row: dict[str, Any], labels: _Labels) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name in _SKIPPED_COLUMNS:
            continue
        v = row[column.name]
        out[column.name] = value(v)
        if v is None:
            continue
        label = getattr(v, "label", None) if isinstance(column.type, Enum) else None
        if isinstance(label, str):
            out[f"{column.name}_libelle"] = label
        for fk in column.foreign_keys:
            if fk.column.table.name in _NAMES:
                out[f"{column.name}_libelle"] = labels.name(fk.column.table.name, v)
    return out


def collect(s: Session, citizen_id: uuid.UUID) -> dict[str, Any] | None:
    """The person's record, the rows linked to it and the audit entries about it, as JSON-ready data (None when
    the record does not exist)."""
    citizen = Base.metadata.tables["citizen"]
    person = s.execute(select(citizen).where(citizen.c.id == citizen_id)).mappings().one_or_none()
    if person is None:
        return None
    merged = [dict(r) for r in s.execute(select(citizen).where(citizen.c.merged_into_id == citizen_id)).mappings()]
    ids = {citizen_id, *(r["id"] for r in merged)}
    tables = {t.name: t for t in _tables()}
    found: dict[str, dict[uuid.UUID, dict[str, Any]]] = {}

    def add(name: str, rows: list[dict[str, Any]]) -> bool:
        bucket = found.setdefault(name, {})
        new = [r for r in rows if r["id"] not in bucket]
        bucket.update((r["id"], r) for r in new)
        return bool(new)

    for table in tables.values():
        for column in _fks(table, "citizen"):
            add(table.name, _rows(s, table, column, ids))
    changed, rounds = True, 0
    while changed and rounds < 6:  # rows pointing at rows already found: a request's history, a letter's scans...
        changed, rounds = False, rounds + 1
        for table in tables.values():
            if table.name in _PARENTS:
                continue
            for source in [x for x in found if x not in _PARENTS and x != table.name]:
                for column in _fks(table, source):
                    changed |= add(table.name, _rows(s, table, column, list(found[source])))
    for name in list(found):
        for parent in _PARENTS:
            for column in _fks(tables[name], parent):
                wanted = {r[column] for r in found[name].values() if r[column] is not None}
                add(parent, _rows(s, tables[parent], "id", wanted))
    labels = _Labels(s)
    linked = {}
    for name in sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n)):
        rows = sorted(found[name].values(), key=lambda r: (r.get("created_at") or datetime.min, str(r["id"])))
        if rows:
            linked[name] = {
                "libelle": TABLE_LABELS.get(name, name),
                "lignes": [_export_row(tables[name], r, labels) for r in rows],
            }
    subjects = set(ids) | {row_id for bucket in found.values() for row_id in bucket}
    entries: list[AuditEntry] = []
    for part in _chunks(subjects):
        entries += s.scalars(select(AuditEntry).where(AuditEntry.subject_id.in_(part))).all()
    sites = {x.id: x.name for x in s.scalars(select(Site))}
    journal = [
        {"id": str(e.id), "date": value(e.at), "action": e.action.value, "action_libelle": AuditAction(e.action).label,
         "site": sites.get(e.site_id, ""), "detail": e.detail}
        for e in sorted(entries, key=lambda e: e.at)
    ]  # fmt: skip
    return {
        "personne": _export_row(citizen, dict(person), labels),
        "fiches_fusionnees": [_export_row(citizen, r, labels) for r in merged],
        "donnees_liees": linked,
        "journal_audit": journal,
    }


def row_count(data: dict[str, Any]) -> int:
    """Rows of an export, the record included."""
    return 1 + len(data["fiches_fusionnees"]) + sum(len(t["lignes"]) for t in data["donnees_liees"].values())
