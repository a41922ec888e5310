"""agent_pin: the short unlock codes (PIN) of agents on this PC

Revision ID: 0006
Revises: 0005

Written by hand (checked against the models by tests/unit/test_migrations.py): one new local table, never
synced (no capture triggers, like print_job), no change to existing ones.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agent_pin',
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_agent_pin_agent_id_agent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_pin')),
    sa.UniqueConstraint('agent_id', name=op.f('uq_agent_pin_agent_id'))
    )


def downgrade() -> None:
    op.drop_table('agent_pin')
