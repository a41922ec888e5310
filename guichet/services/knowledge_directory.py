"""The orientation directory: the commune's municipal services and the external bodies (CAF, CPAM, préfecture...).

A few dozen rows: read whole and filtered here, with the same folding as every search key.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.models import ExternalBody, MunicipalService, Theme
from guichet.services.knowledge_types import DirectoryEntry, DirectoryKind
from guichet.text import fold


def _handled(s: Session, service_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """What a service deals with: the themes it is in charge of by default (and their sub-themes)."""
    ids = list(service_ids)
    themes = s.scalars(select(Theme).where(Theme.deleted_at.is_(None)).order_by(Theme.sort_order)).all()
    by_parent: dict[uuid.UUID, list[str]] = defaultdict(list)
    for theme in themes:
        if theme.parent_id is not None:
            by_parent[theme.parent_id].append(theme.label)
    handled: dict[uuid.UUID, list[str]] = defaultdict(list)
    for theme in themes:
        if theme.default_service_id in ids:
            handled[theme.default_service_id].extend([theme.label, *by_parent.get(theme.id, [])])
    return {k: ", ".join(dict.fromkeys(v)) for k, v in handled.items()}


def _service(x: MunicipalService, handles: str) -> DirectoryEntry:
    return DirectoryEntry(DirectoryKind.SERVICE, x.id, x.name, handles, x.phone, x.location, "", "", x.email)


def _body(b: ExternalBody) -> DirectoryEntry:
    return DirectoryEntry(DirectoryKind.BODY, b.id, b.name, b.handles, b.phone, b.address, b.hours, b.website)


def directory_entries(s: Session, commune_id: uuid.UUID) -> tuple[DirectoryEntry, ...]:
    """Every service of the commune, then every external body, each by name."""
    services = s.scalars(
        select(MunicipalService)
        .where(MunicipalService.commune_id == commune_id, MunicipalService.deleted_at.is_(None))
        .order_by(MunicipalService.name)
    ).all()
    handled = _handled(s, (x.id for x in services))
    bodies = s.scalars(select(ExternalBody).where(ExternalBody.deleted_at.is_(None)).order_by(ExternalBody.name)).all()
    by_name = sorted(services, key=lambda x: fold(x.name))  # « Service État civil » among the S, not after the Z
    return tuple(_service(x, handled.get(x.id, "")) for x in by_name) + tuple(
        _body(b) for b in sorted(bodies, key=lambda b: fold(b.name))
    )


def entries_by_id(s: Session, service_ids: set[uuid.UUID], body_ids: set[uuid.UUID]) -> dict[uuid.UUID, DirectoryEntry]:
    found: dict[uuid.UUID, DirectoryEntry] = {}
    if service_ids:
        services = s.scalars(select(MunicipalService).where(MunicipalService.id.in_(list(service_ids)))).all()
        handled = _handled(s, service_ids)
        found.update({x.id: _service(x, handled.get(x.id, "")) for x in services})
    if body_ids:
        found.update(
            {b.id: _body(b) for b in s.scalars(select(ExternalBody).where(ExternalBody.id.in_(list(body_ids))))}
        )
    return found


def search_directory(entries: tuple[DirectoryEntry, ...], query: str) -> tuple[DirectoryEntry, ...]:
    """Entries holding every word typed (name, what they handle, address); those named by it first."""
    words = fold(query).split()
    if not words:
        return entries
    hits = []
    for entry in entries:
        name = fold(entry.name)
        everything = f"{name} {fold(entry.handles)} {fold(entry.address)}"
        if all(w in everything for w in words):
            hits.append((0 if all(w in name for w in words) else 1, entry))
    hits.sort(key=lambda h: h[0])
    return tuple(e for _, e in hits)
