"""The supervision page: « Tableau de bord » (live), « Statistiques » (history, sites, staffing, exports) and
« Journal d'audit » (who viewed or changed a personal record).

Shown to supervisors and administrators; the statistics service refuses agents by itself, so an agent who
reached this page anyway would see the refusal, not the figures.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from guichet.domain import Role
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.stats import NOT_ALLOWED
from guichet.services.stats_types import StatsScope
from guichet.ui.audit.view import AuditView
from guichet.ui.common.messages import error_text
from guichet.ui.supervision.history import HistoryView
from guichet.ui.supervision.live import LiveBoard
from guichet.ui.worker import Worker

STYLE = """
QWidget#kpi { background: #ffffff; border: 1px solid #d0d7de; border-radius: 6px; }
QLabel#kpiValue { font-size: 17pt; font-weight: bold; color: #0b4f8a; }
QLabel#kpiValue[over="true"] { color: #b71c1c; }
QLabel#kpiCaption { color: #57606a; }
QLabel#sectionTitle { font-weight: bold; color: #0b4f8a; padding-top: 4px; }
QLabel#alertBanner { background: #b71c1c; color: #ffffff; font-weight: bold; padding: 8px 12px; border-radius: 4px; }
QLabel#notice { background: #fff8e1; border: 1px solid #f0d58c; border-radius: 4px; padding: 6px 10px; color: #5c4400; }
QTabBar::tab { background: #eaeef2; border: 1px solid #d0d7de; border-bottom: none; padding: 5px 12px 4px 12px;
               margin-right: 2px; border-top-left-radius: 4px; border-top-right-radius: 4px; }
QTabBar::tab:selected { background: #ffffff; color: #0b4f8a; font-weight: bold; border-top: 2px solid #0b63b6; }
QTabBar::tab:hover:!selected { background: #f6f8fa; }
QPushButton[quick="true"]:checked { background: #0b63b6; color: #ffffff; border: 1px solid #0b4f8a; }
"""


class SupervisionPage(QWidget):
    """Two tabs, each loading through the worker; the list of sites comes from ``StatsService.scope``."""

    def __init__(self, worker: Worker, services: Services, session: AgentSession, *, live_refresh_ms: int = 5000,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self._worker = worker
        self._services = services
        self._session = session
        self.scope: StatsScope | None = None
        self.tabs = QTabWidget()
        self.live = LiveBoard(worker, services.queue, refresh_ms=live_refresh_ms)
        self.history = HistoryView(worker, services.stats, session)
        self.live.close_day_button.clicked.connect(self.ask_close_day)
        self.tabs.addTab(self.live, "Tableau de bord")
        self.tabs.addTab(self.history, "Statistiques")
        self.audit = AuditView(worker, services, session)  # loads when first shown
        self.tabs.addTab(self.audit, "Journal d'audit")
        self.refused = QLabel(NOT_ALLOWED)
        self.refused.setObjectName("notice")
        self.refused.setWordWrap(True)
        self.refused.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.refused)
        layout.addWidget(self.tabs, 1)
        if session.role is Role.AGENT:  # spare the request; the service would refuse it anyway
            self._refuse(NOT_ALLOWED)
        else:
            worker.submit(services.stats.scope, agent_id=session.agent_id, on_done=self._scoped, on_error=self._failed)

    def _scoped(self, scope: StatsScope) -> None:
        self.scope = scope
        self.live.set_scope(scope)
        self.history.set_scope(scope)

    def _failed(self, error: BaseException) -> None:
        self._refuse(error_text(error))

    def _refuse(self, message: str) -> None:
        self.refused.setText(message)
        self.refused.show()
        self.tabs.hide()

    def ask_close_day(self) -> None:
        """End of the day for the site on the board: confirmed first (it closes every waiting ticket)."""
        site_id = self.live.site_id()
        if site_id is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question, "Clôturer la journée",
            "Clôturer la journée de ce site ? Les tickets encore en attente seront clos avec le motif "
            "« Fermeture de l'accueil » et les guichets fermés.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self,
        )  # fmt: skip
        box.button(QMessageBox.StandardButton.Yes).setText("Clôturer")
        box.button(QMessageBox.StandardButton.No).setText("Annuler")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self.close_day(site_id))
        self.close_day_box = box
        box.open()

    def close_day(self, site_id) -> None:  # noqa: ANN001
        def done(closure) -> None:  # noqa: ANN001
            text = (
                f"Journée clôturée : {closure.closed_tickets} ticket(s) clos, "
                f"{closure.closed_counters} guichet(s) fermé(s)."
            )
            info = QMessageBox(
                QMessageBox.Icon.Information, "Clôturer la journée", text, QMessageBox.StandardButton.Ok, self
            )
            info.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.close_day_done = info
            info.open()
            self.live.refresh()

        self._worker.submit(self._services.queue.close_day, site_id=site_id, reason="Fermeture de l'accueil",
                            agent_id=self._session.agent_id, on_done=done, owner=self)  # fmt: skip

    def stop(self) -> None:
        """Stop the live refresh (the page is hidden or the desk closes)."""
        self.live.timer.stop()

    def resume(self) -> None:
        """Back on screen: refresh now and every few seconds again."""
        if self.scope is not None:
            self.live.refresh()
            self.live.timer.start()
