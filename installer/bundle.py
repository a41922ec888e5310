"""What the Guichet bundle holds and which programs it starts: read by guichet.spec (PyInstaller), the packaging
scripts and tests/unit/test_installer.py, so that the three never disagree.

Plain Python, no PyInstaller import: the tests read it without building anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (source relative to the checkout, folder inside the bundle). guichet/paths.py finds resources/ under
# sys._MEIPASS; guichet/db/migrate.py and guichet/sync/admin.py find their Alembic folders next to their module.
DATAS: tuple[tuple[str, str], ...] = (
    ("resources", "resources"),
    ("guichet/db/migrations", "guichet/db/migrations"),
    ("guichet/sync/central_migrations", "guichet/sync/central_migrations"),
)
# Files of those folders that stay out: the scripts that drew the logo and the chime, caches.
DATA_EXCLUDES: tuple[str, ...] = ("*.pyc", "__pycache__", "make_*.py")

# Imported by files PyInstaller does not read (the migrations are data, loaded by Alembic at run time) or
# by name at run time.
HIDDEN_IMPORTS: tuple[str, ...] = (
    "alembic.runtime.migration",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg_binary",
    "keyring.backends.SecretService",
    "keyring.backends.Windows",
    "keyring.backends.macOS",
    "keyring.backends.kwallet",
    "keyring.backends.chainer",
    "keyring.backends.fail",
    "keyring.backends.null",
)
# Python packages with data files read at run time (python-escpos: its printer capabilities; tzdata: the time
# zones on Windows, which has no system database of them).
COLLECT_DATA: tuple[str, ...] = ("escpos", "tzdata")

# Never in the bundle: the test tools of the checkout's venv, and Qt modules Guichet does not use (WebEngine
# alone weighs 200 MB).
EXCLUDES: tuple[str, ...] = (
    "tkinter",
    "pytest",
    "pytest_qt",
    "hypothesis",
    "pypdf",
    "aiosmtpd",
    "ruff",
    "PyInstaller",
    "keyrings.alt",
    "tests",
    "bench",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.QtWebView",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.QtQuick3D",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtHelp",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtLocation",
    "PySide6.QtBluetooth",
    "PySide6.QtNfc",
    "PySide6.QtSensors",
    "PySide6.QtSerialBus",
    "PySide6.QtDataVisualization",
    "PySide6.QtGraphs",
    "PySide6.QtTest",
)

# Qt platform plugins kept (the others are dropped from the bundle): a real screen, and "offscreen" for the
# smoke test and headless starts. On Linux Wayland desktops Qt runs through XWayland (xcb).
QT_PLATFORMS: dict[str, tuple[str, ...]] = {
    "linux": ("xcb", "offscreen", "minimal"),
    "win32": ("windows", "offscreen", "minimal"),
}
# Qt plugin folders kept, the rest is dropped (the Qt hooks of PyInstaller collect generously).
QT_PLUGIN_DIRS: tuple[str, ...] = (
    "platforms",
    "platformthemes",
    "platforminputcontexts",
    "imageformats",
    "iconengines",
    "xcbglintegrations",
    "styles",
    "printsupport",
    "multimedia",
    "texttospeech",
    "tls",
    "networkinformation",
    "generic",
)
# Qt plugins dropped by name: the virtual keyboard (it needs QtQuick and QtQml; the kiosk has its own keypad),
# the speech engine that only says "mock".
QT_PLUGINS_DROPPED: tuple[str, ...] = ("qtvirtualkeyboard", "texttospeech_mock")
# Qt's own translations kept: French only (qtbase_fr.qm makes the standard buttons and dialogs French).
QT_TRANSLATIONS_KEPT = "_fr.qm"


@dataclass(frozen=True)
class Entry:
    """A program of the bundle as the town hall's PCs show it: a Start-menu shortcut, a Linux .desktop file."""

    command: str  # the `guichet` subcommand
    title: str  # shortcut name (French)
    desktop_file: str  # installer/linux/<desktop_file>
    icon: str  # resources/icons/app/<icon>.svg
    comment: str


ENTRIES: tuple[Entry, ...] = (
    Entry("desk", "Guichet — poste d'accueil", "fr.sitiv.guichet.desk.desktop", "guichet",
          "Accueil des usagers, file d'attente, demandes et courrier"),
    Entry("kiosk", "Guichet — borne", "fr.sitiv.guichet.kiosk.desktop", "guichet-borne",
          "Borne de tickets de la file d'attente, en plein écran"),
    Entry("display", "Guichet — écran d'appel", "fr.sitiv.guichet.display.desktop", "guichet-ecran",
          "Écran d'appel des tickets, en plein écran"),
    Entry("setup", "Guichet — assistant de configuration", "fr.sitiv.guichet.setup.desktop", "guichet-reglages",
          "Site, guichet, imprimante et serveur central de ce poste"),
)  # fmt: skip

# The executables: `guichet` on every system (console: the commands, the scheduled tasks); on Windows also
# `guichetw`, without a console window, which the Start-menu shortcuts start.
CONSOLE_NAME = "guichet"
WINDOWED_NAME = "guichetw"


def version() -> str:
    """Guichet's version, read from the package without importing it."""
    for line in (ROOT / "guichet" / "__init__.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise RuntimeError("__version__ introuvable dans guichet/__init__.py")
