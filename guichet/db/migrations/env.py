"""Alembic environment: always run programmatically with a connection (see guichet.db.migrate)."""

from __future__ import annotations

from alembic import context

from guichet.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - guard for someone running the alembic CLI directly
    raise RuntimeError("Lancez les migrations avec « guichet db upgrade ».")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
