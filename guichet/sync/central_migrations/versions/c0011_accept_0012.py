"""accept site schema 0012 (two local indexes for the statistics: nothing new on the central side)

Revision ID: c0011
Revises: c0010

The central accepts site schemas 0012 (current) and 0011 (previous) from now on.
"""

from alembic import op


revision = 'c0011'
down_revision = 'c0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0012', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0011'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0010'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0010', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0011'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0012'")
