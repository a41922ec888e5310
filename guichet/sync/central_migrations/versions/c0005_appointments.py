"""appointments (site schema 0008)

Revision ID: c0005
Revises: c0004

The tables of site migration 0008, with the change stamps, column privileges and row-level security of c0001,
and the ticket's new column (appointment_at), which sites may write like the others. Agendas, their kinds and
closures, appointments and their notices belong to the commune: every site of the commune reads them (a citizen
may ask any desk about their appointment); only the agenda's own site writes them, so that two sites never
hand out the same place of a slot (the rule is in guichet/services/appointments.py).

The central accepts site schemas 0008 (current) and 0007 (previous) from now on.
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0005'
down_revision = 'c0004'
branch_labels = None
depends_on = None

SITE_GROUP = 'guichet_site'
NEW_SYNCED = ('appointment_agenda', 'appointment_kind', 'appointment_closure', 'appointment', 'appointment_notice')
MY_SITE = "(SELECT sync_site())"
MY_COMMUNE = "(SELECT sync_commune())"
COMMUNE = f"commune_id = {MY_COMMUNE}"
OWN = f"commune_id = {MY_COMMUNE} AND site_id = {MY_SITE}"
# (table, read scope, write scope)
POLICIES = tuple((table, COMMUNE, OWN) for table in NEW_SYNCED)


def upgrade() -> None:
    op.create_table('appointment_agenda',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('queue_id', sa.Uuid(), nullable=True),
    sa.Column('opening_hours', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('early_min', sa.Integer(), nullable=False),
    sa.Column('late_min', sa.Integer(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_appointment_agenda_commune_id_commune')),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_appointment_agenda_queue_id_queue')),
    sa.ForeignKeyConstraint(['service_id'], ['municipal_service.id'], name=op.f('fk_appointment_agenda_service_id_municipal_service')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_appointment_agenda_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_agenda'))
    )
    op.create_index(op.f('ix_appointment_agenda_site_id'), 'appointment_agenda', ['site_id'], unique=False)
    op.create_table('appointment_closure',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('agenda_id', sa.Uuid(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agenda_id'], ['appointment_agenda.id'], name=op.f('fk_appointment_closure_agenda_id_appointment_agenda')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_appointment_closure_commune_id_commune')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_appointment_closure_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_closure'))
    )
    op.create_index(op.f('ix_appointment_closure_agenda_id'), 'appointment_closure', ['agenda_id'], unique=False)
    op.create_table('appointment_kind',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('agenda_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agenda_id'], ['appointment_agenda.id'], name=op.f('fk_appointment_kind_agenda_id_appointment_agenda')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_appointment_kind_commune_id_commune')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_appointment_kind_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_kind'))
    )
    op.create_index(op.f('ix_appointment_kind_agenda_id'), 'appointment_kind', ['agenda_id'], unique=False)
    op.create_table('appointment',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('agenda_id', sa.Uuid(), nullable=False),
    sa.Column('kind_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('reserve', 'arrive', 'absent', 'annule', name='appointmentstatus', native_enum=False, length=30), nullable=False),
    sa.Column('channel', sa.Enum('accueil_physique', 'telephone', 'courrier', 'courriel', 'sms', 'web', name='channel', native_enum=False, length=30), nullable=False),
    sa.Column('confirmation', sa.Enum('recu_imprime', 'courrier', 'courriel', 'sms', 'aucune', name='confirmationchannel', native_enum=False, length=30), nullable=False),
    sa.Column('booked_at', sa.DateTime(), nullable=False),
    sa.Column('booked_by', sa.Uuid(), nullable=False),
    sa.Column('moves', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('arrived_late', sa.Boolean(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('missed_at', sa.DateTime(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agenda_id'], ['appointment_agenda.id'], name=op.f('fk_appointment_agenda_id_appointment_agenda')),
    sa.ForeignKeyConstraint(['booked_by'], ['agent.id'], name=op.f('fk_appointment_booked_by_agent')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_appointment_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_appointment_commune_id_commune')),
    sa.ForeignKeyConstraint(['kind_id'], ['appointment_kind.id'], name=op.f('fk_appointment_kind_id_appointment_kind')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_appointment_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
    sa.UniqueConstraint('site_id', 'code', name=op.f('uq_appointment_site_id'))
    )
    op.create_index('ix_appointment_agenda_starts', 'appointment', ['agenda_id', 'starts_at'], unique=False)
    op.create_index(op.f('ix_appointment_citizen_id'), 'appointment', ['citizen_id'], unique=False)
    op.create_index('ix_appointment_kind_starts', 'appointment', ['kind_id', 'starts_at'], unique=False)
    op.create_index('ix_appointment_site_starts', 'appointment', ['site_id', 'starts_at'], unique=False)
    op.create_table('appointment_notice',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('appointment_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('confirmation', 'modification', 'annulation', name='noticekind', native_enum=False, length=30), nullable=False),
    sa.Column('channel', sa.Enum('courrier', 'courriel', 'sms', 'telephone', name='preferredchannel', native_enum=False, length=30), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('a_envoyer', 'envoye', 'echec', name='dispatchstatus', native_enum=False, length=30), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_appointment_notice_agent_id_agent')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_appointment_notice_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_appointment_notice_commune_id_commune')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_appointment_notice_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_notice'))
    )
    op.create_index(op.f('ix_appointment_notice_appointment_id'), 'appointment_notice', ['appointment_id'], unique=False)

    op.add_column('ticket', sa.Column('appointment_at', sa.DateTime(), nullable=True))
    op.execute(f"GRANT INSERT (appointment_at), UPDATE (appointment_at) ON ticket TO {SITE_GROUP}")

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

    op.execute("INSERT INTO sync_accepted_schema VALUES ('0008', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0007'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0006'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0006', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0007'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0008'")
    for table in reversed(NEW_SYNCED):
        op.execute(f"DROP TABLE {table}")
    op.drop_column('ticket', 'appointment_at')
