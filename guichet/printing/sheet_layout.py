"""The list of documents to bring (« pièces à fournir ») of an answer sheet, on a thermal strip: a pure layout.

What a citizen takes home from the counter: the procedure, each document with a box to tick, where and when,
the fees, and the online address as a QR code. Nothing personal: the slip is the same for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from guichet.printing.layout import (
    QR,
    Align,
    Cut,
    Feed,
    Op,
    Paper,
    Rule,
    Text,
    _heading,
    _lines,
    french_date,
    wrap,
)
from guichet.services.clock import PARIS


@dataclass(frozen=True)
class SheetSlip:
    commune_name: str
    site_name: str
    title: str  # "Carte nationale d'identité"
    documents: tuple[str, ...]
    at: datetime
    in_charge: str = ""
    where_when: str = ""
    fees: str = ""
    link: str = ""  # printed, and as a QR code
    version: str = ""  # "Version 3 du 12/01/2026"
    site_footer: str = ""
    footer: str = ""


def _item(text: str, paper: Paper) -> list[Text]:
    """ "[ ] Justificatif de domicile de moins…", continued lines under the text, not under the box."""
    first, *rest = wrap(text, paper.columns - 4)
    return [Text(f"[ ] {first}")] + [Text(f"    {line}") for line in rest]


def _section(title: str, body: str, paper: Paper) -> list[Op]:
    return [Feed(1), Text(title, bold=True), *_lines(body, paper)] if body.strip() else []


def sheet_ops(slip: SheetSlip, paper: Paper, *, logo: Path | None = None) -> tuple[Op, ...]:
    """The documents list: heading, title, the documents as boxes to tick, where/when, fees, link, date."""
    ops: list[Op] = _heading(slip.commune_name, slip.site_name, paper, logo)
    ops += [Feed(1), *_lines("PIÈCES À FOURNIR", paper, align=Align.CENTER, bold=True, width=2, height=2), Rule()]
    ops += _lines(slip.title, paper, bold=True)
    ops += [Feed(1)]
    for document in slip.documents or ("Aucune pièce à fournir.",):
        ops += _item(document, paper)
    ops += _section("Où et quand", slip.where_when, paper)
    ops += _section("Service en charge", slip.in_charge, paper)
    ops += _section("Tarif", slip.fees, paper)
    if slip.link:
        ops += [Feed(1), Text("En ligne", bold=True), *_lines(slip.link, paper)]
        ops += [QR(slip.link, size=4 if paper.mm == 58 else 5)]
    ops += [Rule()]
    stamp = f"Remis le {french_date(slip.at.astimezone(PARIS).date())}"
    ops += _lines(f"{stamp} — {slip.version}" if slip.version else stamp, paper, align=Align.CENTER)
    if slip.site_footer:
        ops += [Feed(1), *_lines(slip.site_footer, paper, align=Align.CENTER)]
    if slip.footer:
        ops += _lines(slip.footer, paper, align=Align.CENTER)
    ops += [Cut()]
    return tuple(ops)
