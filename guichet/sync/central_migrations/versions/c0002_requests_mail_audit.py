"""follow-up requests, the mail register, answers sent, letterheads, audit log (site schema 0005)

Revision ID: c0002
Revises: c0001

The tables of site migration 0005, with the change stamps, column privileges and row-level security of c0001.
Requests and everything around them belong to the commune (any of its sites may take a request over); the
audit log is the site's own. The central accepts site schemas 0005 (current) and 0004 (previous) from now on.
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0002'
down_revision = 'c0001'
branch_labels = None
depends_on = None

SITE_GROUP = 'guichet_site'
NEW_SYNCED = ('letterhead', 'request', 'request_event', 'mail_item', 'attachment', 'request_dispatch', 'audit_entry')
MY_SITE = "(SELECT sync_site())"
MY_COMMUNE = "(SELECT sync_commune())"
COMMUNE = f"commune_id = {MY_COMMUNE}"
OWN = f"commune_id = {MY_COMMUNE} AND site_id = {MY_SITE}"
# (table, read scope, write scope)
POLICIES = (
    ('letterhead', COMMUNE, COMMUNE),
    ('request', COMMUNE, COMMUNE),
    ('request_event', COMMUNE, OWN),
    ('mail_item', COMMUNE, COMMUNE),
    ('attachment', COMMUNE, OWN),
    ('request_dispatch', COMMUNE, COMMUNE),
    ('audit_entry', f"site_id = {MY_SITE}", OWN),
)


def upgrade() -> None:
    op.create_table('letterhead',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('service_line', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('website', sa.String(length=200), nullable=False),
    sa.Column('logo_png', sa.Text(), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('footer', sa.String(length=300), nullable=False),
    sa.Column('follow_up', sa.Text(), nullable=False),
    sa.Column('default_answer_days', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_letterhead_commune_id_commune')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letterhead')),
    sa.UniqueConstraint('commune_id', name=op.f('uq_letterhead_commune_id'))
    )
    op.create_table('audit_entry',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('agent_id', sa.Uuid(), nullable=True),
    sa.Column('login', sa.String(length=50), nullable=False),
    sa.Column('action', sa.Enum('connexion', 'connexion_refusee', 'deconnexion', 'verrouillage', 'deverrouillage', 'changement_agent', 'consultation_fiche', 'modification_fiche', 'creation_fiche', 'fusion_fiches', 'export_acces', 'effacement', 'anonymisation', 'compte_desactive', 'compte_reactive', 'mot_de_passe_change', name='auditaction', native_enum=False, length=30), nullable=False),
    sa.Column('subject_table', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_audit_entry_agent_id_agent')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_audit_entry_commune_id_commune')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_audit_entry_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_commune_at', ['commune_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_login_at', ['login', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_subject', ['subject_id', 'at'], unique=False)

    op.create_table('request',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('reference', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('accueil_physique', 'telephone', 'courrier', 'courriel', 'sms', 'web', name='channel', native_enum=False, length=30), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=True),
    sa.Column('theme_id', sa.Uuid(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('nouvelle', 'affectee', 'en_cours', 'attente_citoyen', 'repondue', 'cloturee', 'sans_suite', name='requeststatus', native_enum=False, length=30), nullable=False),
    sa.Column('is_open', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['agent.id'], name=op.f('fk_request_assignee_id_agent')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_request_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_request_commune_id_commune')),
    sa.ForeignKeyConstraint(['opened_by'], ['agent.id'], name=op.f('fk_request_opened_by_agent')),
    sa.ForeignKeyConstraint(['service_id'], ['municipal_service.id'], name=op.f('fk_request_service_id_municipal_service')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_request_site_id_site')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_request_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request')),
    sa.UniqueConstraint('reference', name=op.f('uq_request_reference')),
    sa.UniqueConstraint('site_id', 'year', 'seq', name=op.f('uq_request_site_id'))
    )
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.create_index('ix_request_assignee_open_due', ['assignee_id', 'is_open', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index('ix_request_commune_open_due', ['commune_id', 'is_open', 'due_on'], unique=False)
        batch_op.create_index('ix_request_commune_opened', ['commune_id', 'opened_at'], unique=False)
        batch_op.create_index('ix_request_contact_id', ['contact_id'], unique=False)
        batch_op.create_index('ix_request_service_open_due', ['service_id', 'is_open', 'due_on'], unique=False)
        batch_op.create_index('ix_request_theme_opened', ['theme_id', 'opened_at'], unique=False)

    op.create_table('mail_item',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('direction', sa.Enum('arrivee', 'depart', name='maildirection', native_enum=False, length=30), nullable=False),
    sa.Column('chrono', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('mail_date', sa.Date(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('registered_by', sa.Uuid(), nullable=False),
    sa.Column('mail_type', sa.Enum('simple', 'recommande', 'courriel', 'fax', 'depot', name='mailtype', native_enum=False, length=30), nullable=False),
    sa.Column('registered_number', sa.String(length=30), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=True),
    sa.Column('body_id', sa.Uuid(), nullable=True),
    sa.Column('correspondent', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=True),
    sa.Column('request_id', sa.Uuid(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['external_body.id'], name=op.f('fk_mail_item_body_id_external_body')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_mail_item_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_mail_item_commune_id_commune')),
    sa.ForeignKeyConstraint(['registered_by'], ['agent.id'], name=op.f('fk_mail_item_registered_by_agent')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_mail_item_request_id_request')),
    sa.ForeignKeyConstraint(['service_id'], ['municipal_service.id'], name=op.f('fk_mail_item_service_id_municipal_service')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_mail_item_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_item')),
    sa.UniqueConstraint('chrono', name=op.f('uq_mail_item_chrono')),
    sa.UniqueConstraint('site_id', 'direction', 'year', 'seq', name=op.f('uq_mail_item_site_id'))
    )
    with op.batch_alter_table('mail_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_item_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index('ix_mail_item_commune_date', ['commune_id', 'mail_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_item_request_id'), ['request_id'], unique=False)

    op.create_table('request_event',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('creee', 'changement_etat', 'reaffectee', 'commentaire', 'echeance_modifiee', 'courrier_rattache', 'courrier_edite', 'reponse_envoyee', 'envoi_echoue', name='requesteventkind', native_enum=False, length=30), nullable=False),
    sa.Column('from_status', sa.Enum('nouvelle', 'affectee', 'en_cours', 'attente_citoyen', 'repondue', 'cloturee', 'sans_suite', name='requeststatus', native_enum=False, length=30), nullable=True),
    sa.Column('to_status', sa.Enum('nouvelle', 'affectee', 'en_cours', 'attente_citoyen', 'repondue', 'cloturee', 'sans_suite', name='requeststatus', native_enum=False, length=30), nullable=True),
    sa.Column('service_id', sa.Uuid(), nullable=True),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_request_event_agent_id_agent')),
    sa.ForeignKeyConstraint(['assignee_id'], ['agent.id'], name=op.f('fk_request_event_assignee_id_agent')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_request_event_commune_id_commune')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_request_event_request_id_request')),
    sa.ForeignKeyConstraint(['service_id'], ['municipal_service.id'], name=op.f('fk_request_event_service_id_municipal_service')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_request_event_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_event'))
    )
    with op.batch_alter_table('request_event', schema=None) as batch_op:
        batch_op.create_index('ix_request_event_request_at', ['request_id', 'at'], unique=False)

    op.create_table('attachment',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('mail_item_id', sa.Uuid(), nullable=True),
    sa.Column('request_id', sa.Uuid(), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('mime_type', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_attachment_commune_id_commune')),
    sa.ForeignKeyConstraint(['mail_item_id'], ['mail_item.id'], name=op.f('fk_attachment_mail_item_id_mail_item')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_attachment_request_id_request')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_attachment_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_mail_item_id'), ['mail_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_request_id'), ['request_id'], unique=False)

    op.create_table('request_dispatch',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.Enum('courrier', 'courriel', 'sms', 'telephone', name='preferredchannel', native_enum=False, length=30), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('a_envoyer', 'envoye', 'echec', name='dispatchstatus', native_enum=False, length=30), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('mail_item_id', sa.Uuid(), nullable=True),
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_request_dispatch_agent_id_agent')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_request_dispatch_commune_id_commune')),
    sa.ForeignKeyConstraint(['mail_item_id'], ['mail_item.id'], name=op.f('fk_request_dispatch_mail_item_id_mail_item')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_request_dispatch_request_id_request')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_request_dispatch_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_dispatch'))
    )
    with op.batch_alter_table('request_dispatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_dispatch_request_id'), ['request_id'], unique=False)

    op.add_column('theme', sa.Column('answer_days', sa.Integer(), server_default='0', nullable=False))

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
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0005', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0004'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0003'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0003', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0004'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0005'")
    for table in reversed(NEW_SYNCED):
        op.execute(f"DROP TABLE {table}")
    op.drop_column('theme', 'answer_days')
