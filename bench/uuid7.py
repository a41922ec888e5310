"""UUIDv7 values for rows of the past, with the layout of ``guichet.models.base.new_id``.

``new_id`` stamps the current clock; scale data needs ids stamped with each row's own
creation time, so that the primary-key index of ten years of rows looks like the one a site
would have built day after day (ids increasing with time, appended at the right of the b-tree).

Layout (identical to new_id): 48-bit Unix milliseconds | version 7 | 12-bit sequence |
variant 0b10 | 62 random bits. A new millisecond starts the sequence at a random 10-bit
value; within one millisecond (or if the clock goes back) the sequence increments.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def uuid7_int(ms: int, seq: int, rand: int) -> int:
    """The 128-bit value, laid out exactly as new_id lays it out."""
    return (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (seq & 0xFFF) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))


def fields(value: uuid.UUID) -> tuple[int, int, int]:
    """(milliseconds, sequence, random bits) of a UUIDv7: the inverse of uuid7_int."""
    n = value.int
    return n >> 80, (n >> 64) & 0xFFF, n & ((1 << 62) - 1)


def ms_of(instant: datetime) -> int:
    """Unix milliseconds of an aware datetime."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


class Uuid7Factory:
    """Makes time-ordered ids from given timestamps, reproducibly from a seeded Random.

    Feed it timestamps in increasing order (as a site would create rows); an earlier one is
    clamped to the last millisecond seen, like new_id does when the clock steps back.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._last_ms = 0
        self._seq = 0

    def int_at_ms(self, ms: int) -> int:
        if ms <= self._last_ms:
            self._seq += 1
            if self._seq > 0xFFF:
                self._last_ms += 1
                self._seq = 0
            ms = self._last_ms
        else:
            self._last_ms, self._seq = ms, self._rng.getrandbits(10)
        return uuid7_int(ms, self._seq, self._rng.getrandbits(62))

    def hex_at_ms(self, ms: int) -> str:
        """The id as SQLAlchemy's Uuid type stores it on SQLite: 32 lowercase hex digits, no dashes."""
        return f"{self.int_at_ms(ms):032x}"

    def at(self, instant: datetime) -> uuid.UUID:
        return uuid.UUID(int=self.int_at_ms(ms_of(instant)))


def check_layout_against_new_id() -> None:
    """Fail loudly if guichet's new_id and this helper ever disagree on the layout."""
    from guichet.models.base import new_id

    for _ in range(50):
        made = new_id()
        ms, seq, rand = fields(made)
        if uuid7_int(ms, seq, rand) != made.int or made.version != 7 or made.variant != uuid.RFC_4122:
            raise AssertionError(f"UUIDv7 layout differs from guichet.models.base.new_id: {made}")
    sample = Uuid7Factory(random.Random(0)).at(datetime(2020, 3, 17, 9, 30, tzinfo=UTC))
    if sample.version != 7 or fields(sample)[0] != ms_of(datetime(2020, 3, 17, 9, 30, tzinfo=UTC)):
        raise AssertionError(f"bad UUIDv7 from a timestamp: {sample}")
