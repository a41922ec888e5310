"""Dates typed the way agents write them: « 22/11/2026 », « 22/11 », « 221126 », « hier », « avant-hier »."""

from __future__ import annotations

import re
from datetime import date, timedelta

from guichet.services.letter_templates import french_date
from guichet.text import fold

DATE_HINT = "Tapez la date ainsi : 22/11/2026, 22/11, « hier » ou « avant-hier »."
_WORDS = {"aujourdhui": 0, "auj": 0, "ajd": 0, "hier": 1, "avant hier": 2}  # as fold() writes them
_DAY = re.compile(r"^(\d{1,2}) (\d{1,2})(?: (\d{2}|\d{4}))?$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{2}|\d{4})$")


def parse_day(text: str, today: date, *, ahead: bool = False) -> date | None:
    """The date meant, or None when the text is not a date. A day and month without a year is the last one
    not after today (« 28/12 » typed on 3 January is last December), or with ``ahead`` (a deadline) the
    first one not before today."""
    raw = fold(text)  # "22/11/2026" -> "22 11 2026", "Avant-hier" -> "avant hier"
    if raw in _WORDS:
        return today - timedelta(days=_WORDS[raw])
    match = _DAY.match(raw) or _COMPACT.match(raw)
    if match is None:
        return None
    day, month, year = int(match[1]), int(match[2]), match[3]
    try:
        if year is None:
            found = date(today.year, month, day)
            if ahead:
                return found if found >= today else date(today.year + 1, month, day)
            return found if found <= today else date(today.year - 1, month, day)
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    except ValueError:
        return None


def long_day(day: date) -> str:
    """« mardi 22 novembre 2026 »."""
    weekday = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")[day.weekday()]
    return f"{weekday} {french_date(day)}"
