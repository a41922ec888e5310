"""Create or upgrade the local database at start; refuse one made by a newer Guichet."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseTooNewError(Exception):
    """The database carries a schema revision this version of Guichet does not know."""


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return tuple(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine) -> bool:
    """Bring the schema to head. Returns True when something was applied."""
    cfg = _config()
    script = ScriptDirectory.from_config(cfg)
    current = current_revisions(engine)
    for rev in current:
        try:
            script.get_revision(rev)
        except CommandError:
            raise DatabaseTooNewError(
                f"Cette base de données a été créée ou mise à jour par une version plus récente de Guichet "
                f"(révision {rev}). Elle n'a pas été modifiée. Installez la dernière version de Guichet "
                f"ou contactez l'assistance du SITIV."
            ) from None
    if current == (script.get_current_head(),):
        return False
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
