"""How the bytes reach the printer: network (TCP 9100), USB, serial, Windows spooler, CUPS, or a file.

Every wait is bounded by the printer's ``timeout_s`` (3 s by default; python-escpos's network default is
60 s): connecting, sending, and waiting for a status reply. The errors raised are those of
``guichet.printing.errors``, whose French reason the kiosk shows.

Status (``DLE EOT n``)
    Where the link reads back (network, USB, serial), the printer is asked ``DLE EOT 1`` (printer),
    ``DLE EOT 2`` (offline cause: cover, paper end) and ``DLE EOT 4`` (paper roll sensor), each answered by
    one byte of the form ``0xx1 xx10``. No reply within the time allowed, or a byte not of that form, is
    « état inconnu » — never « papier OK » (python-escpos's ``paper_status()`` reports paper OK on an
    empty reply).

Sending a job, with ``status_check`` on (the default: printers on TCP 9100 answer ``DLE EOT``)
    1. connect; ask the status: no reply → « L'imprimante ne répond pas », paper out → « Plus de papier »,
       cover open or offline → refused, and nothing is sent;
    2. send the bytes;
    3. ask the status again and wait for the reply: the printer answers real-time requests in the order it
       reads its input, so the reply proves it has read the whole job. No reply → « L'imprimante ne
       répond pas » (a printer that accepts the connection but stops reading); connection closed →
       « Impression interrompue »; paper out now → « Plus de papier » (it ran out during the job).
    A printer that does not answer ``DLE EOT`` needs ``status_check = false``: the job then counts as
    printed once the bytes are sent (for the spooler, CUPS and files, once the bytes are handed over).

A raster image may by chance contain the bytes of a ``DLE EOT n``: printers answer them too, so the number
of replies expected after a job counts those sequences in the job's bytes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from guichet.config import PrinterSettings
from guichet.printing.errors import (
    CoverOpenError,
    PaperOutError,
    PrinterConfigError,
    PrinterError,
    PrinterNotRespondingError,
    PrinterOfflineError,
)
from guichet.printing.transports import (
    CupsTransport,
    FileTransport,
    NetworkTransport,
    SerialTransport,
    Transport,
    UsbTransport,
    WindowsTransport,
)

STATUS_QUERY = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"  # DLE EOT 1, 2, 4: three one-byte replies
_REALTIME = re.compile(rb"\x10\x04[\x01-\x04]")


class PaperLevel(StrEnum):
    OK = "ok"
    LOW = "bas"
    OUT = "epuise"
    UNKNOWN = "inconnu"


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said. ``reachable``: None when the link cannot tell (spooler, CUPS, file)."""

    reachable: bool | None
    online: bool | None = None  # None: no (valid) reply
    paper: PaperLevel = PaperLevel.UNKNOWN
    cover_open: bool = False
    detail: str = ""
    configured: bool = True  # False: the settings name no printer this PC can use

    @property
    def known(self) -> bool:
        return self.online is not None

    @property
    def label(self) -> str:
        """French, for the kiosk and the desk: « Imprimante hors ligne », « Plus de papier », « État inconnu »…"""
        if not self.configured:
            return "Imprimante mal configurée"
        if self.reachable is False:
            return "Imprimante hors ligne"
        if self.online is None:
            return "État inconnu"
        if self.paper is PaperLevel.OUT:
            return "Plus de papier"
        if self.cover_open:
            return "Capot de l'imprimante ouvert"
        if not self.online:
            return "Imprimante hors ligne"
        if self.paper is PaperLevel.LOW:
            return "En ligne — papier bientôt épuisé"
        return "En ligne — papier OK"

    @property
    def can_print(self) -> bool | None:
        """False when a job is sure to fail, None when nobody knows."""
        if self.reachable is False:
            return False
        if self.online is None:
            return None
        return self.online and self.paper is not PaperLevel.OUT and not self.cover_open


def _valid(byte: int | None) -> bool:
    return byte is not None and byte & 0x93 == 0x12


def parse_status(printer: int | None, offline_cause: int | None, paper: int | None) -> PrinterStatus:
    """The replies to ``DLE EOT 1, 2, 4`` (None: no reply) as a :class:`PrinterStatus` of a reachable printer."""
    if not (_valid(printer) and _valid(offline_cause) and _valid(paper)):
        return PrinterStatus(reachable=True, detail="pas de réponse valide à la demande d'état")
    assert printer is not None and offline_cause is not None and paper is not None
    if paper & 0x60:
        level = PaperLevel.OUT
    elif paper & 0x0C:
        level = PaperLevel.LOW
    else:
        level = PaperLevel.OK
    if offline_cause & 0x20:  # stopped at paper end, whatever the roll sensor says
        level = PaperLevel.OUT
    return PrinterStatus(reachable=True, online=not printer & 0x08, paper=level, cover_open=bool(offline_cause & 0x04))


@dataclass(frozen=True)
class SendReport:
    """A job the printer took, and its status after it (to warn that paper runs low)."""

    status: PrinterStatus
    elapsed_s: float


# -- the printer -----------------------------------------------------------------------------------------


class PrinterBackend:
    """A printer as the print worker sees it: send a job, ask the status. One call at a time."""

    def __init__(
        self, make_transport: Callable[[], Transport], *, description: str, timeout_s: float, status_check: bool
    ) -> None:
        self._make = make_transport
        self.description = description
        self.timeout_s = timeout_s
        self.status_check = status_check

    def send(self, data: bytes, *, job_name: str = "Guichet") -> SendReport:
        """Send one job whole; raises a :class:`PrinterError` saying why it was not (entirely) taken."""
        started = time.monotonic()
        link = self._make()
        link.open(job_name)
        try:
            checked = self.status_check and link.can_read
            status = PrinterStatus(reachable=True)
            if checked:
                status = self._ask(link)
                if not status.known:
                    raise PrinterNotRespondingError("aucune réponse à la demande d'état")
                _refuse_if_unfit(status)
            link.write(data)
            if checked:
                status = self._ask(link, extra=len(_REALTIME.findall(data)))
                if not status.known:
                    raise PrinterNotRespondingError("le ticket n'a pas été lu en entier")
                if status.paper is PaperLevel.OUT:
                    raise PaperOutError("le papier s'est épuisé pendant l'impression")
            return SendReport(status, time.monotonic() - started)
        finally:
            link.close()

    def status(self) -> PrinterStatus:
        """Ask the printer how it is; « état inconnu » when it does not answer or the link cannot ask."""
        try:
            link = self._make()
        except PrinterConfigError as e:
            return PrinterStatus(reachable=False, detail=e.detail, configured=False)
        if not link.can_read:
            return PrinterStatus(reachable=None, detail="ce raccordement ne donne pas l'état de l'imprimante")
        try:
            link.open("Guichet — état")
        except PrinterError as e:
            return PrinterStatus(reachable=False, detail=e.detail)
        try:
            return self._ask(link)
        except PrinterError as e:
            return PrinterStatus(reachable=True, detail=e.detail)
        finally:
            link.close()

    def _ask(self, link: Transport, extra: int = 0) -> PrinterStatus:
        link.drain()
        link.write(STATUS_QUERY)
        reply = link.read(3 + extra, self.timeout_s)
        if len(reply) < 3 + extra:
            return PrinterStatus(reachable=True, detail="pas de réponse à la demande d'état")
        printer, cause, paper = reply[-3:]
        return parse_status(printer, cause, paper)


def _refuse_if_unfit(status: PrinterStatus) -> None:
    if status.paper is PaperLevel.OUT:
        raise PaperOutError()
    if status.cover_open:
        raise CoverOpenError()
    if status.online is False:
        raise PrinterOfflineError("l'imprimante signale une erreur")


BACKENDS = ("network", "usb", "serial", "windows", "cups", "file")


def describe(settings: PrinterSettings) -> str:
    """The printer in French words: « réseau 192.168.1.50:9100 »."""
    kind = settings.backend
    if kind == "network":
        return f"réseau {settings.host}:{settings.port}"
    if kind == "usb":
        return f"USB {settings.usb_vendor_id or 0:04x}:{settings.usb_product_id or 0:04x}"
    if kind == "serial":
        return f"série {settings.serial_device} ({settings.serial_baudrate} bauds)"
    if kind == "windows":
        return f"Windows « {settings.printer_name or 'imprimante par défaut'} »"
    if kind == "cups":
        return f"CUPS « {settings.printer_name} »"
    if kind == "file":
        return f"fichier {settings.file_path}"
    return "aucune imprimante"


def open_backend(settings: PrinterSettings) -> PrinterBackend:
    """The backend the settings name; raises PrinterConfigError when this PC cannot have it."""
    kind, timeout = settings.backend, settings.timeout_s
    make: Callable[[], Transport]
    if kind == "network":
        if not settings.host:
            raise PrinterConfigError("indiquez l'adresse de l'imprimante réseau (host)")
        make = lambda: NetworkTransport(settings.host, settings.port, timeout)  # noqa: E731
    elif kind == "usb":
        if not (settings.usb_vendor_id and settings.usb_product_id):
            raise PrinterConfigError("indiquez usb_vendor_id et usb_product_id de l'imprimante USB")
        UsbTransport(settings.usb_vendor_id, settings.usb_product_id, timeout)  # fails now if pyusb is missing
        make = lambda: UsbTransport(settings.usb_vendor_id or 0, settings.usb_product_id or 0, timeout)  # noqa: E731
    elif kind == "serial":
        if not settings.serial_device:
            raise PrinterConfigError("indiquez le port série de l'imprimante (serial_device)")
        SerialTransport(settings.serial_device, settings.serial_baudrate, timeout)
        make = lambda: SerialTransport(settings.serial_device, settings.serial_baudrate, timeout)  # noqa: E731
    elif kind == "windows":
        WindowsTransport(settings.printer_name, timeout)
        make = lambda: WindowsTransport(settings.printer_name, timeout)  # noqa: E731
    elif kind == "cups":
        make = lambda: CupsTransport(settings.printer_name, timeout)  # noqa: E731
        make()
    elif kind == "file":
        make = lambda: FileTransport(settings.file_path, timeout)  # noqa: E731
        make()
    else:
        raise PrinterConfigError("aucune imprimante n'est configurée sur ce poste ([printer] backend)")
    return PrinterBackend(make, description=describe(settings), timeout_s=timeout, status_check=settings.status_check)
