"""The conflict log as supervisors see it: what two sites wrote into the same field, and which value stays.

The central merge keeps the value written later (in its commit order) and logs the other one; the log is
pulled by every site of the commune. A supervisor either confirms the kept value, or restores the other one:
that is an ordinary edit of the citizen on this site, captured and pushed like any other, merged by the
central against what this site had. The resolution itself syncs too (the log is a synced table).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from guichet.db import Database
from guichet.domain import Role
from guichet.models import Agent
from guichet.services.errors import NotAllowedError, NotFoundError
from guichet.sync.merge import search_text
from guichet.sync.tables import CITIZEN_FIELDS, FIELD_LABELS

CONFIRMED = "confirme"
RESTORED = "retabli"
_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class ConflictInfo:
    id: uuid.UUID
    citizen_id: uuid.UUID
    citizen_name: str
    field: str
    field_label: str  # French
    base_value: str | None
    kept_value: str | None
    lost_value: str | None
    kept_site: str  # "VEN-HDV", or "" if unknown here
    lost_site: str
    logged_at: datetime
    resolved_at: datetime | None
    resolution: str  # "", "confirme" or "retabli"

    @property
    def description(self) -> str:
        """One line for a list: « téléphone : +33612… gardé (VEN-HDV), +33699… écarté (VEN-MAV) »."""
        kept = self.kept_value if self.kept_value not in (None, "") else "(vide)"
        lost = self.lost_value if self.lost_value not in (None, "") else "(vide)"
        return (
            f"{self.citizen_name} — {self.field_label} : « {kept} » gardé ({self.kept_site or '?'}), "
            f"« {lost} » écarté ({self.lost_site or '?'})"
        )


def _instant(value: str | None) -> datetime | None:
    return None if not value else datetime.strptime(value, _INSTANT).replace(tzinfo=UTC)


class ConflictService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self, *, include_resolved: bool = False) -> tuple[ConflictInfo, ...]:
        """The conflicts of the commune, newest first (by default only those waiting for a decision)."""
        where = "" if include_resolved else "AND k.resolved_at IS NULL"
        with self._db.read() as s:
            rows = s.execute(
                text(
                    "SELECT k.id, k.row_id, coalesce(c.last_name || ' ' || c.first_names, ''), k.field, k.base_value, "
                    "k.kept_value, k.lost_value, coalesce(ck.code || '-' || sk.code, ''), "
                    "coalesce(cl.code || '-' || sl.code, ''), k.created_at, k.resolved_at, k.resolution "
                    "FROM sync_conflict k LEFT JOIN citizen c ON c.id = k.row_id "
                    "LEFT JOIN site sk ON sk.id = k.kept_site_id LEFT JOIN commune ck ON ck.id = sk.commune_id "
                    "LEFT JOIN site sl ON sl.id = k.lost_site_id LEFT JOIN commune cl ON cl.id = sl.commune_id "
                    f"WHERE k.deleted_at IS NULL {where} ORDER BY k.created_at DESC, k.id"
                )
            ).all()
        return tuple(
            ConflictInfo(
                uuid.UUID(r[0]),
                uuid.UUID(r[1]),
                r[2].strip(),
                r[3],
                FIELD_LABELS.get(r[3], r[3]),
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                _instant(r[9]) or datetime.now(UTC),
                _instant(r[10]),
                r[11],
            )  # fmt: skip
            for r in rows
        )

    def resolve(self, *, conflict_id: uuid.UUID, agent_id: uuid.UUID, restore: bool) -> ConflictInfo:
        """Confirm the kept value, or restore the value set aside (supervisors and administrators only)."""
        now = datetime.now(UTC).strftime(_INSTANT)
        with self._db.write() as s:
            agent = s.get(Agent, agent_id)
            if agent is None or agent.role not in (Role.SUPERVISOR, Role.ADMIN):
                raise NotAllowedError("Seul un superviseur ou un administrateur peut trancher un conflit.")
            found = s.execute(
                text("SELECT table_name, row_id, field, lost_value, resolved_at FROM sync_conflict WHERE id = :id"),
                {"id": conflict_id.hex},
            ).one_or_none()
            if found is None:
                raise NotFoundError("Ce conflit n'existe pas.")
            table, row_id, field, lost, resolved = found
            if resolved is not None:
                raise NotAllowedError("Ce conflit a déjà été tranché.")
            if restore:
                if table != "citizen" or field not in CITIZEN_FIELDS:
                    raise NotAllowedError("Cette valeur ne peut pas être rétablie ici.")
                row = s.execute(text("SELECT * FROM citizen WHERE id = :id"), {"id": row_id}).mappings().one_or_none()
                if row is None:
                    raise NotFoundError("Le citoyen de ce conflit n'est pas sur ce poste.")
                values = {**row, field: lost}
                s.execute(
                    text(
                        f"UPDATE citizen SET {field} = :value, search_text = :search, updated_at = :now WHERE id = :id"
                    ),
                    {"value": lost, "search": search_text(values), "now": now, "id": row_id},
                )
            s.execute(
                text(
                    "UPDATE sync_conflict SET resolved_at = :now, resolved_by = :agent, resolution = :resolution, "
                    "updated_at = :now WHERE id = :id"
                ),
                {
                    "now": now,
                    "agent": agent_id.hex,
                    "resolution": RESTORED if restore else CONFIRMED,
                    "id": conflict_id.hex,
                },
            )
        return next(c for c in self.list(include_resolved=True) if c.id == conflict_id)
