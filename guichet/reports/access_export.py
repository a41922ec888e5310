"""The right-of-access document as a PDF: A4, DejaVu embedded, French headings, one table per kind of data.

It reads the same data as the JSON given with it (``guichet.services.rgpd_export.collect`` plus a "document"
part), so both say the same thing. Every row shows a short reference (the last 8 characters of its id, which
the JSON gives in full) so that a line of the PDF can be found in the JSON.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from guichet.reports.fonts import BOLD, REGULAR, register_fonts
from guichet.services.clock import PARIS

PAGE = A4
MARGIN = 16 * mm
BLUE = colors.HexColor("#0b4f8a")
HEADER = colors.HexColor("#eaeef2")
PARIS_NOTE = "heures de Paris"
REF_WIDTH = 19 * mm
_PAD = 13.0  # a cell's padding, left and right, and a little air
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FIELD_LABELS = {
    "id": "Référence",
    "civility": "Civilité",
    "last_name": "Nom d'usage",
    "birth_name": "Nom de naissance",
    "first_names": "Prénoms",
    "birth_date": "Date de naissance",
    "phone": "Téléphone",
    "phone2": "Second téléphone",
    "email": "Courriel",
    "address": "Adresse",
    "postal_code": "Code postal",
    "city": "Ville",
    "preferred_channel": "Canal préféré pour les réponses",
    "created_at": "Créé le",
    "updated_at": "Dernière modification",
    "deleted_at": "Supprimé le",
    "anonymised_at": "Anonymisé le",
    "merged_into_id": "Fusionné dans la fiche",
    "channel": "Canal",
    "started_at": "Date",
    "theme_id": "Thème",
    "subject": "Objet",
    "notes": "Notes",
    "outcome": "Suite donnée",
    "site_id": "Site",
    "reference": "Référence",
    "received_on": "Reçue le",
    "service_id": "Service",
    "status": "État",
    "due_on": "Échéance",
    "answered_at": "Répondue le",
    "closed_at": "Clôturée le",
    "description": "Description",
    "answer_text": "Réponse",
    "at": "Date",
    "kind": "Nature",
    "comment": "Commentaire",
    "to_status": "Nouvel état",
    "sent_at": "Envoyé le",
    "body": "Texte envoyé",
    "chrono": "Chrono",
    "mail_date": "Date",
    "direction": "Sens",
    "mail_type": "Type",
    "correspondent": "Correspondant",
    "registered_number": "N° de recommandé",
    "file_name": "Fichier",
    "mime_type": "Format",
    "size": "Taille (octets)",
    "name": "Nom",
    "role": "Rôle",
    "household_id": "Foyer",
    "since": "Depuis le",
    "given_at": "Donné le",
    "withdrawn_at": "Retiré le",
    "starts_at": "Rendez-vous le",
    "ends_at": "Fin",
    "code": "Code",
    "agenda_id": "Agenda",
    "kind_id": "Motif",
    "booked_at": "Pris le",
    "checked_in_at": "Arrivée",
    "cancelled_at": "Annulé le",
    "cancel_reason": "Motif d'annulation",
    "missed_at": "Manqué le",
    "attempts": "Tentatives",
    "last_error": "Dernière erreur",
}
# Columns shown per known table (anything else is in the JSON); an unknown table shows all its columns.
COLUMNS = {
    "contact": ("started_at", "channel", "theme_id", "subject", "notes", "outcome", "site_id"),
    "household": ("name", "address", "postal_code", "city"),
    "household_member": ("household_id", "role", "since", "deleted_at"),
    "citizen_consent": ("kind", "given_at", "withdrawn_at", "site_id"),
    "mail_item": ("chrono", "mail_date", "mail_type", "correspondent", "subject", "registered_number"),
    "attachment": ("file_name", "mime_type", "size", "created_at", "deleted_at"),
    "request_event": ("at", "kind", "to_status", "comment"),
    "request_dispatch": ("channel", "address", "status", "sent_at", "body"),
    "appointment": ("starts_at", "kind_id", "site_id", "status", "code", "checked_in_at", "cancel_reason", "notes"),
    "appointment_notice": ("sent_at", "kind", "channel", "address", "status"),
}
REQUEST_FIELDS = ("received_on", "channel", "theme_id", "service_id", "status", "due_on", "answered_at", "closed_at",
                  "description", "answer_text")  # fmt: skip
_HIDDEN = frozenset({"version"})


def short_ref(row_id: str) -> str:
    """The 8 last characters of an id: random in a UUIDv7 (the first ones are its creation time)."""
    return row_id.replace("-", "")[-8:]


def text_of(v: Any) -> str:
    """A JSON value as a person reads it: French dates, « oui »/« non », nothing for empty."""
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, str) and _INSTANT.match(v):
        return datetime.fromisoformat(v).astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    if isinstance(v, str) and _DAY.match(v):
        return date.fromisoformat(v).strftime("%d/%m/%Y")
    return str(v)


def shown(row: dict[str, Any], key: str) -> str:
    label = row.get(f"{key}_libelle")
    return str(label) if label else text_of(row.get(key))


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=16, leading=20, textColor=BLUE),
        "subtitle": ParagraphStyle("subtitle", base, textColor=colors.HexColor("#57606a")),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
            textColor=BLUE,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2", base, fontName=BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2, keepWithNext=1
        ),
        "body": base,
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#57606a")),
        "cell": ParagraphStyle("cell", base, fontSize=7.5, leading=9.5),
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=7.5, leading=9.5),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 7.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d7de")),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), HEADER),
                  ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8fa")])]  # fmt: skip
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), HEADER))
    table.setStyle(TableStyle(style))
    return table


def _pairs(row: dict[str, Any], keys: list[str], styles: dict, width: float) -> Table:
    """A record as « label | value » lines."""
    lines = [[_p(FIELD_LABELS.get(k, k), styles["head"]), _p(shown(row, k), styles["cell"])] for k in keys]
    return _grid(lines, [width * 0.3, width * 0.7], header=False)


def _table(rows: list[dict[str, Any]], keys: tuple[str, ...], styles: dict, width: float) -> Table:
    head = [_p("Réf.", styles["head"])] + [_p(FIELD_LABELS.get(k, k), styles["head"]) for k in keys]
    texts = [[shown(r, k) for k in keys] for r in rows]
    body = [
        [_p(short_ref(r["id"]), styles["cell"])] + [_p(x, styles["cell"]) for x in line]
        for r, line in zip(rows, texts, strict=True)
    ]
    # Each column at least as wide as its longest word (up to 120 pt), the room left shared by text length.
    need, want = [], []
    for i, k in enumerate(keys):
        words = [stringWidth(w, REGULAR, 7.5) for line in texts for w in line[i].split()]
        words += [stringWidth(w, BOLD, 7.5) for w in FIELD_LABELS.get(k, k).split()]  # the heading is bold
        need.append(min(120.0, max(words, default=20.0)) + _PAD)
        mean = sum(stringWidth(line[i], REGULAR, 7.5) for line in texts) / max(1, len(texts))
        want.append(max(0.0, min(mean, 400.0) * 0.5 + _PAD - need[-1]) + 1)
    rest = width - REF_WIDTH
    if sum(need) >= rest:
        widths = [rest * n / sum(need) for n in need]
    else:
        widths = [n + (rest - sum(need)) * w / sum(want) for n, w in zip(need, want, strict=True)]
    return _grid([head, *body], [REF_WIDTH, *widths])


def _keys(row: dict[str, Any]) -> list[str]:
    return [k for k in row if not k.endswith("_libelle") and k not in _HIDDEN]


def render_pdf(data: dict[str, Any]) -> bytes:
    """The PDF of an access export (the dict its JSON is written from)."""
    styles = _styles()
    width = PAGE[0] - 2 * MARGIN
    meta = data["document"]
    person = data["personne"]
    linked: dict[str, dict[str, Any]] = dict(data["donnees_liees"])
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 4,
        title=meta["titre"], author=f"Guichet — {meta['commune']}", subject="Droit d'accès (article 15 du RGPD)",
        initialFontName=REGULAR, initialFontSize=9,
    )  # fmt: skip
    story: list = [
        _p(meta["titre"], styles["title"]),
        _p(
            f"{meta['personne']} · {meta['commune']} · édité le {text_of(meta['genere_le'])} ({PARIS_NOTE}) "
            f"au site {meta['site']}",
            styles["subtitle"],
        ),  # fmt: skip
        Spacer(1, 6),
        _p(meta["introduction"], styles["body"]),
        Spacer(1, 4),
        _p(meta["droits"], styles["body"]),
        Paragraph("Votre fiche", styles["h1"]),
        _pairs(person, _keys(person), styles, width),
    ]
    for merged in data["fiches_fusionnees"]:
        story += [
            Paragraph(f"Fiche fusionnée dans la vôtre (réf. {short_ref(merged['id'])})", styles["h2"]),
            _pairs(merged, _keys(merged), styles, width),
        ]
    requests = linked.pop("request", None)
    events = linked.pop("request_event", {"lignes": []})["lignes"]
    dispatches = linked.pop("request_dispatch", {"lignes": []})["lignes"]
    households = {r["id"]: r["name"] for r in linked.get("household", {"lignes": []})["lignes"]}
    for name, part in linked.items():
        rows = part["lignes"]
        story.append(Paragraph(escape(part["libelle"]), styles["h1"]))
        if name == "household_member":
            rows = [{**r, "household_id_libelle": households.get(r["household_id"], "")} for r in rows]
        if name == "mail_item":  # « Courrier arrivée, recommandé »: one column less, the table fits the page
            rows = [
                {**r, "mail_type_libelle": f"{shown(r, 'direction')}, {shown(r, 'mail_type').lower()}"} for r in rows
            ]
        if name in COLUMNS:
            story.append(_table(rows, COLUMNS[name], styles, width))
        else:
            for r in rows:
                story += [Paragraph(f"Réf. {short_ref(r['id'])}", styles["h2"]), _pairs(r, _keys(r), styles, width)]
        if name == "contact" and len(rows) > 1:
            story.append(_p(f"{len(rows)} contacts.", styles["note"]))
        if name == "contact" and requests is not None:  # requests come right after the contacts they came from
            story += _requests(requests, events, dispatches, styles, width)
            requests = None
    if requests is not None:
        story += _requests(requests, events, dispatches, styles, width)
    story.append(Paragraph("Consultations et modifications de votre fiche", styles["h1"]))
    journal = data["journal_audit"]
    if journal:
        rows = [
            [_p(short_ref(e["id"]), styles["cell"]), _p(text_of(e["date"]), styles["cell"]),
             _p(e["action_libelle"], styles["cell"]), _p(e["site"], styles["cell"]), _p(e["detail"], styles["cell"])]
            for e in journal
        ]  # fmt: skip
        head = [_p(x, styles["head"]) for x in ("Réf.", "Date", "Action", "Site", "Détail")]
        story.append(_grid([head, *rows], [REF_WIDTH, 26 * mm, 45 * mm, 35 * mm, width - REF_WIDTH - 106 * mm]))
    else:
        story.append(_p("Aucune consultation ni modification enregistrée.", styles["body"]))
    story.append(_p(meta["journal_note"], styles["note"]))
    story += [Paragraph("Durées de conservation", styles["h1"])]
    story.append(
        _grid(
            [[_p(k, styles["head"]), _p(v, styles["cell"])] for k, v in meta["conservation"]],
            [width * 0.4, width * 0.6],
            header=False,
        )  # fmt: skip
    )

    def footer(canvas, document) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(colors.HexColor("#57606a"))
        canvas.drawString(MARGIN, MARGIN - 2, f"Droit d'accès — {meta['personne']} — {meta['commune']}")
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN - 2, f"Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _requests(part: dict[str, Any], events: list, dispatches: list, styles: dict, width: float) -> list:
    story: list = [Paragraph(escape(part["libelle"]), styles["h1"])]
    for r in part["lignes"]:
        mine = [e for e in events if e["request_id"] == r["id"]]
        sent = [d for d in dispatches if d["request_id"] == r["id"]]
        title = f"Demande {r.get('reference', '')} — {r.get('subject', '')} (réf. {short_ref(r['id'])})"
        block = [
            _p(title, styles["h2"]),
            _pairs(r, [k for k in REQUEST_FIELDS if k in r], styles, width),
        ]
        if mine:
            block += [
                Spacer(1, 3),
                _p("Historique", styles["head"]),
                _table(mine, COLUMNS["request_event"], styles, width),
            ]
        if sent:
            block += [Spacer(1, 3), _p("Réponses envoyées", styles["head"]),
                      _table(sent, COLUMNS["request_dispatch"], styles, width)]  # fmt: skip
        story += [KeepTogether(block[:2]), *block[2:], Spacer(1, 4)]
    others = [d for d in dispatches if d["request_id"] not in {r["id"] for r in part["lignes"]}]
    if others:
        story += [
            _p("Autres réponses envoyées", styles["h2"]),
            _table(others, COLUMNS["request_dispatch"], styles, width),
        ]
    return story
