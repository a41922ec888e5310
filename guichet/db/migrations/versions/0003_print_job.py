"""print jobs: tickets, receipts and test pages waiting for (or sent to) a thermal printer

Revision ID: 0003
Revises: 0002

Written by hand (checked against the models by tests/unit/test_migrations.py): one new table, no change to
existing ones, so a 0002 database upgrades in place and keeps every ticket.
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('print_job',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('ticket', 'recepisse', 'test', name='printjobkind', native_enum=False, length=30), nullable=False),
    sa.Column('printer_key', sa.String(length=50), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('en_attente', 'en_cours', 'imprime', 'echec', 'annule', name='printjobstatus', native_enum=False, length=30), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('printed_at', sa.DateTime(), nullable=True),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_print_job_contact_id_contact')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_print_job_site_id_site')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_print_job_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_job'))
    )
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.create_index('ix_print_job_printer_status', ['printer_key', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_print_job_site_status', ['site_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_job_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_job_contact_id'), ['contact_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_job_contact_id'))
        batch_op.drop_index(batch_op.f('ix_print_job_ticket_id'))
        batch_op.drop_index('ix_print_job_site_status')
        batch_op.drop_index('ix_print_job_printer_status')

    op.drop_table('print_job')
