"""Two records side by side, then the merge (supervisors): which one to keep, what the other brings."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from guichet.services import Services
from guichet.services.auth import AgentSession
from guichet.services.citizen_types import CitizenSummary
from guichet.ui.common.messages import error_text
from guichet.ui.worker import Worker

ROWS = (
    ("Nom", lambda c: c.display_name), ("Naissance", lambda c: c.birth_line), ("Téléphone", lambda c: c.phone_display),
    ("Second téléphone", lambda c: c.phone2_display), ("Courriel", lambda c: c.email),
    ("Adresse", lambda c: c.full_address),
    ("Canal préféré", lambda c: c.preferred_channel.label if c.preferred_channel else ""),
)  # fmt: skip


class MergeDialog(QDialog):
    merged = Signal(object)  # MergeResult

    def __init__(
        self, worker: Worker, services: Services, session: AgentSession, current: CitizenSummary,
        other: CitizenSummary, parent=None,  # noqa: ANN001
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._worker, self._services, self._session = worker, services, session
        self._pair = (current, other)
        self.setWindowTitle("Fusionner deux fiches")
        self.setMinimumWidth(860)
        table = QTableWidget(len(ROWS), 2)
        table.setHorizontalHeaderLabels(["Fiche ouverte", "Doublon possible"])
        table.setVerticalHeaderLabels([label for label, _ in ROWS])
        for row, (_label, value) in enumerate(ROWS):
            for col, c in enumerate(self._pair):
                table.setItem(row, col, QTableWidgetItem(value(c)))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(table.verticalHeader().length() + table.horizontalHeader().height() + 8)
        self.keep_current = QRadioButton("Garder la fiche &ouverte (l'autre y est fusionnée)")
        self.keep_other = QRadioButton("Garder le &doublon (la fiche ouverte y est fusionnée)")
        self.keep_current.setChecked(True)
        note = QLabel(
            "Contacts, demandes, courriers, foyers et consentements de la fiche fusionnée passent sur la fiche "
            "gardée ; ses champs vides y sont complétés. La fusion est inscrite au journal d'audit."
        )
        note.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Fusionner")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self._merge)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(self.keep_current)
        layout.addWidget(self.keep_other)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _merge(self) -> None:
        keep, drop = self._pair if self.keep_current.isChecked() else self._pair[::-1]
        self.buttons.setEnabled(False)
        self._worker.submit(self._services.merges.merge, keep_id=keep.id, drop_id=drop.id,
                            agent_id=self._session.agent_id, site_id=self._session.site_id,
                            on_done=self._done, on_error=self._failed)  # fmt: skip

    def _done(self, result) -> None:  # noqa: ANN001
        self.merged.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(error_text(error))
