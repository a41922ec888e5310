"""What a letter says, as plain frozen dataclasses: the PDF layer (letters.py) reads nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Letterhead:
    """The sender: printed top-left on the first page, in the signature block and in the footer."""

    commune_name: str  # "Vénissieux": the PDF's author, and the letterhead's name when there is no logo
    service_line: str = ""  # "Direction de la relation aux usagers"
    address_lines: tuple[str, ...] = ()  # ("Hôtel de ville", "5 avenue Marcel-Houël", "69200 Vénissieux")
    phone: str = ""
    email: str = ""
    website: str = ""
    logo_path: str = ""  # a PNG; "" = the bundled resources/logo/commune.png
    signatory_name: str = ""
    signatory_title: str = ""  # "Pour le Maire, l'adjointe déléguée"
    footer: str = ""  # one free line at the bottom of every page


@dataclass(frozen=True)
class Recipient:
    """Printed in the window of a DL envelope (110 mm from the left, 50 mm from the top)."""

    name: str  # "Madame Aïcha Benali"
    address_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Letter:
    """One administrative letter. Every text is plain text (no markup): the renderer escapes it."""

    letterhead: Letterhead
    recipient: Recipient | None  # None: a letter handed over at the desk, no address block
    place: str  # "Vénissieux" -> "Vénissieux, le 22 novembre 2026"
    date: date
    reference: str  # "VEN-HDV-2026-000123" -> "Nos références : ..."
    subject: str  # written after "Objet : " (a leading "Objet :" is not doubled)
    salutation: str  # "Madame,"
    paragraphs: tuple[str, ...]  # the body; a "\n" inside a paragraph is a line break
    closing: str  # "Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées."
    signature_lines: tuple[str, ...] = ()  # () = letterhead.signatory_title then letterhead.signatory_name
    enclosure: str = ""  # "Copie intégrale d'acte de naissance" -> "P. J. : ..."
    follow_up: str = ""  # a framed box after the body: how to follow up the request
    handled_by: str = ""  # "Service État civil – 04 72 21 44 10" -> "Affaire suivie par : ..."
    heading: str = ""  # "Accusé de réception": a title above the subject, and the PDF's title
    qr_payload: str = ""  # a QR code after the body (an appointment's check-in code), with ``qr_caption``
    qr_caption: str = ""
