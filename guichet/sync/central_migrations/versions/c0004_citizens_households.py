"""site schema 0007 (citizens_households) — placeholder, filled in by its change

Revision ID: c0004
Revises: c0003

The central accepts site schemas 0007 (current) and 0006 (previous) from now on.
"""

from alembic import op


revision = 'c0004'
down_revision = 'c0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0007', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0006'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0005'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0005', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0006'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0007'")
