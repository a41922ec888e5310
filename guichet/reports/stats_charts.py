"""Charts of the statistics report drawn with reportlab.graphics (vector, DejaVu text): never screenshots of Qt."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors

from guichet.reports.fonts import BOLD, REGULAR, register_fonts
from guichet.services.stats_tables import heat_days, heat_hours, heat_rgb, number, request_site_series
from guichet.services.stats_types import WEEKDAYS_SHORT, StaffingAdvice, StatsReport

BLUE = colors.HexColor("#0b63b6")
ORANGE = colors.HexColor("#e08a00")
GREY = colors.HexColor("#57606a")
RED = colors.HexColor("#c62828")


def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose initial text state is DejaVu (reportlab's default would reference Helvetica)."""
    drawing = Drawing(width, height)
    drawing.initialFontName = REGULAR
    return drawing


def _title(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(String(0, height - 12, text, fontName=BOLD, fontSize=9.5, fillColor=colors.HexColor("#0b4f8a")))


def _style_axes(chart, font_size: float = 7) -> None:  # noqa: ANN001
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = REGULAR
        axis.labels.fontSize = font_size
        axis.strokeColor = GREY
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e1e4e8")
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.forceZero = True
    chart.valueAxis.labelTextFormat = lambda v: number(v, 0 if abs(v) >= 10 or v == int(v) else 1)
    top = max((v for series in chart.data for v in series), default=0)
    chart.valueAxis.valueMax = top * 1.15 if top > 0 else 1  # room for the values written above the bars


def bar_chart(
    title: str, labels: list[str], values: list[float], *, width: float = 360, height: float = 170,
    color: colors.Color = BLUE, horizontal: bool = False, value_text=None,  # noqa: ANN001
) -> Drawing:  # fmt: skip
    """One series of bars with their values written on them."""
    register_fonts()
    drawing = _drawing(width, height)
    _title(drawing, title, width, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    left = 150 if horizontal else 32
    chart.x, chart.y = left, 26 if not horizontal else 12
    chart.width, chart.height = width - left - 20, height - chart.y - 24
    chart.data = [list(values) or [0]]
    chart.categoryAxis.categoryNames = list(labels) or [""]
    chart.bars[0].fillColor = color
    chart.bars[0].strokeColor = None
    _style_axes(chart)
    if horizontal:
        chart.categoryAxis.reverseDirection = True
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.barLabels.boxAnchor = "w"
    elif len(labels) > 8:
        chart.categoryAxis.labels.angle = 45
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 7
    chart.barLabelFormat = value_text or (lambda v: number(v, 0))
    drawing.add(chart)
    return drawing


def grouped_bars(
    title: str, labels: list[str], series: list[tuple[str, list[float], colors.Color]], *, width: float = 360,
    height: float = 170, value_text=None,  # noqa: ANN001
) -> Drawing:  # fmt: skip
    """Several series side by side, with a legend."""
    register_fonts()
    drawing = _drawing(width, height)
    _title(drawing, title, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 32, 38 if len(labels) <= 8 else 52
    chart.width, chart.height = width - 52, height - chart.y - 40
    chart.data = [list(values) or [0] for _name, values, _c in series]
    chart.categoryAxis.categoryNames = list(labels) or [""]
    for i, (_name, _values, color) in enumerate(series):
        chart.bars[i].fillColor = color
        chart.bars[i].strokeColor = None
    _style_axes(chart, 6.5 if len(labels) > 20 else 7)
    if len(labels) > 8:
        chart.categoryAxis.labels.angle = 90
        chart.categoryAxis.labels.boxAnchor = "e"
    if value_text is not None:
        chart.barLabels.fontName = REGULAR
        chart.barLabels.fontSize = 6.5
        chart.barLabels.nudge = 7
        chart.barLabelFormat = value_text
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x, height - 20
    legend.fontName = REGULAR
    legend.fontSize = 7
    legend.columnMaximum = 1
    legend.deltax = min(140, (width - chart.x) / max(1, len(series)))
    legend.alignment = "right"
    legend.colorNamePairs = [(color, name) for name, _values, color in series]
    drawing.add(legend)
    return drawing


def _heat_color(value: float, top: float) -> colors.Color:
    rgb = heat_rgb(value, top)
    return colors.white if rgb is None else colors.Color(*(c / 255 for c in rgb))


def heat_map(report: StatsReport, *, width: float = 520, height: float = 190) -> Drawing:
    """Arrivals per day of the week and hour (mean per open day): the peaks."""
    register_fonts()
    t = report.tickets
    hours, days = heat_hours(report), heat_days(report)
    drawing = _drawing(width, height)
    _title(drawing, "Arrivées par jour et par heure (moyenne par jour ouvert)", width, height)
    left, top_y = 40, height - 34
    cell_w = (width - left - 10) / len(hours)
    cell_h = min(22, (top_y - 6) / max(1, len(days)))
    values = {(d, h): t.arrivals_per_day(d, h) for d in days for h in hours}
    peak = max(values.values(), default=0)
    for j, h in enumerate(hours):
        drawing.add(String(left + j * cell_w + cell_w / 2, top_y + 4, f"{h} h", fontName=REGULAR, fontSize=7,
                           textAnchor="middle", fillColor=GREY))  # fmt: skip
    for i, d in enumerate(days):
        y = top_y - (i + 1) * cell_h
        drawing.add(String(left - 4, y + cell_h / 2 - 3, WEEKDAYS_SHORT[d], fontName=REGULAR, fontSize=7.5,
                           textAnchor="end"))  # fmt: skip
        for j, h in enumerate(hours):
            v = values[(d, h)]
            fill = _heat_color(v, peak)
            drawing.add(Rect(left + j * cell_w, y, cell_w, cell_h, fillColor=fill, strokeColor=colors.white,
                             strokeWidth=1))  # fmt: skip
            if v > 0:
                dark = fill.red * 0.3 + fill.green * 0.59 + fill.blue * 0.11 < 0.5
                drawing.add(String(left + j * cell_w + cell_w / 2, y + cell_h / 2 - 2.5, number(v, 1),
                                   fontName=REGULAR, fontSize=6.5, textAnchor="middle",
                                   fillColor=colors.white if dark else colors.black))  # fmt: skip
    return drawing


def staffing_chart(advice: StaffingAdvice, *, width: float = 760, height: float = 200) -> Drawing:
    """Counters advised and counters open, slot by slot."""
    labels = [f"{WEEKDAYS_SHORT[s.weekday]} {s.hour} h" for s in advice.slots]
    series = [("Guichets conseillés (Erlang C)", [float(s.needed) for s in advice.slots], ORANGE)]
    if any(s.open_mean is not None for s in advice.slots):
        series.append(("Guichets ouverts (moyenne)", [s.open_mean or 0.0 for s in advice.slots], BLUE))
    return grouped_bars(f"Guichets conseillés et ouverts — {advice.site_name}", labels, series, width=width,
                        height=height)  # fmt: skip


def sites_charts(report: StatsReport, *, width: float = 370, height: float = 180) -> tuple[Drawing, Drawing]:
    labels = [x.code for x in report.sites]
    waits = grouped_bars(
        "Attente par site (minutes)", labels,
        [("Médiane", [(x.wait.median_s or 0) / 60 for x in report.sites], BLUE),
         ("90e centile", [(x.wait.p90_s or 0) / 60 for x in report.sites], ORANGE)],
        width=width, height=height, value_text=lambda v: number(v, 1),
    )  # fmt: skip
    shares = grouped_bars(
        "Part des personnes (%)", labels,
        [("Appelées dans l'objectif", [100 * (x.within_target or 0) for x in report.sites], BLUE),
         ("Réponse immédiate", [100 * (x.answered_first_share or 0) for x in report.sites], ORANGE)],
        width=width, height=height, value_text=lambda v: number(v, 0),
    )  # fmt: skip
    return waits, shares


def request_charts(report: StatsReport, *, width: float = 370, height: float = 180) -> tuple[Drawing, Drawing]:
    """Follow-up requests site by site: how they stand, and the answer delays."""
    labels, series = request_site_series(report)
    standing = grouped_bars(
        "Demandes par site", labels,
        [("Répondues dans le délai", series["in_time"], BLUE), ("En retard", series["late"], RED),
         ("En cours", series["open"], GREY)],
        width=width, height=height, value_text=lambda v: number(v, 0),
    )  # fmt: skip
    delays = grouped_bars(
        "Délai de réponse par site (jours)", labels,
        [("Médiane", series["median"], BLUE), ("90e centile", series["p90"], ORANGE)],
        width=width, height=height, value_text=lambda v: number(v, 0),
    )  # fmt: skip
    return standing, delays
