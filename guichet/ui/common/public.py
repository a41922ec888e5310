"""Pieces of the screens the public sees (kiosk, call screen): sizes that follow the screen, French wordings.

Public screens run on anything from a 1366×768 kiosk to a 1920×1080 television: fonts are given in
pixels for 1080 lines and scaled to the window, rather than fixed in the theme.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from guichet.paths import resources_dir
from guichet.services.clock import PARIS

REFERENCE_SIZE = (1920, 1080)

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def scale_for(width: int, height: int) -> float:
    """How much smaller (or larger) than a 1920×1080 screen a window is."""
    return min(width / REFERENCE_SIZE[0], height / REFERENCE_SIZE[1])


def set_px(widget: QWidget, px: float, *, bold: bool = False) -> None:
    font = QFont(widget.font())
    font.setPixelSize(max(8, round(px)))
    font.setBold(bold)
    widget.setFont(font)


class Scaler:
    """Fonts and sizes of a public window, in pixels at 1080 lines, applied to the window's real size."""

    def __init__(self) -> None:
        self._fonts: list[tuple[QWidget, float, bool]] = []
        self._heights: list[tuple[QWidget, float]] = []
        self.scale = 1.0

    def font(self, widget: QWidget, px: float, *, bold: bool = False) -> None:
        self._fonts.append((widget, px, bold))
        set_px(widget, px * self.scale, bold=bold)
        if isinstance(widget, FitLabel):
            widget.set_max_px(px * self.scale)

    def min_height(self, widget: QWidget, px: float) -> None:
        self._heights.append((widget, px))
        widget.setMinimumHeight(round(px * self.scale))

    def forget(self, widgets: set[QWidget]) -> None:
        self._fonts = [f for f in self._fonts if f[0] not in widgets]
        self._heights = [h for h in self._heights if h[0] not in widgets]

    def apply(self, width: int, height: int) -> float:
        self.scale = scale_for(width, height)
        for widget, px, bold in self._fonts:
            set_px(widget, px * self.scale, bold=bold)
            if isinstance(widget, FitLabel):
                widget.set_max_px(px * self.scale)
        for widget, px in self._heights:
            widget.setMinimumHeight(round(px * self.scale))
        return self.scale


class FitLabel(QLabel):
    """One line of very large text (a ticket number) that shrinks to fit its width instead of being clipped."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, max_px: float = 100, bold: bool = True):
        super().__init__(text, parent)
        self._max_px = max_px
        self._bold = bold
        # The text must never widen the layout: the layout gives a width, the font follows.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._fit()

    def set_max_px(self, px: float) -> None:
        self._max_px = px
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        font = QFont(self.font())
        font.setBold(self._bold)
        px = max(8, round(self._max_px))
        font.setPixelSize(px)
        available = self.contentsRect().width() - 2 * self.margin() - 4
        text = self.text()
        if text and available > 0:
            width = QFontMetrics(font).horizontalAdvance(text)
            if width > available:
                px = max(8, int(px * available / width))
                font.setPixelSize(px)
        if font != self.font():
            self.setFont(font)
        self.setMinimumHeight(QFontMetrics(font).height())


def date_text(when: datetime) -> str:
    """ "jeudi 12 mars 2026" (Paris time)."""
    local = when.astimezone(PARIS)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


def time_text(when: datetime) -> str:
    """ "10:42" (Paris time)."""
    return f"{when.astimezone(PARIS):%H:%M}"


def waiting_text(count: int) -> str:
    if count <= 0:
        return "Personne en attente"
    return "1 personne en attente" if count == 1 else f"{count} personnes en attente"


def ahead_text(count: int | None) -> str:
    if count is None or count <= 0:
        return "Personne avant vous"
    return "1 personne avant vous" if count == 1 else f"{count} personnes avant vous"


def duration_text(minutes: int) -> str:
    """ "5 min", "1 h", "1 h 20" (with no-break spaces)."""
    if minutes < 60:
        return f"{minutes}\u00a0min"  # no-break spaces: "1 h 08" never splits over two lines
    hours, rest = divmod(minutes, 60)
    return f"{hours}\u00a0h" if rest == 0 else f"{hours}\u00a0h\u00a0{rest:02d}"


def wait_short(minutes: int | None) -> str:
    """The estimated wait on a queue's button: "Environ 12 min d'attente" ("" without an estimate)."""
    if minutes is None:
        return ""
    if minutes <= 1:
        return "Attente très courte"
    return f"Environ {duration_text(minutes)} d'attente"


def wait_text(minutes: int | None) -> str:
    """The estimated wait as a citizen reads it ("" when there is no estimate: no counter open yet)."""
    if minutes is None:
        return ""
    if minutes <= 1:
        return "Attente très courte"
    return f"Attente estimée : environ {duration_text(minutes)}"


@cache
def _svg(name: str, color: str) -> QSvgRenderer | None:
    path = resources_dir() / "icons" / "queues" / f"{name}.svg"
    if not name or not path.exists():
        path = resources_dir() / "icons" / "queues" / "accueil.svg"
        if not path.exists():
            return None
    # The icons are drawn in currentColor: the screen chooses the colour.
    data = path.read_text(encoding="utf-8").replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    return renderer if renderer.isValid() else None


def icon_pixmap(name: str, size: int, color: str, ratio: float = 1.0) -> QPixmap:
    """A queue's icon (resources/icons/queues/<name>.svg) drawn in ``color``, ``size`` pixels square."""
    pixmap = QPixmap(max(1, round(size * ratio)), max(1, round(size * ratio)))
    pixmap.fill(Qt.GlobalColor.transparent)
    renderer = _svg(name, color)
    if renderer is not None:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, pixmap.width(), pixmap.height()))
        painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def public_stylesheet() -> str:
    """The high-contrast theme of the public screens (resources/themes/public.qss), set on their windows."""
    path = resources_dir() / "themes" / "public.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def public_header(
    site_name: str, scaler: Scaler, *, sizes: tuple[int, int, int], spacing: int
) -> tuple[QFrame, QLabel, QLabel, QLabel]:
    """The top band of the kiosk and the call screen: site name, date, time (point sizes at 1920 px wide)."""
    bar = QFrame()
    bar.setObjectName("publicHeader")
    site_label = QLabel(site_name)
    site_label.setObjectName("headerSite")
    date_label = QLabel()
    date_label.setObjectName("headerDate")
    time_label = QLabel()
    time_label.setObjectName("headerTime")
    layout = QHBoxLayout(bar)
    layout.setContentsMargins(36, 10, 36, 10)
    layout.addWidget(site_label, 1)
    layout.addWidget(date_label)
    layout.addSpacing(spacing)
    layout.addWidget(time_label)
    scaler.font(site_label, sizes[0], bold=True)
    scaler.font(date_label, sizes[1])
    scaler.font(time_label, sizes[2], bold=True)
    return bar, site_label, date_label, time_label
