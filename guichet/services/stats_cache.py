"""Closed parts of the statistics kept on disk (table stats_cache), as JSON.

The aggregates of a closed month do not change unless its counts of tickets and contacts move (checked by the
fingerprint), so a new session reads them instead of walking a month of events again: the first report of
the day costs what the second one costs. The keys of the aggregates are tuples of text, numbers, None and
dates; JSON has neither tuples nor dates, so each dict is written as columns (one per position of its keys, the
values, the positions of dates).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter as Tally
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from guichet.models.cache import StatsCache
from guichet.services.clock import now
from guichet.services.stats_sql import Aggregates

_TALLIES = ("waits", "queue_service", "counter_service", "agent_service", "contacts", "ticket_days", "open_us",
            "counter_presence_us", "agent_presence_us", "requests", "request_channels", "mail")  # fmt: skip
_MAXES = ("wait_max", "queue_service_max", "counter_service_max", "agent_service_max")
_SETS = ("open_from_sessions", "open_from_calls", "site_keys")
# The layout of the aggregates: a part stored under another layout (an older version of Guichet) is computed again.
FORMAT = 6  # 3: requests and mail; 4: their channels apart; 5: without the requests owed an answer; 6: columns
_UPDATED = ("fingerprint", "payload", "computed_at")


def _encode_map(mapping: dict) -> dict[str, Any]:
    """A dict with tuple keys as columns: one list per position of the keys (dates as ISO text), the values, and
    which positions hold dates. Decoding then makes every key in C (``zip`` of the columns) instead of one
    ``tuple()`` per key: three to four times faster for the months and years a report reads back."""
    keys = list(mapping)
    widths = {len(k) for k in keys}
    if len(widths) > 1:  # keys of several shapes (none in Aggregates, and never with dates): one list per key
        return {"k": [list(k) for k in keys], "v": list(mapping.values()), "d": []}
    columns = [list(column) for column in zip(*keys, strict=True)] if keys else []
    dates = [i for i, column in enumerate(columns) if any(isinstance(x, date) for x in column)]
    for i in dates:
        columns[i] = [None if x is None else x.isoformat() for x in columns[i]]
    return {"c": columns, "v": list(mapping.values()), "d": dates}


def _decode_map(data: dict[str, Any]) -> dict:
    if "k" in data:
        return dict(zip(map(tuple, data["k"]), data["v"], strict=True))
    columns = data["c"]
    if not columns:
        return {}
    for i in data["d"]:
        memo: dict[str | None, date | None] = {None: None}  # a day is in many keys (one per hour): parsed once
        columns[i] = [memo[x] if x in memo else memo.setdefault(x, date.fromisoformat(x)) for x in columns[i]]
    return dict(zip(zip(*columns, strict=True), data["v"], strict=True))


def dumps(part: Aggregates) -> str:
    data: dict[str, Any] = {name: _encode_map(getattr(part, name)) for name in (*_TALLIES, *_MAXES, "slots")}
    for name in _SETS:
        data[name] = sorted(getattr(part, name))
    data["format"] = FORMAT
    return json.dumps(data, separators=(",", ":"))


def loads(text: str) -> Aggregates | None:
    """The aggregates of a stored part, or None if they were stored under another layout."""
    data = json.loads(text)
    if data.get("format") != FORMAT:
        return None
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


def merged_text(scope: str, closed: list[tuple[date, date]], parts: tuple) -> tuple[str, str]:
    """Key and fingerprint of the sum of a period's closed parts (what a new session of the same day asks): one
    row per commune and span of closed days, replaced when one of its parts moves (a late row)."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:16]
    first, last = (closed[0][0], closed[-1][1]) if closed else ("", "")
    return f"{scope}:somme:{first}:{last}", digest


def load(s: Session, wanted: dict[str, str]) -> dict[str, Aggregates]:
    """The stored parts among ``wanted`` (key -> fingerprint) whose fingerprint still matches."""
    if not wanted:
        return {}
    found: dict[str, Aggregates] = {}
    for row in s.scalars(select(StatsCache).where(StatsCache.key.in_(list(wanted)))):
        if row.fingerprint == wanted[row.key]:
            part = loads(row.payload)
            if part is not None:
                found[row.key] = part
    return found


def store(s: Session, parts: dict[str, tuple[str, Aggregates]]) -> None:
    """Keep computed parts (key -> (fingerprint, aggregates)), replacing older versions. Sums of periods are
    kept a week (a period moves every day: older sums are never asked again)."""
    at = now()
    s.execute(
        delete(StatsCache).where(StatsCache.key.like("%:somme:%"), StatsCache.computed_at < at - timedelta(days=7))
    )
    if s.get_bind().dialect.name == "postgresql":
        # Several sessions of the central may store the same part at once: an upsert, not a read then a write.
        rows = [dict(key=k, fingerprint=f, payload=dumps(p), computed_at=at) for k, (f, p) in parts.items()]
        if rows:
            stmt = pg_insert(StatsCache).values(rows)
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=[StatsCache.key], set_={c: stmt.excluded[c] for c in _UPDATED}
                )
            )
        return
    for key, (fingerprint, part) in parts.items():
        s.merge(StatsCache(key=key, fingerprint=fingerprint, payload=dumps(part), computed_at=at))
