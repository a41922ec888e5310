"""The themes: every image they name exists, and every text of the public screens (kiosk, call screen) reaches a
contrast of 7:1 on its background (WCAG AAA), read rule by rule from public.qss."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guichet.paths import resources_dir

THEMES = resources_dir() / "themes"
AAA = 7.0
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}\b")


def _rules(text: str) -> list[tuple[str, dict[str, str]]]:
    """(one selector, its properties) for every selector of every rule, comments removed."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for selectors, body in _RULE.findall(text):
        props = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                props[name.strip()] = value.strip()
        out += [(" ".join(s.split()), props) for s in selectors.split(",") if s.strip()]
    return out


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _compound_key(compound: str) -> str:
    """« QFrame#currentCall[flash="true"] » → « #currentCall[flash="true"] »: rules name containers by their id."""
    return re.sub(r"^[A-Za-z]+", "", compound)


def _background(props: dict[str, str]) -> str | None:
    found = _COLOR.search(props.get("background", "") or props.get("background-color", ""))
    return found.group(0).lower() if found else None


def _text_pairs(text: str) -> list[tuple[str, str, str]]:
    """(selector, text colour, background colour) of every rule giving a text colour, the background being the
    rule's own or that of the nearest container a rule gives one to."""
    rules = _rules(text)
    backgrounds: dict[str, str] = {}
    for selector, props in rules:
        colour = _background(props)
        if colour:
            backgrounds.setdefault(_compound_key(selector.split(" ")[-1]), colour)
    pairs = []
    for selector, props in rules:
        found = _COLOR.search(props.get("color", ""))
        if not found or ":disabled" in selector:  # WCAG leaves disabled controls out
            continue
        background = _background(props)
        for compound in reversed(selector.split(" ")[:-1]):
            if background:
                break
            background = backgrounds.get(_compound_key(compound))
        pairs.append((selector, found.group(0).lower(), background or "#0b1d33"))
    return pairs


def test_the_contrast_arithmetic():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_every_text_of_the_public_screens_reaches_7_to_1():
    pairs = _text_pairs((THEMES / "public.qss").read_text(encoding="utf-8"))
    assert len(pairs) > 40  # the parser really read the theme
    # A text on a container's background is paired with it, not with the window's.
    assert ('#display QFrame#currentCall[flash="true"] QLabel#callNumber', "#0b1d33", "#ffd43b") in pairs
    low = [f"{sel}: {fg} sur {bg} = {contrast(fg, bg):.2f}" for sel, fg, bg in pairs if contrast(fg, bg) < AAA]
    assert not low, "\n".join(low)


@pytest.mark.parametrize("theme", sorted(p.name for p in THEMES.glob("*.qss")))
def test_every_image_a_theme_names_exists(theme):
    text = (THEMES / theme).read_text(encoding="utf-8")
    for url in re.findall(r'url\("?([^")]+)"?\)', text):
        path = Path(url.replace("@RESOURCES@", str(resources_dir())))
        assert path.is_file(), f"{theme} : image introuvable {url}"
