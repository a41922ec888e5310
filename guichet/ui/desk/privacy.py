"""Discreet mode: a citizen shown as initials ("M. D.") while a visitor stands at the counter (Ctrl+Maj+M)."""

from __future__ import annotations

from guichet.domain import Civility
from guichet.services.citizens import CitizenSummary
from guichet.text import digits

_CIVILITIES = {c.value for c in Civility if c.value}


def initials(first_names: str, last_name: str) -> str:
    """ "Marie", "DURAND" -> "M. D.": the first letter of the first given name and of the family name."""
    letters = [w[0].upper() for w in (first_names.split()[:1] + last_name.split()[:1]) if w and w[0].isalpha()]
    return " ".join(f"{x}." for x in letters) or "…"


def initials_of(full_name: str) -> str:
    """From a name as the journal shows it ("Mme DURAND Marie": family name in capitals, given names after)."""
    words = [w for w in full_name.split() if w not in _CIVILITIES]
    last = [w for w in words if w.isupper()]
    first = [w for w in words if not w.isupper()]
    return initials(" ".join(first), " ".join(last)) if words else ""


def discreet_citizen(citizen: CitizenSummary) -> str:
    return initials(citizen.first_names, citizen.last_name)


def discreet_line(citizen: CitizenSummary) -> str:
    """A search suggestion in discreet mode: enough for the agent to pick, too little for a passer-by."""
    tail = digits(citizen.phone)[-2:]
    parts = [discreet_citizen(citizen), f"tél. …{tail}" if tail else "", citizen.postal_code]
    return "  ·  ".join(p for p in parts if p)
