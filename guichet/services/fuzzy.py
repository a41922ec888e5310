"""Typing mistakes: edit distance between folded words, and the words of the citizen index one edit away.

The index's vocabulary lives in two tables kept by triggers (migration 0007): ``citizen_fts_word`` (every
alphabetic search word of 4 letters or more) and ``citizen_fts_wordkey`` (each of those words with one
letter deleted). A word ``w`` and a vocabulary word ``v`` one edit apart (a letter replaced, added, dropped,
or two neighbours swapped) always share a key: ``v`` itself is ``w`` minus a letter, or ``w`` is ``v`` minus
a letter, or both minus one letter give the same key. So the words one edit away are found with a few index
lookups, whatever the size of the town; the candidates are then checked with the real distance.
"""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

MIN_TYPO_LENGTH = 4  # shorter words have too many neighbours to be worth guessing


def osa_distance(a: str, b: str, limit: int = 2) -> int:
    """Edit distance with adjacent swaps counted once (optimal string alignment); ``limit + 1`` past ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def typo_candidates(word: str) -> bool:
    return len(word) >= MIN_TYPO_LENGTH and word.isalpha()


_NEIGHBOURS = text(
    "SELECT word FROM citizen_fts_wordkey WHERE key IN :keys UNION SELECT word FROM citizen_fts_word WHERE word IN :keys"
).bindparams(bindparam("keys", expanding=True))


def neighbours(s: Session, word: str) -> list[str]:
    """The index's words one edit away from ``word`` (itself excluded), closest spelling first."""
    if not typo_candidates(word):
        return []
    keys = sorted(deletes(word) | {word})
    found = s.execute(_NEIGHBOURS, {"keys": keys}).scalars().all()
    return sorted(w for w in found if w != word and osa_distance(word, w, 1) <= 1)
