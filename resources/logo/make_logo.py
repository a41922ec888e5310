"""Draws resources/logo/commune.png: a town-hall façade and the town's name, 1-bit, 384 dots wide.

Run again after changing it: ``.venv/bin/python resources/logo/make_logo.py``. 384 dots is the printable
width of 58 mm paper, so the same bitmap prints unscaled on 58 and 80 mm printers.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "DejaVuSans-Bold.ttf"
WIDTH, HEIGHT = 384, 150
NAME = "Ville de Vénissieux"


def draw() -> Image.Image:
    img = Image.new("1", (WIDTH, HEIGHT), 1)
    d = ImageDraw.Draw(img)
    cx = WIDTH // 2
    # Flag on its mast, above the pediment.
    d.line([(cx, 4), (cx, 26)], fill=0, width=2)
    d.polygon([(cx + 1, 4), (cx + 20, 9), (cx + 1, 14)], fill=0)
    # Pediment with a round clock.
    d.polygon([(cx - 70, 50), (cx, 24), (cx + 70, 50)], outline=0, fill=1, width=3)
    d.ellipse([(cx - 9, 32), (cx + 9, 48)], outline=0, width=2)
    d.line([(cx, 40), (cx, 35)], fill=0, width=2)
    d.line([(cx, 40), (cx + 4, 40)], fill=0, width=2)
    # Entablature, four columns, door, steps.
    d.rectangle([(cx - 74, 50), (cx + 74, 57)], fill=0)
    for x in (-60, -30, 22, 52):
        d.rectangle([(cx + x, 60), (cx + x + 8, 92)], fill=0)
        d.rectangle([(cx + x - 2, 58), (cx + x + 10, 61)], fill=0)
    d.rectangle([(cx - 9, 68), (cx + 9, 92)], outline=0, width=2)
    d.pieslice([(cx - 9, 62), (cx + 9, 76)], 180, 360, fill=0)
    d.rectangle([(cx - 78, 93), (cx + 78, 97)], fill=0)
    d.rectangle([(cx - 84, 99), (cx + 84, 103)], fill=0)
    # The town's name.
    font = ImageFont.truetype(str(FONT), 26)
    box = d.textbbox((0, 0), NAME, font=font)
    d.text(((WIDTH - (box[2] - box[0])) // 2 - box[0], 112), NAME, font=font, fill=0)
    return img


if __name__ == "__main__":
    draw().save(HERE / "commune.png", optimize=True)
