"""queues, counters' queue configuration and sessions, tickets and their event log

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('site_queue_settings',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('max_wait_min', sa.Integer(), nullable=False),
    sa.Column('priority_burst', sa.Integer(), nullable=False),
    sa.Column('default_service_s', sa.Integer(), nullable=False),
    sa.Column('recall_cooldown_s', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_site_queue_settings_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_queue_settings')),
    sa.UniqueConstraint('site_id', name=op.f('uq_site_queue_settings_site_id'))
    )
    op.create_table('counter_session',
    sa.Column('counter_id', sa.Uuid(), nullable=False),
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_counter_session_agent_id_agent')),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_counter_session_counter_id_counter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_session'))
    )
    with op.batch_alter_table('counter_session', schema=None) as batch_op:
        batch_op.create_index('ix_counter_session_agent_closed', ['agent_id', 'closed_at'], unique=False)
        batch_op.create_index('ix_counter_session_counter_closed', ['counter_id', 'closed_at'], unique=False)

    op.create_table('queue',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('letter', sa.String(length=1), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('theme_id', sa.Uuid(), nullable=True),
    sa.Column('opening_hours', sa.Text(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('target_wait_min', sa.Integer(), nullable=False),
    sa.Column('icon', sa.String(length=50), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_queue_site_id_site')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_queue_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue')),
    sa.UniqueConstraint('site_id', 'letter', name=op.f('uq_queue_site_id'))
    )
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_site_id'), ['site_id'], unique=False)

    op.create_table('counter_queue',
    sa.Column('counter_id', sa.Uuid(), nullable=False),
    sa.Column('queue_id', sa.Uuid(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_counter_queue_counter_id_counter')),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_counter_queue_queue_id_queue')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_queue')),
    sa.UniqueConstraint('counter_id', 'queue_id', name=op.f('uq_counter_queue_counter_id'))
    )
    with op.batch_alter_table('counter_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_queue_queue_id'), ['queue_id'], unique=False)

    op.create_table('ticket',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('queue_id', sa.Uuid(), nullable=False),
    sa.Column('current_queue_id', sa.Uuid(), nullable=False),
    sa.Column('service_day', sa.Date(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('priority_reason', sa.Enum('pmr', 'grossesse', 'age', name='priorityreason', native_enum=False, length=30), nullable=True),
    sa.Column('status', sa.Enum('en_attente', 'appele', 'en_cours', 'mis_de_cote', 'termine', 'absent', 'annule', 'clos', name='ticketstatus', native_enum=False, length=30), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('called_at', sa.DateTime(), nullable=True),
    sa.Column('last_called_at', sa.DateTime(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('recall_count', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Uuid(), nullable=True),
    sa.Column('agent_id', sa.Uuid(), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_ticket_agent_id_agent')),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_ticket_counter_id_counter')),
    sa.ForeignKeyConstraint(['current_queue_id'], ['queue.id'], name=op.f('fk_ticket_current_queue_id_queue')),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_ticket_queue_id_queue')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_ticket_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('queue_id', 'service_day', 'seq', name=op.f('uq_ticket_queue_id'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_counter_status', ['counter_id', 'status'], unique=False)
        batch_op.create_index('ix_ticket_current_queue_status_finished', ['current_queue_id', 'status', 'finished_at'], unique=False)
        batch_op.create_index('ix_ticket_site_day_status', ['site_id', 'service_day', 'status'], unique=False)

    op.create_table('ticket_event',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('emis', 'appele', 'appele_par_numero', 'rappele', 'accueilli', 'mis_de_cote', 'repris', 'transfere', 'absent', 'termine', 'annule', 'clos', name='ticketeventkind', native_enum=False, length=30), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('queue_id', sa.Uuid(), nullable=False),
    sa.Column('from_queue_id', sa.Uuid(), nullable=True),
    sa.Column('counter_id', sa.Uuid(), nullable=True),
    sa.Column('agent_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_ticket_event_agent_id_agent')),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_ticket_event_counter_id_counter')),
    sa.ForeignKeyConstraint(['from_queue_id'], ['queue.id'], name=op.f('fk_ticket_event_from_queue_id_queue')),
    sa.ForeignKeyConstraint(['queue_id'], ['queue.id'], name=op.f('fk_ticket_event_queue_id_queue')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_ticket_event_site_id_site')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_event_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_event')),
    sa.UniqueConstraint('site_id', 'seq', name=op.f('uq_ticket_event_site_id'))
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_event_counter_at', ['counter_id', 'at'], unique=False)
        batch_op.create_index('ix_ticket_event_site_at', ['site_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_event_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contact_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contact_ticket_id_ticket'), 'ticket', ['ticket_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contact_ticket_id_ticket'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contact_ticket_id'))
        batch_op.drop_column('ticket_id')

    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_ticket_id'))
        batch_op.drop_index('ix_ticket_event_site_at')
        batch_op.drop_index('ix_ticket_event_counter_at')

    op.drop_table('ticket_event')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_site_day_status')
        batch_op.drop_index('ix_ticket_current_queue_status_finished')
        batch_op.drop_index('ix_ticket_counter_status')

    op.drop_table('ticket')
    with op.batch_alter_table('counter_queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_queue_queue_id'))

    op.drop_table('counter_queue')
    with op.batch_alter_table('queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_site_id'))

    op.drop_table('queue')
    with op.batch_alter_table('counter_session', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_session_counter_closed')
        batch_op.drop_index('ix_counter_session_agent_closed')

    op.drop_table('counter_session')
    op.drop_table('site_queue_settings')
