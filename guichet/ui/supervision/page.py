"""The supervision page: « Tableau de bord » (live) and « Statistiques » (history, sites, staffing, exports).

Shown to supervisors and administrators; the statistics service refuses agents by itself, so an agent who
reached this page anyway would see the refusal, not the figures.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from guichet.domain import Role
from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.stats import NOT_ALLOWED
from guichet.services.stats_types import StatsScope
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
        self.tabs.addTab(self.live, "Tableau de bord")
        self.tabs.addTab(self.history, "Statistiques")
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

    def stop(self) -> None:
        """Stop the live refresh (the page is hidden or the desk closes)."""
        self.live.timer.stop()

    def resume(self) -> None:
        """Back on screen: refresh now and every few seconds again."""
        if self.scope is not None:
            self.live.refresh()
            self.live.timer.start()
