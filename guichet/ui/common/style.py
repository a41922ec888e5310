"""Application-wide look: the bundled font (so no machine draws empty boxes), the theme, Qt's French strings."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from guichet.paths import resources_dir

log = logging.getLogger(__name__)


def apply_style(app: QApplication, *, font_size: int = 11, theme: str = "desk") -> None:
    loaded: set[str] = set()
    for ttf in sorted((resources_dir() / "fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(ttf))
        if font_id < 0:
            log.warning("police non chargée : %s", ttf)
        else:
            loaded.update(QFontDatabase.applicationFontFamilies(font_id))
    # The proportional face for the screens; the monospaced one is for drawing printer strips only.
    family = "DejaVu Sans" if "DejaVu Sans" in loaded or not loaded else sorted(loaded)[0]
    app.setFont(QFont(family, font_size))
    qss = resources_dir() / "themes" / f"{theme}.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    translator = QTranslator(app)
    if translator.load(
        QLocale(QLocale.Language.French), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(translator)
    else:
        log.warning("traductions françaises de Qt introuvables")


def set_error(widget, on: bool) -> None:  # noqa: ANN001
    """Mark a field in error (red border through the theme's [error="true"] rule)."""
    widget.setProperty("error", on)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def combo_enum(combo, enum_cls):  # noqa: ANN001, ANN201
    """The enum member behind a combo item: Qt hands a StrEnum back as a plain str."""
    value = combo.currentData()
    return None if value is None else enum_cls(value)
