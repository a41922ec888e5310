"""An answer sheet as rich text for a QTextBrowser: the answer on the left, what to bring and where on the right."""

from __future__ import annotations

from datetime import date
from html import escape

from guichet.domain import SheetStatus
from guichet.services.clock import PARIS
from guichet.services.knowledge_types import DirectoryEntry, SheetView, VersionInfo

BLUE = "#0b4f8a"
GREY = "#57606a"
ORANGE = "#9a5b00"


def _text(value: str) -> str:
    return "<br>".join(escape(line) for line in value.strip().splitlines())


def _paragraphs(value: str) -> str:
    return "".join(f"<p style='margin:0 0 6px 0'>{_text(p)}</p>" for p in value.split("\n\n") if p.strip())


def _block(title: str, body: str) -> str:
    return f"<p style='margin:6px 0 1px 0'><b style='color:{BLUE}'>{escape(title)}</b></p>{body}" if body else ""


def entry_html(entry: DirectoryEntry) -> str:
    """A directory entry: what it handles and how to reach it."""
    lines = [f"<b>{escape(entry.name)}</b> <span style='color:{GREY}'>({escape(entry.kind.label.lower())})</span>"]
    if entry.handles:
        lines.append(escape(entry.handles))
    if entry.contact_line:
        lines.append(f"<span style='color:{GREY}'>{escape(entry.contact_line)}</span>")
    return "<br>".join(lines)


def sheet_html(
    sheet: SheetView, *, today: date, used: bool = False, history: tuple[VersionInfo, ...] = (), banner: str = ""
) -> str:
    """The sheet in two columns (the answer | documents, where and when, fees, links), with its version."""
    c = sheet.content
    head = f"<span style='font-size:13pt; font-weight:bold; color:{BLUE}'>{escape(sheet.title)}</span>"
    if used:
        head += " <span style='background:#1b7f3b; color:white'>&nbsp;Fiche utilisée&nbsp;</span>"
    top = f"<p style='margin:0 0 4px 0'>{head}</p>"
    if banner:
        top = f"<p style='margin:0 0 4px 0; background:#fff4d6; color:{ORANGE}'>&nbsp;{escape(banner)}</p>" + top
    left = ""
    if c.question:
        left += f"<p style='margin:0 0 6px 0; color:{GREY}'><i>{_text(c.question)}</i></p>"
    left += _paragraphs(c.answer) or f"<p style='color:{GREY}'>(pas encore de réponse rédigée)</p>"
    right = ""
    if c.documents:
        items = "".join(f"<li>{escape(d)}</li>" for d in c.documents)
        right += _block("Pièces à fournir", f"<ul style='margin:0 0 0 -22px'>{items}</ul>")
    right += _block("Où et quand", _text(c.where_when))
    target = sheet.orientation
    in_charge = escape(sheet.in_charge)
    if target is not None and target.contact_line and sheet.orientation_is_in_charge:
        in_charge += f"<br><span style='color:{GREY}'>{escape(target.contact_line)}</span>"
    right += _block("Service en charge", in_charge)
    if target is not None and not sheet.orientation_is_in_charge:
        right += _block("Orienter vers", entry_html(target))
    right += _block("Tarif", _text(c.fees))
    if sheet.links:
        links = "<br>".join(f"<a href='{escape(x.url, quote=True)}'>{escape(x.label)}</a>" for x in sheet.links)
        right += _block("En ligne", links)
    body = (
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
        f"<td width='55%' valign='top' style='padding-right:12px'>{left}</td>"
        f"<td width='45%' valign='top'>{right}</td></tr></table>"
    )
    footer = [sheet.version_label, sheet.theme_label, sheet.scope_label]
    if sheet.owner:
        footer.append(f"responsable : {sheet.owner}")
    foot = escape(" · ".join(p for p in footer if p))
    if sheet.status is SheetStatus.PUBLISHED and sheet.to_review(today):
        foot += f" · <b style='color:{ORANGE}'>à revoir depuis le {sheet.review_on:%d/%m/%Y}</b>"
    elif sheet.review_on:
        foot += escape(f" · revue prévue le {sheet.review_on:%d/%m/%Y}")
    html = top + body + f"<p style='margin:6px 0 0 0; color:{GREY}; font-size:9pt'>{foot}</p>"
    if history:
        lines = []
        for v in history:
            when = f"{v.published_at.astimezone(PARIS):%d/%m/%Y}" if v.published_at else ""
            mark = " (lue aux guichets)" if v.current else ""
            lines.append(escape(f"Version {v.number} du {when}, par {v.published_by or v.author}{mark} — {v.title}"))
        html += _block("Historique", f"<span style='font-size:9pt'>{'<br>'.join(lines)}</span>")
    return html


EMPTY_HTML = (
    f"<p style='color:{GREY}'>Choisissez un thème : ses fiches validées s'affichent ici (réponse, pièces à fournir, "
    "lieux et horaires, tarifs).</p>"
    f"<p style='color:{GREY}'>Alt+A : chercher un service ou un organisme dans l'annuaire (CAF, CPAM, impôts, "
    "préfecture…) pour y orienter le citoyen.</p>"
)
