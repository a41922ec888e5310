"""sync capture: outbox filled by triggers, sync bookkeeping, conflict log

Revision ID: 0004
Revises: 0003

Every insert or update of a synced table writes the whole row (as JSON) to sync_outbox in the same
transaction, unless sync_state.applying is set (rows being applied from the central database: no echo).
Soft deletes are updates of deleted_at, so they are captured too. The rows that exist before this
revision are put in the outbox once, parents first, so an existing site sends its history at its first
sync. The triggers read the columns of each table as they are at this revision: a later migration that
rebuilds a synced table (batch_alter_table) must recreate its triggers (as install_triggers() does here)
(tests/unit/test_sync_capture.py checks every synced table has its triggers at head).
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Parents before children: the order of the backfill (and the order the central applies a batch in).
SYNCED_TABLES = (
    'commune', 'external_body', 'citizen', 'site', 'municipal_service', 'theme', 'agent', 'counter', 'queue',
    'site_queue_settings', 'counter_queue', 'counter_session', 'ticket', 'ticket_event', 'contact', 'sync_conflict',
)
# Records merged field by field by the central database: their outbox rows carry the row before the change.
MERGED_TABLES = ('citizen',)
_ACTIVE = "coalesce((SELECT applying FROM sync_state WHERE id = 1), 0) = 0"
# applying = 2: the sync applies a page of citizens and keeps the search index itself, in bulk (3x faster
# than row by row on a first load); the index triggers of 0001 stand aside for that transaction only.
_FTS_ACTIVE = "coalesce((SELECT applying FROM sync_state WHERE id = 1), 0) != 2"
_FTS_TRIGGERS = {
    "citizen_fts_ai": (
        "AFTER INSERT ON citizen",
        "INSERT INTO citizen_fts(rowid, search_text) VALUES (new.rowid, new.search_text);",
    ),
    "citizen_fts_au": (
        "AFTER UPDATE OF search_text ON citizen",
        "INSERT INTO citizen_fts(citizen_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); "
        "INSERT INTO citizen_fts(rowid, search_text) VALUES (new.rowid, new.search_text);",
    ),
}


def _columns(table: str) -> list[tuple[str, str]]:
    return [(row[1], row[2]) for row in op.get_bind().exec_driver_sql(f"PRAGMA table_info('{table}')")]


def _value(prefix: str, name: str, type_: str) -> str:
    # Ids are 32 hex digits; a BLOB there (raw SQL) would make json_object fail before the foreign key
    # check could say what is wrong, so it is written as hex.
    if type_.upper() == "CHAR(32)":
        return f"iif(typeof({prefix}{name}) = 'blob', hex({prefix}{name}), {prefix}{name})"
    return f"{prefix}{name}"


def _json(prefix: str, columns: list[tuple[str, str]]) -> str:
    return "json_object(" + ", ".join(f"'{c}', {_value(prefix, c, t)}" for c, t in columns) + ")"


def install_triggers(table: str) -> None:
    cols = _columns(table)
    merged = table in MERGED_TABLES
    version = (
        f"(SELECT version FROM sync_row_version WHERE table_name = '{table}' AND row_id = new.id)" if merged else "NULL"
    )
    for kind in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_capture_{table}_{kind}")
        base = _json("old.", cols) if merged and kind == "update" else "NULL"
        op.execute(
            f"CREATE TRIGGER sync_capture_{table}_{kind} AFTER {kind.upper()} ON {table} WHEN {_ACTIVE} BEGIN "
            f"INSERT INTO sync_outbox (table_name, row_id, row_json, base_json, base_version) "
            f"VALUES ('{table}', new.id, {_json('new.', cols)}, {base}, {version}); END"
        )


def upgrade() -> None:
    op.create_table('sync_conflict',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.Uuid(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('base_value', sa.Text(), nullable=True),
    sa.Column('kept_value', sa.Text(), nullable=True),
    sa.Column('lost_value', sa.Text(), nullable=True),
    sa.Column('kept_site_id', sa.Uuid(), nullable=True),
    sa.Column('lost_site_id', sa.Uuid(), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('kept_version', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.Uuid(), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflict'))
    )
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.create_index('ix_sync_conflict_commune_resolved', ['commune_id', 'resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_conflict_row_id'), ['row_id'], unique=False)

    op.create_table('sync_cursor',
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('xid', sa.BigInteger(), nullable=False),
    sa.Column('cn', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_sync_cursor'))
    )
    op.create_table('sync_outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=32), nullable=False),
    sa.Column('row_json', sa.Text(), nullable=False),
    sa.Column('base_json', sa.Text(), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('batch_no', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_sync_outbox')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_sync_outbox_batch_no', ['batch_no', 'seq'], unique=False)
        batch_op.create_index('ix_sync_outbox_row', ['table_name', 'row_id'], unique=False)

    op.create_table('sync_quarantine',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('batch_no', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=32), nullable=False),
    sa.Column('row_json', sa.Text(), nullable=False),
    sa.Column('base_json', sa.Text(), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('quarantined_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_sync_quarantine'))
    )
    op.create_table('sync_refetch',
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'row_id', name=op.f('pk_sync_refetch'))
    )
    op.create_table('sync_row_version',
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'row_id', name=op.f('pk_sync_row_version'))
    )
    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('applying', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=True),
    sa.Column('commune_id', sa.Uuid(), nullable=True),
    sa.Column('next_batch', sa.Integer(), server_default='1', nullable=False),
    sa.Column('last_success_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_sync_state_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state'))
    )
    op.execute("INSERT INTO sync_state (id, applying, next_batch) VALUES (1, 0, 1)")
    for name, (when, body) in _FTS_TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name}")
        op.execute(f"CREATE TRIGGER {name} {when} WHEN {_FTS_ACTIVE} BEGIN {body} END")

    for table in SYNCED_TABLES:
        install_triggers(table)
        # What the site held before capture existed goes to the central database too (parents first;
        # sub-themes after their theme).
        order = "parent_id IS NOT NULL, rowid" if table == "theme" else "rowid"
        op.execute(
            f"INSERT INTO sync_outbox (table_name, row_id, row_json) "
            f"SELECT '{table}', id, {_json('', _columns(table))} FROM {table} ORDER BY {order}"
        )


def downgrade() -> None:
    for table in SYNCED_TABLES:
        for kind in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_capture_{table}_{kind}")
    for name, (when, body) in _FTS_TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name}")
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    op.drop_table('sync_state')
    op.drop_table('sync_row_version')
    op.drop_table('sync_refetch')
    op.drop_table('sync_quarantine')
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_outbox_row')
        batch_op.drop_index('ix_sync_outbox_batch_no')

    op.drop_table('sync_outbox')
    op.drop_table('sync_cursor')
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_conflict_row_id'))
        batch_op.drop_index('ix_sync_conflict_commune_resolved')

    op.drop_table('sync_conflict')
