"""Alembic environment of the central PostgreSQL schema: run programmatically (see guichet.sync.admin)."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - guard for someone running the alembic CLI directly
    raise RuntimeError("Lancez les migrations du serveur central avec « guichet central init --url ... ».")

context.configure(connection=connection, target_metadata=None, version_table="alembic_version")
with context.begin_transaction():
    context.run_migrations()
