"""Draw the application icons from resources/icons/app/*.svg: PNG (Linux menus) and ICO (Windows shortcuts).

    python installer/make_icons.py OUT_DIR      ->  OUT_DIR/png/<name>.png (256 px), OUT_DIR/ico/<name>.ico

Nothing drawn is kept in the repository: the SVGs are the sources, the build scripts call this.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SOURCES = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(svg: Path, size: int) -> Image.Image:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"SVG illisible : {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    from io import BytesIO

    return Image.open(BytesIO(bytes(data))).convert("RGBA")


def main(out: Path) -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs it
    (out / "png").mkdir(parents=True, exist_ok=True)
    (out / "ico").mkdir(parents=True, exist_ok=True)
    svgs = sorted(SOURCES.glob("*.svg"))
    if not svgs:
        raise SystemExit(f"aucune icône dans {SOURCES}")
    for svg in svgs:
        images = {size: render(svg, size) for size in ICO_SIZES}
        images[256].save(out / "png" / f"{svg.stem}.png")
        largest = images[256]
        largest.save(
            out / "ico" / f"{svg.stem}.ico",
            format="ICO",
            sizes=[(s, s) for s in ICO_SIZES],
            append_images=[images[s] for s in ICO_SIZES if s != 256],
        )
    print(f"{len(svgs)} icône(s) dessinée(s) dans {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/icons")))
