"""Engine, unit of work and schema migrations of the local SQLite database."""

from guichet.db.engine import Database, make_engine

__all__ = ["Database", "make_engine"]
