"""accept site schema 0006 (agent_pin, a local table: nothing new on the central side)

Revision ID: c0003
Revises: c0002

Site migration 0006 only adds a table that is never synced, so the central schema does not change: it accepts
site schemas 0006 (current) and 0005 (previous) from now on.
"""

from alembic import op


revision = 'c0003'
down_revision = 'c0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0006', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0005'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0004'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0004', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0005'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0006'")
