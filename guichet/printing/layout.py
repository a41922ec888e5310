"""Tickets, receipts and test pages as lists of print operations: pure functions, no printer, no I/O.

The input types carry exactly what is printed. A queue ticket (:class:`TicketSlip`) has no field for a
person: nothing personal can reach a ticket left on the kiosk's floor.

Widths are counted in columns of font A (12 × 24 dots): 32 columns on 58 mm paper (384 dots), 48 on
80 mm (576 dots). Every :class:`Text` is one printed line; its ``text`` times its ``width`` multiplier
never exceeds the paper's columns (long texts are wrapped here, not by the printer).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from guichet.services.clock import PARIS

FONT_A_DOT_WIDTH = 12
MAX_NUMBER_MAGNIFICATION = 6  # ESC/POS allows 8; 6 keeps a 4-character number readable and centred on 58 mm


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class Paper:
    mm: int
    columns: int  # font A at normal size
    dots: int  # printable width

    @property
    def label(self) -> str:
        return f"{self.mm} mm — {self.columns} colonnes — {self.dots} points"


PAPER_58 = Paper(58, 32, 384)
PAPER_80 = Paper(80, 48, 576)
PAPERS = {58: PAPER_58, 80: PAPER_80}


def paper_for(mm: int) -> Paper:
    try:
        return PAPERS[mm]
    except KeyError:
        raise ValueError(f"Largeur de papier inconnue : {mm} mm (58 ou 80).") from None


# -- print operations ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One line of text. ``width``/``height``: character magnification, 1 to 8."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    width: int = 1
    height: int = 1

    @property
    def columns_used(self) -> int:
        return len(self.text) * self.width


@dataclass(frozen=True)
class Image:
    """A 1-bit bitmap from a file (PNG...), at most the paper's dots wide (scaled down otherwise)."""

    path: Path
    align: Align = Align.CENTER


@dataclass(frozen=True)
class QR:
    """A QR code; ``size`` is the side of one module in dots."""

    data: str
    size: int = 6
    align: Align = Align.CENTER


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Rule:
    """A line across the paper."""

    char: str = "─"


@dataclass(frozen=True)
class Cut:
    """Feed past the cutter and cut."""

    partial: bool = False


Op = Text | Image | QR | Feed | Rule | Cut


# -- what is printed ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketSlip:
    """A queue ticket. No field for a person, on purpose."""

    commune_name: str
    site_name: str
    queue_name: str
    number: str  # "A042"
    issued_at: datetime
    people_ahead: int | None = None  # None: not printed
    estimated_wait_min: int | None = None  # None: no estimate (no open counter serves the queue)
    priority: bool = False
    reprint: bool = False
    qr_payload: str = ""
    footer: str = ""
    appointment_at: datetime | None = None  # checked in for an appointment: its time is printed


@dataclass(frozen=True)
class ReceiptSlip:
    """The receipt (« récépissé ») of a contact: what was asked, when, and what happens next."""

    commune_name: str
    site_name: str
    reference: str
    channel: str  # label: "Accueil physique"
    theme: str  # label: "État civil — Acte de naissance"
    at: datetime
    next_steps: str
    due: date | None = None
    subject: str = ""
    site_footer: str = ""
    qr_payload: str = ""
    footer: str = ""


@dataclass(frozen=True)
class AppointmentSlip:
    """The printed confirmation of an appointment, handed over at the desk. No name on it: the code is enough
    to check in, and a lost slip tells nobody who is expected."""

    commune_name: str
    site_name: str
    agenda_name: str
    kind_name: str
    starts_at: datetime
    code: str  # "K7M4QX"
    qr_payload: str  # "RDV-K7M4QX"
    place: str  # "Hôtel de ville — rez-de-chaussée, guichets 1 et 2"
    documents: tuple[str, ...] = ()
    early_min: int = 30
    late_min: int = 15
    site_footer: str = ""
    footer: str = ""
    cancelled: bool = False


@dataclass(frozen=True)
class PrinterTestSlip:
    commune_name: str
    site_name: str
    printer: str  # "réseau 192.168.1.50:9100"
    code_page: str  # "CP858"
    at: datetime


# -- French words -------------------------------------------------------------------------------------------

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def french_date(day: date) -> str:
    """ "mardi 10 mars 2026" ("1er" for the first of the month)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{_DAYS[day.weekday()]} {number} {_MONTHS[day.month - 1]} {day.year}"


def french_time(moment: datetime) -> str:
    local = moment.astimezone(PARIS)
    return f"{local.hour}\u00a0h\u00a0{local.minute:02d}"  # no-break spaces: "9 h 03" is never cut


def french_datetime(moment: datetime) -> str:
    """ "mardi 10 mars 2026 à 9 h 03", in Paris time."""
    return f"{french_date(moment.astimezone(PARIS).date())} à\u00a0{french_time(moment)}"


def people_ahead_text(n: int) -> str:
    if n <= 0:
        return "Personne n'attend avant vous"
    return "1 personne avant vous" if n == 1 else f"{n} personnes avant vous"


def wait_text(minutes: int | None) -> str:
    if minutes is None:
        return "Attente : estimation indisponible"
    if minutes <= 0:
        return "Vous serez appelé dans un instant"
    if minutes < 60:
        return f"Attente estimée : {minutes}\u00a0min environ"
    hours, rest = divmod(minutes, 60)
    return f"Attente estimée : {hours}\u00a0h\u00a0{rest:02d} environ"


# -- building blocks ----------------------------------------------------------------------------------------


_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most ``columns`` characters, cut at spaces when possible, never inside "04 72 21 44 44"."""
    lines: list[str] = []
    for paragraph in _DIGIT_SPACE.sub("\u00a0", text).splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, columns, break_long_words=True, break_on_hyphens=False) or [""])
    return lines


def _lines(text: str, paper: Paper, *, align: Align = Align.LEFT, bold: bool = False, width: int = 1,
           height: int = 1) -> list[Text]:  # fmt: skip
    return [Text(line, align, bold, width, height) for line in wrap(text, paper.columns // width)]


def _field(label: str, value: str, paper: Paper) -> list[Text]:
    """ "Référence : VEN-HDV-…", continued lines indented under the value."""
    head = f"{label} : "
    first, *rest = wrap(head + value, paper.columns)
    out = [Text(first)]
    indent = " " * min(len(head), paper.columns // 3)
    continued = " ".join(rest)
    if continued:
        out += [Text(indent + line) for line in wrap(continued, paper.columns - len(indent))]
    return out


def _heading(commune: str, site: str, paper: Paper, logo: Path | None) -> list[Op]:
    # The logo carries the commune's name; without it the name is printed.
    head: list[Op] = [Image(logo)] if logo is not None else _lines(commune, paper, align=Align.CENTER, bold=True)
    return head + _lines(site, paper, align=Align.CENTER, bold=True)


def number_magnification(number: str, paper: Paper) -> int:
    """The largest size at which the ticket's number fits on one line (at least 4 on 58 mm for 8 characters)."""
    return max(1, min(MAX_NUMBER_MAGNIFICATION, paper.columns // max(1, len(number))))


# -- layouts --------------------------------------------------------------------------------------------------


def ticket_ops(slip: TicketSlip, paper: Paper, *, logo: Path | None = None) -> tuple[Op, ...]:
    """The queue ticket: where, which queue, the number very large, the wait, the time."""
    ops: list[Op] = _heading(slip.commune_name, slip.site_name, paper, logo)
    ops += [Feed(1), *_lines(slip.queue_name, paper, align=Align.CENTER, height=2), Rule()]
    ops += [Text("Votre numéro", Align.CENTER)]
    size = number_magnification(slip.number, paper)
    ops += [Text(slip.number, Align.CENTER, bold=True, width=size, height=size)]
    if slip.priority:
        ops += _lines("PRIORITAIRE", paper, align=Align.CENTER, bold=True, width=2, height=2)
    if slip.reprint:
        ops += [Text("Duplicata", Align.CENTER, bold=True)]
    ops += [Rule()]
    if slip.people_ahead is not None:
        ops += _lines(people_ahead_text(slip.people_ahead), paper, align=Align.CENTER, bold=True)
        ops += _lines(wait_text(slip.estimated_wait_min), paper, align=Align.CENTER)
    if slip.appointment_at is not None:
        ops += _lines(f"Rendez-vous de {french_time(slip.appointment_at)}", paper, align=Align.CENTER, bold=True)
    issued = f"Le {slip.issued_at.astimezone(PARIS):%d/%m/%Y} à\u00a0{french_time(slip.issued_at)}"
    ops += _lines(issued, paper, align=Align.CENTER)
    if slip.qr_payload:
        ops += [QR(slip.qr_payload, size=4 if paper.mm == 58 else 6)]
    ops += [Feed(1), *_lines("Votre numéro s'affichera à l'écran : gardez ce ticket.", paper, align=Align.CENTER)]
    if slip.footer:
        ops += _lines(slip.footer, paper, align=Align.CENTER)
    ops += [Cut()]
    return tuple(ops)


def receipt_ops(slip: ReceiptSlip, paper: Paper, *, logo: Path | None = None) -> tuple[Op, ...]:
    """The receipt of a contact (« récépissé »): reference, date, channel, subject, what happens next."""
    ops: list[Op] = _heading(slip.commune_name, slip.site_name, paper, logo)
    ops += [Feed(1), *_lines("RÉCÉPISSÉ", paper, align=Align.CENTER, bold=True, width=2, height=2), Rule()]
    ops += _field("Référence", slip.reference, paper)
    ops += _field("Date", french_datetime(slip.at), paper)
    ops += _field("Canal", slip.channel, paper)
    ops += _field("Thème", slip.theme, paper)
    if slip.subject:
        ops += _field("Objet", slip.subject, paper)
    ops += [Rule(), Text("Suite donnée", bold=True), *_lines(slip.next_steps, paper)]
    if slip.due is not None:
        ops += [Feed(1), *_lines(f"Réponse attendue au plus tard le {french_date(slip.due)}.", paper, bold=True)]
    ops += [Rule(), *_lines("Conservez ce récépissé : sa référence vous sera demandée pour tout suivi.", paper)]
    if slip.qr_payload:
        ops += [QR(slip.qr_payload, size=4 if paper.mm == 58 else 6)]
    if slip.site_footer:
        ops += [Feed(1), *_lines(slip.site_footer, paper, align=Align.CENTER)]
    if slip.footer:
        ops += _lines(slip.footer, paper, align=Align.CENTER)
    ops += [Cut()]
    return tuple(ops)


def appointment_ops(slip: AppointmentSlip, paper: Paper, *, logo: Path | None = None) -> tuple[Op, ...]:
    """The appointment's confirmation: what, when (large), where, the code and its QR, what to bring."""
    ops: list[Op] = _heading(slip.commune_name, slip.site_name, paper, logo)
    title = "RENDEZ-VOUS ANNULÉ" if slip.cancelled else "RENDEZ-VOUS"
    ops += [Feed(1), *_lines(title, paper, align=Align.CENTER, bold=True, width=2, height=2), Rule()]
    ops += _lines(slip.kind_name, paper, align=Align.CENTER, bold=True)
    ops += _lines(slip.agenda_name, paper, align=Align.CENTER)
    local = slip.starts_at.astimezone(PARIS)
    ops += [Feed(1), *_lines(french_date(local.date()).capitalize(), paper, align=Align.CENTER, bold=True)]
    ops += _lines(f"à {french_time(slip.starts_at)}", paper, align=Align.CENTER, bold=True, width=2, height=2)
    ops += _field("Lieu", slip.place, paper)
    if slip.cancelled:
        ops += [Rule(), *_lines("Ce rendez-vous est annulé. Pour en prendre un autre, appelez ou passez à l'accueil.",
                                paper)]  # fmt: skip
    else:
        ops += [Rule(), Text("Votre code", Align.CENTER)]
        size = number_magnification(slip.code, paper)
        ops += [Text(slip.code, Align.CENTER, bold=True, width=min(size, 4), height=min(size, 4))]
        ops += [QR(slip.qr_payload, size=4 if paper.mm == 58 else 6)]
        ops += _lines(
            f"À votre arrivée, tapez ce code ou présentez ce QR code à la borne, à partir de {slip.early_min} min "
            f"avant l'heure. Au-delà de {slip.late_min} min de retard, vous serez reçu dès que possible, "
            "sans priorité.",
            paper,
        )
        if slip.documents:
            ops += [Rule(), Text("À apporter", bold=True)]
            for item in slip.documents:
                first, *rest = wrap(f"- {item}", paper.columns)
                ops += [Text(first), *(Text(f"  {line}") for line in wrap(" ".join(rest), paper.columns - 2) if rest)]
    if slip.site_footer:
        ops += [Feed(1), *_lines(slip.site_footer, paper, align=Align.CENTER)]
    if slip.footer:
        ops += _lines(slip.footer, paper, align=Align.CENTER)
    ops += [Cut()]
    return tuple(ops)


FRENCH_LOWER = "à â æ ç é è ê ë î ï ô œ ù û ü ÿ"
FRENCH_UPPER = "À Â Æ Ç É È Ê Ë Î Ï Ô Œ Ù Û Ü Ÿ"
FRENCH_SIGNS = "« guillemets » l’apostrophe 12,50 € 3° 1/2"


def ruler(columns: int) -> str:
    """ "....+....1....+....2…": the last character falls on the last column."""
    marks = []
    for i in range(1, columns + 1):
        marks.append(str(i // 10 % 10) if i % 10 == 0 else "+" if i % 5 == 0 else ".")
    return "".join(marks)


def printer_test_ops(slip: PrinterTestSlip, paper: Paper, *, logo: Path | None = None) -> tuple[Op, ...]:
    """Every French character, the code page, a ruler of the paper's width, the sizes, a QR code."""
    ops: list[Op] = _heading(slip.commune_name, slip.site_name, paper, logo)
    ops += [Feed(1), *_lines("PAGE DE TEST", paper, align=Align.CENTER, bold=True, width=2, height=2), Rule()]
    ops += _field("Imprimante", slip.printer, paper)
    ops += _field("Page de code", slip.code_page, paper)
    ops += _field("Papier", paper.label, paper)
    ops += _field("Date", french_datetime(slip.at), paper)
    ops += [Rule(), Text(f"Règle ({paper.columns} colonnes) :"), Text(ruler(paper.columns))]
    ops += [Rule(), Text("Caractères français :", bold=True)]
    for line in (FRENCH_LOWER, FRENCH_UPPER, FRENCH_SIGNS):
        ops += _lines(line, paper)
    ops += _lines("(Une lettre absente de la page de code est imprimée sans accent ou en deux lettres.)", paper)
    ops += [Rule(), Text("Normal"), Text("Gras", bold=True), Text("Double hauteur", height=2)]
    ops += [Text("Double", width=2, height=2), Text("A042", Align.CENTER, bold=True, width=4, height=4)]
    ops += [Text("Centré", Align.CENTER), Text("À droite", Align.RIGHT), QR("Guichet — page de test", size=4)]
    ops += [Cut()]
    return tuple(ops)
