"""initial schema

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('citizen',
    sa.Column('civility', sa.Enum('Mme', 'M.', '', name='civility', native_enum=False, length=5), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_names', sa.String(length=150), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('preferred_channel', sa.Enum('courrier', 'courriel', 'sms', 'telephone', name='preferredchannel', native_enum=False, length=30), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen'))
    )
    op.create_table('commune',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('insee', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune')),
    sa.UniqueConstraint('code', name=op.f('uq_commune_code'))
    )
    op.create_table('external_body',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('handles', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.String(length=200), nullable=False),
    sa.Column('website', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_body'))
    )
    op.create_table('municipal_service',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_municipal_service_commune_id_commune')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipal_service'))
    )
    with op.batch_alter_table('municipal_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipal_service_commune_id'), ['commune_id'], unique=False)

    op.create_table('site',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('principal', 'annexe', name='sitekind', native_enum=False, length=30), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('opening_hours', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_site_commune_id_commune')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site')),
    sa.UniqueConstraint('commune_id', 'code', name=op.f('uq_site_commune_id'))
    )
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_commune_id'), ['commune_id'], unique=False)

    op.create_table('agent',
    sa.Column('login', sa.String(length=50), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.Enum('agent', 'superviseur', 'administrateur', name='role', native_enum=False, length=30), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_agent_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent')),
    sa.UniqueConstraint('login', name=op.f('uq_agent_login'))
    )
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_site_id'), ['site_id'], unique=False)

    op.create_table('counter',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_counter_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter')),
    sa.UniqueConstraint('site_id', 'number', name=op.f('uq_counter_site_id'))
    )
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_site_id'), ['site_id'], unique=False)

    op.create_table('theme',
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('default_service_id', sa.Uuid(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['default_service_id'], ['municipal_service.id'], name=op.f('fk_theme_default_service_id_municipal_service')),
    sa.ForeignKeyConstraint(['parent_id'], ['theme.id'], name=op.f('fk_theme_parent_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
    sa.UniqueConstraint('code', name=op.f('uq_theme_code'))
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_parent_id'), ['parent_id'], unique=False)

    op.create_table('contact',
    sa.Column('channel', sa.Enum('accueil_physique', 'telephone', 'courrier', 'courriel', 'sms', 'web', name='channel', native_enum=False, length=30), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('duration_s', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=True),
    sa.Column('theme_id', sa.Uuid(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('reponse_immediate', 'orientation_service', 'orientation_externe', 'accompagnement_en_ligne', 'demande_ouverte', name='outcome', native_enum=False, length=30), nullable=False),
    sa.Column('oriented_service_id', sa.Uuid(), nullable=True),
    sa.Column('oriented_body_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_contact_agent_id_agent')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_contact_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['oriented_body_id'], ['external_body.id'], name=op.f('fk_contact_oriented_body_id_external_body')),
    sa.ForeignKeyConstraint(['oriented_service_id'], ['municipal_service.id'], name=op.f('fk_contact_oriented_service_id_municipal_service')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_contact_site_id_site')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_contact_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_agent_started', ['agent_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index('ix_contact_site_started', ['site_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_theme_id'), ['theme_id'], unique=False)



    # Citizen search: an external-content FTS5 index over citizen.search_text (folded in Python),
    # kept in step by triggers so that every write path (services, sync, repairs) updates it.
    # After a VACUUM (which may renumber rowids) run: INSERT INTO citizen_fts(citizen_fts) VALUES('rebuild').
    op.execute(
        "CREATE VIRTUAL TABLE citizen_fts USING fts5(search_text, content='citizen', content_rowid='rowid', "
        "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4')"
    )
    op.execute(
        "CREATE TRIGGER citizen_fts_ai AFTER INSERT ON citizen BEGIN "
        "INSERT INTO citizen_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER citizen_fts_ad AFTER DELETE ON citizen BEGIN "
        "INSERT INTO citizen_fts(citizen_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER citizen_fts_au AFTER UPDATE OF search_text ON citizen BEGIN "
        "INSERT INTO citizen_fts(citizen_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); "
        "INSERT INTO citizen_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END"
    )


def downgrade() -> None:
    for trigger in ("citizen_fts_ai", "citizen_fts_ad", "citizen_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS citizen_fts")

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_theme_id'))
        batch_op.drop_index('ix_contact_site_started')
        batch_op.drop_index(batch_op.f('ix_contact_citizen_id'))
        batch_op.drop_index('ix_contact_agent_started')

    op.drop_table('contact')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_parent_id'))

    op.drop_table('theme')
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_site_id'))

    op.drop_table('counter')
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_site_id'))

    op.drop_table('agent')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_commune_id'))

    op.drop_table('site')
    with op.batch_alter_table('municipal_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipal_service_commune_id'))

    op.drop_table('municipal_service')
    op.drop_table('external_body')
    op.drop_table('commune')
    op.drop_table('citizen')

