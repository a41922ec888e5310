"""The kiosk's « J'ai un rendez-vous » page: the code of the confirmation, typed on a large keypad or read by
the QR scanner (a keyboard wedge: it types the code and Entrée, whatever page is on screen).

The keypad offers only the code's characters (no 0/O, 1/I/L to confuse). Nothing personal is shown: the
kiosk sends the code and gets a ticket (number, queue, time) or a French refusal that names nobody.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from guichet.services.appointment_rules import CODE_ALPHABET, CODE_LENGTH, normalise_code
from guichet.ui.common.public import Scaler

TITLE = "Votre rendez-vous"
HINT = "Tapez le code de votre confirmation (6 caractères), ou présentez son QR code au lecteur."
MAX_TYPED = 24  # a scanned "RDV-K7M4QX", or a few extra characters: beyond, the input is not a code


class CodePage(QWidget):
    """``submitted(code)``: the code as typed (normalised by the service); ``back``: return home."""

    submitted = Signal(str)
    back = Signal()
    touched = Signal()

    def __init__(self, scaler: Scaler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.typed = ""
        self.busy = False
        title = QLabel(TITLE)
        title.setObjectName("reasonTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(HINT)
        self.hint.setObjectName("codeHint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display = QLabel()
        self.display.setObjectName("codeDisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice = QLabel()
        self.notice.setObjectName("kioskNotice")
        self.notice.setWordWrap(True)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice.hide()
        keys = QGridLayout()
        keys.setSpacing(10)
        self.keys: dict[str, QPushButton] = {}
        columns = 11
        for i, ch in enumerate(CODE_ALPHABET):
            button = self._key(ch, scaler)
            button.clicked.connect(lambda _=False, c=ch: self.type_char(c))
            keys.addWidget(button, i // columns, i % columns)
            self.keys[ch] = button
        self.erase_button = self._key("⌫ Effacer", scaler, wide=True)
        self.erase_button.clicked.connect(self.erase)
        keys.addWidget(self.erase_button, 2, 9, 1, 2)
        self.back_button = QPushButton("Retour")
        self.back_button.setObjectName("backButton")
        self.ok_button = QPushButton("Valider")
        self.ok_button.setObjectName("codeOk")
        for b in (self.back_button, self.ok_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            scaler.font(b, 34, bold=True)
            scaler.min_height(b, 110)
        self.back_button.clicked.connect(self.back.emit)
        self.ok_button.clicked.connect(self.submit)
        bottom = QHBoxLayout()
        bottom.setSpacing(28)
        bottom.addWidget(self.back_button, 1)
        bottom.addWidget(self.ok_button, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 16, 48, 24)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addWidget(self.hint)
        layout.addWidget(self.display)
        layout.addWidget(self.notice)
        layout.addLayout(keys, 1)
        layout.addLayout(bottom)
        scaler.font(title, 52, bold=True)
        scaler.font(self.hint, 30)
        scaler.font(self.display, 90, bold=True)
        scaler.font(self.notice, 30, bold=True)
        self.clear()

    @staticmethod
    def _key(text: str, scaler: Scaler, *, wide: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("codeKey")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        scaler.font(button, 30 if wide else 40, bold=True)
        scaler.min_height(button, 90)
        return button

    def clear(self) -> None:
        self.typed = ""
        self._show()

    def say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def type_char(self, ch: str) -> None:
        self.touched.emit()
        if self.busy or len(self.typed) >= MAX_TYPED:
            return
        self.say("")
        self.typed += ch.upper()
        self._show()

    def erase(self) -> None:
        self.touched.emit()
        if not self.busy:
            self.typed = self.typed[:-1]
            self._show()

    def submit(self) -> None:
        self.touched.emit()
        if self.busy:
            return
        if normalise_code(self.typed) is None:
            self.say("Ce code n'a pas 6 caractères valables : vérifiez-le sur votre confirmation.")
            return
        self.submitted.emit(self.typed)

    def _show(self) -> None:
        code = normalise_code(self.typed)
        shown = code or "".join(ch for ch in self.typed.upper() if ch.isalnum())[-CODE_LENGTH:]
        slots = [shown[i] if i < len(shown) else "_" for i in range(CODE_LENGTH)]
        self.display.setText(" ".join(slots))
        self.ok_button.setEnabled(code is not None and not self.busy)

    def mousePressEvent(self, event) -> None:  # noqa: ANN001, N802
        self.touched.emit()
        super().mousePressEvent(event)
