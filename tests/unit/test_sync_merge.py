"""The field-by-field merge of citizens edited at several sites (pure function, no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from guichet.sync.merge import merge_row, search_text
from guichet.sync.tables import CITIZEN_FIELDS

BASE = {
    "id": "0190aa",
    "civility": "Mme",
    "last_name": "Lefèvre",
    "first_names": "Anne",
    "phone": "+33612345678",
    "email": "",
    "address": "3 rue de la Paix",
    "postal_code": "69200",
    "city": "Vénissieux",
    "preferred_channel": None,
    "birth_name": "",
    "birth_date": None,
    "phone2": "",
    "anonymised_at": None,
    "merged_into_id": None,
    "deleted_at": None,
    "created_at": "2026-01-05 09:00:00.000000",
    "updated_at": "2026-01-05 09:00:00.000000",
}
BASE["search_text"] = search_text(BASE)


def test_changes_to_different_fields_are_all_kept():
    mine = {**BASE, "phone": "+33699999999", "updated_at": "2026-01-06 10:00:00.000000"}
    theirs = {**BASE, "city": "Lyon", "updated_at": "2026-01-06 09:00:00.000000"}
    merged, conflicts = merge_row(BASE, mine, theirs)
    assert (merged["phone"], merged["city"]) == ("+33699999999", "Lyon")
    assert conflicts == []
    assert merged["updated_at"] == "2026-01-06 10:00:00.000000"
    assert "0699999999" in merged["search_text"]


def test_the_same_field_changed_twice_keeps_the_later_write_and_logs_the_other():
    mine = {**BASE, "phone": "+33611111111"}
    theirs = {**BASE, "phone": "+33622222222"}
    merged, conflicts = merge_row(BASE, mine, theirs)
    assert merged["phone"] == "+33611111111"
    [conflict] = conflicts
    assert (conflict.field, conflict.base, conflict.kept, conflict.lost) == (
        "phone", "+33612345678", "+33611111111", "+33622222222",
    )  # fmt: skip


def test_the_same_new_value_written_at_two_sites_is_no_conflict():
    mine = {**BASE, "city": "Lyon"}
    merged, conflicts = merge_row(BASE, mine, dict(mine))
    assert merged["city"] == "Lyon" and conflicts == []


def test_a_site_that_did_not_touch_a_field_never_reverts_it():
    # The site's copy is old (it had not pulled the other site's change): what it did not change stays.
    theirs = {**BASE, "first_names": "Anne Marie", "deleted_at": "2026-01-07 08:00:00.000000"}
    mine = {**BASE, "email": "anne@example.fr"}
    merged, conflicts = merge_row(BASE, mine, theirs)
    assert (merged["first_names"], merged["deleted_at"], merged["email"]) == (
        "Anne Marie", "2026-01-07 08:00:00.000000", "anne@example.fr",
    )  # fmt: skip
    assert conflicts == []


def test_a_creation_meeting_an_existing_row_logs_every_difference():
    theirs = {**BASE, "phone": ""}
    merged, conflicts = merge_row(None, BASE, theirs)
    assert merged["phone"] == BASE["phone"]
    assert [(c.field, c.base) for c in conflicts] == [("phone", None)]


values = st.sampled_from(["a", "b", "c", None])


@given(st.dictionaries(st.sampled_from(CITIZEN_FIELDS), st.tuples(values, values, values)))
def test_merge_laws(changes):
    base, mine, theirs = dict(BASE), dict(BASE), dict(BASE)
    for name, (b, m, t) in changes.items():
        base[name], mine[name], theirs[name] = b, m, t
    merged, conflicts = merge_row(base, mine, theirs)
    logged = {c.field for c in conflicts}
    for name in CITIZEN_FIELDS:
        b, m, t = base[name], mine[name], theirs[name]
        if m == b:
            assert merged[name] == t  # untouched here: the central value stays
        else:
            assert merged[name] == m  # changed here: written (and the loser, if any, is logged)
        assert (name in logged) == (m != b and t != b and m != t)
    for c in conflicts:
        assert c.lost == theirs[c.field] and c.kept == mine[c.field]
