"""ESC/POS bytes from print operations, through python-escpos, in ONE code page per printer.

Code page
    python-escpos's ``MagicEncode`` picks a code page character by character and may switch tables in the
    middle of a ticket (``ESC t n``); a printer whose table numbers differ from the library's profile then
    prints the wrong letters. Here the code page is chosen once per printer (setting ``code_page``, default
    **CP858**: CP850, the Western European DOS page most ESC/POS printers carry, with the euro sign at 0xD5),
    selected once with ``ESC t n`` right after ``ESC @``, and every text is encoded by this module before it
    is written raw. The escpos object is built with ``MagicEncode`` disabled on that same code page, so even
    its own text (QR code spacing) cannot switch tables.

Characters
    Each of ``à â æ ç é è ê ë î ï ô ù û ü ÿ``, their capitals ``À Â Æ Ç É È Ê Ë Î Ï Ô Ù Û Ü``, ``« »``,
    ``€`` and ``°`` is printed as itself in CP858. What the chosen code page lacks is replaced by this
    readable fallback (CP858 lacks the first four; CP1252 has them all)::

        œ → oe     Œ → OE     Ÿ → Y      ’ ‘ ‚ → '     “ ” „ → "
        — – ‑ → -  … → ...    € → EUR    ─ → -         • → *
        æ → ae     Æ → AE     « » → "    Ł ł → L l     Đ đ → D d
        no-break, narrow and thin no-break spaces → space

    (A line that a fallback makes longer than the paper is wrapped again here, not cut by the printer.)
    Anything else the code page lacks loses its accent (``ř`` → ``r``) or, failing that, prints ``?``.
    Control characters in a text (an ESC typed in a subject) print as spaces: text never becomes a command.

Code pages offered (``ESC t`` numbers of Epson and most compatible printers): CP858 (19), CP850 (2),
CP1252 (16), ISO_8859-15 (40). Check with the test page (``guichet printer test``) that the printer's
table of that number is the one named: some clones number them differently.
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import qrcode
from escpos.capabilities import Profile
from escpos.printer import Dummy
from PIL import Image as PILImage

from guichet.printing.layout import QR, Align, Cut, Feed, Image, Op, Paper, Rule, Text, wrap

ESC, GS, DLE = b"\x1b", b"\x1d", b"\x10"
INIT = ESC + b"@"


@dataclass(frozen=True)
class CodePage:
    name: str  # as in the settings and python-escpos: "CP858"
    codec: str  # Python codec
    number: int  # ESC t n


CODE_PAGES: dict[str, CodePage] = {
    cp.name: cp
    for cp in (
        CodePage("CP858", "cp858", 19),
        CodePage("CP850", "cp850", 2),
        CodePage("CP1252", "cp1252", 16),
        CodePage("ISO_8859-15", "iso8859_15", 40),
    )
}
DEFAULT_CODE_PAGE = "CP858"

FALLBACKS: dict[str, str] = {
    "œ": "oe", "Œ": "OE", "Ÿ": "Y", "æ": "ae", "Æ": "AE", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d",
    "’": "'", "‘": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "—": "-", "–": "-", "‑": "-", "…": "...", "€": "EUR", "─": "-", "•": "*",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",
}  # fmt: skip


def code_page(name: str) -> CodePage:
    try:
        return CODE_PAGES[name.strip().upper()]
    except KeyError:
        known = ", ".join(CODE_PAGES)
        raise ValueError(f"Page de code inconnue : « {name} » (pages possibles : {known}).") from None


def _last_resort(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        out.append(base or "?")
    return "".join(out), error.end


codecs.register_error("guichet-print", _last_resort)


@lru_cache(maxsize=16)
def _translation(codec: str) -> dict[int, str]:
    """The fallbacks this code page needs, and control characters as spaces."""
    table: dict[int, str] = {c: " " for c in (*range(0x20), 0x7F)}
    for char, replacement in FALLBACKS.items():
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            table[ord(char)] = replacement
    return table


def encode_text(text: str, cp: CodePage | str = DEFAULT_CODE_PAGE) -> bytes:
    """Text as the printer's code page encodes it, with the documented fallbacks."""
    page = cp if isinstance(cp, CodePage) else code_page(cp)
    return text.translate(_translation(page.codec)).encode(page.codec, errors="guichet-print")


def printed_form(text: str, cp: CodePage | str = DEFAULT_CODE_PAGE) -> str:
    """What the paper shows for ``text`` (the encoded bytes read back)."""
    page = cp if isinstance(cp, CodePage) else code_page(cp)
    return encode_text(text, page).decode(page.codec)


@lru_cache(maxsize=4)
def _profile(paper: Paper) -> Profile:
    """The default profile, with this paper's width (so ``image()`` checks it) and both cuts."""
    profile = Profile(columns=paper.columns)
    data = copy.deepcopy(profile.profile_data)
    data["media"] = {"dpi": 203, "width": {"mm": paper.mm, "pixels": paper.dots}}
    data["features"].update(paperFullCut=True, paperPartCut=True, bitImageRaster=True, qrCode=True)
    profile.profile_data = data  # instance attributes: the library's shared class data stays untouched
    profile.features = data["features"]
    return profile


def _new_printer(paper: Paper, page: CodePage) -> Dummy:
    return Dummy(profile=_profile(paper), magic_encode_args={"disabled": True, "encoding": page.name})


def _placed(img: PILImage.Image, paper: Paper, align: Align) -> PILImage.Image:
    """1-bit, at most the paper's width, shifted right for centre/right alignment (printers differ on ESC a)."""
    img = img.convert("L")
    if img.width > paper.dots:
        img = img.resize((paper.dots, max(1, round(img.height * paper.dots / img.width))))
    left = {Align.LEFT: 0, Align.CENTER: (paper.dots - img.width) // 2, Align.RIGHT: paper.dots - img.width}[align]
    if left:
        canvas = PILImage.new("L", (left + img.width, img.height), 255)
        canvas.paste(img, (left, 0))
        img = canvas
    return img.convert("1")


@lru_cache(maxsize=64)
def _image_bytes(source: Path | tuple[str, int], mtime: float, paper: Paper, align: Align, page: CodePage) -> bytes:
    """Raster bytes of a file or of a QR code (cached: the logo is the same on every ticket)."""
    if isinstance(source, tuple):
        img = _qr_image(*source)
    else:
        with PILImage.open(source) as opened:
            img = opened.copy()
    printer = _new_printer(paper, page)
    printer.set(align="left")
    printer.image(_placed(img, paper, align), impl="bitImageRaster")
    return printer.output


def _qr_image(data: str, size: int) -> PILImage.Image:
    """A QR code as a 1-bit image, ``size`` dots a module, quiet zone of 2 modules.

    The mask pattern is fixed (any of the eight is valid and every reader decodes it): letting the qrcode
    library score all eight costs 4 ms of pure Python per ticket, as much as the rest of the layout ten times.
    """
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    side = len(matrix)
    rows = bytearray()
    for row in matrix:  # mode "1": one bit a pixel, 1 = white, rows padded to whole bytes
        bits = "".join("0" if dark else "1" for dark in row).ljust((side + 7) // 8 * 8, "1")
        rows += int(bits, 2).to_bytes(len(bits) // 8, "big")
    img = PILImage.frombytes("1", (side, side), bytes(rows))
    return img.resize((side * size, side * size), PILImage.Resampling.NEAREST)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def render(ops: Iterable[Op], paper: Paper, *, code_page_name: str = DEFAULT_CODE_PAGE,
           native_qr: bool = False) -> bytes:  # fmt: skip
    """The ESC/POS bytes of a slip: reset, one code page, the operations, in that order."""
    page = code_page(code_page_name)
    printer = _new_printer(paper, page)
    printer._raw(INIT + ESC + b"t" + bytes((page.number,)))
    printer.set(font="a", align="left", bold=False, normal_textsize=True)
    for op in ops:
        if isinstance(op, Text):
            _text(printer, op, page, paper)
        elif isinstance(op, Rule):
            _text(printer, Text(op.char * paper.columns), page, paper)
        elif isinstance(op, Feed):
            printer.print_and_feed(max(1, min(op.lines, 255)))
        elif isinstance(op, Image):
            with contextlib.suppress(OSError):  # a missing logo must not cost a ticket
                printer._raw(_image_bytes(op.path, _mtime(op.path), paper, op.align, page))
        elif isinstance(op, QR):
            if native_qr:
                printer.set(align=op.align.value)
                printer.qr(op.data, size=op.size, native=True)
                printer._raw(b"\n")
                printer.set(align="left")
            else:
                printer._raw(_image_bytes((op.data, op.size), 0.0, paper, op.align, page))
        elif isinstance(op, Cut):
            printer.cut(mode="PART" if op.partial else "FULL")
        else:  # pragma: no cover - the Op union is closed
            raise TypeError(f"unknown print operation {op!r}")
    return printer.output


def _text(printer: Dummy, op: Text, page: CodePage, paper: Paper) -> None:
    width, height = max(1, min(op.width, 8)), max(1, min(op.height, 8))
    if width == height == 1:
        printer.set(align=op.align.value, bold=op.bold, normal_textsize=True)
    else:
        printer.set(align=op.align.value, bold=op.bold, custom_size=True, width=width, height=height)
    encoded = encode_text(op.text, page)
    room = max(1, paper.columns // width)
    if len(encoded) > room:
        # A fallback made the line longer than the layout measured ("œ" → "oe"): wrap it here rather than
        # let the printer cut a word.
        lines = [line.encode(page.codec) for line in wrap(encoded.decode(page.codec), room)]
    else:
        lines = [encoded]
    printer._raw(b"".join(line + b"\n" for line in lines))


# -- reading ESC/POS back (tests, the emulator's previews) ---------------------------------------------------

# Commands followed by a fixed number of argument bytes.
_ESC_ARGS = {b"@": 0, b"2": 0, b"t": 1, b"!": 1, b"E": 1, b"a": 1, b"M": 1, b"-": 1, b"d": 1, b"3": 1, b"{": 1,
             b"G": 1, b"J": 1, b"p": 3}  # fmt: skip
_GS_ARGS = {b"!": 1, b"B": 1, b"b": 1, b"H": 1, b"h": 1, b"w": 1, b"f": 1, b"L": 2, b"W": 2}


@dataclass
class Decoded:
    """What a stream of ESC/POS bytes prints, roughly: its text, and counts of the rest."""

    text: str = ""
    code_pages: list[int] = field(default_factory=list)  # every ESC t n, in order
    images: int = 0
    qr_codes: int = 0  # native ones (GS ( k … print)
    cuts: int = 0
    status_queries: int = 0
    sizes: list[tuple[int, int]] = field(default_factory=list)  # every GS ! as (width, height)


def decode(data: bytes, codec: str | None = None) -> Decoded:
    """Strip the commands of ``data`` and decode its text; raises ValueError on a command it does not know.

    ``codec``: by default, that of the code page the stream selects (``ESC t n``), else CP858.
    """
    out = Decoded()
    text = bytearray()
    i, n = 0, len(data)

    def need(k: int) -> None:
        if i + k > n:
            raise ValueError(f"commande tronquée à l'octet {i}")

    while i < n:
        byte = data[i : i + 1]
        if byte == ESC:
            need(2)
            cmd = data[i + 1 : i + 2]
            if cmd not in _ESC_ARGS:
                raise ValueError(f"commande ESC {cmd!r} inconnue à l'octet {i}")
            need(2 + _ESC_ARGS[cmd])
            if cmd == b"t":
                out.code_pages.append(data[i + 2])
            i += 2 + _ESC_ARGS[cmd]
        elif byte == GS:
            need(2)
            cmd = data[i + 1 : i + 2]
            if cmd in _GS_ARGS:
                need(2 + _GS_ARGS[cmd])
                if cmd == b"!":
                    size = data[i + 2]
                    out.sizes.append(((size >> 4) + 1, (size & 0x0F) + 1))
                i += 2 + _GS_ARGS[cmd]
            elif cmd == b"V":
                need(3)
                m = data[i + 2]
                i += 4 if m in (65, 66, 97, 98, 103, 104) else 3
                out.cuts += 1
            elif cmd == b"v":  # GS v 0 m xL xH yL yH data
                need(8)
                width_bytes = data[i + 4] | data[i + 5] << 8
                height = data[i + 6] | data[i + 7] << 8
                i += 8 + width_bytes * height
                out.images += 1
            elif cmd == b"(":  # GS ( k / GS ( L …: fn pL pH then pL + 256 pH bytes
                need(5)
                length = data[i + 3] | data[i + 4] << 8
                if data[i + 2 : i + 3] == b"k" and data[i + 5 : i + 7] == b"1Q":
                    out.qr_codes += 1
                i += 5 + length
            else:
                raise ValueError(f"commande GS {cmd!r} inconnue à l'octet {i}")
        elif byte == DLE:
            need(3)
            out.status_queries += 1
            i += 3
        elif data[i] == 0x0A:
            text += b"\n"
            i += 1
        elif data[i] < 0x20:
            i += 1
        else:
            text.append(data[i])
            i += 1
    if codec is None:
        by_number = {cp.number: cp.codec for cp in CODE_PAGES.values()}
        codec = by_number.get(out.code_pages[0], "cp858") if out.code_pages else "cp858"
    out.text = text.decode(codec)
    return out
