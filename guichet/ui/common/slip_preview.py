"""Draws a print layout (the same operations the ESC/POS renderer sends) on screen: what is shown is printed.

One printer dot is one pixel; font A of the printers is 12 × 24 dots, so a monospaced font of that cell
gives the printed line breaks exactly.
"""

from __future__ import annotations

import io

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from guichet.printing.layout import QR, Align, Cut, Feed, Image, Op, Paper, Rule, Text

CELL_W, CELL_H = 12, 24
MARGIN = 16


def _font(bold: bool) -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(20)
    font.setBold(bold)
    return font


def _qr_image(op: QR) -> QImage:
    import qrcode  # a dependency of python-escpos, as for the printed ticket

    code = qrcode.QRCode(box_size=op.size, border=1)
    code.add_data(op.data)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return QImage.fromData(buffer.getvalue())


def _x(align: Align, width: int, paper: Paper) -> int:
    if align == Align.CENTER:
        return (paper.dots - width) // 2
    if align == Align.RIGHT:
        return paper.dots - width
    return 0


def render_slip(ops: tuple[Op, ...] | list[Op], paper: Paper) -> QImage:
    """The paper strip as an image, paper.dots wide plus a margin."""
    images = {id(op): (QImage(str(op.path)) if isinstance(op, Image) else _qr_image(op)) for op in ops
              if isinstance(op, Image | QR)}  # fmt: skip
    for key, image in images.items():
        if image.width() > paper.dots:
            images[key] = image.scaledToWidth(paper.dots, Qt.TransformationMode.SmoothTransformation)

    def height_of(op: Op) -> int:
        if isinstance(op, Text):
            return CELL_H * op.height
        if isinstance(op, Image | QR):
            return images[id(op)].height() + 6
        if isinstance(op, Feed):
            return CELL_H * op.lines
        if isinstance(op, Rule):
            return CELL_H
        return 30  # Cut

    total = sum(height_of(op) for op in ops) + 2 * MARGIN
    strip = QImage(paper.dots + 2 * MARGIN, total, QImage.Format.Format_RGB32)
    strip.fill(QColor("#fffdf7"))
    painter = QPainter(strip)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setPen(QColor("#111111"))
    y = MARGIN
    for op in ops:
        h = height_of(op)
        if isinstance(op, Text):
            painter.save()
            font = _font(op.bold)
            painter.setFont(font)
            text_w = QFontMetrics(font).horizontalAdvance(op.text)
            sx = CELL_W * len(op.text) / max(1, text_w) * op.width  # one character = one printer cell
            painter.translate(MARGIN + _x(op.align, int(CELL_W * len(op.text) * op.width), paper), y)
            painter.scale(sx, op.height)
            painter.drawText(QRect(0, 0, max(1, text_w), CELL_H), Qt.AlignmentFlag.AlignVCenter, op.text)
            painter.restore()
        elif isinstance(op, Image | QR):
            image = images[id(op)]
            painter.drawImage(MARGIN + _x(op.align, image.width(), paper), y + 3, image)
        elif isinstance(op, Rule):
            painter.drawLine(MARGIN, y + CELL_H // 2, MARGIN + paper.dots, y + CELL_H // 2)
        elif isinstance(op, Cut):
            painter.setPen(QPen(QColor("#888888"), 1, Qt.PenStyle.DashLine))
            painter.drawLine(0, y + 15, strip.width(), y + 15)
            painter.setPen(QColor("#111111"))
        y += h
    painter.end()
    return strip


class SlipPreviewDialog(QDialog):
    """« Aperçu » of a job: the strip as it comes out of the printer."""

    def __init__(self, image: QImage, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.image = image
        label = QLabel()
        label.setObjectName("slip")
        from PySide6.QtGui import QPixmap

        label.setPixmap(QPixmap.fromImage(image))
        scroll = QScrollArea()
        scroll.setWidget(label)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(image.width() + 60, min(820, image.height() + 90))
