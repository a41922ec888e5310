"""Statistics over a period: choose a site or the commune and a period, read charts and tables, export them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from guichet.domain import Outcome
from guichet.reports.stats_export import write_csv_zip, write_xlsx
from guichet.reports.stats_pdf import write_pdf
from guichet.services.auth import AgentSession
from guichet.services.clock import local_day, now
from guichet.services.stats import StatsService
from guichet.services.stats_tables import (
    appointment_tables,
    arrivals_table,
    hourly_table,
    mail_tables,
    minutes_text,
    number,
    people_table,
    queue_table,
    report_tables,
    request_site_series,
    request_tables,
    share_text,
    sites_table,
    wait_table,
)
from guichet.services.stats_types import StatsReport, StatsScope
from guichet.ui.common.messages import error_text
from guichet.ui.supervision.staffing_view import StaffingPanel
from guichet.ui.supervision.widgets import BLUE, GREY, ORANGE, RED, BarChart, HeatMap, ProgressRelay, TableBox
from guichet.ui.worker import Worker

EXPORTS = {
    "pdf": ("Rapport PDF (*.pdf)", ".pdf", write_pdf),
    "xlsx": ("Classeur Excel (*.xlsx)", ".xlsx", write_xlsx),
    "csv": ("Fichiers CSV dans une archive zip (*.zip)", ".zip", write_csv_zip),
}


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def quick_period(kind: str, today: date) -> tuple[date, date]:
    """Aujourd'hui, the last 7 days, the current month, the current year."""
    if kind == "today":
        return today, today
    if kind == "week":
        return today - timedelta(days=6), today
    if kind == "month":
        return today.replace(day=1), today
    return today.replace(month=1, day=1), today


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


def _split(*widgets: QWidget, orientation: Qt.Orientation = Qt.Orientation.Horizontal) -> QSplitter:
    split = QSplitter(orientation)
    for w in widgets:
        split.addWidget(w)
    split.setChildrenCollapsible(False)
    return split


class HistoryView(QWidget):
    report_shown = Signal(object)  # StatsReport
    exported = Signal(str)  # path

    def __init__(self, worker: Worker, stats: StatsService, session: AgentSession,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker = worker
        self._stats = stats
        self._session = session
        self._loading = False
        self._again = False
        self.report: StatsReport | None = None
        self.relay = ProgressRelay(self)
        self.relay.progress.connect(self._progress)

        # -- what to show
        self.site = QComboBox()
        self.site.setMinimumContentsLength(18)
        self.site.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        today = local_day(now())
        self.start = QDateEdit(_qdate(today - timedelta(days=6)))
        self.end = QDateEdit(_qdate(today))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setMaximumDate(_qdate(today))
        self.quick: dict[str, QPushButton] = {}
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Périmètre :"))
        controls.addWidget(self.site)
        controls.addSpacing(12)
        for key, label in (("today", "Aujourd'hui"), ("week", "7 jours"), ("month", "Mois"), ("year", "Année")):
            button = QPushButton(label)
            button.setCheckable(True)
            button.setProperty("quick", True)
            button.clicked.connect(lambda _=False, k=key: self.set_quick(k))
            self.quick[key] = button
            controls.addWidget(button)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Du"))
        controls.addWidget(self.start)
        controls.addWidget(QLabel("au"))
        controls.addWidget(self.end)
        self.show_button = QPushButton("Afficher")
        self.show_button.setObjectName("primary")
        self.show_button.clicked.connect(self.refresh)
        controls.addWidget(self.show_button)
        controls.addStretch(1)

        # -- progress and exports
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(180)
        self.progress.setFixedHeight(12)
        self.progress.hide()
        self.message = QLabel("")
        self.message.setObjectName("hint")
        self.recompute = QPushButton("Recalculer")
        self.recompute.setToolTip("Oublie les mois déjà calculés et relit tout (après une correction de données)")
        self.recompute.clicked.connect(self._recompute)
        self.export_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        actions.addWidget(self.progress)
        actions.addWidget(self.message, 1)
        actions.addWidget(self.recompute)
        for kind, label in (("pdf", "Exporter en PDF"), ("xlsx", "Exporter en Excel"), ("csv", "Exporter en CSV")):
            button = QPushButton(label)
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, k=kind: self.choose_export(k))
            self.export_buttons[kind] = button
            actions.addWidget(button)

        # -- sections
        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        self._build_summary()
        self._build_contacts()
        self._build_queues()
        self._build_people()
        self._build_sites()
        self._build_casework()
        self._build_staffing()

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(actions)
        layout.addWidget(self.sections, 1)
        self.start.dateChanged.connect(self._dates_edited)
        self.end.dateChanged.connect(self._dates_edited)
        self.site.currentIndexChanged.connect(self.refresh)

    # -- building the sections ---------------------------------------------------------------------

    def _build_summary(self) -> None:
        page = QWidget()
        grid = QGridLayout()
        self.cards: dict[str, QLabel] = {}
        specs = [
            ("contacts", "Contacts (tous canaux)"), ("answered", "Réponse immédiate"), ("issued", "Tickets émis"),
            ("served", "Tickets servis"), ("wait", "Attente médiane"), ("wait90", "9 personnes sur 10 attendent moins de"),
            ("within", "Appelés dans l'objectif"), ("service", "Durée de service médiane"), ("noshow", "Absents à l'appel"),
            ("requests", "Demandes répondues dans le délai"),
        ]  # fmt: skip
        for i, (key, caption) in enumerate(specs):
            box = QWidget()
            box.setObjectName("kpi")
            inner = QVBoxLayout(box)
            inner.setContentsMargins(12, 8, 12, 8)
            value = QLabel("—")
            value.setObjectName("kpiValue")
            label = QLabel(caption)
            label.setObjectName("kpiCaption")
            label.setWordWrap(True)
            inner.addWidget(value)
            inner.addWidget(label)
            self.cards[key] = value
            grid.addWidget(box, i // 5, i % 5)
        self.scope_label = QLabel()
        self.scope_label.setObjectName("sectionTitle")
        self.not_tracked = QLabel()
        self.not_tracked.setObjectName("notice")
        self.not_tracked.setWordWrap(True)
        self.summary_hourly = BarChart("Arrivées par heure (moyenne par jour ouvert)")
        layout = QVBoxLayout(page)
        layout.addWidget(self.scope_label)
        layout.addLayout(grid)
        layout.addWidget(self.not_tracked)
        layout.addWidget(self.summary_hourly, 1)
        self.sections.addTab(page, "Synthèse")

    def _build_contacts(self) -> None:
        self.channel_chart = BarChart("Contacts par canal")
        self.outcome_chart = BarChart("Suite donnée", horizontal=True)
        self.theme_chart = BarChart("Contacts par thème", horizontal=True)
        self.theme_chart.setMinimumHeight(340)
        self.contact_tables = {key: TableBox() for key in ("contacts_canal", "contacts_suite", "contacts_theme",
                                                          "orientations_services", "orientations_organismes")}  # fmt: skip
        content = QWidget()
        layout = QGridLayout(content)
        layout.addWidget(self.channel_chart, 0, 0)
        layout.addWidget(self.outcome_chart, 0, 1)
        layout.addWidget(self.theme_chart, 1, 0, 1, 2)
        layout.addWidget(self.contact_tables["contacts_canal"], 2, 0)
        layout.addWidget(self.contact_tables["contacts_suite"], 2, 1)
        layout.addWidget(self.contact_tables["contacts_theme"], 3, 0)
        layout.addWidget(self.contact_tables["orientations_services"], 3, 1)
        layout.addWidget(self.contact_tables["orientations_organismes"], 4, 1)
        for box in self.contact_tables.values():
            box.setMinimumHeight(230)
        self.sections.addTab(_scroll(content), "Contacts")

    def _build_queues(self) -> None:
        self.heat = HeatMap()
        heat_title = QLabel("Arrivées par jour et par heure — moyenne par jour ouvert (les pics en rouge)")
        heat_title.setObjectName("sectionTitle")
        self.hourly_chart = BarChart("Arrivées par heure (tickets sur la période)")
        self.wait_chart = BarChart("Répartition des attentes (tickets, par tranche de minutes)")
        self.queue_table = TableBox()
        self.queue_table.setMinimumHeight(260)
        self.arrivals_table = TableBox(first_column=110)
        self.arrivals_table.setMinimumHeight(230)
        self.wait_table = TableBox()
        self.hourly_table = TableBox()
        content = QWidget()
        layout = QGridLayout(content)
        layout.addWidget(heat_title, 0, 0, 1, 2)
        layout.addWidget(self.heat, 1, 0, 1, 2)
        layout.addWidget(self.hourly_chart, 2, 0)
        layout.addWidget(self.wait_chart, 2, 1)
        layout.addWidget(self.queue_table, 3, 0, 1, 2)
        layout.addWidget(self.arrivals_table, 4, 0, 1, 2)
        layout.addWidget(self.hourly_table, 5, 0)
        layout.addWidget(self.wait_table, 5, 1)
        self.hourly_table.setMinimumHeight(260)
        self.wait_table.setMinimumHeight(260)
        self.sections.addTab(_scroll(content), "Files d'attente")

    def _build_people(self) -> None:
        self.counter_table = TableBox()
        self.agent_table = TableBox()
        self.sections.addTab(_split(self.counter_table, self.agent_table, orientation=Qt.Orientation.Vertical),
                             "Guichets et agents")  # fmt: skip

    def _build_sites(self) -> None:
        self.sites_wait_chart = BarChart("Attente par site (minutes)")
        self.sites_share_chart = BarChart("Part des personnes (%)")
        self.sites_table = TableBox()
        charts = _split(self.sites_wait_chart, self.sites_share_chart)
        self.sections.addTab(_split(charts, self.sites_table, orientation=Qt.Orientation.Vertical),
                             "Égalité de traitement")  # fmt: skip

    def _build_casework(self) -> None:
        self.requests_chart = BarChart("Demandes par site (ouvertes dans la période)")
        self.request_delay_chart = BarChart("Délai de réponse par site (jours)")
        self.casework_tables = {key: TableBox() for key in ("demandes_services", "demandes_sites", "demandes_canal",
                                                           "courrier_sites", "courrier_types", "rendez_vous_sites",
                                                           "rendez_vous_types")}  # fmt: skip
        content = QWidget()
        layout = QGridLayout(content)
        layout.addWidget(self.requests_chart, 0, 0)
        layout.addWidget(self.request_delay_chart, 0, 1)
        layout.addWidget(self.casework_tables["demandes_sites"], 1, 0, 1, 2)
        layout.addWidget(self.casework_tables["demandes_services"], 2, 0, 1, 2)
        layout.addWidget(self.casework_tables["courrier_sites"], 3, 0, 1, 2)
        layout.addWidget(self.casework_tables["demandes_canal"], 4, 0)
        layout.addWidget(self.casework_tables["courrier_types"], 4, 1)
        layout.addWidget(self.casework_tables["rendez_vous_sites"], 5, 0, 1, 2)
        layout.addWidget(self.casework_tables["rendez_vous_types"], 6, 0, 1, 2)
        for key, box in self.casework_tables.items():
            box.setMinimumHeight(330 if key == "demandes_services" else 200)
        self.requests_chart.setMinimumHeight(260)
        self.request_delay_chart.setMinimumHeight(260)
        self.sections.addTab(_scroll(content), "Demandes, courrier, RDV")

    def _build_staffing(self) -> None:
        self.staffing = StaffingPanel()
        self.sections.addTab(self.staffing, "Effectifs conseillés")

    # -- scope and period ----------------------------------------------------------------------------

    def set_scope(self, scope: StatsScope) -> None:
        self.site.blockSignals(True)
        self.site.clear()
        self.site.addItem(f"{scope.commune_name} — tous les sites", None)
        for site in scope.sites:
            self.site.addItem(f"{site.name} ({site.code})", site.id)
        home = next((i + 1 for i, x in enumerate(scope.sites) if x.id == scope.home_site_id), 0)
        self.site.setCurrentIndex(home)
        self.site.blockSignals(False)
        self.set_quick("week")

    def set_quick(self, kind: str) -> None:
        start, end = quick_period(kind, local_day(now()))
        for edit, value in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(value))
            edit.blockSignals(False)
        for key, button in self.quick.items():
            button.setChecked(key == kind)
        self.refresh()

    def _dates_edited(self) -> None:
        for button in self.quick.values():
            button.setChecked(False)

    def site_id(self) -> uuid.UUID | None:
        return self.site.currentData()

    # -- loading -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compute the report off the GUI thread; a request made while one runs is done once, afterwards."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.progress.setRange(0, 0)  # busy until the service says how many steps
        self.progress.show()
        self.message.setText("Calcul en cours…")
        self.show_button.setEnabled(False)
        self._worker.submit(
            self._stats.report, agent_id=self._session.agent_id, start=_date(self.start.date()),
            end=_date(self.end.date()), site_id=self.site_id(), progress=self.relay,
            on_done=self._show, on_error=self._failed,
        )  # fmt: skip

    def _recompute(self) -> None:
        self._stats.clear_cache()
        self.refresh()

    def _progress(self, done: int, total: int, what: str) -> None:
        if self._loading:
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(done)
            self.message.setText(what + "…")

    def _done_loading(self) -> bool:
        self._loading = False
        self.progress.hide()
        self.show_button.setEnabled(True)
        if self._again:
            self._again = False
            self.refresh()
            return False
        return True

    def _failed(self, error: BaseException) -> None:
        if self._done_loading():
            self.message.setText(f"<span style='color:#b71c1c'>{error_text(error)}</span>")

    def _show(self, report: StatsReport) -> None:
        if not self._done_loading():
            return
        self.report = report
        for button in self.export_buttons.values():
            button.setEnabled(True)
        took = (now() - report.generated_at).total_seconds()
        self.message.setText(f"{report.scope_label}, {report.period.label} — calculé en {number(took, 1)} s")
        self._show_summary(report)
        self._show_contacts(report)
        self._show_queues(report)
        self.counter_table.set_table(people_table("guichets", "Par guichet", "Guichet", report.tickets.by_counter))
        self.agent_table.set_table(people_table("agents", "Par agent", "Agent", report.tickets.by_agent))
        self._show_sites(report)
        self._show_casework(report)
        self.staffing.set_report(report)
        self.report_shown.emit(report)

    def _show_summary(self, report: StatsReport) -> None:
        c, t = report.contacts, report.tickets
        self.scope_label.setText(f"{report.scope_label} — {report.period.label}")
        values = {
            "contacts": number(c.total, 0), "answered": share_text(c.answered_first_share),
            "issued": number(t.issued, 0), "served": number(t.served, 0), "wait": minutes_text(t.wait.median_s),
            "wait90": minutes_text(t.wait.p90_s), "within": share_text(t.within_target),
            "service": minutes_text(t.service.median_s), "noshow": share_text(t.no_show_rate),
            "requests": share_text(report.requests.total.answered_in_time_share) if report.requests else "—",
        }  # fmt: skip
        for key, value in values.items():
            self.cards[key].setText(value)
        self.not_tracked.setText("\n".join(report.not_tracked))
        self.not_tracked.setVisible(bool(report.not_tracked))
        table = hourly_table(report)
        self.summary_hourly.set_data([r[0].split(" –")[0] for r in table.rows], [("Moyenne", [r[2] for r in table.rows], BLUE)],
                                     decimals=1)  # fmt: skip

    def _show_contacts(self, report: StatsReport) -> None:
        c = report.contacts
        self.channel_chart.set_data(  # two lines for a long label: Qt hides an axis label that does not fit
            [x.label.replace(" ", "<br>", 1) for x in c.by_channel],
            [("Contacts", [x.count for x in c.by_channel], BLUE)],
        )
        self.outcome_chart.set_data(
            [Outcome(x.key).short_label for x in c.by_outcome], [("Contacts", [x.count for x in c.by_outcome], BLUE)]
        )
        top = c.by_theme[:15]
        self.theme_chart.set_data([x.label for x in top], [("Contacts", [x.count for x in top], BLUE)])
        tables = {t.key: t for t in report_tables(report)}
        for key, box in self.contact_tables.items():
            box.set_table(tables[key])

    def _show_queues(self, report: StatsReport) -> None:
        self.heat.set_report(report)
        hourly = hourly_table(report)
        self.hourly_chart.set_data(
            [r[0].split(" –")[0] for r in hourly.rows], [("Tickets", [r[1] for r in hourly.rows], BLUE)]
        )
        bins = report.tickets.wait_histogram
        short = [b.label.replace(" min et plus", " +").replace(" min", "") for b in bins]
        self.wait_chart.set_data(short, [("Tickets", [b.count for b in bins], BLUE)])
        self.queue_table.set_table(queue_table(report.tickets.by_queue))
        self.arrivals_table.set_table(arrivals_table(report))
        self.hourly_table.set_table(hourly)
        self.wait_table.set_table(wait_table(report))

    def _show_sites(self, report: StatsReport) -> None:
        codes = [x.code for x in report.sites]
        self.sites_wait_chart.set_data(codes, [
            ("Médiane", [(x.wait.median_s or 0) / 60 for x in report.sites], BLUE),
            ("9 personnes sur 10 en moins de", [(x.wait.p90_s or 0) / 60 for x in report.sites], ORANGE),
        ], decimals=1)  # fmt: skip
        self.sites_share_chart.set_data(codes, [
            ("Appelées dans l'objectif", [round(100 * (x.within_target or 0)) for x in report.sites], BLUE),
            ("Réponse immédiate", [round(100 * (x.answered_first_share or 0)) for x in report.sites], ORANGE),
        ])  # fmt: skip
        self.sites_table.set_table(sites_table(report))

    def _show_casework(self, report: StatsReport) -> None:
        labels, series = request_site_series(report)
        self.requests_chart.set_data(labels, [
            ("Répondues dans le délai", series["in_time"], BLUE), ("En retard", series["late"], RED),
            ("En cours", series["open"], GREY),
        ])  # fmt: skip
        self.request_delay_chart.set_data(labels, [
            ("Médiane", series["median"], BLUE), ("9 demandes sur 10 en moins de", series["p90"], ORANGE),
        ])  # fmt: skip
        for table in (*request_tables(report), *mail_tables(report), *appointment_tables(report)):
            self.casework_tables[table.key].set_table(table)

    # -- exports -------------------------------------------------------------------------------------

    def choose_export(self, kind: str) -> QFileDialog | None:
        """Ask where to write (a window-modal dialog opened with open(), never exec())."""
        if self.report is None:
            return None
        pattern, suffix, _writer = EXPORTS[kind]
        r = self.report
        name = f"statistiques_{r.scope_label.split(' —')[0].replace(' ', '_')}_{r.period.start:%Y%m%d}_{r.period.end:%Y%m%d}"
        dialog = QFileDialog(self, "Exporter les statistiques", str(Path.home() / f"{name}{suffix}"), pattern)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.export_to(kind, Path(path)))
        dialog.open()
        return dialog

    def export_to(self, kind: str, path: Path) -> None:
        """Write the report shown, off the GUI thread."""
        if self.report is None:
            return
        _pattern, _suffix, writer = EXPORTS[kind]
        self.progress.setRange(0, 0)
        self.progress.show()
        self.message.setText(f"Export vers {path.name}…")
        for button in self.export_buttons.values():
            button.setEnabled(False)
        self._worker.submit(writer, report=self.report, path=path, on_done=self._exported, on_error=self._export_failed)

    def _exported(self, path: Path) -> None:
        self.progress.hide()
        for button in self.export_buttons.values():
            button.setEnabled(True)
        self.message.setText(f"Exporté : {path}")
        self.exported.emit(str(path))

    def _export_failed(self, error: BaseException) -> None:
        self.progress.hide()
        for button in self.export_buttons.values():
            button.setEnabled(True)
        self.message.setText(f"<span style='color:#b71c1c'>Export impossible : {error_text(error)}</span>")
