"""Application-wide look: the bundled font (so no machine draws empty boxes), the theme, the icon, Qt's French strings.

Translations: every string a person reads is written in French in the code (French is the source language, there
is nothing to translate); only Qt's own strings (standard buttons, file and print dialogs, the wizard's
« Suivant »…) come from Qt's ``qtbase_fr.qm``, loaded here once per application.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from guichet.paths import resources_dir

log = logging.getLogger(__name__)

THEMES = ("desk", "public")  # resources/themes/<theme>.qss: the desk's, the high-contrast one of kiosk and call screen
_TRANSLATOR = "guichet-qtbase-fr"


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
        # Images of the theme (arrows) are named from the resources folder, wherever the application is installed.
        text = qss.read_text(encoding="utf-8").replace("@RESOURCES@", resources_dir().as_posix())
        app.setStyleSheet(text)
    else:
        log.warning("thème introuvable : %s", qss)
    icon = resources_dir() / "icons" / "app" / "guichet.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    install_qt_translations(app)


def install_qt_translations(app: QApplication) -> bool:
    """Qt's French strings (« Annuler », « &Oui », « Suivant > »): installed once, whatever the number of calls."""
    if app.findChild(QTranslator, _TRANSLATOR) is not None:
        return True
    translator = QTranslator(app)
    translator.setObjectName(_TRANSLATOR)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.French), "qtbase", "_", folder):
        app.installTranslator(translator)
        return True
    translator.deleteLater()
    log.warning("traductions françaises de Qt introuvables dans %s : boutons des dialogues en anglais", folder)
    return False


def set_error(widget, on: bool) -> None:  # noqa: ANN001
    """Mark a field in error (red border through the theme's [error="true"] rule)."""
    widget.setProperty("error", on)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def combo_enum(combo, enum_cls):  # noqa: ANN001, ANN201
    """The enum member behind a combo item: Qt hands a StrEnum back as a plain str."""
    value = combo.currentData()
    return None if value is None else enum_cls(value)
