"""Layout of tickets, receipts and the test page: pure functions, checked on 58 and 80 mm paper."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guichet.paths import resources_dir
from guichet.printing.layout import (
    PAPER_58,
    PAPER_80,
    QR,
    Cut,
    Image,
    Paper,
    PrinterTestSlip,
    ReceiptSlip,
    Rule,
    Text,
    TicketSlip,
    french_date,
    french_datetime,
    number_magnification,
    paper_for,
    printer_test_ops,
    receipt_ops,
    ruler,
    ticket_ops,
    wait_text,
)

LOGO = resources_dir() / "logo" / "commune.png"
AT = datetime(2026, 3, 10, 8, 3, tzinfo=UTC)  # 9 h 03 in Paris
PAPERS = pytest.mark.parametrize("paper", [PAPER_58, PAPER_80], ids=["58mm", "80mm"])


def ticket(**changes: object) -> TicketSlip:
    values: dict[str, object] = dict(
        commune_name="Vénissieux", site_name="Hôtel de ville", queue_name="État civil et titres d'identité",
        number="A042", issued_at=AT, people_ahead=3, estimated_wait_min=12,
    )  # fmt: skip
    values.update(changes)
    return TicketSlip(**values)  # type: ignore[arg-type]


def receipt(**changes: object) -> ReceiptSlip:
    values: dict[str, object] = dict(
        commune_name="Vénissieux", site_name="Hôtel de ville", reference="VEN-HDV-C3F9A21BC",
        channel="Téléphone", theme="Scolaire / périscolaire — Annulation de repas", at=AT,
        next_steps="Votre demande est transmise au service « Restauration scolaire ». 2e étage, tél. 04 72 21 44 44.",
        due=date(2026, 3, 24), site_footer="Hôtel de ville — 5 avenue Marcel-Houël — Tél. 04 72 21 44 44",
    )  # fmt: skip
    values.update(changes)
    return ReceiptSlip(**values)  # type: ignore[arg-type]


def texts(ops: tuple) -> list[Text]:
    return [op for op in ops if isinstance(op, Text)]


def flat(text: str) -> str:
    """Words separated by single spaces: what was printed, whatever the wrapping."""
    return " ".join(text.split())


def printed_words(ops: tuple) -> str:
    return flat(" ".join(op.text for op in texts(ops)))


def assert_fits(ops: tuple, paper: Paper) -> None:
    for op in texts(ops):
        assert op.columns_used <= paper.columns, f"{op.text!r} × {op.width} > {paper.columns} colonnes"
        assert "\n" not in op.text


@PAPERS
def test_ticket_fits_the_paper_with_a_very_large_number(paper):
    ops = ticket_ops(
        ticket(qr_payload="https://www.ville-venissieux.fr/attente", footer="Merci de votre visite"), paper
    )
    assert_fits(ops, paper)
    big = [op for op in texts(ops) if op.text == "A042"]
    assert len(big) == 1
    assert big[0].width >= 4 and big[0].height >= 4 and big[0].bold
    assert [op for op in ops if isinstance(op, QR)] == [QR("https://www.ville-venissieux.fr/attente", op_size(ops))]
    assert isinstance(ops[-1], Cut)
    printed = "\n".join(op.text for op in texts(ops))
    assert "3 personnes avant vous" in printed
    assert "Attente estimée : 12\u00a0min environ" in printed
    assert "Le 10/03/2026 à\u00a09\u00a0h\u00a003" in printed
    assert "Merci de votre visite" in printed


def op_size(ops: tuple) -> int:
    return next(op.size for op in ops if isinstance(op, QR))


@PAPERS
def test_no_qr_code_unless_asked(paper):
    assert not [op for op in ticket_ops(ticket(), paper) if isinstance(op, QR)]


def test_the_logo_replaces_the_communes_name():
    with_logo = ticket_ops(ticket(), PAPER_58, logo=LOGO)
    assert with_logo[0] == Image(LOGO)
    assert "Vénissieux" not in [op.text for op in texts(with_logo)]
    assert texts(ticket_ops(ticket(), PAPER_58))[0].text == "Vénissieux"


def test_the_bundled_logo_is_a_small_one_bit_bitmap():
    from PIL import Image as PILImage

    with PILImage.open(LOGO) as img:
        assert img.mode == "1"
        assert img.width <= PAPER_58.dots


def test_a_ticket_has_no_field_for_a_person():
    # Whatever is added to a ticket must be about the visit, never the visitor: this list is reviewed on purpose.
    assert {f.name for f in fields(TicketSlip)} == {
        "commune_name", "site_name", "queue_name", "number", "issued_at", "people_ahead", "estimated_wait_min",
        "priority", "reprint", "qr_payload", "footer", "appointment_at",
    }  # fmt: skip


@pytest.mark.parametrize("number", ["A1", "A042", "A1000", "AB123456"])
def test_number_is_at_least_four_times_larger_on_the_narrowest_paper(number):
    size = number_magnification(number, PAPER_58)
    assert size >= 4
    assert len(number) * size <= PAPER_58.columns


def test_priority_and_duplicate_are_marked():
    printed = [op.text for op in texts(ticket_ops(ticket(priority=True, reprint=True, people_ahead=None), PAPER_58))]
    assert "PRIORITAIRE" in printed
    assert "Duplicata" in printed
    assert not any("avant vous" in line for line in printed)  # a duplicate does not repeat a stale wait


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, "Attente : estimation indisponible"),
        (0, "Vous serez appelé dans un instant"),
        (1, "Attente estimée : 1\u00a0min environ"),
        (75, "Attente estimée : 1\u00a0h\u00a015 environ"),
    ],
)
def test_wait_in_words(minutes, text):
    assert wait_text(minutes) == text


def test_french_dates():
    assert french_date(date(2026, 4, 1)) == "mercredi 1er avril 2026"
    assert french_datetime(datetime(2026, 8, 15, 22, 30, tzinfo=UTC)) == "dimanche 16 août 2026 à\u00a00\u00a0h\u00a030"


@PAPERS
def test_receipt_fits_and_says_what_happens_next(paper):
    ops = receipt_ops(receipt(subject="Annulation du repas du jeudi 12 mars pour raison médicale"), paper, logo=LOGO)
    assert_fits(ops, paper)
    printed = printed_words(ops)
    assert "RÉCÉPISSÉ" in printed
    assert "Référence : VEN-HDV-C3F9A21BC" in printed
    assert "Canal : Téléphone" in printed
    assert "Réponse attendue au plus tard le mardi 24 mars 2026." in printed
    assert "Restauration scolaire" in printed
    assert "Tél. 04 72 21 44 44" in printed
    assert any("04\u00a072\u00a021\u00a044\u00a044" in op.text for op in texts(ops))  # a phone number is never cut
    assert isinstance(ops[-1], Cut)


@PAPERS
def test_test_page_has_the_ruler_the_code_page_and_every_french_character(paper):
    slip = PrinterTestSlip("Vénissieux", "Hôtel de ville", "réseau 192.168.1.50:9100", "CP858", AT)
    ops = printer_test_ops(slip, paper, logo=LOGO)
    assert_fits(ops, paper)
    printed = printed_words(ops)
    assert ruler(paper.columns) in printed
    assert "Page de code : CP858" in printed
    assert flat(paper.label) in printed
    for char in "àâæçéèêëîïôœùûüÿÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸ«»’€":
        assert char in printed


def test_ruler_marks_every_column():
    assert ruler(32) == "....+....1....+....2....+....3.."
    assert len(ruler(48)) == 48 and ruler(48)[39] == "4"


def test_paper_widths():
    assert (paper_for(58).columns, paper_for(58).dots) == (32, 384)
    assert (paper_for(80).columns, paper_for(80).dots) == (48, 576)
    with pytest.raises(ValueError, match="58 ou 80"):
        paper_for(76)


words = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=120)


@settings(max_examples=60, deadline=None)
@given(site=words, queue=words, footer=words, number=st.text(alphabet="ABCDEFGHIJ0123456789", min_size=1, max_size=8))
def test_any_text_is_wrapped_to_the_paper(site, queue, footer, number):
    for paper in (PAPER_58, PAPER_80):
        assert_fits(ticket_ops(ticket(site_name=site, queue_name=queue, footer=footer, number=number), paper), paper)
        assert_fits(receipt_ops(receipt(site_footer=footer, next_steps=queue, subject=site), paper), paper)


def test_rules_are_operations_not_text():
    ops = ticket_ops(ticket(), PAPER_80, logo=Path("/nonexistent.png"))
    assert sum(isinstance(op, Rule) for op in ops) == 2
