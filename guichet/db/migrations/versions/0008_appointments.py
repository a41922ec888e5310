"""appointments (issue 8): agendas of a site's services, the kinds of appointment, closures, appointments and
the messages that confirmed them; tickets carry the time of the appointment they were checked in for

Revision ID: 0008
Revises: 0007

Written by hand (checked against the models by tests/unit/test_migrations.py).
- Five new synced tables, commune-scoped and pulled by every site of the commune, written only by the agenda's
  site: each gets the capture triggers of 0004 (copied here: a migration must not change when a later one does).
- ticket gains appointment_at by ADD COLUMN (no rebuild); its capture triggers are installed again because
  its row has one more column now.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

NEW_SYNCED = ('appointment_agenda', 'appointment_kind', 'appointment_closure', 'appointment', 'appointment_notice')
_ACTIVE = "coalesce((SELECT applying FROM sync_state WHERE id = 1), 0) = 0"


def _columns(table: str) -> list[tuple[str, str]]:
    return [(row[1], row[2]) for row in op.get_bind().exec_driver_sql(f"PRAGMA table_info('{table}')")]


def _value(prefix: str, name: str, type_: str) -> str:
    if type_.upper() == "CHAR(32)":
        return f"iif(typeof({prefix}{name}) = 'blob', hex({prefix}{name}), {prefix}{name})"
    return f"{prefix}{name}"


def _json(prefix: str, columns: list[tuple[str, str]]) -> str:
    return "json_object(" + ", ".join(f"'{c}', {_value(prefix, c, t)}" for c, t in columns) + ")"


def install_triggers(table: str) -> None:
    """The capture triggers of 0004 for a table that is not merged field by field."""
    cols = _columns(table)
    for kind in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_capture_{table}_{kind}")
        op.execute(
            f"CREATE TRIGGER sync_capture_{table}_{kind} AFTER {kind.upper()} ON {table} WHEN {_ACTIVE} BEGIN "
            f"INSERT INTO sync_outbox (table_name, row_id, row_json, base_json, base_version) "
            f"VALUES ('{table}', new.id, {_json('new.', cols)}, NULL, NULL); END"
        )


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
    install_triggers('ticket')
    for table in NEW_SYNCED:
        install_triggers(table)


def downgrade() -> None:
    for table in NEW_SYNCED:
        for kind in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_capture_{table}_{kind}")
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('appointment_at')
    install_triggers('ticket')
    for table in reversed(NEW_SYNCED):
        op.drop_table(table)
