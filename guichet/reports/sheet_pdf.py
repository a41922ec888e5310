"""An answer sheet as an A4 handout (« fiche pratique »): the answer, the documents to bring, where and when, fees.

Made at the desk to print for a visitor or to send by e-mail. The commune's letterhead top-left, as on its
letters (guichet.reports.letters); the documents as boxes to tick; the sheet's version at the bottom, so the
town can tell which validated answer was handed out. No personal data: the handout is the same for everyone.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from guichet.reports import letter_types as lt
from guichet.reports.fonts import BOLD, REGULAR, register_fonts
from guichet.reports.letterhead_file import DEFAULT_LOGO_CACHE, layout_letterhead
from guichet.reports.letters import _logo  # the commune's logo, read once and cropped to its ink
from guichet.services.clock import PARIS
from guichet.services.knowledge_types import SheetView
from guichet.services.letter_templates import french_date

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
BLUE = colors.HexColor("#0b4f8a")
GREY = colors.HexColor("#4b5563")
LIGHT = colors.HexColor("#f3f5f7")
RULE = colors.HexColor("#9ca3af")
TOP = 14 * mm
LOGO_W, LOGO_H = 34 * mm, 20 * mm


def _markup(text: str) -> str:
    return "<br/>".join(escape(line.strip()) for line in text.strip().splitlines())


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("sheet", fontName=REGULAR, fontSize=10, leading=14)
    return {
        "body": ParagraphStyle("body", base, spaceAfter=5),
        "head": ParagraphStyle("head", base, fontSize=8.5, leading=11),
        "kind": ParagraphStyle("kind", base, fontName=BOLD, fontSize=9, textColor=BLUE, alignment=2),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=16, leading=20, textColor=BLUE, spaceAfter=2),
        "question": ParagraphStyle("question", base, textColor=GREY, spaceAfter=6),
        "section": ParagraphStyle(
            "section", base, fontName=BOLD, fontSize=11, leading=15, textColor=BLUE, spaceBefore=8, spaceAfter=3
        ),  # fmt: skip
        "item": ParagraphStyle("item", base, leftIndent=7 * mm, firstLineIndent=-7 * mm, spaceAfter=2),
        "cell": ParagraphStyle("cell", base, fontSize=9.5, leading=13),
        "label": ParagraphStyle("label", base, fontName=BOLD, fontSize=9.5, leading=13),
        "small": ParagraphStyle("small", base, fontSize=8, leading=10.5, textColor=GREY),
    }


@dataclass(frozen=True)
class Handout:
    """What the handout prints: the sheet, the commune's letterhead, the day it is handed out."""

    sheet: SheetView
    letterhead: lt.Letterhead
    on: date


def _logo_size(head: lt.Letterhead) -> tuple[float, float] | None:
    logo = _logo(head.logo_path)
    if logo is None:
        return None
    width, height = logo.getSize()
    scale = min(LOGO_W / width, LOGO_H / height)
    return width * scale, height * scale


def _header(handout: Handout, styles: dict[str, ParagraphStyle]) -> Table:
    head = handout.letterhead
    size = _logo_size(head)  # the logo itself is drawn on the page, above the letterhead lines
    left: list[Flowable] = (
        [Spacer(1, size[1] + 2 * mm)] if size else [Paragraph(escape(head.commune_name), styles["title"])]
    )
    lines = [f"<b>{escape(head.service_line)}</b>"] if head.service_line else []
    lines += [escape(x) for x in head.address_lines if x.strip()]
    if head.phone:
        lines.append(f"Tél.\u00a0: {escape(head.phone)}")
    if head.website:
        lines.append(escape(head.website))
    left.append(Paragraph("<br/>".join(lines), styles["head"]))
    right = [Paragraph("FICHE PRATIQUE", styles["kind"]), Paragraph(escape(handout.sheet.theme_label), styles["head"])]
    right[1].style = ParagraphStyle("theme", styles["head"], alignment=2, textColor=GREY)
    table = Table([[left, right]], colWidths=[WIDTH * 0.62, WIDTH * 0.38])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return table


def _facts(sheet: SheetView, styles: dict[str, ParagraphStyle]) -> Table | None:
    rows = []
    where = sheet.content.where_when
    if where:
        rows.append(("Où et quand", _markup(where)))
    in_charge = sheet.in_charge
    target = sheet.orientation
    if in_charge:
        joined = target is not None and target.contact_line and sheet.orientation_is_in_charge
        rows.append(
            ("Service en charge", escape(in_charge) + (f"<br/>{escape(target.contact_line)}" if joined else ""))
        )
    if target is not None and not sheet.orientation_is_in_charge:
        rows.append(("S'adresser à", f"{escape(target.name)}<br/>{escape(target.contact_line)}"))
    if sheet.content.fees:
        rows.append(("Tarif", _markup(sheet.content.fees)))
    links = sheet.links
    if links:
        rows.append(("En ligne", "<br/>".join(f"{escape(x.label)} : {escape(x.url)}" if x.label != x.url
                                               else escape(x.url) for x in links)))  # fmt: skip
    if not rows:
        return None
    table = Table([[Paragraph(k, styles["label"]), Paragraph(v, styles["cell"])] for k, v in rows],
                  colWidths=[36 * mm, WIDTH - 36 * mm], hAlign="LEFT")  # fmt: skip
    table.setStyle(
        TableStyle([
            ("FONT", (0, 0), (-1, -1), REGULAR, 9.5),
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
            ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
            ("BACKGROUND", (0, 0), (0, -1), LIGHT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ])
    )  # fmt: skip
    return table


def _story(handout: Handout, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    sheet = handout.sheet
    story: list[Flowable] = [_header(handout, styles), Spacer(1, 9 * mm)]
    story.append(Paragraph(escape(sheet.title), styles["title"]))
    if sheet.content.question:
        story.append(Paragraph(_markup(sheet.content.question), styles["question"]))
    if sheet.content.answer:
        story += [Paragraph(_markup(p), styles["body"]) for p in sheet.content.answer.split("\n\n") if p.strip()]
    items = [Paragraph(f"\u2610\u00a0\u00a0{escape(d)}", styles["item"]) for d in sheet.content.documents]
    if items:
        story.append(KeepTogether([Paragraph("Pièces à fournir", styles["section"]), *items]))
    facts = _facts(sheet, styles)
    if facts is not None:
        story += [Spacer(1, 5 * mm), facts]
    return story


def render_sheet(handout: Handout) -> bytes:
    """The handout as an A4 PDF (DejaVu Sans embedded): one page for a usual sheet, more if it is long."""
    styles = _styles()
    out = io.BytesIO()
    sheet = handout.sheet
    when = f" du {sheet.published_at.astimezone(PARIS):%d/%m/%Y}" if sheet.published_at else ""
    stamp = (
        f"Fiche validée par la mairie de {handout.letterhead.commune_name} — version {sheet.number}{when} — "
        f"remise le {french_date(handout.on)}."
    )
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP, bottomMargin=22 * mm,
        title=f"Fiche pratique — {sheet.title}", author=handout.letterhead.commune_name, subject=sheet.theme_label,
        creator="Guichet", initialFontName=REGULAR, initialFontSize=10,
    )  # fmt: skip

    def page(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        size = _logo_size(handout.letterhead)
        if size is not None and canvas.getPageNumber() == 1:
            canvas.drawImage(_logo(handout.letterhead.logo_path), MARGIN, PAGE_HEIGHT - TOP - size[1], *size,
                             mask="auto")  # fmt: skip
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, 16 * mm, PAGE_WIDTH - MARGIN, 16 * mm)
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 12 * mm, stamp)
        footer = " ".join(handout.letterhead.footer.split())
        if footer:
            canvas.drawString(MARGIN, 8.5 * mm, footer[:150])
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 8.5 * mm, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.build(_story(handout, styles), onFirstPage=page, onLaterPages=page)
    return out.getvalue()


def handout_file_name(sheet: SheetView) -> str:
    return f"Fiche pratique — {sheet.title}.pdf"


class SheetHandouts:
    """Gathers a sheet and its commune's letterhead (through the services) and lays the handout out."""

    def __init__(self, services, *, logo_cache: Path | None = None) -> None:  # noqa: ANN001 - Services
        self._services = services
        self._logo_cache = logo_cache or DEFAULT_LOGO_CACHE

    def pdf(self, *, sheet_id: uuid.UUID, commune_id: uuid.UUID, on: date) -> bytes:
        """The handout of a published sheet, on the letterhead of the commune it is handed out in."""
        sheet = self._services.knowledge.get(sheet_id=sheet_id)
        head = self._services.letterheads.get(commune_id=commune_id)
        letterhead = layout_letterhead(head, cache=self._logo_cache, signatory=False)
        return render_sheet(Handout(sheet, letterhead, on))
