"""The statistics report's tables as a spreadsheet (XLSX, one sheet per table) or as CSV files in a zip."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from guichet.services.clock import PARIS
from guichet.services.stats_tables import DAYS, DECIMAL, INT, MINUTES, SHARE, TEXT, StatTable, report_tables
from guichet.services.stats_types import StatsReport

_FORMATS = {INT: "#,##0", SHARE: "0.0%", MINUTES: "0.0", DECIMAL: "0.0", DAYS: "0"}


def cell_value(value: object, kind: str) -> object:
    """A number for the spreadsheet: durations in minutes, shares as fractions (shown as %)."""
    if value is None:
        return None
    if kind == MINUTES:
        return round(float(value) / 60, 2)
    if kind in (SHARE, DECIMAL):
        return round(float(value), 4)
    return value


def _header(column_title: str, kind: str) -> str:
    return f"{column_title} (min)" if kind == MINUTES else f"{column_title} (jours)" if kind == DAYS else column_title


def _sheet_title(table: StatTable, used: set[str]) -> str:
    title = table.key[:31]
    n = 2
    while title in used:
        title = f"{table.key[:28]}_{n}"
        n += 1
    used.add(title)
    return title


def write_xlsx(report: StatsReport, path: Path | str) -> Path:
    """One sheet per table: a title line, a note, the header, then the rows as numbers."""
    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EAEEF2")
    for table in report_tables(report):
        sheet = book.create_sheet(_sheet_title(table, used))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([f"{report.scope_label} — {report.period.label}" + (f" — {table.note}" if table.note else "")])
        sheet.append([_header(c.title, c.kind) for c in table.columns])
        for cell in sheet[3]:
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table.rows:
            sheet.append([cell_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
        for i, column in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = 34 if i == 1 else max(11, min(22, len(column.title) + 4))
            if column.kind in _FORMATS:
                for (cell,) in sheet.iter_rows(min_row=4, min_col=i, max_col=i):
                    cell.number_format = _FORMATS[column.kind]
        sheet.freeze_panes = "B4"
    book.properties.title = f"Statistiques — {report.scope_label}"
    book.properties.creator = f"Guichet — {report.generated_by}"
    book.save(path)
    return path


def csv_text(table: StatTable) -> str:
    """A table as French CSV: ';' between fields, decimal comma, durations in minutes."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_header(c.title, c.kind) for c in table.columns])
    for row in table.rows:
        cells = []
        for v, c in zip(row, table.columns, strict=True):
            value = cell_value(v, c.kind)
            if value is None:
                cells.append("")
            elif c.kind == TEXT or isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ","))
        writer.writerow(cells)
    return out.getvalue()


def write_csv_zip(report: StatsReport, path: Path | str) -> Path:
    """One CSV file per table (UTF-8 with BOM, so that a spreadsheet opens the accents right), in a zip."""
    path = Path(path)
    stamp = report.generated_at.astimezone(PARIS)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for i, table in enumerate(report_tables(report), start=1):
            info = zipfile.ZipInfo(f"{i:02d}_{table.key}.csv", date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, "\ufeff" + csv_text(table))
    return path
