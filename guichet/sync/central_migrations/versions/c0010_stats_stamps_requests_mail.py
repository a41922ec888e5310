"""statistics on the central: requests and mail stamp their days too

Revision ID: c0010
Revises: c0009

The statistics now keep follow-up requests (by the Paris day they were opened) and letters (by the date on the
letter) in the cached parts, with tickets and contacts. A request changes long after its month (answered,
reassigned, closed, at any site of the commune): the same statement triggers as c0009 give the (site, day) of
every inserted, changed or deleted request or letter a new stamp, so the part that holds it is computed again.

No new site schema: the central keeps accepting site schemas 0011 and 0010 (0012 comes with c0011).
"""

from alembic import op


revision = 'c0010'
down_revision = 'c0009'
branch_labels = None
depends_on = None

PARIS_DAY = "((({col}) AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')::date"
TOUCHED = (
    ('request', "SELECT site_id, " + PARIS_DAY.format(col='opened_at') + " AS day FROM {rows}"),
    ('mail_item', "SELECT site_id, mail_date AS day FROM {rows}"),
)


def upgrade() -> None:
    for table, touched in TOUCHED:
        stamp = (
            "INSERT INTO stats_day_stamp AS d (site_id, day, stamp) SELECT site_id, day, nextval('stats_stamp_seq') "
            "FROM (SELECT DISTINCT site_id, day FROM ({rows}) AS t WHERE site_id IS NOT NULL AND day IS NOT NULL) AS u "
            "ORDER BY site_id, day ON CONFLICT (site_id, day) DO UPDATE SET stamp = EXCLUDED.stamp"
        )
        new, old = (stamp.format(rows=touched.format(rows=name)) for name in ('new_rows', 'old_rows'))
        op.execute(f"""
            CREATE FUNCTION stats_stamp_{table}() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
            BEGIN
              IF TG_OP <> 'DELETE' THEN
                {new};
              END IF;
              IF TG_OP <> 'INSERT' THEN
                {old};
              END IF;
              RETURN NULL;
            END $$""")
        op.execute(
            f"CREATE TRIGGER stats_stamp_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION stats_stamp_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER stats_stamp_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_stamp_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER stats_stamp_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION stats_stamp_{table}()"
        )
    # Parts cached before this revision hold no requests nor letters: computed again.
    op.execute("DELETE FROM stats_cache")


def downgrade() -> None:
    for table, _touched in TOUCHED:
        for event in ('insert', 'update', 'delete'):
            op.execute(f"DROP TRIGGER stats_stamp_{event} ON {table}")
        op.execute(f"DROP FUNCTION stats_stamp_{table}()")
