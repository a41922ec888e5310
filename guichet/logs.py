"""Logging: a rotating file in the platform's log directory, so the help desk can read what happened."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

from guichet.config import APP_NAME


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def setup_logging(*, verbose: bool = False, directory: Path | None = None) -> Path | None:
    """Log to guichet.log (5 files of 2 MB) and warnings to stderr. Returns the log file, or None if unwritable."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    target = (directory or log_dir()) / "guichet.log"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(target, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("journal de fonctionnement impossible à écrire (%s) : %s", target, exc)
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    return target
