"""accept site schema 0011 (hub_device, a local table of the site's hub: nothing new on the central side)

Revision ID: c0008
Revises: c0007

The central accepts site schemas 0011 (current) and 0010 (previous) from now on.
"""

from alembic import op


revision = 'c0008'
down_revision = 'c0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0011', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0010'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0009'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0009', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0010'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0011'")
