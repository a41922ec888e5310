"""Logging: a rotating file in the platform's log directory, so the help desk can read what happened.

One file per program (``guichet.log`` for the desk and the commands, ``guichet-kiosk.log``,
``guichet-display.log``, ...): the kiosk and the call screen often run on the same PC as a desk, and two
processes rotating one file fail on Windows (the file is open in the other one) or scatter each other's lines.
The last warnings and errors of this process are also kept in memory for « Copier le diagnostic »: they are
there even when the log file cannot be written.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections import deque
from pathlib import Path

import platformdirs

from guichet.config import APP_NAME

MAX_BYTES = 2_000_000
BACKUPS = 5
FILE_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"
# Programs that get their own log file; every other command writes to guichet.log.
OWN_FILE = ("kiosk", "display", "sync", "hub", "rgpd", "stats")


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_file_name(program: str = "") -> str:
    """``guichet.log`` for the desk and the commands, ``guichet-kiosk.log`` for the kiosk, and so on."""
    return f"guichet-{program}.log" if program in OWN_FILE else "guichet.log"


class RecentRecords(logging.Handler):
    """The last warnings and errors of this process, formatted as in the file (traceback included)."""

    def __init__(self, capacity: int = 50) -> None:
        super().__init__(logging.WARNING)
        self.records: deque[str] = deque(maxlen=capacity)
        self.setFormatter(logging.Formatter(FILE_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.records.append(self.format(record))
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def recent_records() -> list[str]:
    """What the RecentRecords handler of the root logger holds (empty when logging was not set up)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, RecentRecords):
            return list(handler.records)
    return []


def setup_logging(*, verbose: bool = False, directory: Path | None = None, program: str = "") -> Path | None:
    """Log to the program's file (5 files of 2 MB) and warnings to stderr. Returns the log file, or None if unwritable.

    Called again (tests, a command calling another), it replaces the handlers it added rather than doubling them.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_guichet", False)]:
        root.removeHandler(old)
        old.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    recent = RecentRecords()
    # No console at all in the Windows program started by the shortcuts (guichetw.exe): stderr is None there.
    for handler in (console, recent) if sys.stderr is not None else (recent,):
        handler._guichet = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    target = (directory or log_dir()) / log_file_name(program)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger(__name__).warning("journal de fonctionnement impossible à écrire (%s) : %s", target, exc)
        return None
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    handler._guichet = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return target
