"""site schema 0008 (appointments) — placeholder, filled in by its change

Revision ID: c0005
Revises: c0004

The central accepts site schemas 0008 (current) and 0007 (previous) from now on.
"""

from alembic import op


revision = 'c0005'
down_revision = 'c0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0008', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0007'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0006'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0006', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0007'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0008'")
