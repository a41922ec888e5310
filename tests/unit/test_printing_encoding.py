"""ESC/POS rendering: one code page per printer, every French character printed as itself or its fallback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from guichet.paths import resources_dir
from guichet.printing.escpos_render import (
    CODE_PAGES,
    FALLBACKS,
    code_page,
    decode,
    encode_text,
    printed_form,
    render,
)
from guichet.printing.layout import (
    PAPER_58,
    PAPER_80,
    QR,
    Align,
    Cut,
    Feed,
    Image,
    PrinterTestSlip,
    Rule,
    Text,
    TicketSlip,
    printer_test_ops,
    ticket_ops,
)

LOGO = resources_dir() / "logo" / "commune.png"
FRENCH = "àâæçéèêëîïôœùûüÿÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸ«»’€"
# CP858 prints these as themselves...
CP858_NATIVE = "àâæçéèêëîïôùûüÿÀÂÆÇÉÈÊËÎÏÔÙÛÜ«»€°"
# ...and these through the documented fallback.
CP858_FALLBACK = {
    "œ": "oe",
    "Œ": "OE",
    "Ÿ": "Y",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "—": "-",
    "–": "-",
    "…": "...",
}


@pytest.mark.parametrize("char", list(CP858_NATIVE))
def test_cp858_prints_french_letters_as_themselves(char):
    encoded = encode_text(char, "CP858")
    assert len(encoded) == 1 and encoded[0] >= 0x80
    assert encoded.decode("cp858") == char


@pytest.mark.parametrize(("char", "fallback"), list(CP858_FALLBACK.items()))
def test_cp858_fallbacks_are_readable(char, fallback):
    assert printed_form(char, "CP858") == fallback
    assert FALLBACKS[char] == fallback  # the table the module's docstring shows


def test_cp1252_has_every_french_character():
    assert printed_form(FRENCH, "CP1252") == FRENCH


def test_euro_falls_back_where_the_code_page_lacks_it():
    assert printed_form("12,50 €", "CP850") == "12,50 EUR"
    assert printed_form("12,50 €", "CP858") == "12,50 €"


def test_other_letters_lose_their_accent_rather_than_print_garbage():
    assert printed_form("Łódź Dvořák", "CP858") == "Lódz Dvorák"
    assert printed_form("漢", "CP858") == "?"


def test_a_line_lengthened_by_fallbacks_is_wrapped_not_cut_by_the_printer():
    line = "œ" * 20 + " fin"  # 24 characters, 44 once printed as "oe"
    decoded = decode(render([Text(line)], PAPER_58))
    assert decoded.text.splitlines() == ["oe" * 16, "oe" * 4 + " fin"]


def test_control_characters_never_become_commands():
    assert encode_text("a\x1b@b\x1dV\x00c", "CP858") == b"a @b V c"


def test_unknown_code_page_is_refused_in_french():
    with pytest.raises(ValueError, match="Page de code inconnue"):
        code_page("CP999")


@pytest.mark.parametrize("name", list(CODE_PAGES))
def test_rendered_bytes_decode_to_every_french_character(name):
    page = CODE_PAGES[name]
    lines = [FRENCH, "Hôtel de ville — « Moulin-à-Vent »", "L’œuvre d’Ÿves coûte 12,50 €"]
    data = render([Text(line) for line in lines], PAPER_80, code_page_name=name)
    decoded = decode(data)
    # Exactly one code page, chosen once at the start: no switch in the middle of the ticket.
    assert decoded.code_pages == [page.number]
    assert data.startswith(b"\x1b@\x1bt" + bytes((page.number,)))
    expected = [printed_form(line, name) for line in lines]
    assert decoded.text.splitlines() == expected
    for char in FRENCH:  # each one printed as itself, or as its documented fallback
        assert char in decoded.text or FALLBACKS[char] in decoded.text


def test_a_whole_ticket_decodes_with_one_code_page_and_the_number_at_size_six():
    slip = TicketSlip(
        "Vénissieux", "Hôtel de ville", "État civil et titres d'identité", "A042",
        datetime(2026, 3, 10, 8, 3, tzinfo=UTC), 3, 12, priority=True, qr_payload="https://exemple.fr/A042",
        footer="Bonne journée à l’accueil — œuvres, « Cœur » 2 €",
    )  # fmt: skip
    for paper in (PAPER_58, PAPER_80):
        data = render(ticket_ops(slip, paper, logo=LOGO), paper)
        decoded = decode(data)
        assert decoded.code_pages == [19]
        assert decoded.images == 2  # logo and QR code
        assert decoded.cuts == 1
        assert (6, 6) in decoded.sizes
        text = decoded.text
        assert "\nA042\n" in text
        assert "État civil et titres d'identité" in text
        assert "à l'accueil - oeuvres, « Coeur » 2 €" in " ".join(text.split())
        for line in text.splitlines():
            assert len(line) <= paper.columns


def test_native_qr_codes_are_drawn_by_the_printer():
    data = render([QR("https://exemple.fr", size=5)], PAPER_80, native_qr=True)
    decoded = decode(data)
    assert decoded.qr_codes == 1 and decoded.images == 0
    assert decoded.code_pages == [19]  # python-escpos's own text around the code did not switch tables


def test_images_are_centred_within_the_paper_and_a_missing_one_is_skipped(tmp_path):
    data = render([Image(LOGO, Align.CENTER)], PAPER_80)
    # GS v 0: width in bytes, height; centred = the logo's 384 dots shifted right by (576 - 384) / 2.
    at = data.index(b"\x1dv0")
    width_bytes = data[at + 4] | data[at + 5] << 8
    assert width_bytes == (96 + 384 + 7) // 8
    assert decode(render([Image(tmp_path / "absent.png"), Text("suite")], PAPER_58)).text == "suite\n"


def test_rule_feed_and_cut():
    decoded = decode(render([Rule(), Feed(2), Text("x", Align.RIGHT, bold=True, width=2, height=3), Cut()], PAPER_58))
    assert decoded.text.splitlines()[0] == "─" * 32
    assert decoded.sizes == [(2, 3)]
    assert decoded.cuts == 1


def test_test_page_renders_and_names_its_code_page():
    slip = PrinterTestSlip("Vénissieux", "Hôtel de ville", "réseau 127.0.0.1:9100", "CP858", datetime.now(UTC))
    decoded = decode(render(printer_test_ops(slip, PAPER_58, logo=LOGO), PAPER_58))
    assert "Page de code : CP858" in decoded.text
    assert "à â æ ç é è ê ë î ï ô oe ù û ü ÿ" in decoded.text


def test_the_decoder_refuses_what_it_does_not_know():
    with pytest.raises(ValueError, match="inconnue"):
        decode(b"\x1bZ")
    with pytest.raises(ValueError, match="tronquée"):
        decode(b"\x1dv0\x00")


def test_qr_image_is_the_qrcode_librarys_own_code():
    import qrcode
    from PIL import ImageChops

    from guichet.printing.escpos_render import _qr_image

    data = "https://www.ville-venissieux.fr/attente?t=HDV-A00042"
    code = qrcode.QRCode(box_size=3, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    reference = code.make_image().get_image().convert("L")
    mine = _qr_image(data, 3).convert("L")
    assert mine.size == reference.size
    assert ImageChops.difference(mine, reference).getbbox() is None
