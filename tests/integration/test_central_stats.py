"""Statistics on the central database: contacts counted per day by a trigger (c0008) as the sites push them,
corrections and soft deletes included; the report read from those counts equals the report counted row by row."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import create_engine, select

from guichet.db import Database
from guichet.domain import Channel, Outcome
from guichet.models import Agent, Contact
from guichet.services import clock
from guichet.services.contacts import ContactInput
from guichet.services.stats import StatsService
from tests.integration.actors import Actor

Z = "'00000000-0000-0000-0000-000000000000'::uuid"
KEY = f"channel, theme_id, outcome, coalesce(oriented_service_id, {Z}) AS sv, coalesce(oriented_body_id, {Z}) AS bd"
# Every (site, day, qualification) where the trigger's count and the rows' count differ.
ROLLUP_VS_ROWS = f"""
    SELECT site_id, day, r.n, c.n FROM
      (SELECT site_id, day, {KEY}, sum(n) AS n FROM contact_day GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0) r
    FULL JOIN
      (SELECT site_id, ((started_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')::date AS day, {KEY},
              count(*) AS n
         FROM contact WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7) c
    USING (site_id, day, channel, theme_id, outcome, sv, bd)
    WHERE r.n IS DISTINCT FROM c.n
"""


def test_contacts_counted_per_day_follow_every_change(central, make_site):
    sites = [make_site("VEN-HDV"), make_site("VEN-MAV")]
    for site in sites:
        assert site.service.run_round().errors == ()
    rng = random.Random(7)
    made = []
    for site in sites:
        actor = Actor(site.db, site.code)
        made += [(site, actor, actor.new_contact(rng)) for _ in range(25)]
        # An earlier contact typed afterwards (yesterday), to cross a Paris day boundary.
        yesterday = clock.now() - timedelta(days=1)
        actor.services.contacts.log(
            agent_id=actor.agent_id, site_id=actor.site_id,
            data=ContactInput(channel=Channel.PHONE, theme_id=actor.theme_id, outcome=Outcome.ANSWERED,
                              started_at=yesterday),
        )  # fmt: skip
    for site in sites:
        assert site.service.run_round().errors == ()
    # Corrections of the day (outcome changed) and a soft delete, pushed again.
    for site, actor, contact_id in made[::5]:
        with site.db.read() as s:
            row = s.get(Contact, contact_id)
            data = ContactInput(channel=row.channel, theme_id=row.theme_id, outcome=Outcome.ONLINE_HELP,
                                citizen_id=row.citizen_id, subject=row.subject)  # fmt: skip
        actor.services.contacts.update(contact_id=contact_id, agent_id=actor.agent_id, data=data)
    site, _actor, gone = made[3]
    with site.db.write() as s:
        s.get(Contact, gone).deleted_at = clock.now()
    for site in sites:
        assert site.service.run_round().errors == ()

    with central.admin() as c:
        assert c.execute(ROLLUP_VS_ROWS).fetchall() == []
        assert (
            c.execute("SELECT sum(n) FROM contact_day").fetchone()[0]
            == c.execute("SELECT count(*) FROM contact WHERE deleted_at IS NULL").fetchone()[0]
            == 51
        )

    # The statistics of the central read the counts; the same report counted from the rows agrees.
    engine = create_engine(central.admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    db = Database(engine)
    try:
        with db.read() as s:
            supervisor = s.scalars(select(Agent.id).where(Agent.login == "sperrin")).one()
        today = clock.local_day(clock.now())
        ask = dict(agent_id=supervisor, start=today - timedelta(days=30), end=today)
        from_rollup = StatsService(db).report(**ask)
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE contact_day RENAME TO contact_day_aside")
        from_rows = StatsService(db).report(**ask)
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE contact_day_aside RENAME TO contact_day")
        assert from_rollup.contacts.total == from_rows.contacts.total == 51
        assert from_rollup.contacts == from_rows.contacts
    finally:
        engine.dispose()
