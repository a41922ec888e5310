"""What only Qt can tell about this PC, for the diagnostic (guichet.diagnostic has no Qt)."""

from __future__ import annotations

from pathlib import Path

import PySide6
from PySide6.QtCore import QLibraryInfo, qVersion
from PySide6.QtGui import QGuiApplication


def qt_facts() -> dict[str, str]:
    """Qt's and PySide6's versions, where Qt's French strings come from, and the screen when there is one."""
    translations = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    french = "présentes" if (translations / "qtbase_fr.qm").exists() else "ABSENTES (boutons des dialogues en anglais)"
    facts = {
        "Qt": f"{qVersion()} — PySide6 {PySide6.__version__}",
        "Traductions de Qt": f"{french} ({translations})",
    }
    app = QGuiApplication.instance()
    if app is not None:
        screen = QGuiApplication.primaryScreen()
        size = screen.size() if screen is not None else None
        shown = f", écran {size.width()}×{size.height()} à {screen.devicePixelRatio():g}×" if size is not None else ""
        facts["Affichage"] = f"plateforme Qt « {QGuiApplication.platformName()} »{shown}"
    return facts
