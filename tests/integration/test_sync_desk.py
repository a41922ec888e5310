"""The desk with sync set: rounds run on their own thread, the status bar says where things are."""

from __future__ import annotations

from PySide6.QtCore import Qt

from guichet.app import build_desk
from guichet.config import Settings
from guichet.domain import Channel, Outcome
from guichet.services.contacts import ContactInput
from guichet.services.demo import DEMO_PASSWORD
from guichet.ui.common.style import apply_style
from tests.integration.world import central_rows
from tests.ui.helpers import log_in


def test_desk_syncs_in_the_background_and_on_demand(qtbot, qapp, make_site, central):
    site = make_site("VEN-HDV", interval_s=30.0)
    first = site.service.run_round()  # the first load brings the agents, themes and queues
    assert first.online, first.errors
    site.service.close()
    apply_style(qapp)
    desk = build_desk(Settings(db_path=site.path, sync=site.settings), site.db)
    try:
        window = log_in(qtbot, desk, "mdurand", DEMO_PASSWORD)
        qtbot.waitUntil(lambda: window.sync_label.text().startswith("Synchronisé"), timeout=15_000)

        session = window._session
        theme = next(t for t in desk.services.reference.load(commune_id=session.commune_id,
                                                              site_id=session.site_id).themes)  # fmt: skip
        row = desk.services.contacts.log(
            agent_id=session.agent_id,
            site_id=session.site_id,
            data=ContactInput(channel=Channel.PHONE, theme_id=theme.id, outcome=Outcome.ANSWERED, subject="Sync"),
        )
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

        def arrived() -> bool:
            with central.admin() as conn:
                return row.id.hex in {k.replace("-", "") for k in central_rows(conn, "contact")}

        qtbot.waitUntil(arrived, timeout=15_000)  # long before the 30 s interval
        qtbot.waitUntil(lambda: window.sync_label.text().startswith("Synchronisé"), timeout=10_000)
        assert "dernier succès" in window.sync_label.text()
    finally:
        qtbot.waitUntil(lambda: desk.worker.idle, timeout=10_000)
        desk.sync.stop()
        desk.worker.shutdown()
