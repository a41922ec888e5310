"""statistics on the central: day stamps kept by triggers, and the cache of closed parts

Revision ID: c0009
Revises: c0008

The statistics service keeps the aggregates of closed months (or weeks) in stats_cache, as a site does, and
checks them against stats_day_stamp: whenever a ticket, a contact or a counter session is inserted, changed or
deleted, the (site, Paris day) it belongs to (before and after the change) gets a new number from
stats_stamp_seq, in the same transaction (statement triggers, one upsert per statement whatever the number of
rows). So a row pushed late by a site that was offline, or a later correction of a row, moves the fingerprint
of the part that holds its day, and that part only is computed again (see guichet/services/stats_stamps.py).

The trigger functions run as the owner (SECURITY DEFINER): the site roles write tickets and contacts, never the
stamps nor the cache, which they may not read either. Rows already there need no stamp: a day without one is
fingerprinted as such, and any later change gives it one.

No new site schema: the central keeps accepting site schemas 0011 and 0010.
"""

from alembic import op


revision = 'c0009'
down_revision = 'c0008'
branch_labels = None
depends_on = None

# The Paris day of a stored instant (naive UTC), as the statistics cut their periods.
PARIS_DAY = "((({col}) AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')::date"
# (table, SELECT of the (site_id, day) pairs a set of rows of that table belongs to, from the relation {rows})
TOUCHED = (
    ('ticket', "SELECT site_id, service_day AS day FROM {rows}"),
    ('contact', "SELECT site_id, " + PARIS_DAY.format(col='started_at') + " AS day FROM {rows}"),
    # A session counts on every day it was open (up to now while it is still open).
    ('counter_session',
     "SELECT c.site_id, g.day::date AS day FROM {rows} r JOIN counter c ON c.id = r.counter_id, "
     "LATERAL generate_series(" + PARIS_DAY.format(col='r.opened_at') + ", "
     + PARIS_DAY.format(col="coalesce(r.closed_at, now() AT TIME ZONE 'UTC')") + ", interval '1 day') AS g(day)"),
)


def upgrade() -> None:
    op.execute("CREATE SEQUENCE stats_stamp_seq")
    op.execute(
        "CREATE TABLE stats_day_stamp (site_id uuid NOT NULL, day date NOT NULL, stamp bigint NOT NULL, "
        "CONSTRAINT pk_stats_day_stamp PRIMARY KEY (site_id, day))"
    )
    op.execute(
        "CREATE TABLE stats_cache (key varchar(200) NOT NULL, fingerprint text NOT NULL, payload text NOT NULL, "
        "computed_at timestamp NOT NULL, CONSTRAINT pk_stats_cache PRIMARY KEY (key))"
    )
    # One upsert per statement and per transition table, in (site, day) order: two transactions stamping the same
    # days lock them in the same order (no deadlock).
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


def downgrade() -> None:
    for table, _touched in TOUCHED:
        for event in ('insert', 'update', 'delete'):
            op.execute(f"DROP TRIGGER stats_stamp_{event} ON {table}")
        op.execute(f"DROP FUNCTION stats_stamp_{table}()")
    op.execute("DROP TABLE stats_cache")
    op.execute("DROP TABLE stats_day_stamp")
    op.execute("DROP SEQUENCE stats_stamp_seq")
