"""Citizens edited at two sites: merged field by field; a true conflict is logged, seen and resolved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guichet.models import Agent, Citizen
from guichet.services.citizens import citizen_search_text
from guichet.services.errors import NotAllowedError
from guichet.sync.conflicts import ConflictService
from tests.integration.world import central_rows, site_rows


def _edit(db, citizen_id, **values) -> None:
    with db.write() as s:
        c = s.get(Citizen, citizen_id)
        for name, value in values.items():
            setattr(c, name, value)
        c.search_text = citizen_search_text(
            last_name=c.last_name, first_names=c.first_names, phone=c.phone, email=c.email, address=c.address
        )


def _agent(db, login: str):
    with db.read() as s:
        return s.scalars(select(Agent.id).where(Agent.login == login)).one()


@pytest.fixture
def two_sites(make_site):
    """VEN-HDV and VEN-MAV both hold a citizen HDV created."""
    hdv, mav = make_site("VEN-HDV"), make_site("VEN-MAV")
    hdv.service.run_round()
    mav.service.run_round()
    from guichet.services.citizens import CitizenService

    created = CitizenService(hdv.db).create(last_name="Lefèvre", first_names="Anne", phone="0612345678", city="Lyon")
    assert hdv.service.run_round().errors == ()
    assert mav.service.run_round().errors == ()
    assert created.id.hex in site_rows(mav.db, "citizen")
    return hdv, mav, created.id


def test_different_fields_edited_at_two_sites_are_both_kept(two_sites, central):
    hdv, mav, citizen = two_sites
    _edit(hdv.db, citizen, phone="+33699999999")
    _edit(mav.db, citizen, city="Vénissieux", first_names="Anne Marie")
    for site in (hdv, mav, hdv, mav):
        assert site.service.run_round().errors == ()
    with central.admin() as c:
        row = central_rows(c, "citizen")[citizen.hex]
        assert c.execute("SELECT count(*) FROM sync_conflict").fetchone()[0] == 0
        version = c.execute("SELECT version FROM citizen WHERE id = %s", (citizen,)).fetchone()[0]
    assert (row["phone"], row["city"], row["first_names"]) == ("+33699999999", "Vénissieux", "Anne Marie")
    assert "0699999999" in row["search_text"] and "marie" in row["search_text"]
    assert version == 3
    assert site_rows(hdv.db, "citizen")[citizen.hex] == row == site_rows(mav.db, "citizen")[citizen.hex]
    assert hdv.service.status().conflicts == 0


def test_the_same_field_edited_at_two_sites_is_logged_and_resolved_by_a_supervisor(two_sites, central, make_site):
    hdv, mav, citizen = two_sites
    _edit(hdv.db, citizen, phone="+33611111111")
    _edit(mav.db, citizen, phone="+33622222222", city="Vénissieux")
    assert hdv.service.run_round().errors == ()
    mav_status = mav.service.run_round()  # later in the central's commit order: MAV's phone is kept
    assert mav_status.errors == ()
    hdv_status = hdv.service.run_round()
    assert hdv_status.conflicts == 1 and mav.service.run_round().conflicts == 1
    with central.admin() as c:
        row = central_rows(c, "citizen")[citizen.hex]
        logged = list(central_rows(c, "sync_conflict").values())
    assert (row["phone"], row["city"]) == ("+33622222222", "Vénissieux")
    assert len(logged) == 1
    assert (logged[0]["field"], logged[0]["kept_value"], logged[0]["lost_value"], logged[0]["base_value"]) == (
        "phone", "+33622222222", "+33611111111", "+33612345678",
    )  # fmt: skip
    # Both sites hold the same citizen and see the same conflict.
    assert site_rows(hdv.db, "citizen")[citizen.hex] == row == site_rows(mav.db, "citizen")[citizen.hex]
    conflicts = ConflictService(hdv.db).list()
    assert len(conflicts) == 1
    seen = conflicts[0]
    assert (seen.field_label, seen.kept_site, seen.lost_site) == ("téléphone", "VEN-MAV", "VEN-HDV")
    assert "« +33622222222 » gardé (VEN-MAV)" in seen.description
    # An agent may not decide; a supervisor restores HDV's number, and that goes round like any edit.
    with pytest.raises(NotAllowedError, match="superviseur"):
        ConflictService(hdv.db).resolve(conflict_id=seen.id, agent_id=_agent(hdv.db, "mdurand"), restore=True)
    done = ConflictService(hdv.db).resolve(conflict_id=seen.id, agent_id=_agent(hdv.db, "sperrin"), restore=True)
    assert done.resolution == "retabli" and done.resolved_at is not None
    assert hdv.service.run_round().errors == ()
    assert mav.service.run_round().conflicts == 0
    with central.admin() as c:
        row = central_rows(c, "citizen")[citizen.hex]
        assert c.execute("SELECT resolution FROM sync_conflict").fetchone()[0] == "retabli"
        assert c.execute("SELECT count(*) FROM sync_conflict").fetchone()[0] == 1  # no new conflict
    assert row["phone"] == "+33611111111" and row["city"] == "Vénissieux"
    assert site_rows(mav.db, "citizen")[citizen.hex] == row
    # Givors' sites never see Vénissieux's conflicts nor its citizens.
    giv = make_site("GIV-HDV")
    giv.service.run_round()
    assert site_rows(giv.db, "sync_conflict") == {} and site_rows(giv.db, "citizen") == {}


def test_an_edit_made_while_the_central_changed_the_row_is_not_overwritten_by_the_pull(two_sites, central):
    hdv, mav, citizen = two_sites
    _edit(hdv.db, citizen, city="Givors")
    assert hdv.service.run_round().errors == ()
    _edit(mav.db, citizen, first_names="Annie")  # MAV has not pulled HDV's change yet
    status = mav.service.run_round()  # push (merge) then pull: both changes end up everywhere
    assert status.errors == ()
    hdv.service.run_round()
    for site in (hdv, mav):
        row = site_rows(site.db, "citizen")[citizen.hex]
        assert (row["city"], row["first_names"]) == ("Givors", "Annie")


def test_no_value_is_lost_silently_when_three_sites_write_the_same_field(make_site, central):
    sites = [make_site(code) for code in ("VEN-HDV", "VEN-MAV", "VEN-PAR")]
    for site in sites:
        site.service.run_round()
    from guichet.services.citizens import CitizenService

    citizen = CitizenService(sites[0].db).create(last_name="Partagé", phone="0600000000").id
    for site in sites:
        site.service.run_round()
    written = []
    for n, site in enumerate(sites, start=1):  # all offline: each writes its own number
        written.append(f"+3361111111{n}")
        _edit(site.db, citizen, phone=written[-1])
    for site in reversed(sites):  # commit order at the central: PAR, MAV, HDV
        assert site.service.run_round().errors == ()
    for site in sites:
        site.service.run_round()
    with central.admin() as c:
        final = central_rows(c, "citizen")[citizen.hex]["phone"]
        lost = [r["lost_value"] for r in central_rows(c, "sync_conflict").values()]
    assert final == written[0]  # HDV committed last
    assert sorted(lost) == sorted(written[1:])  # every other value is in the log
    assert {site_rows(s.db, "citizen")[citizen.hex]["phone"] for s in sites} == {final}
    assert all(s.service.status().conflicts == 2 for s in sites)
