"""stats_cache: the statistics of closed months kept on disk, so a new session does not compute them again

Revision ID: 0010
Revises: 0009

One local table (derived data, never synced, like print_job): no capture triggers, no change elsewhere.
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stats_cache',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stats_cache'))
    )


def downgrade() -> None:
    op.drop_table('stats_cache')
