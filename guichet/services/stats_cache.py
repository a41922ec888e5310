"""Closed parts of the statistics kept on disk (table stats_cache), as JSON.

The aggregates of a closed month do not change unless its counts of tickets and contacts move (checked by the
fingerprint), so a new session reads them instead of walking a month of events again: the first report of
the day costs what the second one costs. The keys of the aggregates are tuples of text, numbers, None and
dates; JSON has neither tuples nor dates, so each dict is written as columns (keys, values, the positions of
dates in the keys).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter as Tally
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from guichet.models.cache import StatsCache
from guichet.services.clock import now
from guichet.services.stats_sql import Aggregates

_TALLIES = ("waits", "queue_service", "counter_service", "agent_service", "contacts", "open_seconds",
            "counter_presence_s", "agent_presence_s")  # fmt: skip
_MAXES = ("wait_max", "queue_service_max", "counter_service_max", "agent_service_max")
_SETS = ("open_from_calls", "site_keys")


def _encode_map(mapping: dict) -> dict[str, Any]:
    """A dict with tuple keys as columns: the keys (dates as ISO text), the values, and which key positions
    hold dates. Decoding then costs one tuple() per key instead of a walk over every element."""
    keys = list(mapping)
    dates = sorted({i for k in keys for i, x in enumerate(k) if isinstance(x, date)})
    if dates:
        keys = [tuple(x.isoformat() if i in dates else x for i, x in enumerate(k)) for k in keys]
    return {"k": keys, "v": list(mapping.values()), "d": dates}


def _decode_map(data: dict[str, Any]) -> dict:
    keys = map(tuple, data["k"])
    dates = data["d"]
    if dates:
        iso = date.fromisoformat
        keys = (tuple(iso(x) if i in dates and x is not None else x for i, x in enumerate(k)) for k in keys)
    return dict(zip(keys, data["v"], strict=True))


def dumps(part: Aggregates) -> str:
    data: dict[str, Any] = {name: _encode_map(getattr(part, name)) for name in (*_TALLIES, *_MAXES, "slots")}
    for name in _SETS:
        data[name] = sorted(getattr(part, name))
    return json.dumps(data, separators=(",", ":"))


def loads(text: str) -> Aggregates:
    data = json.loads(text)
    part = Aggregates()
    for name in _TALLIES:
        setattr(part, name, Tally(_decode_map(data[name])))
    for name in _MAXES:
        setattr(part, name, _decode_map(data[name]))
    part.slots = _decode_map(data["slots"])
    for name in _SETS:
        setattr(part, name, set(data[name]))
    return part


def scope_text(commune_id: object, sites: list) -> str:
    """Which sites a part adds up: the commune and a digest of the site ids."""
    digest = hashlib.sha1("".join(sorted(str(x) for x in sites)).encode(), usedforsecurity=False).hexdigest()[:12]
    return f"{commune_id}/{digest}"


def key_text(key: tuple) -> str:
    scope, first, last = key
    return f"{scope}:{first.isoformat()}:{last.isoformat()}"


def merged_text(scope: str, parts: tuple) -> str:
    """The sum of a period's closed parts (each with its fingerprint): what a new session of the same day asks."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{scope}:somme:{digest}"


def load(s: Session, wanted: dict[str, str]) -> dict[str, Aggregates]:
    """The stored parts among ``wanted`` (key -> fingerprint) whose fingerprint still matches."""
    if not wanted:
        return {}
    found: dict[str, Aggregates] = {}
    for row in s.scalars(select(StatsCache).where(StatsCache.key.in_(list(wanted)))):
        if row.fingerprint == wanted[row.key]:
            found[row.key] = loads(row.payload)
    return found


def store(s: Session, parts: dict[str, tuple[str, Aggregates]]) -> None:
    """Keep computed parts (key -> (fingerprint, aggregates)), replacing older versions. Sums of periods are
    kept a week (a period moves every day: older sums are never asked again)."""
    at = now()
    s.execute(
        delete(StatsCache).where(StatsCache.key.like("%:somme:%"), StatsCache.computed_at < at - timedelta(days=7))
    )
    for key, (fingerprint, part) in parts.items():
        s.merge(StatsCache(key=key, fingerprint=fingerprint, payload=dumps(part), computed_at=at))
