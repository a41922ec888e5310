"""Citizens: creation with checks, and the search as the agent types."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from guichet.domain import Civility, PreferredChannel
from guichet.models import Citizen, utcnow
from guichet.services.errors import NotFoundError, ValidationError
from guichet.services.validation import EMAIL_MESSAGE, PHONE_MESSAGE
from guichet.text import fold


def _count(db) -> int:  # noqa: ANN001
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Citizen))


def _found(services, query: str, **kw) -> list[uuid.UUID]:  # noqa: ANN001
    return [c.id for c in services.citizens.search(query=query, **kw)]


# -- creation -------------------------------------------------------------------------------------


def test_create_normalizes_what_was_typed(services):
    c = services.citizens.create(
        civility=Civility.MADAME,
        last_name="  Lefèvre ",
        first_names=" Marie   Hélène ",
        phone="06.12.34.56.78",
        email=" Marie.Lefevre@Orange.FR ",
        address=" 12 avenue Jean-Jaurès ",
        postal_code=" 69200 ",
        city=" Vénissieux ",
        preferred_channel=PreferredChannel.EMAIL,
    )
    assert (c.last_name, c.first_names) == ("Lefèvre", "Marie Hélène")
    assert (c.phone, c.phone_display) == ("+33612345678", "06 12 34 56 78")
    assert c.email == "Marie.Lefevre@orange.fr"
    assert (c.address, c.postal_code, c.city) == ("12 avenue Jean-Jaurès", "69200", "Vénissieux")
    assert c.display_name == "Mme LEFÈVRE Marie Hélène"
    assert c.full_address == "12 avenue Jean-Jaurès, 69200 Vénissieux"
    assert services.citizens.get(citizen_id=c.id) == c


def test_minimal_citizen(services):
    c = services.citizens.create(last_name="Diop")
    assert (c.phone, c.email, c.preferred_channel, c.civility) == ("", "", None, Civility.UNSPECIFIED)
    assert c.display_name == "DIOP"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"last_name": ""}, {"last_name": "Le nom est obligatoire."}),
        ({"last_name": "   "}, {"last_name": "Le nom est obligatoire."}),
        ({"last_name": "x" * 101}, {"last_name": "Le nom ne doit pas dépasser 100 caractères."}),
        ({"phone": "06 12 34"}, {"phone": PHONE_MESSAGE}),
        ({"phone": "appeler le fils"}, {"phone": PHONE_MESSAGE}),
        ({"email": "marie.orange.fr"}, {"email": EMAIL_MESSAGE}),
        ({"postal_code": "6920"}, {"postal_code": "Le code postal doit comporter 5 chiffres."}),
        ({"postal_code": "69 200"}, {"postal_code": "Le code postal doit comporter 5 chiffres."}),
        (
            {"preferred_channel": PreferredChannel.EMAIL},
            {"email": "Le canal préféré est le courriel : indiquez une adresse électronique."},
        ),
        ({"preferred_channel": PreferredChannel.SMS}, {"phone": "Le canal préféré demande un numéro de téléphone."}),
        ({"preferred_channel": PreferredChannel.PHONE}, {"phone": "Le canal préféré demande un numéro de téléphone."}),
        (
            {"preferred_channel": PreferredChannel.POST},
            {"address": "Le canal préféré est le courrier : indiquez une adresse postale."},
        ),
        # A bad e-mail is reported as such, not as a missing one.
        ({"email": "x@", "preferred_channel": PreferredChannel.EMAIL}, {"email": EMAIL_MESSAGE}),
        (
            {"last_name": "", "phone": "123", "email": "@", "postal_code": "abcde"},
            {
                "last_name": "Le nom est obligatoire.",
                "phone": PHONE_MESSAGE,
                "email": EMAIL_MESSAGE,
                "postal_code": "Le code postal doit comporter 5 chiffres.",
            },
        ),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(db, services, fields, errors):
    kwargs = {"last_name": "Martin", **fields}
    with pytest.raises(ValidationError) as raised:
        services.citizens.create(**kwargs)
    assert raised.value.errors == errors
    assert raised.value.message == "\n".join(errors.values())
    assert _count(db) == 0


def test_get_unknown_or_deleted(db, services):
    with pytest.raises(NotFoundError, match="n'existe pas"):
        services.citizens.get(citizen_id=uuid.uuid4())
    c = services.citizens.create(last_name="Martin")
    _soft_delete(db, c.id)
    with pytest.raises(NotFoundError):
        services.citizens.get(citizen_id=c.id)


def _soft_delete(db, citizen_id: uuid.UUID) -> None:  # noqa: ANN001
    with db.write() as s:
        s.get(Citizen, citizen_id).deleted_at = utcnow()


# -- search ---------------------------------------------------------------------------------------


@pytest.fixture
def people(services):
    create = services.citizens.create
    return {
        "lefevre": create(last_name="Lefèvre", first_names="Marie", phone="06 12 34 56 78"),
        "lefebvre": create(last_name="LEFEBVRE", first_names="Paul", email="paul.lefebvre@free.fr"),
        "ndiaye": create(last_name="N'Diaye", first_names="Aminata", phone="07 98 76 54 32"),
        "jp": create(
            last_name="Dupont",
            first_names="Jean-Pierre",
            email="jp.dupont@laposte.net",
            address="12 avenue Jean-Jaurès",
            postal_code="69200",
            city="Vénissieux",
        ),
        "jean": create(last_name="Pierre", first_names="Jean", address="3 rue Gabriel-Péri"),
        "reunion": create(last_name="Payet", phone="+262 262 12 34 56"),
        "oeuvray": create(last_name="Œuvray", first_names="Zoé"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lefevre", {"lefevre"}),
        ("Lefèvre", {"lefevre"}),
        ("LEFEV", {"lefevre"}),
        ("lef", {"lefevre", "lefebvre"}),
        ("lefebvre paul", {"lefebvre"}),
        ("paul LEFEB", {"lefebvre"}),
        ("lefevre paul", {"lefebvre"}),  # nobody is both: one typing mistake forgiven, Paul LEFEBVRE is
        ("lefevre zoe", set()),  # ... but no word is stretched to find somebody at any cost
        ("lefevbre", {"lefebvre", "lefevre"}),  # swapped letters (or one too many: both are one edit away)
        ("dupomt", {"jp"}),  # a wrong key
        ("ndiay", {"ndiaye"}),  # the last word typed in part is still a prefix
        ("oevrai", set()),  # two letters off: not a typing mistake
        ("ndiaye", {"ndiaye"}),
        ("n'diaye", {"ndiaye"}),
        ("N’Diaye", {"ndiaye"}),
        ("N'DI", {"ndiaye"}),
        ("jean pierre", {"jp", "jean"}),
        ("jean-pierre", {"jp", "jean"}),
        ("jeanpierre", {"jp"}),
        ("jeanp", {"jp"}),
        ("oeuvray", {"oeuvray"}),
        ("Œuv", {"oeuvray"}),
        ("zoe", {"oeuvray"}),
        ("06 12", {"lefevre"}),
        ("0612", {"lefevre"}),
        ("06.12.34.56.78", {"lefevre"}),
        ("+33 6 12", {"lefevre"}),
        ("+33612345678", {"lefevre"}),
        ("0033 6 12", {"lefevre"}),
        ("07 98", {"ndiaye"}),
        ("06 13", set()),
        ("0262 12", set()),
        ("+262 262", {"reunion"}),
        ("paul.lef", {"lefebvre"}),
        ("paul.lefebvre@free.fr", {"lefebvre"}),
        ("jp.dup", {"jp"}),
        ("jaures", {"jp"}),
        ("Jaurès", {"jp"}),
        ("peri", {"jean"}),
        ("69200", set()),  # postal code and town are shared by most residents: not indexed
        ("venissieux", set()),
        ("jaures j", {"jp"}),  # a stray letter beside real words is ignored
        ("", set()),
        ("   ", set()),
        ("'", set()),
        ('"', set()),
        ("lef*", {"lefevre", "lefebvre"}),
        ("NOT", set()),
        ("a OR b", set()),
        ("x NEAR(y)", set()),
    ],
)
def test_search_as_you_type(services, people, query, expected):
    ids = {v.id: k for k, v in people.items()}
    assert {ids[i] for i in _found(services, query)} == expected


def test_search_returns_full_summaries(services, people):
    (found,) = services.citizens.search(query="ndiaye")
    assert found == people["ndiaye"]
    assert found.phone_display == "07 98 76 54 32"


def test_soft_deleted_citizens_are_not_found(db, services, people):
    _soft_delete(db, people["lefevre"].id)
    assert _found(services, "lef") == [people["lefebvre"].id]
    assert _found(services, "0612") == []


def test_results_are_limited_to_the_first_in_alphabetical_order(services):
    # Capitals and accents must not push a name out of the list: "Évrard" comes before "Ezzine".
    names = ["Ezzine", "EVRARD", "Évrard", "evans", "Éboué", "ELLUL", "Eymard", "Ebert", "Émery", "Étienne"]
    for i, name in enumerate(names):
        services.citizens.create(last_name=name, first_names=f"Prénom{i}")
    everyone = services.citizens.search(query="prenom", limit=100)
    assert len(everyone) == len(names)
    expected = sorted(everyone, key=lambda c: (fold(c.last_name), fold(c.first_names)))
    assert everyone == expected
    for limit in (1, 3, 5):
        assert services.citizens.search(query="prenom", limit=limit) == expected[:limit]


def test_default_limit(services):
    for i in range(25):
        services.citizens.create(last_name="Martin", first_names=f"Prénom{i:02}")
    assert len(services.citizens.search(query="martin")) == 20
    assert len(services.citizens.search(query="martin", limit=50)) == 25


_LETTERS = "abcdefghijklmnopqrstuvwxyzéèêëàâäîïôöùûüçœæÿñ"
_name_part = st.text(alphabet=_LETTERS + _LETTERS.upper(), min_size=1, max_size=8)
_name = st.builds(
    lambda first, rest: first + "".join(sep + part for sep, part in rest),
    _name_part,
    st.lists(st.tuples(st.sampled_from([" ", "-", "'", "’"]), _name_part), max_size=2),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(last=_name, first=_name, data=st.data())
def test_any_name_is_found_by_what_the_agent_types(services, last, first, data):
    created = services.citizens.create(last_name=last, first_names=first)
    # The agent types the name as written, folded, or a prefix of any of its words.
    word = data.draw(st.sampled_from(fold(f"{last} {first}").split()))
    prefix = word[: data.draw(st.integers(1, len(word)))]
    for query in (last, f"{first} {last}", fold(last), prefix.upper()):
        assert created.id in _found(services, query, limit=10_000), query
