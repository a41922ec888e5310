"""Tables of the replication with the central database (see ``guichet.sync``).

The outbox is filled by SQLite triggers (migration 0004), never by Python code: every change of a synced
table lands there in the same transaction as the change itself. The other tables are the client's
bookkeeping (cursors, versions, quarantine) and the conflict log, which is itself a synced table.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guichet.models.base import Base, Entity


class SyncState(Base):
    """One row (id 1). ``applying`` is set inside the transaction that applies rows pulled from the central
    database, so the capture triggers leave them out of the outbox (no echo)."""

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    applying: Mapped[bool] = mapped_column(default=False, server_default="0")
    site_id: Mapped[uuid.UUID | None] = mapped_column(default=None)  # learnt from the central at the first round
    commune_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    next_batch: Mapped[int] = mapped_column(default=1, server_default="1")
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)


class SyncOutbox(Base):
    """A change waiting for the central database: the whole row as JSON, as the trigger saw it.

    ``batch_no`` is given when the row joins a batch and never changes until the central database has
    committed that batch, so a batch resent after a crash or a cut is the same batch, with the same key.
    For records merged field by field (citizens), ``base_json`` is the row before the change and
    ``base_version`` the central version the site had pulled.
    """

    __tablename__ = "sync_outbox"
    __table_args__ = (
        Index("ix_sync_outbox_batch_no", "batch_no", "seq"),
        Index("ix_sync_outbox_row", "table_name", "row_id"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(32))  # the id as SQLite stores it (32 hex digits)
    row_json: Mapped[str] = mapped_column(Text)
    base_json: Mapped[str | None] = mapped_column(Text, default=None)
    base_version: Mapped[int | None] = mapped_column(default=None)
    batch_no: Mapped[int | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")


class SyncQuarantine(Base):
    """Outbox rows the central database refused again and again, set aside so the rest can go on.

    Kept whole (nothing is lost) with the reason, until an administrator sends them again."""

    __tablename__ = "sync_quarantine"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # the outbox seq it had
    batch_no: Mapped[int]
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(32))
    row_json: Mapped[str] = mapped_column(Text)
    base_json: Mapped[str | None] = mapped_column(Text, default=None)
    base_version: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(Text)
    quarantined_at: Mapped[datetime]


class SyncCursor(Base):
    """Where the pull of one table stands: the last (transaction id, change number) applied."""

    __tablename__ = "sync_cursor"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    xid: Mapped[int] = mapped_column(BigInteger)
    cn: Mapped[int] = mapped_column(BigInteger)


class SyncRowVersion(Base):
    """The central version of a merged record (citizen) as last pulled: the base of the site's next edit."""

    __tablename__ = "sync_row_version"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int]


class SyncRefetch(Base):
    """Central rows to fetch again by id: pulled while the site had its own change of them pending, or that
    could not be applied yet. Nothing pulled is dropped: it waits here."""

    __tablename__ = "sync_refetch"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class SyncConflict(Entity, Base):
    """Two sites changed the same field of a record: the value kept (the later one in the central database's
    commit order) and the value set aside, for a supervisor to confirm or restore. Synced like any record."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_commune_resolved", "commune_id", "resolved_at"),)

    commune_id: Mapped[uuid.UUID]
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID] = mapped_column(index=True)
    field: Mapped[str] = mapped_column(String(40))
    base_value: Mapped[str | None] = mapped_column(Text)  # the value both sites started from
    kept_value: Mapped[str | None] = mapped_column(Text)
    lost_value: Mapped[str | None] = mapped_column(Text)
    kept_site_id: Mapped[uuid.UUID | None]
    lost_site_id: Mapped[uuid.UUID | None]
    base_version: Mapped[int | None]
    kept_version: Mapped[int]
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(default=None)  # agent id
    resolution: Mapped[str] = mapped_column(String(20), default="")  # "confirme" or "retabli"
