"""The « Journal d'audit » page and the right-of-access and erasure dialogs, on the demo database; renders."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from guichet.db import Database
from guichet.domain import AuditAction
from guichet.models import Citizen, Contact
from guichet.services import Services
from guichet.services.demo import DEMO_PASSWORD, seed_demo
from guichet.ui.audit import rgpd_dialogs
from guichet.ui.audit.rgpd_dialogs import AccessExportDialog, EraseDialog
from guichet.ui.audit.view import AuditView
from guichet.ui.common import pdf_actions
from guichet.ui.common.style import apply_style
from guichet.ui.supervision.page import SupervisionPage
from guichet.ui.worker import Worker
from tests.ui.helpers import screenshot_dir, visible_texts


@pytest.fixture
def demo(db: Database) -> Database:
    seed_demo(db, citizens=40, days=5, per_day=8)
    return db


@pytest.fixture
def worker(qapp) -> Iterator[Worker]:
    w = Worker()
    yield w
    w.shutdown()


def _someone(db: Database) -> tuple[uuid.UUID, str]:
    """A demo citizen with contacts (no request still open, so that they can be erased)."""
    with db.read() as s:
        row = s.execute(
            select(Citizen.id, Citizen.last_name)
            .join(Contact, Contact.citizen_id == Citizen.id)
            .where(Contact.outcome != "demande_ouverte")
            .order_by(Citizen.last_name)
        ).first()
    assert row is not None
    return row[0], row[1]


def _render(widget: QWidget, path: Path, over: QWidget | None = None) -> None:
    """The widget at 1366x768, with a dialog drawn over its middle as the agent sees it."""
    QApplication.processEvents()  # pending layouts (a label that grew) are done, as on screen
    assert widget.width() == 1366, "the page must fit a 1366 px wide screen"
    image = widget.grab()
    if over is not None:
        painter = QPainter(image)
        painter.fillRect(image.rect(), QColor(0, 0, 0, 60))  # the window behind a modal dialog
        dialog: QPixmap = over.grab()
        painter.drawPixmap(
            QPoint((image.width() - dialog.width()) // 2, (image.height() - dialog.height()) // 3), dialog
        )
        painter.end()
    assert image.save(str(path))


def _session(services: Services, login: str):  # noqa: ANN202
    return services.auth.login(login=login, password=DEMO_PASSWORD)


def test_supervisor_reads_the_journal_and_filters_one_person(qtbot, qapp, worker, demo, tmp_path) -> None:
    apply_style(qapp)
    services = Services.on(demo)
    session = _session(services, "sperrin")
    citizen, last_name = _someone(demo)
    agent = _session(services, "mdurand")
    for _ in range(2):
        services.audit.record_view(citizen_id=citizen, agent_id=agent.agent_id, site_id=agent.site_id)
    page = SupervisionPage(worker, services, session, live_refresh_ms=60_000)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    with qtbot.waitSignal(page.audit.loaded, timeout=10_000):
        page.tabs.setCurrentWidget(page.audit)
    view = page.audit
    texts = [view.model.data(view.model.index(r, 1)) for r in range(view.model.rowCount())]
    assert texts.count("Consultation d'une fiche") == 2
    assert "Connexion" in texts  # the logins of this test
    view.person_search.setFocus()
    qtbot.keyClicks(view.person_search, last_name)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.keyClick(view.person_search, Qt.Key.Key_Return)
    assert view.person.currentData() == str(citizen)
    assert [r.action for r in view.model.rows] == [AuditAction.RECORD_VIEWED] * 2
    assert all(r.agent_name == "Marie Durand" for r in view.model.rows)
    view.table.selectRow(0)
    assert view.export_button.isEnabled() and view.erase_button.isEnabled()
    _render(page, screenshot_dir(tmp_path) / "audit_journal.png")

    target = tmp_path / "journal.csv"
    view.write_csv(str(target))
    assert "Consultation d'une fiche;Marie Durand" in target.read_bytes().decode("utf-8-sig")
    assert "Journal exporté" in view.message.text()


def test_agents_do_not_see_the_journal(qtbot, qapp, worker, demo) -> None:
    services = Services.on(demo)
    view = AuditView(worker, services, _session(services, "kbenali"))
    qtbot.addWidget(view)
    view.show()
    assert view.refused.isVisible() and "réservé aux superviseurs" in view.refused.text()
    assert not view.table.isVisible()


def test_access_export_dialog_saves_the_pdf_and_the_json(qtbot, qapp, worker, demo, tmp_path, monkeypatch) -> None:
    apply_style(qapp)
    services = Services.on(demo)
    session = _session(services, "sperrin")
    citizen, last_name = _someone(demo)
    page = SupervisionPage(worker, services, session, live_refresh_ms=60_000)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    dialog = AccessExportDialog(worker, services, session, citizen, page, citizen_label=f"M. {last_name.upper()}")
    with qtbot.waitSignal(dialog.ready, timeout=10_000):
        dialog.open()
    assert dialog.save_pdf_button.isEnabled() and dialog.save_json_button.isEnabled()
    assert "Export prêt" in dialog.status.text()
    _render(page, screenshot_dir(tmp_path) / "audit_access_export.png", over=dialog)

    dialog.save_json()
    target = tmp_path / "export.json"
    dialog.last_dialog.fileSelected.emit(str(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["personne"]["id"] == str(citizen) and data["donnees_liees"]["contact"]["lignes"]
    assert "Document enregistré" in dialog.status.text()
    opened: list[Path] = []
    monkeypatch.setattr(pdf_actions, "open_file", lambda path: opened.append(path) or True)
    dialog.open_pdf()
    assert opened and opened[0].read_bytes().startswith(b"%PDF") and opened[0].suffix == ".pdf"
    assert rgpd_dialogs.AccessExportDialog is AccessExportDialog


def test_erase_dialog_asks_a_reason_and_a_confirmation(qtbot, qapp, worker, demo, tmp_path) -> None:
    apply_style(qapp)
    services = Services.on(demo)
    session = _session(services, "sperrin")
    citizen, last_name = _someone(demo)
    page = SupervisionPage(worker, services, session, live_refresh_ms=60_000)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    dialog = EraseDialog(worker, services, session, citizen, page, citizen_label=f"M. {last_name.upper()}")
    dialog.open()
    assert not dialog.erase_button.isEnabled()
    dialog.reason.setFocus()
    qtbot.keyClicks(dialog.reason, "Courrier du 3 mars : demande d'effacement")
    assert not dialog.erase_button.isEnabled()  # not confirmed yet
    dialog.confirm.setChecked(True)
    assert dialog.erase_button.isEnabled()
    _render(page, screenshot_dir(tmp_path) / "audit_erase.png", over=dialog)
    with qtbot.waitSignal(dialog.erased, timeout=10_000):
        qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert "Fiche effacée" in dialog.message.text()
    assert dialog.close_button.text() == "Fermer"
    with demo.read() as s:
        assert s.get(Citizen, citizen).last_name == "Anonymisé"
    _render(page, screenshot_dir(tmp_path) / "audit_erase_done.png", over=dialog)


def test_dialogs_refuse_agents(qtbot, qapp, worker, demo) -> None:
    services = Services.on(demo)
    session = _session(services, "mdurand")
    citizen, _ = _someone(demo)
    erase = EraseDialog(worker, services, session, citizen)
    qtbot.addWidget(erase)
    erase.open()
    assert "réservé aux superviseurs" in erase.message.text()
    assert not erase.reason.isEnabled() and not erase.erase_button.isEnabled()
    export = AccessExportDialog(worker, services, session, citizen)
    qtbot.addWidget(export)
    export.open()
    assert "réservé aux superviseurs" in " ".join(visible_texts(export))
    assert not export.save_pdf_button.isEnabled()
