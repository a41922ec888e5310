"""The pages of the setup assistant: this PC's database (its own, or the site hub's), site and counter, printer,
central database (the summary is in wizard.py).

Every check that touches a disk, a printer or the network runs on a worker; the page shows « … en cours » and
stays usable. Checks of what was typed (formats) run here, at once, through guichet.setup_steps.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from guichet import setup_steps as steps
from guichet.config import PrinterSettings, Settings
from guichet.ui.common.messages import error_text
from guichet.ui.worker import Worker

OTHER_SITE = "__autre__"


def message_label(name: str = "error") -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _say(label: QLabel, text: str, *, ok: bool) -> None:
    label.setObjectName("ok" if ok else "error")
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)


def reason_of(error: BaseException) -> str:
    return str(error) if isinstance(error, steps.SetupError) else error_text(error)


class ModePage(QWizardPage):
    """Where this PC's data lives: its own database, or the site's hub (paired here with the administrator's
    one-time code, on the network worker: a hub that does not answer never freezes the window)."""

    def __init__(self, net_worker: Worker, settings: Settings) -> None:
        super().__init__()
        self.setTitle("Base de données du poste")
        self.setSubTitle(
            "Sur un site à plusieurs postes, un seul tient la base : le serveur du site. Les autres guichets, bornes "
            "et écrans d'appel l'utilisent."
        )
        self._worker = net_worker
        self._site_code = settings.site_code
        self.timeout_s = 5.0  # of each exchange with the hub
        self.previous_url = steps.hub_url_of(settings.hub.url)  # the hub the settings file names, if any
        self.paired: steps.PairedHub | None = None
        self._pairings: dict[str, steps.PairedHub] = {}  # by URL: an address typed back finds its pairing again
        self.busy = False
        self._busy_text = ""
        self.own_radio = QRadioButton("Ce poste a sa propre &base (site avec un seul poste, ou serveur du site)")
        self.hub_radio = QRadioButton("Ce poste utilise le serveur du site (&hub)")
        group = QButtonGroup(self)
        group.addButton(self.own_radio)
        group.addButton(self.hub_radio)
        (self.hub_radio if self.previous_url else self.own_radio).setChecked(True)
        self.address_edit = QLineEdit(settings.hub.url)
        self.address_edit.setPlaceholderText("ex. 192.168.1.10 (port 8765 par défaut)")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("ex. K7QF-3MZD")
        self.code_edit.setMaxLength(20)
        self.pair_button = QPushButton("&Appairer")
        self.pair_button.clicked.connect(self.pair)
        self.result = message_label()

        self.fields = QWidget()
        fields = QVBoxLayout(self.fields)
        fields.setContentsMargins(24, 0, 0, 0)  # under the choice they belong to
        form = QFormLayout()
        address_label = QLabel("A&dresse du serveur du site :")
        address_label.setBuddy(self.address_edit)
        form.addRow(address_label, self.address_edit)
        code_label = QLabel("&Code d'appairage :")
        code_label.setBuddy(self.code_edit)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_edit, 1)
        code_row.addWidget(self.pair_button)
        form.addRow(code_label, code_row)
        fields.addLayout(form)
        hint = message_label("hint")
        hint.setText(
            "L'administrateur crée le code sur le serveur du site, avec le nom et le rôle du poste (guichet, borne "
            "ou écran d'appel) : commande « guichet hub pair ». Le code ne sert qu'une fois, dans les 15 minutes."
        )
        fields.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.addWidget(self.own_radio)
        layout.addSpacing(6)
        layout.addWidget(self.hub_radio)
        layout.addWidget(self.fields)
        layout.addSpacing(8)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.setTabOrder(self.own_radio, self.hub_radio)
        self.setTabOrder(self.hub_radio, self.address_edit)
        self.setTabOrder(self.address_edit, self.code_edit)
        self.setTabOrder(self.code_edit, self.pair_button)
        self.hub_radio.toggled.connect(self._choice_changed)
        self.address_edit.textEdited.connect(self._address_edited)
        self._choice_changed()
        if self.previous_url:  # an earlier pairing of this PC: kept unless the technician pairs it again
            self._start("Vérification de l'appairage de ce poste avec le serveur du site…")
            net_worker.submit(steps.stored_hub, address=self.previous_url, site_code=settings.site_code,
                              timeout_s=self.timeout_s, on_done=self._stored, on_error=self._failed,
                              owner=self)  # fmt: skip

    @property
    def use_hub(self) -> bool:
        return self.hub_radio.isChecked()

    def _choice_changed(self) -> None:
        hub = self.use_hub
        self.fields.setEnabled(hub)
        self.pair_button.setEnabled(hub and not self.busy)
        if hub:
            self._show_pairing()
        elif self.previous_url:
            _say(self.result, f"« Terminer » retirera de ce poste le serveur du site {self.previous_url} : il "
                 "travaillera sur sa propre base.", ok=True)  # fmt: skip
        else:
            self.result.setText("")

    def _show_pairing(self) -> None:
        if self.busy:
            _say(self.result, self._busy_text, ok=True)
            return
        if self.paired is None:
            self.result.setText("")
            return
        lines = [self.paired.summary]
        if self.paired.note:
            lines.append(self.paired.note)
        if self.paired.kept:
            lines.append("Pour l'appairer à nouveau : un nouveau code, puis « Appairer ».")
        else:
            lines.append("Son jeton sera enregistré dans le trousseau du système à « Terminer ».")
        _say(self.result, "\n".join(lines), ok=True)

    def _address_edited(self, text: str) -> None:
        """The pairing holds for one hub: another address needs its own (an address typed back finds it again)."""
        try:
            url = steps.check_hub_address(text)
        except steps.SetupError:
            url = ""
        found = self._pairings.get(url)
        if found is self.paired:
            return
        self.paired = found
        if found is None and self._pairings:
            _say(self.result, "Autre adresse : appairez ce poste avec ce serveur-là (un nouveau code).", ok=False)
        else:
            self._show_pairing()

    def _start(self, text: str) -> None:
        self.busy, self._busy_text = True, text
        self.pair_button.setEnabled(False)
        _say(self.result, text, ok=True)

    def _stop(self) -> None:
        self.busy = False
        self.pair_button.setEnabled(self.use_hub)

    def pair(self) -> None:
        """« Appairer »: the code traded for this PC's token on the network worker; the window stays usable."""
        if self.busy:
            return
        try:
            url = steps.check_hub_address(self.address_edit.text())
        except steps.SetupError as e:
            _say(self.result, str(e), ok=False)
            self.address_edit.setFocus()
            return
        try:
            code = steps.check_pairing_code(self.code_edit.text())
        except steps.SetupError as e:
            _say(self.result, str(e), ok=False)
            self.code_edit.setFocus()
            return
        self._start(f"Appairage avec le serveur du site {url}…")
        self._worker.submit(steps.pair_with_hub, address=url, code=code, site_code=self._site_code,
                            timeout_s=self.timeout_s, on_done=self._paired, on_error=self._failed,
                            owner=self)  # fmt: skip

    def _paired(self, paired: steps.PairedHub) -> None:
        self._stop()
        self._pairings[paired.url] = self.paired = paired
        self.code_edit.clear()  # spent
        self._show_pairing()
        wizard = self.wizard()
        if wizard is not None and self.isVisible():
            wizard.button(QWizard.WizardButton.NextButton).setFocus()

    def _stored(self, paired: steps.PairedHub | None) -> None:
        self._stop()
        if paired is None:
            _say(self.result, f"Ce poste n'a pas de jeton pour le serveur du site {self.previous_url} : tapez le "
                 "code d'appairage donné par l'administrateur.", ok=False)  # fmt: skip
            return
        if self.paired is None:  # not paired again meanwhile
            self._pairings[paired.url] = self.paired = paired
        self._show_pairing()

    def _failed(self, error: BaseException) -> None:
        self._stop()
        _say(self.result, reason_of(error), ok=False)
        if self.isVisible():
            field = self.code_edit if isinstance(error, steps.PairingRefusedError) else self.address_edit
            field.setFocus()
            field.selectAll()

    def initializePage(self) -> None:  # noqa: N802
        (self.hub_radio if self.use_hub else self.own_radio).setFocus()

    def validatePage(self) -> bool:  # noqa: N802
        if not self.use_hub or self.paired is not None:
            return True
        if self.busy:
            return False  # the answer is coming: the page says so
        if self.code_edit.text().strip():  # « Suivant » with a code typed: pair first
            self.pair()
            return False
        _say(self.result, "Appairez d'abord ce poste : tapez l'adresse du serveur du site et le code d'appairage "
             "donné par l'administrateur, puis « Appairer » (Alt+A).", ok=False)  # fmt: skip
        (self.code_edit if self.address_edit.text().strip() else self.address_edit).setFocus()
        return False


class SitePage(QWizardPage):
    """The site this PC stands for, and its counter (none: a kiosk, a call screen, a phone-only desk)."""

    def __init__(self, worker: Worker, settings: Settings) -> None:
        super().__init__()
        self.setTitle("Site et guichet")
        self.setSubTitle("Le site de la commune où se trouve ce poste, et son guichet s'il reçoit le public.")
        self._worker = worker
        self._db_path = settings.db_path
        self.sites: tuple[steps.SiteChoice, ...] = ()
        self.site_combo = QComboBox()
        self.site_combo.currentIndexChanged.connect(self._site_changed)
        self.code_edit = QLineEdit(settings.site_code.upper())
        self.code_edit.setPlaceholderText("ex. VEN-HDV")
        self.code_edit.setMaxLength(21)
        self.counter_spin = QSpinBox()
        self.counter_spin.setRange(0, 99)
        self.counter_spin.setSpecialValueText("Aucun")
        self.counter_spin.setValue(settings.counter_number or 0)
        self.counter_spin.setMaximumWidth(160)
        self.counter_spin.setToolTip("« Aucun » : une borne, un écran d'appel, un poste sans guichet (téléphone)")
        self.counters_hint = message_label("hint")
        self.database_hint = message_label("hint")
        self.database_hint.setText(f"Base de données du poste : {settings.db_path} — lecture…")
        self.error = message_label()

        self.form = QFormLayout()
        self.site_label = QLabel("S&ite :")
        self.site_label.setBuddy(self.site_combo)
        self.form.addRow(self.site_label, self.site_combo)
        self.form.addRow("&Code du site :", self.code_edit)
        self.form.addRow("&Guichet n° :", self.counter_spin)
        self.form.addRow("", self.counters_hint)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.database_hint)
        layout.addStretch(1)
        layout.addWidget(self.error)
        self.mode_page: ModePage | None = None  # set by the wizard: the sites come from the hub behind it
        self.local_sites: tuple[steps.SiteChoice, ...] = ()
        self.local_read = False  # the local database was read (its sites, or why not)
        self._local_hint = self.database_hint.text()
        self._shown_for: steps.PairedHub | None = None
        self._show_sites(())
        worker.submit(steps.local_sites, db_path=settings.db_path, on_done=self._sites_loaded,
                      on_error=self._sites_failed, owner=self)  # fmt: skip

    @property
    def hub(self) -> steps.PairedHub | None:
        """The site hub this PC uses (its pairing), None when it has its own database."""
        mode = self.mode_page
        return mode.paired if mode is not None and mode.use_hub else None

    # The database's sites, when it has some: a list to choose from rather than a code to type.
    def _sites_loaded(self, sites: tuple[steps.SiteChoice, ...]) -> None:
        self.local_sites, self.local_read = sites, True
        if sites:
            self._local_hint = f"Base de données du poste : {self._db_path} ({len(sites)} site(s))."
        elif self._db_path.exists():
            self._local_hint = (
                f"Base de données du poste : {self._db_path} — aucun site pour l'instant : ils arriveront du serveur "
                "central à la première synchronisation."
            )
        else:
            self._local_hint = (
                f"Base de données du poste : {self._db_path} (elle sera créée au premier démarrage ; les sites "
                "arriveront du serveur central)."
            )
        if self.hub is None:
            self._use_source()
            if sites and self.isVisible():  # the list replaces the code field, which may have had the focus
                self.site_combo.setFocus()

    def _sites_failed(self, error: BaseException) -> None:
        self.local_read = True
        self._local_hint = f"Base de données du poste illisible : {reason_of(error)}"
        if self.hub is None:
            self._use_source()

    def _use_source(self) -> None:
        """The sites of this PC's database, or those the site hub shows it (its paired site chosen)."""
        hub = self.hub
        if hub is None:
            self.sites = self.local_sites
            self.database_hint.setText(self._local_hint)
        else:
            self.sites = hub.sites
            if hub is not self._shown_for:  # a new pairing: its site, and no counter for a kiosk or a screen
                self._shown_for = hub
                if hub.site_code:
                    self.code_edit.setText(hub.site_code)
                if hub.role in ("borne", "ecran"):
                    self.counter_spin.setValue(0)
            if hub.sites and hub.role != "poste":
                text = (
                    f"Site vérifié auprès du serveur du site {hub.url} : ce poste y est appairé comme "
                    f"{hub.role_label} de {hub.site_code}."
                )
            elif hub.sites:
                text = f"Sites lus sur le serveur du site {hub.url} ({len(hub.sites)} site(s))"
                text += f" ; ce poste est appairé pour {hub.site_code}." if hub.site_code else "."
            else:
                text = hub.note or f"Serveur du site {hub.url} : tapez le code du site."
            self.database_hint.setText(text)
        self._show_sites(self.sites)

    def _show_sites(self, sites: tuple[steps.SiteChoice, ...]) -> None:
        typed = self.code_edit.text().strip().upper()
        self.site_combo.blockSignals(True)
        self.site_combo.clear()
        for site in sites:
            self.site_combo.addItem(site.label, site.full_code)
        self.site_combo.addItem("Autre site (taper son code)…", OTHER_SITE)
        index = self.site_combo.findData(typed) if typed else 0
        self.site_combo.setCurrentIndex(index if index >= 0 else self.site_combo.count() - 1)
        self.site_combo.blockSignals(False)
        self.form.setRowVisible(self.site_combo, bool(sites))
        self._site_changed()

    def _site_changed(self) -> None:
        code = self.site_combo.currentData()
        other = code in (None, OTHER_SITE)
        self.form.setRowVisible(self.code_edit, other)
        if not other:
            self.code_edit.setText(code)
        site = self.chosen_site()
        if site is not None and site.counters:
            numbers = ", ".join(str(n) for n in site.counters)
            self.counters_hint.setText(
                f"Guichets de ce site : {numbers} ; « Aucun » pour une borne ou un écran d'appel."
            )
        else:
            self.counters_hint.setText("« Aucun » pour une borne, un écran d'appel ou un poste sans guichet.")

    def chosen_site(self) -> steps.SiteChoice | None:
        code = self.code_edit.text().strip().upper()
        return next((s for s in self.sites if s.full_code == code), None)

    @property
    def site_code(self) -> str:
        return self.code_edit.text().strip().upper()

    @property
    def counter_number(self) -> int | None:
        return self.counter_spin.value() or None

    def initializePage(self) -> None:  # noqa: N802
        self.error.setText("")
        self._use_source()
        (self.site_combo if self.sites else self.code_edit).setFocus()

    def validatePage(self) -> bool:  # noqa: N802
        try:
            code = steps.check_site_code(self.code_edit.text())
        except steps.SetupError as e:
            self.error.setText(str(e))
            self.code_edit.setFocus()
            return False
        self.code_edit.setText(code)
        hub = self.hub
        if hub is not None and hub.role in ("borne", "ecran") and hub.site_code and code != hub.site_code:
            self.error.setText(
                f"Ce poste est appairé comme {hub.role_label} du site {hub.site_code} : choisissez ce site (ou "
                "demandez à l'administrateur un code d'appairage pour l'autre)."
            )
            (self.site_combo if self.sites else self.code_edit).setFocus()
            return False
        site = self.chosen_site()
        number = self.counter_number
        if site is not None and number is not None and site.counters and number not in site.counters:
            known = ", ".join(str(n) for n in site.counters)
            self.error.setText(f"Le site {code} n'a pas de guichet n° {number} (guichets : {known}).")
            self.counter_spin.setFocus()
            return False
        self.error.setText("")
        return True


class PrinterPage(QWizardPage):
    """The ticket printer of this PC, with its test page printed off the GUI thread."""

    def __init__(self, net_worker: Worker, settings: Settings) -> None:
        super().__init__()
        self.setTitle("Imprimante de tickets")
        self.setSubTitle("L'imprimante thermique de ce poste : tickets de la borne, récépissés et duplicatas.")
        self._worker = net_worker
        self._base = settings.printer
        self.site_page: SitePage | None = None  # for the printer's key, set by the wizard
        self.testing = False
        self.kind = QComboBox()
        choices = dict(steps.PRINTER_CHOICES)
        choices.pop("cups" if sys.platform == "win32" else "windows")
        if settings.printer.backend not in choices:
            from guichet.printing.backends import describe

            choices = {"keep": f"Conserver l'imprimante réglée ({describe(settings.printer)})", **choices}
        for value, label in choices.items():
            self.kind.addItem(label, value)
        current = self.kind.findData(settings.printer.backend)
        self.kind.setCurrentIndex(current if current >= 0 else 0)
        self.host_edit = QLineEdit(settings.printer.host)
        self.host_edit.setPlaceholderText("ex. 192.168.1.50")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(settings.printer.port)
        self.port_spin.setMaximumWidth(160)
        self.name_edit = QLineEdit(settings.printer.printer_name)
        self.name_edit.setPlaceholderText("vide : l'imprimante par défaut" if sys.platform == "win32" else "ex. TM-T20")
        self.file_edit = QLineEdit(settings.printer.file_path)
        browse = QPushButton("Parcourir…")
        browse.clicked.connect(self._browse)
        self.paper = QComboBox()
        self.paper.addItem("80 mm", 80)
        self.paper.addItem("58 mm", 58)
        self.paper.setCurrentIndex(self.paper.findData(settings.printer.paper_mm))
        self.paper.setMaximumWidth(160)
        self.test_button = QPushButton("&Tester l'imprimante")
        self.test_button.clicked.connect(self.test_printer)
        self.result = message_label()

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        file_label = QLabel("&Fichier :")
        file_label.setBuddy(self.file_edit)
        # One form, its rows shown for the chosen kind of printer (the fields stay aligned).
        self.form = form = QFormLayout()
        form.addRow("T&ype :", self.kind)
        form.addRow("&Adresse :", self.host_edit)
        form.addRow("P&ort :", self.port_spin)
        form.addRow("&Nom de l'imprimante :", self.name_edit)
        form.addRow(file_label, file_row)
        self._rows = {
            "network": (self.host_edit, self.port_spin), "windows": (self.name_edit,), "cups": (self.name_edit,),
            "file": (file_row,),
        }  # fmt: skip
        form.addRow("Lar&geur du papier :", self.paper)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        hint = message_label("hint")
        hint.setText("Imprime la page de test (caractères français, largeur du papier).")
        row.addWidget(hint, 1)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    @property
    def backend(self) -> str:
        return self.kind.currentData()

    def _kind_changed(self) -> None:
        shown = self._rows.get(self.backend, ())
        for field in (self.host_edit, self.port_spin, self.name_edit, self._rows["file"][0]):
            self.form.setRowVisible(field, field in shown)
        none = self.backend == "none"
        self.paper.setEnabled(not none and self.backend != "keep")
        self.test_button.setEnabled(not none and not self.testing)
        self.result.setText("")

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Fichier des tickets", self.file_edit.text())
        if name:
            self.file_edit.setText(name)

    def printer(self) -> PrinterSettings | None:
        """The printer as typed (None: keep the file's); raises SetupError when something is missing."""
        if self.backend == "keep":
            return None
        counter = self.site_page.counter_number if self.site_page is not None else None
        key = steps.printer_key_for(counter) if self.backend != "none" else self._base.key
        return steps.printer_settings(
            backend=self.backend, base=self._base, host=self.host_edit.text(), port=self.port_spin.value(),
            file_path=self.file_edit.text(), printer_name=self.name_edit.text(), paper_mm=self.paper.currentData(),
            key=key,
        )  # fmt: skip

    def test_printer(self) -> None:
        """« Tester l'imprimante »: the test page, printed on the network worker; the window stays usable."""
        try:
            printer = self.printer() or self._base
        except steps.SetupError as e:
            _say(self.result, str(e), ok=False)
            return
        self.testing = True
        self.test_button.setEnabled(False)
        _say(self.result, "Impression de la page de test…", ok=True)
        self._worker.submit(steps.test_printer, settings=printer, on_done=self._tested, on_error=self._test_failed,
                            owner=self)  # fmt: skip

    def _tested(self, text: str) -> None:
        self.testing = False
        self._kind_changed()
        _say(self.result, text, ok=True)

    def _test_failed(self, error: BaseException) -> None:
        self.testing = False
        self._kind_changed()
        _say(self.result, reason_of(error), ok=False)

    def initializePage(self) -> None:  # noqa: N802
        self.kind.setFocus()

    def validatePage(self) -> bool:  # noqa: N802
        try:
            self.printer()
        except steps.SetupError as e:
            _say(self.result, str(e), ok=False)
            return False
        return True


class CentralPage(QWizardPage):
    """SITIV's central database (optional): its address, the site's role and password, a connection test."""

    def __init__(self, net_worker: Worker, settings: Settings) -> None:
        super().__init__()
        self.setTitle("Serveur central du SITIV (facultatif)")
        self.setSubTitle("Pour recevoir les données de la commune et y envoyer l'activité du poste.")
        self._worker = net_worker
        self.site_page: SitePage | None = None
        self.checked: steps.CentralCheck | None = None
        url = settings.sync.central_url
        self._stored_role = ""
        address = ""
        if url:
            self._stored_role = steps.role_in(url)
            address = url.split("://", 1)[-1].split("@", 1)[-1]
        self.enabled = QCheckBox("S&ynchroniser ce poste avec le serveur central")
        self.enabled.setChecked(bool(url))
        self.address_edit = QLineEdit(address)
        self.address_edit.setPlaceholderText("ex. central.sitiv.fr:5432/guichet")
        self.role_edit = QLineEdit(self._stored_role)
        self.role_edit.setPlaceholderText("ex. site_ven_hdv")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        if self._stored_role:
            self.password_edit.setPlaceholderText("vide : garder celui du trousseau")
        self.ca_edit = QLineEdit(settings.sync.ca_file)
        self.ca_edit.setPlaceholderText("facultatif : le certificat de l'autorité du SITIV (.pem, .crt)")
        self._tls = settings.sync.tls
        browse = QPushButton("Parcourir…")
        browse.clicked.connect(self._browse)
        self.test_button = QPushButton("&Tester la connexion")
        self.test_button.clicked.connect(self.test_connection)
        self.testing = False
        self.result = message_label()

        self.fields = QWidget()
        form = QFormLayout(self.fields)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Adresse du serveur :", self.address_edit)
        form.addRow("&Rôle du site :", self.role_edit)
        form.addRow("&Mot de passe :", self.password_edit)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        ca_label = QLabel("&Certificat :")
        ca_label.setBuddy(self.ca_edit)
        form.addRow(ca_label, ca_row)
        about = message_label("hint")
        about.setText(
            "Avec le serveur central, ce poste reçoit les agents, les thèmes et les usagers de la commune. Le SITIV "
            "vous remet l'adresse, le rôle du site et son mot de passe ; le mot de passe est gardé dans le trousseau "
            "du système, jamais dans un fichier."
        )
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.enabled)
        layout.addWidget(self.fields)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.enabled.toggled.connect(self._toggled)
        for edit in (self.address_edit, self.role_edit, self.password_edit):
            edit.textEdited.connect(self._forget_check)
        self._toggled()

    def _toggled(self) -> None:
        on = self.enabled.isChecked()
        self.fields.setEnabled(on)
        self.test_button.setEnabled(on and not self.testing)
        if on and not self.role_edit.text() and self.site_page is not None and self.site_page.site_code:
            self.role_edit.setText("site_" + self.site_page.site_code.lower().replace("-", "_"))

    def _forget_check(self) -> None:
        self.checked = None

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Certificat du SITIV", self.ca_edit.text(),
                                              "Certificats (*.pem *.crt *.cer);;Tous les fichiers (*)")  # fmt: skip
        if name:
            self.ca_edit.setText(name)

    @property
    def url(self) -> str:
        """The central URL (role included, no password), or "" when this PC does not synchronise."""
        if not self.enabled.isChecked():
            return ""
        return steps.central_url(self.address_edit.text(), self.role_edit.text())

    @property
    def password(self) -> str:
        return self.password_edit.text() if self.enabled.isChecked() else ""

    @property
    def keeps_stored_password(self) -> bool:
        return not self.password_edit.text() and bool(self._stored_role) and self.role_edit.text() == self._stored_role

    @property
    def ca_file(self) -> str:
        return self.ca_edit.text().strip()

    @property
    def tls(self) -> str:
        return self._tls

    def test_connection(self) -> None:
        """« Tester la connexion »: psycopg on the network worker, with the password typed (nothing is stored)."""
        try:
            url = self.url
        except steps.SetupError as e:
            _say(self.result, str(e), ok=False)
            return
        if not self.password_edit.text():
            _say(self.result, "Tapez le mot de passe du rôle pour tester la connexion.", ok=False)
            self.password_edit.setFocus()
            return
        expected = self.site_page.site_code if self.site_page is not None else ""
        self.testing = True
        self.test_button.setEnabled(False)
        _say(self.result, "Connexion au serveur central…", ok=True)
        self._worker.submit(
            steps.check_central, url=url, password=self.password_edit.text(), tls=self._tls, ca_file=self.ca_file,
            expected_site=expected, on_done=self._tested, on_error=self._failed, owner=self,
        )  # fmt: skip

    def _tested(self, check: steps.CentralCheck) -> None:
        self.testing = False
        self.checked = check
        self._toggled()
        _say(self.result, check.summary, ok=True)

    def _failed(self, error: BaseException) -> None:
        self.testing = False
        self.checked = None
        self._toggled()
        _say(self.result, reason_of(error), ok=False)

    def initializePage(self) -> None:  # noqa: N802
        self._toggled()
        (self.address_edit if self.enabled.isChecked() else self.enabled).setFocus()

    def validatePage(self) -> bool:  # noqa: N802
        if not self.enabled.isChecked():
            return True
        try:
            self.url  # noqa: B018 - checks the address and the role
        except steps.SetupError as e:
            _say(self.result, str(e), ok=False)
            return False
        if not self.password_edit.text() and not self.keeps_stored_password:
            _say(self.result, "Tapez le mot de passe du rôle du site (remis par le SITIV).", ok=False)
            self.password_edit.setFocus()
            return False
        return True
