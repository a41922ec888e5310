"""Search-key folding and the normalisation of what agents type (phones, e-mails)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from guichet.services.validation import format_phone, national_digits, normalize_email, normalize_phone
from guichet.text import digits, fold, name_tokens

# -- fold / name_tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Lefèvre", "lefevre"),
        ("LEFÈVRE", "lefevre"),
        ("N'Diaye", "ndiaye"),
        ("N’Diaye", "ndiaye"),
        ("n`diaye", "ndiaye"),
        ("D'Angelo", "dangelo"),
        ("Jean-Pierre", "jean pierre"),
        ("  Marc-Antoine   DUPONT ", "marc antoine dupont"),
        ("Œuvray", "oeuvray"),
        ("cœur", "coeur"),
        ("Lætitia", "laetitia"),
        ("Straße", "strasse"),
        ("Gonçalves", "goncalves"),
        ("Öztürk", "ozturk"),
        ("Saïdi", "saidi"),
        ("Maëlle Noël", "maelle noel"),
        ("marie.durand@orange.fr", "marie durand orange fr"),
        ("12, rue Émile-Zola", "12 rue emile zola"),
        ("", ""),
        ("---", ""),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


@given(st.text())
def test_fold_is_idempotent_and_yields_plain_words(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert re.fullmatch(r"([0-9a-z]+( [0-9a-z]+)*)?", folded)


@given(st.text(alphabet=st.characters(codec="latin-1")))
def test_fold_ignores_case_of_latin_text(text):
    # Latin-1 covers French; "ß".upper() == "SS" and "ÿ".upper() == "Ÿ" both fold alike.
    assert fold(text.upper()) == fold(text.lower()) == fold(text)


@pytest.mark.parametrize(
    ("names", "tokens"),
    [
        (("Jean-Pierre",), ["jean", "pierre", "jeanpierre"]),
        (("N'Diaye", "Aminata"), ["ndiaye", "aminata"]),
        (("N’Diaye",), ["ndiaye"]),
        (("Le Gall", "Marc-Antoine"), ["le", "gall", "marc", "antoine", "marcantoine"]),
        (("Saint-Martin-d'Hères",), ["saint", "martin", "dheres", "saintmartindheres"]),
        (("Lefèvre", None, ""), ["lefevre"]),
        ((None,), []),
    ],
)
def test_name_tokens(names, tokens):
    assert name_tokens(*names) == tokens


@given(st.text(), st.text())
def test_name_tokens_hold_every_folded_word(last, first):
    # Whatever the agent types that folds to words of the name must be in the index.
    assert set(fold(f"{last} {first}").split()) <= set(name_tokens(last, first))


def test_digits():
    assert digits("+33 (0)6 12-34") == "33061234"


# -- phone numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "06/12/34/56/78",
        "0612345678",
        " 06 12 34 56 78 ",
        "(06) 12 34 56 78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "+33(0)612345678",
        "+33 06 12 34 56 78",
        "0033612345678",
        "0033 6 12 34 56 78",
        "00 33 6 12 34 56 78",
    ],
)
def test_french_mobile_in_every_usual_form(raw):
    assert normalize_phone(raw) == "+33612345678"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("04 72 21 44 44", "+33472214444"),
        ("0800 123 456", "+33800123456"),
        ("09.87.65.43.21", "+33987654321"),
        ("+262 262 12 34 56", "+262262123456"),
        ("+262 692 12 34 56", "+262692123456"),
        ("+32 2 123 45 67", "+3221234567"),
        ("0041 22 123 45 67", "+41221234567"),
        ("+1 (514) 555-0199", "+15145550199"),
    ],
)
def test_other_numbers(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12345",
        "06 12 34",
        "06 12 34 56 78 9",
        "6 12 34 56 78",
        "abc",
        "06 12 34 56 7a",
        "tél. 06 12 34 56 78",
        "+33 1234",
        "+33 6 12 34 56 78 90",
        "+33 0 0 12 34 56 78",
        "0012",
        "+",
        "+1 555",
        "+1234567890123456",
        "+06 12 34 56 78",
        "00 06 12 34 56 78",
        "+0 123 456 789",
        "٠٦١٢٣٤٥٦٧٨",
    ],
)
def test_rejected_numbers(raw):
    assert normalize_phone(raw) is None


french_numbers = st.builds(
    lambda first, rest: f"+33{first}{rest}",
    st.sampled_from("123456789"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


@given(french_numbers)
def test_format_then_normalize_gives_the_number_back(e164):
    shown = format_phone(e164)
    assert re.fullmatch(r"0[1-9]( \d\d){4}", shown)
    assert normalize_phone(shown) == e164
    assert normalize_phone(national_digits(e164)) == e164


@given(french_numbers, st.sampled_from([" ", ".", "-", "", "/"]), st.sampled_from(["0", "+33 ", "+33 (0)", "0033 "]))
def test_any_separator_and_prefix(e164, sep, prefix):
    pairs = [e164[4:][i : i + 2] for i in range(0, 8, 2)]
    typed = prefix + e164[3] + sep + sep.join(pairs)
    assert normalize_phone(typed) == e164


@given(st.text(alphabet="0123456789+ .-/()", max_size=25))
@example("+06 12 34 56 78")
def test_normalized_numbers_are_e164(raw):
    e164 = normalize_phone(raw)
    if e164 is not None:
        # E.164: "+", a country code that never starts with 0, at most 15 digits in all.
        assert re.fullmatch(r"\+[1-9]\d{7,14}", e164)
        assert not e164.startswith("+33") or len(e164) == 12
        assert normalize_phone(e164) == e164


def test_format_phone():
    assert format_phone("+33612345678") == "06 12 34 56 78"
    assert format_phone("+33472214444") == "04 72 21 44 44"
    assert format_phone("+262262123456") == "+262262123456"
    assert national_digits("+33612345678") == "0612345678"
    assert national_digits("+262262123456") == "262262123456"


# -- e-mail addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("marie.durand@orange.fr", "marie.durand@orange.fr"),
        ("  marie.durand@orange.fr  ", "marie.durand@orange.fr"),
        ("Marie.Durand@Orange.FR", "Marie.Durand@orange.fr"),
        ("jean-pierre+mairie@mail.example.com", "jean-pierre+mairie@mail.example.com"),
        ("o'connor@exemple.fr", "o'connor@exemple.fr"),
        ("a_b@sous-domaine.exemple.fr", "a_b@sous-domaine.exemple.fr"),
        ("x@venissieux.fr", "x@venissieux.fr"),
    ],
)
def test_accepted_emails(raw, normalized):
    assert normalize_email(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "marie",
        "marie.durand",
        "marie.durand@",
        "@orange.fr",
        "marie@orange",
        "marie@@orange.fr",
        "marie durand@orange.fr",
        "marie..durand@orange.fr",
        "marie@orange..fr",
        "marie@-orange.fr",
        "marie@orange.fr.",
        "marie@orange.fr\nbcc@pirate.fr",
        "élodie@orange.fr",
        "marie@orange.fr, jean@free.fr",
        "a" * 190 + "@exemple.fr",
    ],
)
def test_rejected_emails(raw):
    assert normalize_email(raw) is None
