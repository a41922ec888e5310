"""Text folding for search keys.

SQLite's ``lower()`` and ``LIKE`` only know ASCII, so every search key is folded here, in
Python, the same way for what is stored and for what the agent types.
"""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
# Apostrophes of every shape disappear ("N'Diaye" -> "ndiaye"); other punctuation separates words.
_APOSTROPHES = re.compile(r"[’'`´ʼ‘]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no accents, no apostrophes, punctuation turned into single spaces."""
    text = _APOSTROPHES.sub("", text.translate(_LIGATURES))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", text).strip()


def name_tokens(*names: str | None) -> list[str]:
    """Search words for names: each part, plus hyphenated parts joined ("jean-pierre" -> "jeanpierre")."""
    tokens: list[str] = []
    for name in names:
        if not name:
            continue
        for chunk in _APOSTROPHES.sub("", name.translate(_LIGATURES)).split():
            words = fold(chunk).split()
            tokens.extend(words)
            if len(words) > 1:
                tokens.append("".join(words))
    return tokens


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def word_tokens(text: str) -> list[str]:
    """Search words for free text (subjects): folded words, plus the parts around apostrophes, so both
    "acte" and "d'acte" find « copie d'acte »."""
    words = fold(text).split()
    words.extend(fold(_APOSTROPHES.sub(" ", text)).split())
    return list(dict.fromkeys(words))


def fts_prefix_query(words: list[str]) -> str:
    """An FTS5 query matching rows that have a word starting with each of ``words`` (folded search words)."""
    return " ".join(f'"{w}"*' for w in words)
