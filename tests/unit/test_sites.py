"""Which site a kiosk or a call screen stands for: by its code, or the database's only site."""

from __future__ import annotations

import pytest

from guichet.db import Database
from guichet.models import Site
from guichet.services.errors import NotFoundError
from guichet.services.sites import SiteService


def test_sites_are_found_by_code_in_any_case(demo_db: Database):
    sites = SiteService(demo_db)
    assert [s.code for s in sites.list()] == ["HDV", "MAV"]
    hdv = sites.find(code="HDV")
    assert (hdv.name, hdv.full_code, hdv.commune_name) == ("Hôtel de ville", "VEN-HDV", "Vénissieux")
    assert sites.find(code=" hdv ") == hdv
    assert sites.find(code="ven-mav").code == "MAV"


def test_a_code_is_needed_when_there_are_several_sites(demo_db: Database):
    sites = SiteService(demo_db)
    with pytest.raises(NotFoundError) as none_given:
        sites.find()
    assert none_given.value.message == (
        "Cette base contient plusieurs sites : précisez lequel avec --site CODE. "
        "Sites : HDV (Hôtel de ville), MAV (Mairie annexe du Moulin-à-Vent)."
    )
    with pytest.raises(NotFoundError, match="Aucun site n'a le code « XYZ ». Sites de cette base : HDV"):
        sites.find(code="XYZ")


def test_the_only_site_needs_no_code(demo_db: Database):
    with demo_db.write() as s:
        mav = s.query(Site).filter_by(code="MAV").one()
        mav.deleted_at = mav.created_at
    assert SiteService(demo_db).find().code == "HDV"


def test_an_empty_database_says_so(db: Database):
    with pytest.raises(NotFoundError, match="Aucun site"):
        SiteService(db).find(code="HDV")
