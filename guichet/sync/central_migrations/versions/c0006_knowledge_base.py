"""site schema 0009 (knowledge base) — placeholder, filled in by its change

Revision ID: c0006
Revises: c0005

The central accepts site schemas 0009 (current) and 0008 (previous) from now on.
"""

from alembic import op


revision = 'c0006'
down_revision = 'c0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0009', 'actuelle')")
    op.execute("UPDATE sync_accepted_schema SET note = 'précédente' WHERE revision = '0008'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0007'")


def downgrade() -> None:
    op.execute("INSERT INTO sync_accepted_schema VALUES ('0007', 'précédente') ON CONFLICT DO NOTHING")
    op.execute("UPDATE sync_accepted_schema SET note = 'actuelle' WHERE revision = '0008'")
    op.execute("DELETE FROM sync_accepted_schema WHERE revision = '0009'")
