"""contact_day: contacts counted per site, Paris day and qualification, kept by a trigger (statistics)

Revision ID: c0008
Revises: c0007

Ten years of SITIV are 7.5 million contacts: grouping them for a report took 1.8 s of its 2.4 s. Statistics
only ever count contacts by (site, day, channel, theme, outcome, orientation), so the central keeps those
counts as the contacts arrive: a trigger on contact adds the new row's count and takes back the old one's (a
correction of the day, a soft delete), in the same transaction as the sync batch. The statistics read it when
it exists (guichet.services.stats_sql); a site never reads nor writes it. Site schemas are unchanged.
"""

from alembic import op


revision = 'c0008'
down_revision = 'c0007'
branch_labels = None
depends_on = None

# The Paris day of a contact: started_at is UTC without a zone.
DAY = "(({row}.started_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')::date"
KEY = ("site_id", "channel", "theme_id", "outcome", "oriented_service_id", "oriented_body_id")


ZERO = "'00000000-0000-0000-0000-000000000000'::uuid"
CONFLICT = f"(site_id, day, channel, theme_id, outcome, coalesce(oriented_service_id, {ZERO}), coalesce(oriented_body_id, {ZERO}))"


def _bump(row: str, sign: str) -> str:
    # One statement (no read-then-insert race between two batches applied at once).
    values = ", ".join(f"{row}.{k}" for k in KEY)
    return (
        f"IF {row}.deleted_at IS NULL THEN INSERT INTO contact_day (day, {', '.join(KEY)}, n) "
        f"VALUES ({DAY.format(row=row)}, {values}, {sign}1) "
        f"ON CONFLICT {CONFLICT} DO UPDATE SET n = contact_day.n + EXCLUDED.n; END IF;"
    )


def install() -> None:
    """Table, trigger and backfill (also used by bench/bench_stats_pg.py on its schema made from the models)."""
    op.execute(
        "CREATE TABLE contact_day (day date NOT NULL, site_id uuid NOT NULL, channel varchar(30) NOT NULL, "
        "theme_id uuid NOT NULL, outcome varchar(30) NOT NULL, oriented_service_id uuid, oriented_body_id uuid, "
        "n integer NOT NULL)"
    )
    op.execute(
        f"CREATE UNIQUE INDEX ux_contact_day ON contact_day {CONFLICT}"
    )
    op.execute(
        # SECURITY DEFINER: the sites' roles write contacts, never contact_day itself (no grant to them).
        "CREATE FUNCTION contact_day_keep() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
        "SET search_path = public AS $$ BEGIN "
        f"IF TG_OP = 'UPDATE' THEN {_bump('OLD', '-')} END IF; "
        f"{_bump('NEW', '+')} RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER contact_day_keep AFTER INSERT OR UPDATE ON contact FOR EACH ROW EXECUTE FUNCTION contact_day_keep()"
    )
    op.execute(
        f"INSERT INTO contact_day (day, {', '.join(KEY)}, n) "
        f"SELECT {DAY.format(row='contact')}, {', '.join(KEY)}, count(*) FROM contact WHERE deleted_at IS NULL "
        f"GROUP BY 1, {', '.join(KEY)}"
    )


def upgrade() -> None:
    install()


def downgrade() -> None:
    op.execute("DROP TRIGGER contact_day_keep ON contact")
    op.execute("DROP FUNCTION contact_day_keep()")
    op.execute("DROP TABLE contact_day")
