"""citizens and households (site schema 0007)

Revision ID: c0004
Revises: c0003

The citizen's new fields (birth name and date, second phone, anonymisation and merge stamps), which sites may
write like the others (column privileges), and the tables of site migration 0007 with the change stamps, column
privileges and row-level security of c0001. Households, their members and consents belong to the commune:
every site of the commune reads and writes them, no other site sees them.

The central accepts site schemas 0007 (current) and 0006 (previous) from now on.
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0004'
down_revision = 'c0003'
branch_labels = None
depends_on = None

SITE_GROUP = 'guichet_site'
NEW_SYNCED = ('household', 'household_member', 'citizen_consent')
NEW_CITIZEN_COLUMNS = ('birth_name', 'birth_date', 'phone2', 'anonymised_at', 'merged_into_id')
MY_COMMUNE = "(SELECT sync_commune())"
COMMUNE = f"commune_id = {MY_COMMUNE}"
# (table, read scope, write scope)
POLICIES = (
    ('household', COMMUNE, COMMUNE),
    ('household_member', COMMUNE, COMMUNE),
    ('citizen_consent', COMMUNE, COMMUNE),
)


def upgrade() -> None:
    op.add_column('citizen', sa.Column('birth_name', sa.String(length=100), server_default='', nullable=False))
    op.add_column('citizen', sa.Column('birth_date', sa.Date(), nullable=True))
    op.add_column('citizen', sa.Column('phone2', sa.String(length=20), server_default='', nullable=False))
    op.add_column('citizen', sa.Column('anonymised_at', sa.DateTime(), nullable=True))
    op.add_column('citizen', sa.Column('merged_into_id', sa.Uuid(), nullable=True))
    columns = ", ".join(NEW_CITIZEN_COLUMNS)
    op.execute(f"GRANT INSERT ({columns}), UPDATE ({columns}) ON citizen TO {SITE_GROUP}")

    op.create_table('household',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_household_commune_id_commune')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household'))
    )
    op.create_table('household_member',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.Enum('parent', 'conjoint', 'enfant', 'autre', name='householdrole', native_enum=False, length=30), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_household_member_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_household_member_commune_id_commune')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_household_member_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_member'))
    )
    op.create_index('ix_household_member_household', 'household_member', ['household_id'], unique=False)
    op.create_index(op.f('ix_household_member_citizen_id'), 'household_member', ['citizen_id'], unique=False)
    op.create_table('citizen_consent',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('sms_notifications', 'courriel_notifications', 'donnees_partagees_services', name='consentkind', native_enum=False, length=30), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_citizen_consent_agent_id_agent')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_citizen_consent_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_citizen_consent_commune_id_commune')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_citizen_consent_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_consent'))
    )
    op.create_index(op.f('ix_citizen_consent_citizen_id'), 'citizen_consent', ['citizen_id'], unique=False)

    for table in NEW_SYNCED:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN sync_cn bigint NOT NULL DEFAULT nextval('sync_cn_seq'), "
            f"ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()"
        )
        op.execute(f"CREATE TRIGGER sync_stamp BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION sync_stamp()")
        op.execute(f"CREATE INDEX ix_{table}_sync ON {table} (sync_xid, sync_cn)")
        op.execute(f"CREATE INDEX ix_{table}_commune_sync ON {table} (commune_id, sync_xid, sync_cn)")
        writable = op.get_bind().exec_driver_sql(
            "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns "
            f"WHERE table_schema = 'public' AND table_name = '{table}' AND column_name NOT IN ('sync_cn', 'sync_xid')"
        ).scalar()
        op.execute(f"GRANT SELECT ON {table} TO {SITE_GROUP}")
        op.execute(f"GRANT INSERT ({writable}), UPDATE ({writable}) ON {table} TO {SITE_GROUP}")
    for table, read, write in POLICIES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY site_read ON {table} FOR SELECT TO {SITE_GROUP} USING ({read})")
        op.execute(f"CREATE POLICY site_insert ON {table} FOR INSERT TO {SITE_GROUP} WITH CHECK ({write})")
        op.execute(
            f"CREATE POLICY site_update ON {table} FOR UPDATE TO {SITE_GROUP} USING ({write}) WITH CHECK ({write})"
        )

    op.execute("INSERT INTO sync_accepted_schema VALUES ('0007', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0006'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0005'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0005', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0006'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0007'")
    for table in reversed(NEW_SYNCED):
        op.execute(f"DROP TABLE {table}")
    for column in NEW_CITIZEN_COLUMNS:
        op.drop_column('citizen', column)
