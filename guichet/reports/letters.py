"""A4 administrative letters as PDF (reportlab platypus, DejaVu embedded), and the three letters of a request.

Layout, in the French way: letterhead and logo top-left; the recipient in the window of a DL envelope
(110 mm from the left, 50 mm from the top); "Vénissieux, le 22 novembre 2026" on the right; "Nos références",
"Objet"; the body; the closing formula and the signature block on the right; a footer with "Page 1/2"
when the letter runs over several pages. Pure functions over the dataclasses of letter_types.py.
"""

from __future__ import annotations

import io
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageChops
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from guichet.paths import resources_dir
from guichet.reports.fonts import BOLD, REGULAR, register_fonts
from guichet.reports.letter_types import Letter, Letterhead, Recipient
from guichet.services.errors import ValidationError
from guichet.services.letter_templates import (
    ACKNOWLEDGEMENT_FOLLOW_UP,
    PLACEHOLDERS,
    fill_template,
    french_date,
    paragraphs,
)

__all__ = [
    "acknowledgement_letter",
    "answer_letter",
    "closing_formula",
    "french_date",
    "phone_confirmation_letter",
    "render_letter",
    "salutation_for",
]

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 22 * mm
RIGHT = 20 * mm
WINDOW_LEFT = 110 * mm  # DL envelope with a window on the right
WINDOW_TOP = 50 * mm
WINDOW_WIDTH = 85 * mm
WINDOW_HEIGHT = 38 * mm  # the window is 45 mm high, from ~48 to ~93 mm: keep a margin for the letter's play
LOGO_WIDTH = 38 * mm
LOGO_HEIGHT = 24 * mm
HEAD_TOP = 12 * mm
HEAD_WIDTH = WINDOW_LEFT - LEFT - 8 * mm
BODY_TOP_FIRST = 96 * mm  # below the window
BODY_TOP_LATER = 22 * mm
BODY_BOTTOM = 24 * mm
FOOTER_Y = 11 * mm
BODY_WIDTH = PAGE_WIDTH - LEFT - RIGHT
GREY = colors.HexColor("#4b5563")
LIGHT = colors.HexColor("#f3f5f7")
RULE = colors.HexColor("#9ca3af")

# French typography: no line break before ":", ";", "?", "!" nor inside « », which take a no-break space;
# nor inside a phone number written in pairs of digits ("04 72 21 44 10").
_SPACE_BEFORE = re.compile(r"[ \t]+([:;?!»])")
_SPACE_AFTER = re.compile(r"«[ \t]+")
_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")


def _nbsp(text: str) -> str:
    text = _SPACE_BEFORE.sub("\u00a0\\1", text)
    return _DIGIT_SPACE.sub("\u00a0", _SPACE_AFTER.sub("«\u00a0", text))


def _markup(text: str) -> str:
    """Plain text as Paragraph markup: &, <, > escaped, line breaks kept, French no-break spaces."""
    return "<br/>".join(escape(_nbsp(line.strip())) for line in text.strip().splitlines())


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("letter", fontName=REGULAR, fontSize=10, leading=14)
    small = ParagraphStyle("small", base, fontSize=8, leading=10.5, textColor=GREY)
    return {
        # Ragged right, not justified: easier to read, and a long e-mail address cannot stretch a line.
        "body": ParagraphStyle("body", base, alignment=TA_LEFT, spaceAfter=7),
        "plain": base,
        "date": ParagraphStyle("date", base, leftIndent=WINDOW_LEFT - LEFT),
        "refs": ParagraphStyle("refs", base, fontSize=8.5, leading=11.5),
        "subject": ParagraphStyle("subject", base, fontName=BOLD, leftIndent=13 * mm, firstLineIndent=-13 * mm),
        "heading": ParagraphStyle("heading", base, fontName=BOLD, fontSize=13, leading=17, alignment=TA_CENTER),
        "sign": ParagraphStyle("sign", base, leftIndent=WINDOW_LEFT - LEFT),
        "sign_name": ParagraphStyle("sign_name", base, fontName=BOLD, leftIndent=WINDOW_LEFT - LEFT),
        "box": ParagraphStyle("box", base, fontSize=9, leading=12.5),
        "small": small,
        "head": ParagraphStyle("head", small, fontSize=8.5, leading=11, textColor=colors.black),
        "head_name": ParagraphStyle("head_name", base, fontName=BOLD, fontSize=13, leading=16),
        "recipient": ParagraphStyle("recipient", base, fontSize=10.5, leading=13.5),
    }


@lru_cache(maxsize=8)
def _logo(path: str) -> ImageReader | None:
    """The logo, read once per process and cropped to its ink, so that it lines up with the text below it.

    Its pixels are decoded once too (ImageReader keeps them). None when the file cannot be read as an image.
    """
    file = Path(path) if path else resources_dir() / "logo" / "commune.png"
    try:
        with Image.open(file) as image:
            image.load()
    except OSError:
        return None
    transparent = "A" in image.getbands() or "transparency" in image.info
    rgba = image.convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    ink = ImageChops.difference(flat, Image.new("RGB", flat.size, "white")).getbbox()  # what is not plain white
    kept = rgba if transparent else flat
    reader = ImageReader(kept.crop(ink) if ink else kept)
    reader.getRGBData()
    return reader


class _NumberedCanvas(Canvas):
    """Keeps every page until the end, so each one can say "Page n/N" (only when there are several)."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if total > 1:
                self.saveState()
                self.setFont(REGULAR, 8)
                self.setFillColor(GREY)
                self.drawRightString(PAGE_WIDTH - RIGHT, FOOTER_Y, f"Page {self._pageNumber}/{total}")
                self.restoreState()
            super().showPage()
        super().save()


def _letterhead_block(head: Letterhead, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    lines = [f"<b>{escape(head.service_line)}</b>"] if head.service_line else []
    lines += [escape(x) for x in head.address_lines if x.strip()]
    if head.phone:
        lines.append(f"Tél.\u00a0: {escape(head.phone)}")
    if head.email:
        lines.append(f"Courriel\u00a0: {escape(head.email)}")
    if head.website:
        lines.append(escape(head.website))
    return [Paragraph("<br/>".join(lines), styles["head"])] if lines else []


def _draw_first_page(letter: Letter, styles: dict[str, ParagraphStyle], canvas: Canvas) -> None:
    head = letter.letterhead
    top = PAGE_HEIGHT - HEAD_TOP
    logo = _logo(head.logo_path)
    if logo is not None:
        width, height = logo.getSize()
        scale = min(LOGO_WIDTH / width, LOGO_HEIGHT / height)  # a tall logo is bounded by its height
        logo_width, logo_height = width * scale, height * scale
        canvas.drawImage(logo, LEFT, top - logo_height, logo_width, logo_height, mask="auto")
        flow: list[Flowable] = []
        top -= logo_height + 3 * mm
    else:
        flow = [Paragraph(escape(head.commune_name), styles["head_name"]), Spacer(1, 2 * mm)]
    flow += _letterhead_block(head, styles)
    # Shrunk, never spilled: a long letterhead must not run into the window or the body.
    block = KeepInFrame(HEAD_WIDTH, top - (PAGE_HEIGHT - BODY_TOP_FIRST + 6 * mm), flow, mode="shrink")
    _, used = block.wrapOn(canvas, HEAD_WIDTH, top)
    block.drawOn(canvas, LEFT, top - used)
    if letter.recipient is not None:
        _draw_recipient(letter.recipient, styles, canvas)
    # Fold marks for the window envelope: the letter is folded in three.
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    for y in (PAGE_HEIGHT / 3, 2 * PAGE_HEIGHT / 3):
        canvas.line(5 * mm, PAGE_HEIGHT - y, 9 * mm, PAGE_HEIGHT - y)


def _draw_recipient(recipient: Recipient, styles: dict[str, ParagraphStyle], canvas: Canvas) -> None:
    lines = [escape(recipient.name.strip())] + [escape(x.strip()) for x in recipient.address_lines if x.strip()]
    block = KeepInFrame(
        WINDOW_WIDTH, WINDOW_HEIGHT, [Paragraph("<br/>".join(lines), styles["recipient"])], mode="shrink"
    )
    _, used = block.wrapOn(canvas, WINDOW_WIDTH, WINDOW_HEIGHT)
    block.drawOn(canvas, WINDOW_LEFT, PAGE_HEIGHT - WINDOW_TOP - used)


def _draw_footer(letter: Letter, canvas: Canvas) -> None:
    footer = " ".join(letter.letterhead.footer.split())
    if footer:
        # Centred, and made smaller rather than running into "Page 1/2" on the right.
        room = BODY_WIDTH - 2 * 20 * mm
        size = min(7.5, 7.5 * room / max(1.0, canvas.stringWidth(footer, REGULAR, 7.5)))
        canvas.setFont(REGULAR, size)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(LEFT + BODY_WIDTH / 2, FOOTER_Y, footer)


def _draw_later_page(letter: Letter, styles: dict[str, ParagraphStyle], canvas: Canvas) -> None:
    canvas.setFont(REGULAR, 8)
    canvas.setFillColor(GREY)
    head = letter.letterhead.commune_name
    canvas.drawString(LEFT, PAGE_HEIGHT - 13 * mm, f"{head} — Nos références : {letter.reference}")
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(LEFT, PAGE_HEIGHT - 15 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 15 * mm)


def _subject(text: str) -> str:
    return re.sub(r"^\s*objet\s*:\s*", "", text, flags=re.IGNORECASE).strip()


def _follow_up_box(text: str, styles: dict[str, ParagraphStyle]) -> Table:
    # One row per line, so a long box can still break across pages (a single cell cannot).
    rows = [[Paragraph(_markup(line), styles["box"])] for line in text.strip().splitlines() if line.strip()]
    box = Table(rows, colWidths=[BODY_WIDTH], hAlign="LEFT")
    box.setStyle(
        TableStyle([
            ("FONT", (0, 0), (-1, -1), REGULAR, 9),  # else the table sets Helvetica before drawing a cell
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
            ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("TOPPADDING", (0, 0), (-1, 0), 6),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
        ])
    )  # fmt: skip
    return box


def _qr_block(payload: str, caption: str, styles: dict[str, ParagraphStyle]) -> Table:
    """A QR code (30 mm) with its caption beside it."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(payload, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    side = 30 * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    table = Table([[drawing, Paragraph(_markup(caption), styles["body"])]], colWidths=[side + 6 * mm, None],
                  hAlign="LEFT")  # fmt: skip
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _signature(letter: Letter, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    head = letter.letterhead
    lines = [x for x in letter.signature_lines if x.strip()] or [
        x for x in (head.signatory_title, head.signatory_name) if x.strip()
    ]
    if not lines:
        return []
    *titles, name = lines
    out: list[Flowable] = [Paragraph(_markup(x), styles["sign"]) for x in titles]
    out += [Spacer(1, 16 * mm), Paragraph(_markup(name), styles["sign_name"])]
    return out


def _story(letter: Letter, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(_markup(f"{letter.place}, le {french_date(letter.date)}"), styles["date"])]
    refs = [f"<b>Nos références\u00a0:</b> {_markup(letter.reference)}"]
    if letter.handled_by:
        refs.append(f"<b>Affaire suivie par\u00a0:</b> {_markup(letter.handled_by)}")
    story += [Spacer(1, 4 * mm), Paragraph("<br/>".join(refs), styles["refs"])]
    if letter.heading:
        story += [Spacer(1, 6 * mm), Paragraph(_markup(letter.heading), styles["heading"])]
    story += [
        Spacer(1, 5 * mm),
        Paragraph(f"Objet\u00a0: <font name='{REGULAR}'>{_markup(_subject(letter.subject))}</font>", styles["subject"]),
        Spacer(1, 8 * mm),
        Paragraph(_markup(letter.salutation), styles["plain"]),
        Spacer(1, 4 * mm),
    ]
    story += [Paragraph(_markup(p), styles["body"]) for p in letter.paragraphs if p.strip()]
    if letter.follow_up.strip():
        story += [Spacer(1, 1 * mm), _follow_up_box(letter.follow_up, styles), Spacer(1, 4 * mm)]
    if letter.qr_payload:
        story += [_qr_block(letter.qr_payload, letter.qr_caption, styles), Spacer(1, 4 * mm)]
    # The closing formula stays on the page of the signature.
    story.append(KeepTogether([Paragraph(_markup(letter.closing), styles["body"]), Spacer(1, 4 * mm),
                               *_signature(letter, styles)]))  # fmt: skip
    if letter.enclosure:
        story += [Spacer(1, 8 * mm), Paragraph(f"<b>P.\u00a0J.\u00a0:</b> {_markup(letter.enclosure)}", styles["refs"])]
    return story


def render_letter(letter: Letter) -> bytes:
    """The letter as an A4 PDF (DejaVu Sans embedded, metadata set)."""
    styles = _styles()
    out = io.BytesIO()
    title = letter.heading or _subject(letter.subject) or "Courrier"
    doc = BaseDocTemplate(
        out, pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT, topMargin=BODY_TOP_LATER, bottomMargin=BODY_BOTTOM,
        title=f"{title} — {letter.reference}", author=letter.letterhead.commune_name, subject=_subject(letter.subject),
        creator="Guichet", initialFontName=REGULAR, initialFontSize=10,  # no Helvetica, even unused
    )  # fmt: skip
    first = Frame(LEFT, BODY_BOTTOM, BODY_WIDTH, PAGE_HEIGHT - BODY_TOP_FIRST - BODY_BOTTOM, id="first",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    later = Frame(LEFT, BODY_BOTTOM, BODY_WIDTH, PAGE_HEIGHT - BODY_TOP_LATER - BODY_BOTTOM, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip

    def on_first(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        _draw_first_page(letter, styles, canvas)
        _draw_footer(letter, canvas)
        canvas.restoreState()

    def on_later(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        _draw_later_page(letter, styles, canvas)
        _draw_footer(letter, canvas)
        canvas.restoreState()

    doc.addPageTemplates([
        PageTemplate(id="first", frames=[first], onPage=on_first, autoNextPageTemplate="later"),
        PageTemplate(id="later", frames=[later], onPage=on_later),
    ])  # fmt: skip
    doc.build(_story(letter, styles), canvasmaker=_NumberedCanvas)
    return out.getvalue()


# --- The three letters of a request -------------------------------------------------------------------------


def salutation_for(civility: str) -> str:
    """« Madame, » / « Monsieur, » / « Madame, Monsieur, » when the civility is unknown."""
    return f"{civility.strip() or 'Madame, Monsieur'},"


def closing_formula(civility: str) -> str:
    """The usual closing formula of a town hall's letter, with the same civility as the salutation."""
    return (
        f"Je vous prie d'agréer, {civility.strip() or 'Madame, Monsieur'}, l'expression de mes salutations distinguées."
    )


def _service_contact(name: str, phone: str, email: str) -> str:
    parts = [x.strip() for x in (phone, email) if x.strip()]
    return f"{name} ({', '.join(parts)})" if parts else name


def _answer_expected(on: date | None) -> str:
    if on is None:
        return "Une réponse vous sera apportée dans les meilleurs délais."
    return f"Une réponse vous sera apportée au plus tard le {french_date(on)}."


def _follow_up(template: str, *, letterhead: Letterhead, reference: str, service_name: str, service_phone: str,
               service_email: str) -> str:  # fmt: skip
    values = {
        "reference": reference, "service": service_name, "telephone_service": service_phone or letterhead.phone,
        "courriel_service": service_email or letterhead.email, "commune": letterhead.commune_name,
    }  # fmt: skip
    return fill_template(template, values) if template.strip() else ""


def acknowledgement_letter(
    *,
    letterhead: Letterhead,
    recipient: Recipient | None,
    civility: str,
    reference: str,
    subject: str,
    received_on: date,
    service_name: str,
    letter_date: date,
    requested_on: date | None = None,
    expected_answer_on: date | None = None,
    service_phone: str = "",
    service_email: str = "",
    place: str = "",
    follow_up: str = ACKNOWLEDGEMENT_FOLLOW_UP,
    extra_paragraphs: tuple[str, ...] = (),
) -> Letter:
    """« Accusé de réception »: when the request was received, its reference, who handles it, when to expect
    an answer, and how to follow it up (the ``follow_up`` template, filled; "" for no box).

    ``civility`` is "Madame", "Monsieur" or "" (then « Madame, Monsieur, »); ``requested_on`` is the date of
    the citizen's own letter when it differs from the day of reception; ``extra_paragraphs`` come after the
    standard ones (e.g. the mention of an implicit decision required by the Code des relations entre le public
    et l'administration).
    """
    commune = letterhead.commune_name
    if requested_on is not None and requested_on != received_on:
        first = f"Votre demande du {french_date(requested_on)}, reçue le {french_date(received_on)},"
    else:
        first = f"Votre demande, reçue le {french_date(received_on)},"
    body = (
        f"{first} a bien été enregistrée par les services de la mairie de {commune} sous la référence {reference}.",
        f"Elle a été transmise pour instruction à : {_service_contact(service_name, service_phone, service_email)}.",
        f"{_answer_expected(expected_answer_on)} Je vous remercie de rappeler cette référence dans toute "
        "correspondance relative à cette demande.",
        *extra_paragraphs,
    )
    return Letter(
        letterhead=letterhead, recipient=recipient, place=place or commune, date=letter_date, reference=reference,
        subject=subject, salutation=salutation_for(civility), paragraphs=body, closing=closing_formula(civility),
        follow_up=_follow_up(follow_up, letterhead=letterhead, reference=reference, service_name=service_name,
                             service_phone=service_phone, service_email=service_email),
        handled_by=_service_contact(service_name, service_phone, ""), heading="Accusé de réception",
    )  # fmt: skip


_LEFT_OVER = re.compile(r"\{(" + "|".join(map(re.escape, PLACEHOLDERS)) + r")\}")


def answer_letter(
    *,
    letterhead: Letterhead,
    recipient: Recipient | None,
    civility: str,
    reference: str,
    subject: str,
    body: str,
    letter_date: date,
    place: str = "",
    handled_by: str = "",
    enclosure: str = "",
    signature_lines: tuple[str, ...] = (),
) -> Letter:
    """The answer to a request: ``body`` is a model answer already filled (fill_template), paragraphs separated
    by blank lines. Raises ValidationError if it is empty or still holds a placeholder such as {date_limite}.
    """
    left = list(dict.fromkeys(_LEFT_OVER.findall(body)))
    if left:
        listed = ", ".join("{" + x + "}" for x in left)
        raise ValidationError({"body": f"Le courrier contient encore {listed} : complétez-le avant de l'imprimer."})
    blocks = paragraphs(body)
    if not blocks:
        raise ValidationError({"body": "Le texte de la réponse est vide."})
    return Letter(
        letterhead=letterhead, recipient=recipient, place=place or letterhead.commune_name, date=letter_date,
        reference=reference, subject=subject, salutation=salutation_for(civility), paragraphs=blocks,
        closing=closing_formula(civility), signature_lines=signature_lines, enclosure=enclosure,
        handled_by=handled_by,
    )  # fmt: skip


def phone_confirmation_letter(
    *,
    letterhead: Letterhead,
    recipient: Recipient | None,
    civility: str,
    reference: str,
    called_on: date,
    request_summary: str,
    service_name: str,
    letter_date: date,
    expected_answer_on: date | None = None,
    service_phone: str = "",
    service_email: str = "",
    place: str = "",
    follow_up: str = ACKNOWLEDGEMENT_FOLLOW_UP,
) -> Letter:
    """« Confirmation écrite de votre demande téléphonique du ... »: what was asked (``request_summary``, as
    noted by the agent), its reference, the service in charge, when to expect an answer, how to follow it up.
    """
    commune = letterhead.commune_name
    body = (
        f"Lors de votre appel téléphonique du {french_date(called_on)}, vous avez sollicité la mairie de {commune}. "
        f"Comme convenu, je vous confirme par écrit l'enregistrement de votre demande sous la référence {reference}.",
        f"Votre demande, telle que nous l'avons notée :\n« {request_summary.strip()} »",
        f"Elle a été transmise pour instruction à : {_service_contact(service_name, service_phone, service_email)}. "
        f"{_answer_expected(expected_answer_on)}",
        "Si ces éléments ne correspondent pas à votre demande, je vous remercie de nous le signaler en rappelant "
        "la référence ci-dessus.",
    )
    return Letter(
        letterhead=letterhead, recipient=recipient, place=place or commune, date=letter_date, reference=reference,
        subject=f"Confirmation écrite de votre demande téléphonique du {french_date(called_on)}",
        salutation=salutation_for(civility), paragraphs=body, closing=closing_formula(civility),
        follow_up=_follow_up(follow_up, letterhead=letterhead, reference=reference, service_name=service_name,
                             service_phone=service_phone, service_email=service_email),
        handled_by=_service_contact(service_name, service_phone, ""),
    )  # fmt: skip
