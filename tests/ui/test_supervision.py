"""The supervision page on the demo database: live board, statistics, exports, refusal for agents, renders."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from guichet.db import Database
from guichet.domain import TicketStatus
from guichet.models import Queue, Site, Ticket
from guichet.services import Services
from guichet.services.clock import local_day, now
from guichet.services.demo import DEMO_PASSWORD, seed_demo
from guichet.services.stats_tables import share_text
from guichet.ui.common.style import apply_style
from guichet.ui.supervision.page import SupervisionPage
from guichet.ui.worker import Worker
from tests.ui.helpers import screenshot_dir


@pytest.fixture
def demo(db: Database) -> Database:
    seed_demo(db, citizens=60, days=20, per_day=12)
    return db


@pytest.fixture
def worker(qapp) -> Iterator[Worker]:
    w = Worker()
    yield w
    w.shutdown()


def _page(qtbot, qapp, worker: Worker, db: Database, login: str) -> SupervisionPage:
    apply_style(qapp)
    services = Services.on(db)
    session = services.auth.login(login=login, password=DEMO_PASSWORD)
    page = SupervisionPage(worker, services, session, live_refresh_ms=500)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def _late_ticket(db: Database, minutes: int, seq: int = 900) -> str:
    """A ticket of queue A at the Hôtel de ville, waiting for ``minutes`` (queue A's target: 20 min)."""
    with db.write() as s:
        site = s.scalars(select(Site).where(Site.code == "HDV")).one()
        queue = s.scalars(select(Queue).where(Queue.site_id == site.id, Queue.letter == "A")).one()
        at = now() - timedelta(minutes=minutes)
        s.add(
            Ticket(
                site_id=site.id, queue_id=queue.id, current_queue_id=queue.id, service_day=local_day(now()), seq=seq,
                number=f"A{seq}", status=TicketStatus.WAITING, issued_at=at,
            )
        )  # fmt: skip
        return queue.name


def test_live_board_alerts_when_a_wait_passes_its_target(qtbot, qapp, worker, demo, tmp_path):
    name = _late_ticket(demo, 45)
    page = _page(qtbot, qapp, worker, demo, "sperrin")
    live = page.live
    qtbot.waitUntil(lambda: live.status is not None, timeout=10_000)
    assert live.site.currentText().startswith("Hôtel de ville")
    assert live.alert.isVisible()
    assert name in live.alert.text() and "objectif 20 min" in live.alert.text()
    row = next(r for r in range(live.queues.rowCount()) if live.queues.item(r, 0).text().startswith("A —"))
    assert live.queues.item(row, 1).text() == "1"
    assert live.queues.item(row, 3).text() in ("45 min", "44 min", "46 min")
    assert live.queues.item(row, 0).background().color().name() == "#fde2e1"  # red when over its target
    assert live.counters.rowCount() == 5
    assert live.kpis["waiting"].text() == "1"
    # It refreshes by itself: the ticket is served elsewhere, the alert goes away.
    with demo.write() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.number == "A900")).one()
        ticket.status = TicketStatus.CANCELLED
        ticket.finished_at = now()
    qtbot.waitUntil(lambda: not live.alert.isVisible(), timeout=10_000)
    assert live.kpis["waiting"].text() == "0"
    _late_ticket(demo, 50, seq=901)
    qtbot.waitUntil(lambda: live.alert.isVisible(), timeout=10_000)
    page.tabs.setCurrentIndex(0)
    page.grab().save(str(screenshot_dir(tmp_path) / "supervision_live.png"))
    page.stop()


def test_statistics_history_charts_tables_and_exports(qtbot, qapp, worker, demo, tmp_path):
    page = _page(qtbot, qapp, worker, demo, "sperrin")
    history = page.history
    qtbot.waitUntil(lambda: history.report is not None, timeout=20_000)
    page.stop()
    report = history.report
    assert report.site_id is not None and report.scope_label == "Hôtel de ville"
    assert report.period.days == 7
    assert history.cards["issued"].text() != "—" and report.tickets.issued > 0
    assert history.quick["week"].isChecked()
    # Whole commune, one year: the progress reaches the window while the service computes.
    steps = []
    history.relay.progress.connect(lambda done, total, what: steps.append(what))
    history.site.setCurrentIndex(0)
    history.set_quick("year")
    qtbot.waitUntil(lambda: history.report.site_id is None and history.report.period.days > 7, timeout=30_000)
    assert steps and history.progress.isHidden()
    report = history.report
    assert [s.code for s in report.sites] == ["HDV", "MAV"]
    assert history.sites_table.model.rowCount() == 2
    assert history.sites_wait_chart.categories == ["HDV", "MAV"]
    assert history.channel_chart.categories == [c.label for c in report.contacts.by_channel]
    assert history.theme_chart.categories == [c.label for c in report.contacts.by_theme[:15]]  # largest first
    assert history.queue_table.model.rowCount() == len(report.tickets.by_queue) > 0
    assert history.heat.rowCount() == 5 and history.heat.peak is not None  # Monday–Friday in the demo
    assert history.counter_table.model.rowCount() == len(report.tickets.by_counter)
    assert history.staffing.site.count() == 2 and history.staffing.table.model.rowCount() > 0
    # Requests and mail: every site side by side, the same figures as the service's.
    assert history.not_tracked.isHidden()
    assert history.casework_tables["demandes_sites"].model.rowCount() == 2
    assert history.requests_chart.categories == ["HDV", "MAV"]
    assert history.casework_tables["courrier_sites"].model.rowCount() == 6  # 2 sites × 2 directions + totals
    expected = share_text(report.requests.total.answered_in_time_share)
    assert history.cards["requests"].text() == expected

    shots = screenshot_dir(tmp_path)
    for i in range(history.sections.count()):
        page.tabs.setCurrentIndex(1)
        history.sections.setCurrentIndex(i)
        qtbot.wait(50)
        page.grab().save(str(shots / f"supervision_stats_{i}_{history.sections.tabText(i).split()[0].lower()}.png"))

    # Exports, read back.
    for kind, name in (("pdf", "rapport.pdf"), ("xlsx", "rapport.xlsx"), ("csv", "rapport.zip")):
        with qtbot.waitSignal(history.exported, timeout=20_000):
            history.export_to(kind, tmp_path / name)
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "rapport.pdf").pages)
    assert "Statistiques de l'accueil" in text and "Égalité de traitement" in text and "Vénissieux" in text
    assert "Effectifs conseillés" in text and "Erlang" in text
    book = load_workbook(tmp_path / "rapport.xlsx")
    assert {"synthese", "contacts_canal", "files", "sites", "agents"} <= set(book.sheetnames)
    sheet = book["sites"]
    assert [sheet.cell(4, 1).value, sheet.cell(5, 1).value] == ["HDV — Hôtel de ville",
                                                                "MAV — Mairie annexe du Moulin-à-Vent"]  # fmt: skip
    assert sheet.cell(4, 4).value == report.sites[0].issued
    with zipfile.ZipFile(tmp_path / "rapport.zip") as z:
        names = z.namelist()
        assert any(n.endswith("_sites.csv") for n in names)
        sites_csv = z.read(next(n for n in names if n.endswith("_sites.csv"))).decode("utf-8-sig")
    assert sites_csv.splitlines()[0].startswith("Site;Contacts;Réponse immédiate")


def test_an_agent_sees_no_statistics(qtbot, qapp, worker, demo):
    page = _page(qtbot, qapp, worker, demo, "mdurand")
    assert page.refused.isVisible() and not page.tabs.isVisible()
    assert "réservées aux superviseurs" in page.refused.text()
    qtbot.wait(100)
    assert page.history.report is None and page.live.status is None


def test_export_choice_opens_a_dialog_without_blocking(qtbot, qapp, worker, demo):
    page = _page(qtbot, qapp, worker, demo, "admin")
    qtbot.waitUntil(lambda: page.history.report is not None, timeout=20_000)
    page.stop()
    dialog = page.history.choose_export("pdf")
    assert dialog is not None and dialog.isVisible()  # open(), not exec(): we got here
    assert dialog.defaultSuffix() == "pdf"
    dialog.reject()
    assert isinstance(page.history.report.period.start, type(local_day(now())))
    assert Path(dialog.selectedFiles()[0]).name.startswith("statistiques_")


def test_supervisor_closes_the_day_from_the_board(qtbot, qapp, worker, demo):
    page = _page(qtbot, qapp, worker, demo, "sperrin")
    qtbot.waitUntil(lambda: page.live.site_id() is not None, timeout=10_000)
    site_id = page.live.site_id()
    queue = Services.on(demo).queue
    ticket = queue.issue_ticket(site_id=site_id, queue_id=queue.queue_statuses(site_id=site_id)[0].id)
    page.ask_close_day()
    qtbot.waitUntil(lambda: page.close_day_box.isVisible(), timeout=5_000)
    page.close_day_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: getattr(page, "close_day_done", None) is not None, timeout=10_000)
    assert page.close_day_done.text().startswith("Journée clôturée : 1 ticket(s) clos")
    assert queue.ticket(ticket_id=ticket.id).status is TicketStatus.CLOSED
