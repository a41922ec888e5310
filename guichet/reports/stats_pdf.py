"""The statistics report as a PDF: A4 landscape, DejaVu embedded, charts in vector form, every figure as a table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from guichet.reports.fonts import BOLD, REGULAR, register_fonts
from guichet.reports.stats_charts import BLUE, bar_chart, heat_map, request_charts, sites_charts, staffing_chart
from guichet.services.clock import PARIS
from guichet.services.staffing import METHOD_FR
from guichet.services.stats_tables import (
    TEXT,
    StatTable,
    appointment_tables,
    arrivals_table,
    hourly_table,
    mail_tables,
    number,
    people_table,
    queue_table,
    report_tables,
    request_tables,
    sites_table,
    staffing_table,
    summary,
    text,
    wait_table,
)
from guichet.services.stats_types import StatsReport

PAGE = landscape(A4)
MARGIN = 14 * mm
HEADER = colors.HexColor("#eaeef2")


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=17, leading=21, textColor=BLUE),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=10, leading=13, textColor=colors.HexColor("#57606a")),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=BOLD,
            fontSize=13,
            leading=17,
            spaceBefore=8,
            spaceAfter=4,
            textColor=colors.HexColor("#0b4f8a"),
        ),  # fmt: skip
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2),
        "body": base,
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#57606a")),
        "cell": ParagraphStyle("cell", base, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=7.5, leading=9),
        "head_right": ParagraphStyle("head_right", base, fontName=BOLD, fontSize=7.5, leading=9, alignment=2),
    }


def table_flowable(table: StatTable, styles: dict[str, ParagraphStyle], width: float, *, keep: bool = True) -> list:
    """A StatTable as a platypus table: header repeated on each page, numbers right-aligned."""
    head = [Paragraph(c.title, styles["head"]) for c in table.columns]
    body = [
        [Paragraph(text(v, c.kind), styles["cell"]) if c.kind == TEXT else text(v, c.kind)
         for v, c in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]  # fmt: skip
    if not body:
        body = [[Paragraph("Aucune donnée sur la période.", styles["cell"])] + [""] * (len(table.columns) - 1)]
    n = len(table.columns)
    first = min(width * 0.3, max(width / n, 150))
    rest = (width - first) / max(1, n - 1)
    widths = [first] + [min(rest, 90)] * (n - 1)
    flowable = Table([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#8c99a6")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8fa")]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for i, c in enumerate(table.columns):
        if c.kind != TEXT:
            style.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
            head[i].style = styles["head_right"]
    flowable.setStyle(TableStyle(style))
    title = Paragraph(table.title, styles["h2"])
    note = [Paragraph(table.note, styles["note"])] if table.note else []
    if not keep:  # inside a cell of _side_by_side: no KeepTogether there
        return [title, flowable, *note, Spacer(1, 6)]
    if len(body) <= 16:  # a short table stays in one piece with its title; a long one flows over pages
        return [KeepTogether([title, flowable, *note]), Spacer(1, 6)]
    return [KeepTogether([title, Spacer(1, 1)]), flowable, *note, Spacer(1, 6)]


def _side_by_side(left, right, width: float) -> Table:  # noqa: ANN001
    """Two flowables (or lists of them) in two columns."""
    t = Table([[left, right]], colWidths=[width / 2, width / 2], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [("FONT", (0, 0), (-1, -1), REGULAR, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LEFTPADDING", (0, 0), (-1, -1), 0)]
        )
    )  # fmt: skip
    return t


def _method(styles: dict[str, ParagraphStyle]) -> list:
    """How the advice is computed, in French (guichet.services.staffing.METHOD_FR)."""
    out = [Paragraph("Méthode : comment le nombre de guichets est calculé", styles["h2"])]
    for line in METHOD_FR:
        out.append(Paragraph(line.replace("&", "&amp;").replace("<", "&lt;"), styles["note"]))
        out.append(Spacer(1, 2))
    return out


def write_pdf(
    report: StatsReport, path: Path | str, *, progress: Callable[[int, int, str], None] | None = None
) -> Path:
    """Write the report; returns its path."""
    styles = _styles()
    path = Path(path)
    width = PAGE[0] - 2 * MARGIN
    title = f"Statistiques de l'accueil — {report.scope_label}"
    doc = SimpleDocTemplate(
        str(path), pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 4,
        title=title, author=f"Guichet — {report.generated_by}", subject=f"Période {report.period.label}",
        # The canvas starts every page with a font of its own: DejaVu too, so that no Helvetica is referenced.
        initialFontName=REGULAR, initialFontSize=9,
    )  # fmt: skip
    c, t = report.contacts, report.tickets
    story: list = [
        Paragraph(title, styles["title"]),
        Paragraph(
            f"{report.commune_name} · période {report.period.label} · édité le "
            f"{report.generated_at.astimezone(PARIS):%d/%m/%Y à %H:%M} par {report.generated_by}",
            styles["subtitle"],
        ),
        Spacer(1, 8),
        _side_by_side(
            table_flowable(summary(report), styles, width / 2 - 14, keep=False),
            [Spacer(1, 20), *(Paragraph(x, styles["note"]) for x in report.not_tracked)],
            width,
        ),
    ]
    steps = 7
    if progress:
        progress(1, steps, "PDF : contacts")
    # Contacts
    tables = {x.key: x for x in report_tables(report)}
    story += [
        Paragraph("Contacts", styles["h1"]),
        _side_by_side(
            bar_chart("Contacts par canal", [x.label for x in c.by_channel], [x.count for x in c.by_channel],
                      width=width / 2 - 10),
            bar_chart("Suite donnée", [x.label for x in c.by_outcome], [x.count for x in c.by_outcome],
                      width=width / 2 - 10, horizontal=True),
            width,
        ),
        bar_chart("Contacts par thème", [x.label for x in c.by_theme][:15], [x.count for x in c.by_theme][:15],
                  width=width, height=max(120, 16 * min(15, len(c.by_theme)) + 40), horizontal=True),
    ]  # fmt: skip
    half = width / 2 - 14
    story += [
        _side_by_side(table_flowable(tables["contacts_canal"], styles, half, keep=False),
                      table_flowable(tables["contacts_suite"], styles, half, keep=False), width),
        _side_by_side(table_flowable(tables["contacts_theme"], styles, half, keep=False),
                      table_flowable(tables["orientations_services"], styles, half, keep=False)
                      + table_flowable(tables["orientations_organismes"], styles, half, keep=False), width),
    ]  # fmt: skip
    if progress:
        progress(2, steps, "PDF : files d'attente")
    # Queues
    hist = t.wait_histogram
    story += [
        PageBreak(),
        Paragraph("Files d'attente", styles["h1"]),
        heat_map(report, width=width, height=max(120, 24 * len([d for d in t.open_days if d]) + 50)),
        Spacer(1, 6),
        _side_by_side(
            bar_chart("Arrivées par heure (tickets sur la période)", [r[0].split(" –")[0] for r in hourly_table(report).rows],
                      [r[1] for r in hourly_table(report).rows], width=width / 2 - 10),
            bar_chart("Répartition des attentes (tickets)", [b.label for b in hist], [b.count for b in hist],
                      width=width / 2 - 10),
            width,
        ),
        *table_flowable(queue_table(t.by_queue), styles, width),
        *table_flowable(arrivals_table(report), styles, width),
        _side_by_side(table_flowable(wait_table(report), styles, width / 2 - 14, keep=False),
                      table_flowable(hourly_table(report), styles, width / 2 - 14, keep=False), width),
    ]  # fmt: skip
    if progress:
        progress(3, steps, "PDF : guichets et agents")
    story += [
        CondPageBreak(60 * mm),
        Paragraph("Guichets et agents", styles["h1"]),
        *table_flowable(people_table("guichets", "Par guichet", "Guichet", t.by_counter), styles, width),
        *table_flowable(people_table("agents", "Par agent", "Agent", t.by_agent), styles, width),
    ]
    if progress:
        progress(4, steps, "PDF : égalité de traitement")
    waits, shares = sites_charts(report, width=width / 2 - 10)
    story += [
        PageBreak(),
        Paragraph("Égalité de traitement entre les sites", styles["h1"]),
        _side_by_side(waits, shares, width),
        *table_flowable(sites_table(report), styles, width),
    ]
    if report.requests is not None or report.mail is not None or report.appointments is not None:
        if progress:
            progress(5, steps, "PDF : demandes, courrier et rendez-vous")
        standing, delays = request_charts(report, width=width / 2 - 10)
        story += [PageBreak(), Paragraph("Demandes, courrier et rendez-vous", styles["h1"]),
                  _side_by_side(standing, delays, width)]  # fmt: skip
        for table in (*request_tables(report), *mail_tables(report), *appointment_tables(report)):
            story += table_flowable(table, styles, width)
    if progress:
        progress(6, steps, "PDF : effectifs")
    for advice in report.staffing:
        story += [
            PageBreak(),
            Paragraph(f"Effectifs conseillés — {advice.site_name}", styles["h1"]),
            Paragraph(
                f"Objectif : {number(100 * advice.target_share, 0)} % des personnes appelées en moins de "
                f"{number(advice.target_wait_min, 0)} min. {advice.open_source}",
                styles["body"],
            ),
            staffing_chart(advice, width=width),
            *table_flowable(staffing_table(advice), styles, width),
        ]
    if report.staffing:
        story += _method(styles)

    def footer(canvas, document) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(colors.HexColor("#57606a"))
        canvas.drawString(MARGIN, MARGIN - 2, f"Guichet — {report.scope_label} — {report.period.label}")
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN - 2, f"Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    if progress:
        progress(steps, steps, "PDF écrit")
    return path
