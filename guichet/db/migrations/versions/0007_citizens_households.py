"""citizens and households (issue 7): fuller citizen record, households and their members, consents, and a
vocabulary of the search words for typo-tolerant search

Revision ID: 0007
Revises: 0006

Written by hand (checked against the models by tests/unit/test_migrations.py).
- citizen gains birth_name, birth_date, phone2, anonymised_at and merged_into_id by ADD COLUMN (no rebuild,
  so the search index and its triggers stay); its capture triggers are installed again (merged table: with the
  row before the change) because the row has more columns now.
- household, household_member and citizen_consent are new synced tables (commune-scoped, pulled): each gets
  the capture triggers of 0004 (copied here: a migration must not change when a later one does).
- citizen_fts_word holds every alphabetic search word of 4 letters or more ever written to a citizen's
  search_text, and citizen_fts_wordkey each of those words with one letter deleted (a "deletion neighbourhood"):
  a mistyped word finds the words one edit away with a few index lookups. Triggers keep both up to date, for
  rows written by the desk and by the sync alike; words are never removed (a stale word finds nobody).
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NEW_SYNCED = ('household', 'household_member', 'citizen_consent')
MERGED_TABLES = ('citizen',)
_ACTIVE = "coalesce((SELECT applying FROM sync_state WHERE id = 1), 0) = 0"
NEW_CITIZEN_COLUMNS = ('birth_name', 'birth_date', 'phone2', 'anonymised_at', 'merged_into_id')
# The search words of a row as a JSON array (search_text is folded words [0-9a-z] separated by spaces; the
# CASE keeps a malformed value from failing the write: it then adds no word).
_WORDS = (
    "json_each(CASE WHEN json_valid('[\"' || replace({text}, ' ', '\",\"') || '\"]') "
    "THEN '[\"' || replace({text}, ' ', '\",\"') || '\"]' ELSE '[]' END)"
)
_WORD_FILTER = "length(value) >= 4 AND value NOT GLOB '*[0-9]*'"
_POSITIONS = "json_each('[" + ",".join(str(i) for i in range(1, 41)) + "]')"


def _columns(table: str) -> list[tuple[str, str]]:
    return [(row[1], row[2]) for row in op.get_bind().exec_driver_sql(f"PRAGMA table_info('{table}')")]


def _value(prefix: str, name: str, type_: str) -> str:
    if type_.upper() == "CHAR(32)":
        return f"iif(typeof({prefix}{name}) = 'blob', hex({prefix}{name}), {prefix}{name})"
    return f"{prefix}{name}"


def _json(prefix: str, columns: list[tuple[str, str]]) -> str:
    return "json_object(" + ", ".join(f"'{c}', {_value(prefix, c, t)}" for c, t in columns) + ")"


def install_triggers(table: str) -> None:
    """The capture triggers of 0004 (merged tables carry the row before the change and its version)."""
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


def _install_vocabulary() -> None:
    op.execute("CREATE TABLE citizen_fts_word (word TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID")
    op.execute(
        "CREATE TABLE citizen_fts_wordkey (key TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (key, word)) "
        "WITHOUT ROWID"
    )
    # A new word brings its deletion neighbourhood (an ignored duplicate word fires nothing).
    # Duplicates are filtered with NOT IN rather than INSERT OR IGNORE: the conflict policy of the statement
    # that fires a trigger overrides the trigger's own, and the sync writes citizens with an UPSERT (ABORT).
    op.execute(
        "CREATE TRIGGER citizen_fts_word_ai AFTER INSERT ON citizen_fts_word BEGIN "
        "INSERT INTO citizen_fts_wordkey (key, word) "
        f"SELECT DISTINCT substr(new.word, 1, value - 1) || substr(new.word, value + 1), new.word FROM {_POSITIONS} "
        "WHERE value <= length(new.word); END"
    )
    words = _WORDS.format(text="new.search_text")
    for name, when in (
        ("citizen_vocab_ai", "AFTER INSERT ON citizen"),
        ("citizen_vocab_au", "AFTER UPDATE OF search_text ON citizen"),
    ):
        op.execute(
            f"CREATE TRIGGER {name} {when} BEGIN "
            f"INSERT INTO citizen_fts_word (word) SELECT DISTINCT value FROM {words} WHERE {_WORD_FILTER} "
            f"AND value NOT IN (SELECT word FROM citizen_fts_word); END"
        )
    op.execute(
        "INSERT OR IGNORE INTO citizen_fts_word (word) SELECT DISTINCT value FROM citizen, "
        f"{_WORDS.format(text='citizen.search_text')} WHERE {_WORD_FILTER}"
    )


def upgrade() -> None:
    op.add_column('citizen', sa.Column('birth_name', sa.String(length=100), server_default='', nullable=False))
    op.add_column('citizen', sa.Column('birth_date', sa.Date(), nullable=True))
    op.add_column('citizen', sa.Column('phone2', sa.String(length=20), server_default='', nullable=False))
    op.add_column('citizen', sa.Column('anonymised_at', sa.DateTime(), nullable=True))
    op.add_column('citizen', sa.Column('merged_into_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_citizen_birth_date'), 'citizen', ['birth_date'], unique=False)
    op.create_index(op.f('ix_citizen_merged_into_id'), 'citizen', ['merged_into_id'], unique=False)

    op.create_table('household',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_household_commune_id_commune')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household'))
    )
    op.create_index(op.f('ix_household_commune_id'), 'household', ['commune_id'], unique=False)
    op.create_table('household_member',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.Enum('parent', 'conjoint', 'enfant', 'autre', name='householdrole', native_enum=False, length=30), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_household_member_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_household_member_commune_id_commune')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_household_member_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_member'))
    )
    op.create_index('ix_household_member_household', 'household_member', ['household_id', 'deleted_at'], unique=False)
    op.create_index(op.f('ix_household_member_citizen_id'), 'household_member', ['citizen_id'], unique=False)
    op.create_table('citizen_consent',
    sa.Column('commune_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('sms_notifications', 'courriel_notifications', 'donnees_partagees_services', name='consentkind', native_enum=False, length=30), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_citizen_consent_agent_id_agent')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_citizen_consent_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_citizen_consent_commune_id_commune')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_citizen_consent_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_consent'))
    )
    op.create_index(op.f('ix_citizen_consent_citizen_id'), 'citizen_consent', ['citizen_id'], unique=False)

    install_triggers('citizen')
    for table in NEW_SYNCED:
        install_triggers(table)
    _install_vocabulary()


def downgrade() -> None:
    for name in ('citizen_vocab_ai', 'citizen_vocab_au', 'citizen_fts_word_ai'):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS citizen_fts_wordkey")
    op.execute("DROP TABLE IF EXISTS citizen_fts_word")
    for table in NEW_SYNCED:
        for kind in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_capture_{table}_{kind}")
    op.drop_index(op.f('ix_citizen_consent_citizen_id'), table_name='citizen_consent')
    op.drop_table('citizen_consent')
    op.drop_index(op.f('ix_household_member_citizen_id'), table_name='household_member')
    op.drop_index('ix_household_member_household', table_name='household_member')
    op.drop_table('household_member')
    op.drop_index(op.f('ix_household_commune_id'), table_name='household')
    op.drop_table('household')
    for kind in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_capture_citizen_{kind}")
    op.drop_index(op.f('ix_citizen_merged_into_id'), table_name='citizen')
    op.drop_index(op.f('ix_citizen_birth_date'), table_name='citizen')
    for column in NEW_CITIZEN_COLUMNS:
        op.execute(f"ALTER TABLE citizen DROP COLUMN {column}")  # SQLite 3.35+: no rebuild
    install_triggers('citizen')
