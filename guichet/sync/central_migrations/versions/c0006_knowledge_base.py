"""knowledge base: answer sheets and their versions, the sheet a contact used (site schema 0009)

Revision ID: c0006
Revises: c0005

The tables of site migration 0009, with the change stamps, column privileges and row-level security of c0001,
and contact.sheet_id (sites write it like the contact's other columns). Scope: a sheet whose commune_id is NULL
belongs to SITIV (authored on the central, by its owner role, or imported from SITIV's reference database): every
site reads it, none may write it. A commune's sheets are read and written by that commune's sites only, and a
site may add a version only to a sheet of its own commune.

The central accepts site schemas 0009 (current) and 0008 (previous) from now on.
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0006'
down_revision = 'c0005'
branch_labels = None
depends_on = None

SITE_GROUP = 'guichet_site'
NEW_SYNCED = ('answer_sheet', 'answer_sheet_version')
MY_COMMUNE = "(SELECT sync_commune())"
READ = f"commune_id IS NULL OR commune_id = {MY_COMMUNE}"
WRITE = f"commune_id = {MY_COMMUNE}"
# (table, read scope, write scope)
POLICIES = (
    ('answer_sheet', READ, WRITE),
    ('answer_sheet_version', READ,
     f"{WRITE} AND sheet_id IN (SELECT id FROM answer_sheet WHERE commune_id = {MY_COMMUNE})"),
)


def upgrade() -> None:
    op.create_table('answer_sheet',
    sa.Column('commune_id', sa.Uuid(), nullable=True),
    sa.Column('theme_id', sa.Uuid(), nullable=False),
    sa.Column('owner', sa.String(length=150), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('current_version_id', sa.Uuid(), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_answer_sheet_commune_id_commune')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_answer_sheet_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_sheet'))
    )
    op.create_index(op.f('ix_answer_sheet_theme_id'), 'answer_sheet', ['theme_id'], unique=False)
    op.create_table('answer_sheet_version',
    sa.Column('commune_id', sa.Uuid(), nullable=True),
    sa.Column('sheet_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('brouillon', 'publiee', name='sheetstatus', native_enum=False, length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('in_charge', sa.String(length=200), nullable=False),
    sa.Column('where_when', sa.Text(), nullable=False),
    sa.Column('fees', sa.Text(), nullable=False),
    sa.Column('links', sa.Text(), nullable=False),
    sa.Column('keywords', sa.String(length=300), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=True),
    sa.Column('body_id', sa.Uuid(), nullable=True),
    sa.Column('author', sa.String(length=150), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=150), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['external_body.id'], name=op.f('fk_answer_sheet_version_body_id_external_body')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_answer_sheet_version_commune_id_commune')),
    sa.ForeignKeyConstraint(['service_id'], ['municipal_service.id'], name=op.f('fk_answer_sheet_version_service_id_municipal_service')),
    sa.ForeignKeyConstraint(['sheet_id'], ['answer_sheet.id'], name=op.f('fk_answer_sheet_version_sheet_id_answer_sheet')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_sheet_version'))
    )
    op.create_index('ix_answer_sheet_version_sheet', 'answer_sheet_version', ['sheet_id', 'status'], unique=False)

    op.add_column('contact', sa.Column('sheet_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_contact_sheet_id'), 'contact', ['sheet_id'], unique=False)
    op.execute(f"GRANT INSERT (sheet_id), UPDATE (sheet_id) ON contact TO {SITE_GROUP}")

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

    op.execute("INSERT INTO sync_accepted_schema VALUES ('0009', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0008'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0007'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0007', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0008'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0009'")
    for table in reversed(NEW_SYNCED):
        op.execute(f"DROP TABLE {table}")
    op.drop_index(op.f('ix_contact_sheet_id'), table_name='contact')
    op.drop_column('contact', 'sheet_id')
