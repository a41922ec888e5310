"""The statistics report written as PDF, XLSX and CSV, and read back."""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from guichet.db import Database
from guichet.reports.stats_export import write_csv_zip, write_xlsx
from guichet.reports.stats_pdf import write_pdf
from guichet.services.clock import local_day, now
from guichet.services.demo import seed_demo
from guichet.services.stats import StatsService
from guichet.services.stats_tables import report_tables, text


@pytest.fixture
def report(db: Database, refs):
    seed_demo(db, citizens=40, days=12, per_day=10)
    today = local_day(now())
    return StatsService(db).report(agent_id=refs.agents["sperrin"], start=today - timedelta(days=14), end=today)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_pdf_has_every_section_in_french_with_the_bundled_font(report, tmp_path):
    steps = []
    path = write_pdf(report, tmp_path / "stats.pdf", progress=lambda d, t, w: steps.append(w))
    reader = PdfReader(path)
    content = "\n".join(p.extract_text() for p in reader.pages)
    for words in ("Statistiques de l'accueil", "Vénissieux — tous les sites", "Contacts par canal", "Accueil physique",
                  "Files d'attente", "Arrivées par jour et par heure", "Égalité de traitement", "Hôtel de ville",
                  "Mairie annexe du Moulin-à-Vent", "Effectifs conseillés", "Erlang", "Par agent",
                  "Demandes, courrier et rendez-vous", "Demandes par service chargé de répondre", "Rendez-vous par site", "Délai de réponse par site",
                  "Courrier : volumes et délais par site"):  # fmt: skip
        assert words in content, words
    assert _fonts(reader) == {"DejaVuSans", "DejaVuSans-Bold"}  # embedded, never Helvetica
    assert reader.metadata.title.startswith("Statistiques de l'accueil")
    assert steps[-1] == "PDF écrit"


def test_xlsx_has_one_sheet_per_table_with_numbers(report, tmp_path):
    book = load_workbook(write_xlsx(report, tmp_path / "stats.xlsx"))
    tables = report_tables(report)
    assert len(book.sheetnames) == len(tables)
    files = book["files"]
    assert files["A1"].value == "Files d'attente"
    headers = [c.value for c in files[3]]
    assert headers[:4] == ["File", "Objectif (min)", "Tickets", "Servis"]
    first = report.tickets.by_queue[0]
    assert files.cell(4, 1).value == first.label
    assert files.cell(4, 3).value == first.issued and isinstance(files.cell(4, 3).value, int)
    assert files.cell(4, 7).value == pytest.approx(first.wait.median_s / 60, abs=0.01)  # minutes, a number
    assert files.cell(4, 10).number_format == "0.0%"
    canal = book["contacts_canal"]
    assert [canal.cell(r, 1).value for r in range(4, 10)][0] == "Accueil physique"


def test_csv_zip_is_french_csv(report, tmp_path):
    path = write_csv_zip(report, tmp_path / "stats.zip")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert len(names) == len(report_tables(report)) and names[0] == "01_synthese.csv"
        raw = z.read(next(n for n in names if n.endswith("_files.csv")))
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["File", "Objectif (min)", "Tickets"]
    cells = lines[1].split(";")
    assert cells[0] == report.tickets.by_queue[0].label
    assert "." not in cells[6] and ("," in cells[6] or cells[6].isdigit() or cells[6] == "")


def test_an_empty_period_still_makes_every_file(db: Database, refs, tmp_path):
    today = local_day(now())
    empty = StatsService(db).report(agent_id=refs.agents["admin"], start=today, end=today)
    assert empty.tickets.issued == 0 and empty.contacts.total == 0 and empty.staffing == ()
    reader = PdfReader(write_pdf(empty, tmp_path / "vide.pdf"))
    assert "Aucune donnée sur la période" in "\n".join(p.extract_text() for p in reader.pages)
    assert load_workbook(write_xlsx(empty, tmp_path / "vide.xlsx")).sheetnames[0] == "synthese"
    assert zipfile.ZipFile(write_csv_zip(empty, tmp_path / "vide.zip")).namelist()


def test_french_formatting():
    assert text(1234567, "int") == "1\u202f234\u202f567"
    assert text(0.8125, "share") == "81,2 %"
    assert text(450, "minutes") == "7,5 min"
    assert text(None, "minutes") == "—"
