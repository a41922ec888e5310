"""What can go wrong with a printer, each with the short French words the kiosk and the desk show.

``reason`` is the head of the message (« Imprimante hors ligne »); the print worker completes it with what
happened to the job (« Imprimante hors ligne — ticket A042 enregistré »).
"""

from __future__ import annotations

from guichet.services.errors import ServiceError


class PrinterError(ServiceError):
    """A printer could not take a job. ``retryable``: the same job may succeed later without anyone's help."""

    reason = "Impression impossible"
    retryable = True

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(f"{self.reason} ({detail})" if detail else self.reason)


class PrinterOfflineError(PrinterError):
    """No connection: printer off, unplugged, wrong address, spooler refused."""

    reason = "Imprimante hors ligne"


class PrinterNotRespondingError(PrinterError):
    """Connected, but the printer neither reads nor answers within the time allowed."""

    reason = "L'imprimante ne répond pas"


class PaperOutError(PrinterError):
    reason = "Plus de papier"


class CoverOpenError(PrinterError):
    reason = "Capot de l'imprimante ouvert"


class PrintInterruptedError(PrinterError):
    """The connection dropped while the job was being sent: part of it may have printed."""

    reason = "Impression interrompue"


class PrinterConfigError(PrinterError):
    """The settings name a printer this PC cannot reach (driver missing, bad value): retrying will not help."""

    reason = "Imprimante mal configurée"
    retryable = False


class PrintDataError(PrinterError):
    """The job itself cannot be laid out (damaged payload): retrying will not help."""

    reason = "Impression impossible"
    retryable = False
