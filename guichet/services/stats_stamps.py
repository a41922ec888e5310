"""What tells a cached part of the statistics is still right: fingerprints of the rows it was made from.

On a site (SQLite), a closed month is fingerprinted by its counts of tickets and contacts (``stats_sql.
fingerprints``): its days are closed at the counters, only a late synchronisation adds rows to them.

On the central database (PostgreSQL) rows of any day arrive late, from sites that were offline, and a row
already there may be changed by a later batch. There, triggers (central migrations c0009 and c0010) give a
(site, day) a new number from a sequence in ``stats_day_stamp`` whenever a ticket, a contact, a counter
session, a request (by the day it was opened) or a letter (by its date) of that day is inserted, changed or
deleted, in the same transaction as the change. A part's fingerprint is, for each
site, the number of its stamped days and the sum of their stamps: a stamp only ever grows, so any change in
the part changes the sum, and a part computed from a snapshot that missed a change is told apart (the stamps
are read before the rows). A central without that table (an older schema) is aggregated in one pass instead.

Both sides also fingerprint the queues' target waits (a changed target changes the share called within it).
"""

from __future__ import annotations

import hashlib
import uuid
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from guichet.models import Queue


def stamped(s: Session) -> bool:
    """True when this PostgreSQL database keeps day stamps and the statistics cache, and we may use both."""
    # (A list of privileges in one has_table_privilege is true if any of them is held: one call each.)
    needed = [("stats_day_stamp", "SELECT"), *(("stats_cache", x) for x in ("SELECT", "INSERT", "UPDATE", "DELETE"))]
    checks = " AND ".join(f"has_table_privilege(to_regclass('{table}'), '{what}')" for table, what in needed)
    # The requests' and letters' stamps came with c0010: without them a cached part could miss an answer.
    checks += " AND to_regproc('stats_stamp_request') IS NOT NULL AND to_regproc('stats_stamp_mail_item') IS NOT NULL"
    return bool(s.execute(text(f"SELECT coalesce({checks}, false)")).scalar())


def day_fingerprints(
    s: Session, site_ids: Iterable[uuid.UUID], parts: Iterable[tuple[date, date]]
) -> dict[tuple[uuid.UUID, date], tuple[int, int]]:
    """(stamped days, sum of their stamps) per site and part, from ``stats_day_stamp`` (one indexed read)."""
    sites = list(site_ids)
    spans = sorted(parts)
    if not sites or not spans:
        return {}
    rows = s.execute(
        text(
            "SELECT site_id, day, stamp FROM stats_day_stamp "
            "WHERE site_id = ANY(CAST(:sites AS uuid[])) AND day BETWEEN :first AND :last"
        ),
        {"sites": [str(x) for x in sites], "first": spans[0][0], "last": max(b for _a, b in spans)},
    ).all()
    starts = [a for a, _b in spans]  # the parts do not overlap
    result = {(site, first): (0, 0) for site in sites for first in starts}
    for site, day, stamp in rows:
        i = bisect_right(starts, day) - 1
        if i >= 0 and day <= spans[i][1]:
            key = (site if isinstance(site, uuid.UUID) else uuid.UUID(str(site)), starts[i])
            n, total = result[key]
            result[key] = (n + 1, total + stamp)
    return result


def configuration(s: Session, site_ids: Iterable[uuid.UUID]) -> str:
    """A digest of what the parts read besides the rows of the period: the target wait of every queue."""
    rows = s.execute(
        Queue.__table__.select()
        .with_only_columns(Queue.id, Queue.target_wait_min)
        .where(Queue.site_id.in_(list(site_ids)))
        .order_by(Queue.id)
    ).all()
    return hashlib.sha1(repr([(str(q), t) for q, t in rows]).encode(), usedforsecurity=False).hexdigest()[:12]
