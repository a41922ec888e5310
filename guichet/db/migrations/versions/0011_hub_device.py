"""hub_device: the PCs paired with the site's hub (guichet hub) and their tokens' hashes

Revision ID: 0011
Revises: 0010

Written by hand (checked against the models by tests/unit/test_migrations.py): one new local table, never
synced (no capture triggers, like print_job and agent_pin), no change to existing ones.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hub_device',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('pairing_hash', sa.String(length=200), nullable=True),
    sa.Column('pairing_expires_at', sa.DateTime(), nullable=True),
    sa.Column('token_hash', sa.String(length=200), nullable=True),
    sa.Column('paired_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('agent_ids', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_hub_device_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_device')),
    sa.UniqueConstraint('name', name=op.f('uq_hub_device_name'))
    )
    op.create_index(op.f('ix_hub_device_token_hash'), 'hub_device', ['token_hash'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_hub_device_token_hash'), table_name='hub_device')
    op.drop_table('hub_device')
