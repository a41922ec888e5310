"""A generated town to measure the duplicate check on: residents, then people typed in again with the slips
agents make, and new people who look like residents (family members, namesakes), with the truth known.

Residents: families (a couple, the wife often under her husband's name with her birth name recorded, children
with the family name, one address, sometimes a landline or a family e-mail for all) and people living alone;
names from guichet.services.names (a small list: namesakes are frequent, as in a real town's common names).

Entries typed again ("duplicates"): the names always, then each of birth date, phone, e-mail and address with
the probabilities a counter sees; accents dropped, capitals, hyphen or space, one letter wrong, first and last
names swapped, the birth name given instead of the usage name, one given name of two, initials; phone in any
format (sometimes a new number), e-mail in other case.
New people ("not duplicates"): strangers, family members of a resident (same family name, address, sometimes
phone and e-mail), namesakes of a resident (same names, the rest their own), twins.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from guichet.services.names import EMAIL_DOMAINS, FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, STREETS
from guichet.text import fold


@dataclass
class Resident:
    key: int
    female: bool
    last_name: str
    first_names: str
    birth_name: str = ""
    birth_date: date | None = None
    phone: str = ""  # E.164
    phone2: str = ""
    email: str = ""
    address: str = ""
    postal_code: str = "69200"
    city: str = "Vénissieux"


@dataclass
class Entry:
    """What an agent types; ``truth`` is the resident it is (None: a new person); ``kind`` says how it was made."""

    kind: str
    truth: int | None
    fields: dict = field(default_factory=dict)
    shares_identifier: bool = False  # a duplicate typed with its birth date, phone, e-mail or address


def _mobile(rng: random.Random) -> str:
    return "+33" + rng.choice("67") + f"{rng.randrange(10**8):08d}"


def _day(rng: random.Random, first: int, last: int) -> date:
    start = date(first, 1, 1)
    return start + timedelta(days=rng.randrange((date(last, 12, 31) - start).days))


def _first(rng: random.Random, female: bool) -> str:
    name = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    if rng.random() < 0.08:
        name += " " + rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    return name


def _email(rng: random.Random, first: str, last: str) -> str:
    return (
        f"{fold(first).replace(' ', '')}.{fold(last).replace(' ', '')}{rng.randrange(100)}@{rng.choice(EMAIL_DOMAINS)}"
    )


def residents(rng: random.Random, n: int) -> list[Resident]:
    people: list[Resident] = []

    def add(**kw) -> Resident:  # noqa: ANN003
        r = Resident(key=len(people), **kw)
        people.append(r)
        return r

    while len(people) < n:
        family = rng.choice(LAST_NAMES)
        address = f"{rng.randrange(1, 180)} {rng.choice(STREETS)}"
        landline = "+334" + f"{rng.randrange(10**8):08d}" if rng.random() < 0.3 else ""
        shared_mail = (
            f"famille.{fold(family).replace(' ', '')}@{rng.choice(EMAIL_DOMAINS)}" if rng.random() < 0.15 else ""
        )
        if rng.random() < 0.55:  # a couple, maybe children
            he_first, she_first = _first(rng, False), _first(rng, True)
            married = rng.random() < 0.6
            she_birth = rng.choice(LAST_NAMES) if married else ""
            for female, first, last, birth in (
                (False, he_first, family, ""),
                (True, she_first, family if married else rng.choice(LAST_NAMES), she_birth),
            ):
                add(female=female, last_name=last, first_names=first, birth_name=birth, birth_date=_day(rng, 1945, 1998),
                    phone=_mobile(rng) if rng.random() < 0.85 else "", phone2=landline,
                    email=shared_mail or (_email(rng, first, last) if rng.random() < 0.6 else ""), address=address)  # fmt: skip
            twins = rng.random() < 0.05
            born = _day(rng, 2000, 2022)
            for _ in range(rng.choice([0, 1, 2, 2, 3])):
                female = rng.random() < 0.5
                day = born if twins else _day(rng, 2000, 2022)
                add(female=female, last_name=family, first_names=_first(rng, female), birth_date=day,
                    phone=_mobile(rng) if day.year < 2010 and rng.random() < 0.7 else "", phone2=landline,
                    address=address)  # fmt: skip
        else:
            female = rng.random() < 0.5
            first = _first(rng, female)
            add(female=female, last_name=family, first_names=first, birth_date=_day(rng, 1935, 2005),
                phone=_mobile(rng) if rng.random() < 0.85 else "", phone2=landline,
                email=_email(rng, first, family) if rng.random() < 0.6 else "", address=address)  # fmt: skip
    return people[:n]


# -- typing slips ------------------------------------------------------------------------------------------

_KEYS = "azertyuiopqsdfghjklmwxcvbn"


def _typo(rng: random.Random, word: str) -> str:
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 4:
        return word
    i = rng.choice(letters[1:])
    roll = rng.random()
    if roll < 0.4:
        return word[:i] + rng.choice(_KEYS) + word[i + 1 :]  # a wrong key
    if roll < 0.6:
        return word[:i] + word[i + 1 :]  # a letter missing
    if roll < 0.8:
        return word[:i] + word[i] + word[i:]  # a letter twice
    j = i - 1 if i == len(word) - 1 else i
    return word[:j] + word[j + 1] + word[j] + word[j + 2 :]  # two letters swapped


def _style(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if roll < 0.35:
        # accents dropped, as on a keyboard without them ("Hélène" -> "Helene"), or folded altogether
        plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        name = fold(name) if rng.random() < 0.3 else plain
    if rng.random() < 0.4:
        name = name.upper()
    elif rng.random() < 0.3:
        name = name.lower()
    if "-" in name and rng.random() < 0.5:
        name = name.replace("-", " ")
    elif " " in name and rng.random() < 0.3:
        name = name.replace(" ", "-")
    return name


def _phone_typed(rng: random.Random, e164: str) -> str:
    national = "0" + e164[3:]
    roll = rng.random()
    if roll < 0.4:
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    if roll < 0.6:
        return national
    if roll < 0.8:
        return ".".join(national[i : i + 2] for i in range(0, 10, 2))
    return "+33 " + national[1:]


def retyped(rng: random.Random, r: Resident) -> Entry:
    """The same resident typed again at another counter, months later."""
    last, first, how = r.last_name, r.first_names, []
    if r.birth_name and rng.random() < 0.4:
        last, how = r.birth_name, ["nom de naissance"]
    if " " in first and rng.random() < 0.4:
        first, how = first.split()[0], [*how, "un prénom sur deux"]
    if "-" in first and rng.random() < 0.15:
        first, how = "".join(p[0] for p in first.split("-")), [*how, "initiales"]
    if rng.random() < 0.1:
        last, how = _typo(rng, last), [*how, "faute dans le nom"]
    elif rng.random() < 0.1:
        first, how = _typo(rng, first), [*how, "faute dans le prénom"]
    last, first = _style(rng, last), _style(rng, first)
    if rng.random() < 0.05:
        last, first, how = first, last, [*how, "nom et prénom inversés"]
    fields = {"last_name": last, "first_names": first}
    if r.birth_date and rng.random() < 0.6:
        fields["birth_date"] = r.birth_date
    if rng.random() < 0.6:
        if r.phone and rng.random() < 0.85:
            fields["phone"] = _phone_typed(rng, r.phone)
        elif rng.random() < 0.5:
            fields["phone"] = _phone_typed(rng, _mobile(rng))  # a new number
            how.append("nouveau numéro")
    if r.email and rng.random() < 0.3:
        fields["email"] = r.email.upper() if rng.random() < 0.3 else r.email
    if rng.random() < 0.4:
        fields["address"] = _style(rng, r.address)
        fields["postal_code"] = r.postal_code
    shared = bool({"birth_date", "email", "address"} & fields.keys()) or (
        "phone" in fields and "nouveau numéro" not in how
    )
    return Entry("doublon : " + (", ".join(how) or "saisie ordinaire"), r.key, fields, shared)


def newcomer(rng: random.Random, people: list[Resident]) -> Entry:
    """Someone without a record, who may look like a resident."""
    roll = rng.random()
    r = rng.choice(people)
    if roll < 0.35:  # a relative: same family name and home, a given name nobody there has
        female = rng.random() < 0.5
        first = _first(rng, female)
        taken = {fold(p.first_names) for p in people if p.address == r.address}
        while fold(first) in taken:
            first = _first(rng, female)
        fields = {"last_name": r.last_name, "first_names": first, "address": r.address, "postal_code": r.postal_code}
        if rng.random() < 0.5:
            fields["birth_date"] = _day(rng, 1940, 2022)
        if r.phone2 and rng.random() < 0.5:
            fields["phone"] = _phone_typed(rng, r.phone2)
        if r.email.startswith("famille.") and rng.random() < 0.5:
            fields["email"] = r.email
        return Entry("nouveau : membre de la famille d'un résident", None, fields)
    if roll < 0.45 and r.birth_date and r.birth_date.year >= 2000:  # a twin
        female = rng.random() < 0.5
        first = _first(rng, female)
        while fold(first) == fold(r.first_names):
            first = _first(rng, female)
        fields = {"last_name": r.last_name, "first_names": first, "birth_date": r.birth_date, "address": r.address}
        return Entry("nouveau : jumeau d'un résident", None, fields)
    if roll < 0.7:  # a namesake
        fields = {"last_name": r.last_name, "first_names": r.first_names}
        if rng.random() < 0.6:
            fields["birth_date"] = _day(rng, 1935, 2010)
        if rng.random() < 0.6:
            fields["phone"] = _phone_typed(rng, _mobile(rng))
        if rng.random() < 0.4:
            fields["address"] = f"{rng.randrange(1, 180)} {rng.choice(STREETS)}"
            fields["postal_code"] = "69200"
        return Entry("nouveau : homonyme d'un résident", None, fields)
    female = rng.random() < 0.5
    first = _first(rng, female)
    last = rng.choice(LAST_NAMES)
    fields = {"last_name": last, "first_names": first}
    if rng.random() < 0.6:
        fields["birth_date"] = _day(rng, 1935, 2010)
    if rng.random() < 0.6:
        fields["phone"] = _phone_typed(rng, _mobile(rng))
    return Entry("nouveau : inconnu", None, fields)


def generate(seed: int, n_residents: int, n_entries: int, dup_share: float = 0.5) -> tuple[list[Resident], list[Entry]]:
    rng = random.Random(seed)
    people = residents(rng, n_residents)
    entries = [
        retyped(rng, rng.choice(people)) if rng.random() < dup_share else newcomer(rng, people)
        for _ in range(n_entries)
    ]
    return people, entries


# -- measuring -----------------------------------------------------------------------------------------------


def load(db, people: list[Resident]) -> dict[int, object]:  # noqa: ANN001 - guichet.db.Database
    """The residents as records (written directly, as an import would: no duplicate check); key -> id."""
    from guichet.models import Citizen
    from guichet.services.citizens import reindex

    rows = []
    with db.write() as s:
        for r in people:
            c = Citizen(last_name=r.last_name, first_names=r.first_names, birth_name=r.birth_name,
                        birth_date=r.birth_date, phone=r.phone, phone2=r.phone2, email=r.email, address=r.address,
                        postal_code=r.postal_code, city=r.city)  # fmt: skip
            reindex(c)
            rows.append(c)
        s.add_all(rows)
    return {r.key: c.id for r, c in zip(people, rows, strict=True)}


def best_matches(db, entries: list[Entry]) -> list[tuple[object | None, float]]:  # noqa: ANN001
    """For each entry, the record the check ranks first and its score (None, 0 when there is none)."""
    from guichet.services.citizens import _BLANK, _clean, _person
    from guichet.services.dedup import find_duplicates

    found = []
    with db.read() as s:
        for e in entries:
            person = _person(_clean(**{**_BLANK, **e.fields}))
            top = find_duplicates(s, person, min_score=0.0, limit=1)
            found.append((top[0].citizen.id, top[0].score) if top else (None, 0.0))
    return found


def metrics(entries: list[Entry], ids: dict[int, object], found: list, threshold: float) -> dict:
    """Precision: of the records proposed, the share that were the person. Recall: of the people typed again,
    the share whose record was proposed (first)."""
    proposed = right = wrong_person = right_identified = 0
    duplicates = sum(1 for e in entries if e.truth is not None)
    identified = sum(1 for e in entries if e.truth is not None and e.shares_identifier)
    for e, (top, score) in zip(entries, found, strict=True):
        if top is None or score < threshold:
            continue
        proposed += 1
        if e.truth is not None and ids[e.truth] == top:
            right += 1
            right_identified += e.shares_identifier
        elif e.truth is not None:
            wrong_person += 1
    return {
        "threshold": threshold,
        "proposed": proposed,
        "right": right,
        "precision": round(right / proposed, 4) if proposed else 1.0,
        "recall": round(right / duplicates, 4) if duplicates else 1.0,
        "duplicates": duplicates,
        # Typed again with nothing but the names: no rule can tell them from a namesake. The recall on the others:
        "recall_with_an_identifier": round(right_identified / identified, 4) if identified else 1.0,
        "duplicates_with_an_identifier": identified,
        "wrong_record_for_a_duplicate": wrong_person,
    }
