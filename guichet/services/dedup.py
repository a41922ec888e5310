"""Duplicates caught at entry: does the person being created (or this record) probably exist already?

The rule, in words. Names are compared folded (accents, case, hyphens, apostrophes and spaces ignored;
"Jean-Pierre" = "Jean Pierre" = "jeanpierre"), the family name against both the usage and the birth name, given
names in any order; a one-letter slip (two on long names), a missing second given name, initials ("J.-P.") and
first and family names typed the wrong way round still count as the same name, with a lower weight. Then what
identifies a person: the same birth date, phone, e-mail or street address adds to the score; a different birth
date takes a lot away. Clearly different given names rule the pair out, whatever they share: a couple or a
parent and child share a family name, a phone, an e-mail, an address, sometimes a birth date (twins).

Score (capped at 1): names 0.55 (both the same), 0.5 (inverted, or one the same and the other close), 0.4
(inverted and close), 0.3 (both close, or no given name on one side), 0.15 (same given name, other family name:
a marriage not recorded); birth date +0.35 (different: -0.6; day and month swapped: +0.2), phone +0.3, e-mail
+0.35, address +0.2. ``PROBABLE`` (0.7) is what stops a creation: same names and one identifier, or one name
close and a birth date, a phone or an e-mail... Precision and recall on a generated town: bench/bench_dedup.py
(re-entries typed with nothing but the names cannot be told from namesakes: they are the recall's shortfall).

Candidates are fetched by index only (phone, e-mail and names through the search index, birth date through its
own index), so the check costs a few milliseconds in a town of 200,000.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from guichet.models import Citizen
from guichet.services.citizen_types import CitizenSummary, summary
from guichet.services.errors import ServiceError
from guichet.services.fuzzy import osa_distance
from guichet.services.validation import national_digits
from guichet.text import fold

PROBABLE = 0.7  # creating someone scoring this much against an existing record is stopped (the agent decides)
POSSIBLE = 0.5  # shown as "doublon possible" on a record's page, for the merge tool
CANDIDATE_CAP = 300

EXACT, CLOSE, MISSING, DIFFERENT = "exact", "close", "missing", "different"


@dataclass(frozen=True)
class Person:
    """What is compared: the fields of a record, or of the form being saved."""

    last_name: str
    first_names: str = ""
    birth_name: str = ""
    birth_date: date | None = None
    phones: tuple[str, ...] = ()  # E.164
    email: str = ""
    address: str = ""
    postal_code: str = ""

    @classmethod
    def of(cls, c: Citizen) -> Person:
        return cls(
            last_name=c.last_name, first_names=c.first_names, birth_name=c.birth_name or "",
            birth_date=c.birth_date, phones=tuple(p for p in (c.phone, c.phone2) if p), email=c.email,
            address=c.address, postal_code=c.postal_code,
        )  # fmt: skip


@dataclass(frozen=True)
class DuplicateMatch:
    citizen: CitizenSummary
    score: float
    reasons: tuple[str, ...]  # French, for the agent: "même nom et prénom", "même téléphone"...

    @property
    def reasons_text(self) -> str:
        return ", ".join(self.reasons)


class DuplicateSuspected(ServiceError):
    """The person being created probably has a record already: the agent uses it or confirms the creation."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        self.matches = list(matches)
        first = self.matches[0]
        super().__init__(f"Cette personne existe peut-être déjà : {first.citizen.display_name} ({first.reasons_text}).")


# -- names ----------------------------------------------------------------------------------------------


def _compact(value: str) -> str:
    return fold(value).replace(" ", "")


def _close(a: str, b: str, shortest: int = 4) -> bool:
    if min(len(a), len(b)) < shortest:
        return False
    return osa_distance(a, b, 2) <= (1 if min(len(a), len(b)) < 8 else 2)


def _family(a: Person, b: Person) -> tuple[str, str]:
    """How the family names compare, and why (French)."""
    ka = {k for k in (_compact(a.last_name), _compact(a.birth_name)) if k}
    kb = {k for k in (_compact(b.last_name), _compact(b.birth_name)) if k}
    if not ka or not kb:
        return MISSING, ""
    if ka & kb:
        if _compact(a.last_name) == _compact(b.last_name):
            return EXACT, ""
        return EXACT, "nom de naissance et nom d'usage"
    ta = {t for k in (a.last_name, a.birth_name) for t in fold(k).split() if len(t) >= 3}
    tb = {t for k in (b.last_name, b.birth_name) for t in fold(k).split() if len(t) >= 3}
    if ta & tb:
        return CLOSE, "nom composé en partie"
    if any(_close(x, y) for x in ka for y in kb):
        return CLOSE, "nom proche (faute de frappe ?)"
    return DIFFERENT, ""


def _given(a: Person, b: Person) -> tuple[str, str]:
    ca, cb = _compact(a.first_names), _compact(b.first_names)
    if not ca or not cb:
        return MISSING, ""
    if ca == cb:
        return EXACT, ""
    ta, tb = fold(a.first_names).split(), fold(b.first_names).split()
    for short, full in ((ta, tb), (tb, ta)):
        letters = "".join(short)
        initials = all(len(t) <= 2 for t in short) and len(letters) == len(full) > 0
        if initials and letters == "".join(t[0] for t in full):
            return CLOSE, "initiales du prénom"
    if set(ta) <= set(tb) or set(tb) <= set(ta):
        return CLOSE, "prénoms en partie"
    # Given names are short: "Huo" for "Hugo" is one key off too (family names need 4 letters: "Roux"/"Rous").
    if _close(ca, cb, 3) or _close(ta[0], tb[0], 3):
        return CLOSE, "prénom proche (faute de frappe ?)"
    return DIFFERENT, ""


_NAME_SCORES = {
    (EXACT, EXACT): 0.55,
    (EXACT, CLOSE): 0.5,
    (CLOSE, EXACT): 0.5,
    (CLOSE, CLOSE): 0.3,
    (EXACT, MISSING): 0.3,
    (CLOSE, MISSING): 0.3,
    (DIFFERENT, EXACT): 0.15,
}


def _names(a: Person, b: Person) -> tuple[float, list[str], bool]:
    """Score of the names, reasons, and whether the given names rule the pair out."""
    family, why_family = _family(a, b)
    given, why_given = _given(a, b)
    score = _NAME_SCORES.get((family, given), 0.0)
    reasons = [r for r in (why_family, why_given) if r]
    if family == EXACT and given == EXACT:
        reasons.insert(0, "même nom et prénom")
    elif (family, given) == (DIFFERENT, EXACT):
        reasons.insert(0, "même prénom")
    if family == DIFFERENT or given == DIFFERENT:
        swapped = Person(last_name=a.first_names, first_names=a.last_name)
        sf, _ = _family(swapped, b)
        sg, _ = _given(swapped, b)
        if sf in (EXACT, CLOSE) and sg in (EXACT, CLOSE):
            return (0.5 if sf == sg == EXACT else 0.4), ["nom et prénom inversés"], False
    return score, reasons, given == DIFFERENT


def score_pair(a: Person, b: Person) -> tuple[float, list[str]]:
    """How likely ``a`` and ``b`` are the same person (0 to 1), and why (French)."""
    score, reasons, ruled_out = _names(a, b)
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            score += 0.35
            reasons.append("même date de naissance")
        elif (a.birth_date.day, a.birth_date.month, a.birth_date.year) == (
            b.birth_date.month, b.birth_date.day, b.birth_date.year,
        ):  # fmt: skip
            score += 0.2
            reasons.append("date de naissance proche (jour et mois inversés)")
        else:
            score -= 0.6
            reasons.append("date de naissance différente")
    if set(a.phones) & set(b.phones):
        score += 0.3
        reasons.append("même téléphone")
    if a.email and b.email and a.email.casefold() == b.email.casefold():
        score += 0.35
        reasons.append("même courriel")
    street_a, street_b = _compact(a.address), _compact(b.address)
    if street_a and street_a == street_b and (a.postal_code == b.postal_code or not a.postal_code or not b.postal_code):
        score += 0.2
        reasons.append("même adresse")
    if ruled_out:
        score = min(score, 0.3)
    return round(max(0.0, min(score, 1.0)), 3), reasons


# -- candidates --------------------------------------------------------------------------------------------


def _quoted(words: Iterable[str]) -> str:
    return " ".join(words).replace('"', "")


def _match_query(p: Person) -> str:
    """An FTS5 query for the records sharing a phone, the e-mail, or the names (any order) with ``p``."""
    groups: list[str] = []
    for phone in p.phones:
        groups.append(f'"{national_digits(phone)}"')
    if p.email:
        groups.append(f'"{_quoted(fold(p.email).split())}"')
    given = fold(p.first_names).split()[:1]
    for family in {fold(n) for n in (p.last_name, p.birth_name) if n.strip()}:
        words = [w for w in family.split() if len(w) > 1] + given
        if words:
            groups.append("(" + " AND ".join(f'"{w}"' for w in words) + ")")
    return " OR ".join(groups)


def candidates(s: Session, p: Person) -> list[Citizen]:
    """Live records that may be ``p``: same phone, e-mail, names or birth date (index lookups only)."""
    found: dict[uuid.UUID, Citizen] = {}
    query = _match_query(p)
    if query:
        rows = s.scalars(
            select(Citizen).from_statement(
                text(
                    "SELECT c.* FROM (SELECT rowid FROM citizen_fts WHERE citizen_fts MATCH :q LIMIT :cap) f "
                    "JOIN citizen c ON c.rowid = f.rowid WHERE c.deleted_at IS NULL AND c.anonymised_at IS NULL"
                )
            ),
            {"q": query, "cap": CANDIDATE_CAP},
        ).all()
        found.update((c.id, c) for c in rows)
    if p.birth_date is not None:
        rows = s.scalars(
            select(Citizen)
            .where(Citizen.birth_date == p.birth_date, Citizen.deleted_at.is_(None), Citizen.anonymised_at.is_(None))
            .limit(CANDIDATE_CAP)
        ).all()
        found.update((c.id, c) for c in rows)
    return list(found.values())


def find_duplicates(
    s: Session, p: Person, *, exclude: uuid.UUID | None = None, min_score: float = PROBABLE, limit: int = 5
) -> list[DuplicateMatch]:
    """The records ``p`` probably is, best first (score, then name)."""
    matches = []
    for c in candidates(s, p):
        if c.id == exclude:
            continue
        score, reasons = score_pair(p, Person.of(c))
        if score >= min_score:
            matches.append(DuplicateMatch(summary(c), score, tuple(reasons)))
    matches.sort(key=lambda m: (-m.score, fold(m.citizen.last_name), fold(m.citizen.first_names)))
    return matches[:limit]
