"""Answer sheets through the central database: SITIV's reach every site and no site may change them; a commune's
reach its sites only; contacts carry the sheet they used; two supervisors publishing offline both keep their
version in the history and every site ends on the same current one."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from guichet.db import Database
from guichet.domain import Channel, Outcome, Role
from guichet.models import Agent, Site, Theme
from guichet.services import Services
from guichet.services.auth import hash_password
from guichet.services.contacts import ContactInput
from guichet.services.knowledge_types import SheetContent, SheetInput
from guichet.sync.admin import import_site_database
from guichet.sync.push import upsert_sql
from tests.integration.world import central_rows, site_rows

TABLES = ("answer_sheet", "answer_sheet_version")


def _ids(db: Database, login: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """(agent, site, commune) of a login."""
    with db.read() as s:
        agent = s.scalars(select(Agent).where(Agent.login == login)).one()
        return agent.id, agent.site_id, s.get(Site, agent.site_id).commune_id


def _theme(db: Database, code: str = "etat_civil.titres") -> uuid.UUID:
    with db.read() as s:
        return s.scalars(select(Theme.id).where(Theme.code == code)).one()


def _settle(*sites) -> None:  # noqa: ANN002
    for _ in range(4):
        for site in sites:
            status = site.service.run_round()
            assert status.online and not status.errors and not status.rejected, status


def test_sitiv_sheets_reach_every_site_and_no_site_may_change_them(make_site, central, reference_db, tmp_path: Path):
    # SITIV writes its sheet in its reference database (which does not sync) and loads it into the central one.
    reference = tmp_path / "reference.sqlite3"
    shutil.copyfile(reference_db, reference)
    db = Database.open(reference)
    supervisor, _site, _commune = _ids(db, "sperrin")
    content = SheetContent(title="Passeport", answer="Sur rendez-vous.", documents=("Photo d'identité",))
    sheet = Services.on(db).knowledge.save_draft(
        agent_id=supervisor, publish=True,
        data=SheetInput(theme_id=_theme(db), content=content, sitiv_wide=True),
    )  # fmt: skip
    db.close()
    counts = import_site_database(central.admin_url, reference)
    assert counts["answer_sheet"] == 1 and counts["answer_sheet_version"] == 1

    ven, giv = make_site("VEN-HDV"), make_site("GIV-HDV")
    _settle(ven, giv)
    for site in (ven, giv):
        agent, _site_id, commune = _ids(site.db, "mdurand" if site is ven else "agent1.giv.hdv")
        [found] = Services.on(site.db).knowledge.search(query="passeport", commune_id=commune)
        assert found.sheet_id == sheet.sheet_id and found.commune_id is None
        # Read only at a site that syncs.
        assert not Services.on(site.db).knowledge.detail(sheet_id=sheet.sheet_id, agent_id=agent).can_edit
    # The central refuses any change of it by a site, whatever the site sends.
    with central.admin() as admin:
        [row] = central_rows(admin, "answer_sheet").values()
        [version] = central_rows(admin, "answer_sheet_version").values()
        ven = admin.execute("SELECT id FROM commune WHERE code = 'VEN'").fetchone()[0].hex
    with central.as_site("VEN-HDV") as conn:
        assert conn.execute("UPDATE answer_sheet SET owner = 'piraté'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(upsert_sql("answer_sheet"), (json.dumps([{**row, "owner": "piraté"}]),))
        # Nor a new version of it in the site's own commune's name.
        forged = {**version, "id": uuid.uuid4().hex, "commune_id": ven, "answer": "Autre réponse."}
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(upsert_sql("answer_sheet_version"), (json.dumps([forged]),))
    with central.admin() as admin:
        assert central_rows(admin, "answer_sheet_version") == {version["id"]: version}


def test_a_communes_sheet_reaches_its_sites_only_and_contacts_carry_it(make_site, central):
    hdv, mav, giv = make_site("VEN-HDV"), make_site("VEN-MAV"), make_site("GIV-HDV")
    _settle(hdv, mav, giv)
    supervisor, _site, commune = _ids(hdv.db, "sperrin")
    content = SheetContent(title="Inscription scolaire", answer="En mairie, puis à l'école.", documents=("Livret",))
    sheet = Services.on(hdv.db).knowledge.save_draft(
        agent_id=supervisor, publish=True, data=SheetInput(theme_id=_theme(hdv.db, "scolaire.inscription"), content=content)
    )  # fmt: skip
    _settle(hdv, mav, giv)
    agent, mav_site, _ = _ids(mav.db, "lnguyen")
    [seen] = Services.on(mav.db).knowledge.for_theme(
        theme_id=_theme(mav.db, "scolaire.inscription"), commune_id=commune
    )
    assert seen.sheet_id == sheet.sheet_id and seen.number == 1
    assert site_rows(giv.db, "answer_sheet") == {}  # another commune's sheet: not even pulled
    contact = Services.on(mav.db).contacts.log(
        agent_id=agent, site_id=mav_site,
        data=ContactInput(channel=Channel.PHONE, theme_id=seen.theme_id, outcome=Outcome.ANSWERED, sheet_id=seen.sheet_id),
    )  # fmt: skip
    _settle(mav)
    with central.admin() as admin:
        assert (
            admin.execute("SELECT sheet_id FROM contact WHERE id = %s", (contact.id,)).fetchone()[0] == sheet.sheet_id
        )
        for table in TABLES:
            assert site_rows(hdv.db, table) == site_rows(mav.db, table) == central_rows(admin, table), table


def test_two_supervisors_publishing_offline_keep_both_versions_and_agree_on_the_current_one(make_site, central):
    hdv, mav = make_site("VEN-HDV"), make_site("VEN-MAV")
    _settle(hdv, mav)
    chef, _site, _commune = _ids(hdv.db, "sperrin")
    theme = _theme(hdv.db, "scolaire.cantine")
    kb_hdv, kb_mav = Services.on(hdv.db).knowledge, Services.on(mav.db).knowledge
    base = SheetContent(title="Cantine", answer="Version 1.")
    sheet = kb_hdv.save_draft(agent_id=chef, publish=True, data=SheetInput(theme_id=theme, content=base))
    # The annexe gets its own supervisor (an agent row of its own site: it may write it).
    with mav.db.write() as s:
        mav_site = s.scalars(select(Site).where(Site.code == "MAV")).one()
        annexe = Agent(login="chef.mav", first_name="Marc", last_name="Annexe", role=Role.SUPERVISOR,
                       password_hash=hash_password("mot-de-passe-long-2026"), site_id=mav_site.id)  # fmt: skip
        s.add(annexe)
        s.flush()
        annexe_id = annexe.id
    _settle(hdv, mav)
    # Both offline: each publishes its own version 2.
    for kb, who, text in (
        (kb_hdv, chef, "Version 2 de l'hôtel de ville."),
        (kb_mav, annexe_id, "Version 2 de l'annexe."),
    ):
        kb.save_draft(agent_id=who, sheet_id=sheet.sheet_id, publish=True,
                      data=SheetInput(theme_id=theme, content=SheetContent(title="Cantine", answer=text)))  # fmt: skip
    _settle(hdv, mav)
    with central.admin() as admin:
        for table in TABLES:
            assert site_rows(hdv.db, table) == site_rows(mav.db, table) == central_rows(admin, table), table
    current_hdv = kb_hdv.get(sheet_id=sheet.sheet_id)
    assert current_hdv == kb_mav.get(sheet_id=sheet.sheet_id)  # one current version everywhere
    history = kb_hdv.detail(sheet_id=sheet.sheet_id, agent_id=chef).history
    assert sorted(v.number for v in history) == [1, 2, 2]  # nothing lost: both stay in the history
    assert sum(v.current for v in history) == 1
