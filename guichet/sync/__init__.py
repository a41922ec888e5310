"""SQLite <-> central PostgreSQL replication."""
