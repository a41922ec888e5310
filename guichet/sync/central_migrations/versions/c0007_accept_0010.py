"""accept site schema 0010 (stats_cache, a local table: nothing new on the central side)

Revision ID: c0007
Revises: c0006

The central accepts site schemas 0010 (current) and 0009 (previous) from now on.
"""

from alembic import op


revision = 'c0007'
down_revision = 'c0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0010', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0009'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0008'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0008', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0009'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0010'")
