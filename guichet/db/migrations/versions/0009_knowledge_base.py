"""knowledge base: answer sheets and their versions (issue 10), the sheet a contact used

Revision ID: 0009
Revises: 0008

Written by hand (checked against the models by tests/unit/test_migrations.py).
- answer_sheet and answer_sheet_version are new synced tables (pulled by every site of their scope: the commune's
  sheets and SITIV's); each gets the capture triggers of 0004 (copied here: a migration must not change when a
  later one does). Versioning is explained in guichet/models/knowledge.py.
- The versions are searched through an FTS5 index over their folded search_text (accents ignored by the
  folding and by the tokenizer), kept in step by triggers, for rows written by the desk and by the sync alike.
- contact gains sheet_id by ADD COLUMN (no rebuild); its capture triggers are installed again because the row
  has one more column now.
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

NEW_SYNCED = ('answer_sheet', 'answer_sheet_version')
_ACTIVE = "coalesce((SELECT applying FROM sync_state WHERE id = 1), 0) = 0"
FTS = ('answer_sheet_version',)


def _columns(table: str) -> list[tuple[str, str]]:
    return [(row[1], row[2]) for row in op.get_bind().exec_driver_sql(f"PRAGMA table_info('{table}')")]


def _value(prefix: str, name: str, type_: str) -> str:
    if type_.upper() == "CHAR(32)":
        return f"iif(typeof({prefix}{name}) = 'blob', hex({prefix}{name}), {prefix}{name})"
    return f"{prefix}{name}"


def _json(prefix: str, columns: list[tuple[str, str]]) -> str:
    return "json_object(" + ", ".join(f"'{c}', {_value(prefix, c, t)}" for c, t in columns) + ")"


def install_triggers(table: str) -> None:
    """The capture triggers of 0004 for a table that is not merged field by field."""
    cols = _columns(table)
    for kind in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_capture_{table}_{kind}")
        op.execute(
            f"CREATE TRIGGER sync_capture_{table}_{kind} AFTER {kind.upper()} ON {table} WHEN {_ACTIVE} BEGIN "
            f"INSERT INTO sync_outbox (table_name, row_id, row_json, base_json, base_version) "
            f"VALUES ('{table}', new.id, {_json('new.', cols)}, NULL, NULL); END"
        )


def _install_fts(table: str) -> None:
    fts = f"{table}_fts"
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='rowid', "
        f"tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.rowid, new.search_text); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.rowid, new.search_text); END"
    )


def upgrade() -> None:
    op.create_table('answer_sheet',
    sa.Column('commune_id', sa.Uuid(), nullable=True),
    sa.Column('theme_id', sa.Uuid(), nullable=False),
    sa.Column('owner', sa.String(length=150), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('current_version_id', sa.Uuid(), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_answer_sheet_commune_id_commune')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_answer_sheet_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_sheet'))
    )
    op.create_index(op.f('ix_answer_sheet_commune_id'), 'answer_sheet', ['commune_id'], unique=False)
    op.create_index(op.f('ix_answer_sheet_theme_id'), 'answer_sheet', ['theme_id'], unique=False)
    op.create_table('answer_sheet_version',
    sa.Column('commune_id', sa.Uuid(), nullable=True),
    sa.Column('sheet_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('brouillon', 'publiee', name='sheetstatus', native_enum=False, length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('in_charge', sa.String(length=200), nullable=False),
    sa.Column('where_when', sa.Text(), nullable=False),
    sa.Column('fees', sa.Text(), nullable=False),
    sa.Column('links', sa.Text(), nullable=False),
    sa.Column('keywords', sa.String(length=300), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=True),
    sa.Column('body_id', sa.Uuid(), nullable=True),
    sa.Column('author', sa.String(length=150), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=150), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['external_body.id'], name=op.f('fk_answer_sheet_version_body_id_external_body')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_answer_sheet_version_commune_id_commune')),
    sa.ForeignKeyConstraint(['service_id'], ['municipal_service.id'], name=op.f('fk_answer_sheet_version_service_id_municipal_service')),
    sa.ForeignKeyConstraint(['sheet_id'], ['answer_sheet.id'], name=op.f('fk_answer_sheet_version_sheet_id_answer_sheet')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_sheet_version'))
    )
    op.create_index('ix_answer_sheet_version_sheet', 'answer_sheet_version', ['sheet_id', 'status'], unique=False)
    op.add_column('contact', sa.Column('sheet_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_contact_sheet_id'), 'contact', ['sheet_id'], unique=False)

    for table in FTS:
        _install_fts(table)
    install_triggers('contact')
    for table in NEW_SYNCED:
        install_triggers(table)


def downgrade() -> None:
    for table in NEW_SYNCED:
        for kind in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_capture_{table}_{kind}")
    for table in FTS:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    op.drop_index(op.f('ix_contact_sheet_id'), table_name='contact')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('sheet_id')
    install_triggers('contact')
    op.drop_index('ix_answer_sheet_version_sheet', table_name='answer_sheet_version')
    op.drop_table('answer_sheet_version')
    op.drop_index(op.f('ix_answer_sheet_theme_id'), table_name='answer_sheet')
    op.drop_index(op.f('ix_answer_sheet_commune_id'), table_name='answer_sheet')
    op.drop_table('answer_sheet')
