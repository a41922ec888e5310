"""The setup assistant of a new PC (« Configuration du poste »): `guichet setup`, and the desk's first start.

Five pages: this PC's database (its own, or the site hub's: paired there), site and counter, ticket printer,
central database (optional; skipped behind a hub, which synchronises), summary. « Terminer » writes guichet.toml,
the central password or the hub's token (in the OS keyring) on a worker: the window never freezes, and a refusal
(keyring locked, file not writable) is said on the summary page, nothing half-written.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWizard, QWizardPage

from guichet import setup_steps as steps
from guichet.config import Settings, config_dir
from guichet.paths import resources_dir
from guichet.ui.setup.pages import CentralPage, ModePage, PrinterPage, SitePage, message_label, reason_of
from guichet.ui.worker import Worker


class SummaryPage(QWizardPage):
    """What will be written, and where; « Terminer » writes it."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.setTitle("Récapitulatif")
        self.setSubTitle(f"« Terminer » enregistre ces réglages dans {path}.")
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = message_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)
        layout.addWidget(self.error)
        self.saved = False

    def initializePage(self) -> None:  # noqa: N802
        self.error.setText("")
        wizard: SetupWizard = self.wizard()  # type: ignore[assignment]
        self.text.setText(wizard.summary_html())

    def validatePage(self) -> bool:  # noqa: N802
        if self.saved:
            return True
        wizard: SetupWizard = self.wizard()  # type: ignore[assignment]
        return wizard.save()


class SetupWizard(QWizard):
    """Asks the PC's database (or the site hub), the site, the counter, the printer and the central database, then
    writes the settings."""

    saved = Signal(object)  # the Settings read back from the file written

    def __init__(self, worker: Worker, net_worker: Worker, settings: Settings) -> None:
        super().__init__()
        self.setWindowTitle("Guichet — Configuration du poste")
        self.setObjectName("setupWizard")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        icon = resources_dir() / "icons" / "app" / "guichet-reglages.svg"
        if icon.exists():
            self.setPixmap(QWizard.WizardPixmap.LogoPixmap, QIcon(str(icon)).pixmap(48, 48))
        self._worker = worker
        self.settings = settings
        self.path = settings.path or config_dir() / "guichet.toml"
        self.written: Settings | None = None
        self.mode_page = ModePage(net_worker, settings)
        self.site_page = SitePage(worker, settings)
        self.printer_page = PrinterPage(net_worker, settings)
        self.central_page = CentralPage(net_worker, settings)
        self.summary_page = SummaryPage(self.path)
        self.site_page.mode_page = self.mode_page
        self.printer_page.site_page = self.site_page
        self.central_page.site_page = self.site_page
        for page in (self.mode_page, self.site_page, self.printer_page, self.central_page, self.summary_page):
            self.addPage(page)
        self.setMinimumSize(720, 520)

    def nextId(self) -> int:  # noqa: N802
        """Behind the site hub, no central database page: the hub synchronises for the whole site."""
        if self.currentPage() is self.printer_page and self.mode_page.use_hub:
            return self.pageIds()[-1]
        return super().nextId()

    @property
    def hub(self) -> steps.PairedHub | None:
        """This PC's pairing with the site hub, when it uses one."""
        return self.mode_page.paired if self.mode_page.use_hub else None

    def choices(self) -> steps.SetupChoices:
        """The answers of the pages (raises SetupError on a field the pages would refuse)."""
        if self.mode_page.use_hub and self.hub is None:
            raise steps.SetupError("Ce poste n'est pas appairé avec le serveur du site : revenez à la première page.")
        hub = self.hub
        return steps.SetupChoices(
            site_code=steps.check_site_code(self.site_page.site_code),
            counter_number=self.site_page.counter_number,
            printer=self.printer_page.printer(),
            central_url="" if hub is not None else self.central_page.url,  # behind a hub, the hub synchronises
            tls=self.central_page.tls,
            ca_file=self.central_page.ca_file,
            # A database named on the command line (--db) or in the file is kept; the default is not written.
            db_path=None if self.settings.db_path == Settings().db_path else self.settings.db_path,
            hub_url=hub.url if hub is not None else "",
        )

    def summary_html(self) -> str:
        try:
            choices = self.choices()
        except steps.SetupError as e:
            return f"<p>{html.escape(str(e))}</p>"
        from guichet.printing.backends import describe

        def row(name: str, value: str) -> str:
            return f"<tr><td style='padding-right:16px; white-space:nowrap'><b>{html.escape(name)}</b></td><td>{html.escape(value)}</td></tr>"

        site = self.site_page.chosen_site()
        printer = choices.printer or self.settings.printer
        rows = [
            row("Site", site.label if site is not None else choices.site_code),
            row("Guichet", f"n° {choices.counter_number}" if choices.counter_number else "aucun"),
            row(
                "Imprimante",
                describe(printer) + (f", papier {printer.paper_mm} mm" if printer.backend != "none" else ""),
            ),
        ]
        if printer.backend != "none":
            rows.append(row("Nom de l'imprimante", printer.key))
        hub = self.hub
        if hub is not None:
            who = f"poste « {hub.name} » ({hub.role_label})" if hub.name else "appairage gardé"
            if hub.kept:
                token = "inchangé (déjà dans le trousseau du système)"
            else:
                token = "sera enregistré dans le trousseau du système (service « guichet-hub »)"
            central = "aucun sur ce poste : le serveur du site se synchronise pour tout le site"
            if self.settings.sync.central_url:
                central += f" (l'adresse {self.settings.sync.central_url} est retirée de ce poste)"
            rows += [
                row("Données", f"sur le serveur du site {hub.url} — {who}"),
                row("Jeton du poste", token),
                row("Serveur central", central),
            ]
            return "<table>" + "".join(rows) + "</table>"
        if choices.central_url:
            page = self.central_page
            if page.password:
                secret = "sera enregistré dans le trousseau du système (service « guichet-sync »)"
            else:
                secret = "inchangé (déjà dans le trousseau du système)"
            tested = page.checked.summary if page.checked is not None else "connexion non testée"
            rows += [
                row("Serveur central", choices.central_url),
                row("Mot de passe", secret),
                row("Test", tested),
            ]
        else:
            rows.append(row("Serveur central", "aucun : ce poste ne se synchronise pas"))
        rows.append(row("Base de données", str(self.settings.db_path)))
        if self.mode_page.previous_url:
            rows.append(row("Serveur du site", f"retiré : ce poste n'utilisera plus {self.mode_page.previous_url} "
                            "([hub] url effacé) et travaillera sur sa propre base"))  # fmt: skip
        return "<table>" + "".join(rows) + "</table>"

    def save(self) -> bool:
        """Start writing (on the worker); the wizard closes when it is done. Returns False: not done yet."""
        try:
            choices = self.choices()
        except steps.SetupError as e:
            self.summary_page.error.setText(str(e))
            return False
        self.summary_page.error.setObjectName("hint")
        self.summary_page.error.setText("Enregistrement…")
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        hub = self.hub
        self._worker.submit(steps.write_settings, path=self.path, choices=choices,
                            password="" if hub is not None else self.central_page.password,
                            hub_token=hub.token if hub is not None and not hub.kept else "",
                            on_done=self._saved, on_error=self._refused, owner=self)  # fmt: skip
        return False

    def _saved(self, settings: Settings) -> None:
        self.written = settings
        self.summary_page.saved = True
        self.saved.emit(settings)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        page = self.summary_page
        page.error.setObjectName("error")
        page.error.style().unpolish(page.error)
        page.error.style().polish(page.error)
        page.error.setText(reason_of(error))
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
