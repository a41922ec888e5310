"""The links to a printer: raw TCP, USB and serial (through python-escpos), Windows spooler, CUPS, a file.

Each opens one connection for one job or one status request, and bounds every wait by the printer's
``timeout_s``. Drivers this PC lacks (pyusb, pyserial, pywin32, CUPS's ``lp``) are found missing when the
link is made and reported as :class:`~guichet.printing.errors.PrinterConfigError`, never at import.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from guichet.printing.errors import (
    PrinterConfigError,
    PrinterNotRespondingError,
    PrinterOfflineError,
    PrintInterruptedError,
)


class Transport(ABC):
    """One connection to a printer, for one job or one status request."""

    can_read = False

    @abstractmethod
    def open(self, job_name: str) -> None: ...

    @abstractmethod
    def write(self, data: bytes) -> None: ...

    def read(self, count: int, timeout_s: float) -> bytes:
        """Up to ``count`` bytes, what arrived before the deadline (b"" if nothing)."""
        return b""

    def drain(self) -> bytes:
        """Whatever already arrived (unsolicited status bytes)."""
        return b""

    @abstractmethod
    def close(self) -> None: ...


class NetworkTransport(Transport):
    """Raw TCP (port 9100, "JetDirect"): the usual link of a network thermal printer."""

    can_read = True

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self._sock: socket.socket | None = None

    def open(self, job_name: str) -> None:
        where = f"{self.host}:{self.port}"
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except TimeoutError:
            raise PrinterOfflineError(f"{where} ne répond pas") from None
        except ConnectionRefusedError:
            raise PrinterOfflineError(f"connexion refusée par {where}") from None
        except OSError as e:
            raise PrinterOfflineError(f"{where} injoignable : {e.strerror or e}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock

    def write(self, data: bytes) -> None:
        assert self._sock is not None
        self._sock.settimeout(self.timeout_s)
        try:
            self._sock.sendall(data)  # the timeout bounds the whole sendall (Python ≥ 3.5)
        except TimeoutError:
            raise PrinterNotRespondingError("l'imprimante ne lit plus les données") from None
        except OSError as e:  # broken pipe, reset, aborted
            raise PrintInterruptedError(f"connexion coupée pendant l'envoi : {e.strerror or e}") from None

    def read(self, count: int, timeout_s: float) -> bytes:
        assert self._sock is not None
        got = bytearray()
        deadline = time.monotonic() + timeout_s
        while len(got) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(count - len(got))
            except TimeoutError:
                break
            except OSError as e:
                raise PrintInterruptedError(f"connexion coupée : {e.strerror or e}") from None
            if not chunk:
                raise PrintInterruptedError("connexion fermée par l'imprimante")
            got += chunk
        return bytes(got)

    def drain(self) -> bytes:
        assert self._sock is not None
        got = bytearray()
        self._sock.setblocking(False)
        try:
            while True:
                chunk = self._sock.recv(256)
                if not chunk:
                    break
                got += chunk
        except (BlockingIOError, OSError):
            pass
        finally:
            self._sock.settimeout(self.timeout_s)
        return bytes(got)

    def close(self) -> None:
        if self._sock is None:
            return
        sock, self._sock = self._sock, None
        try:
            # Unread bytes at close() make the kernel reset the connection, which may drop the job's tail:
            # read them first, then say "end of job" before closing.
            sock.setblocking(False)
            try:
                while sock.recv(256):
                    pass
            except OSError:
                pass
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            sock.close()


class _EscposTransport(Transport):
    """USB and serial through python-escpos's printer classes (their ``_raw``/``_read``)."""

    def __init__(self, make: Callable[[], object], timeout_s: float, what: str) -> None:
        self._make, self.timeout_s, self.what = make, timeout_s, what
        self._printer = None

    def open(self, job_name: str) -> None:
        from escpos.exceptions import DeviceNotFoundError

        printer = self._make()
        try:
            printer.open()  # type: ignore[attr-defined]
        except DeviceNotFoundError as e:
            raise PrinterOfflineError(f"{self.what} introuvable : {e}") from None
        except Exception as e:  # noqa: BLE001 - pyusb/pyserial raise their own types
            raise PrinterOfflineError(f"{self.what} : {e}") from None
        self._printer = printer

    def write(self, data: bytes) -> None:
        assert self._printer is not None
        try:
            self._printer._raw(data)  # type: ignore[attr-defined]
        except Exception as e:  # noqa: BLE001
            if "timeout" in type(e).__name__.lower() or "timed out" in str(e).lower():
                raise PrinterNotRespondingError(f"{self.what} ne lit plus les données") from None
            raise PrintInterruptedError(f"{self.what} : {e}") from None

    def close(self) -> None:
        if self._printer is not None:
            with contextlib.suppress(Exception):  # closing a dead link must not hide the first error
                self._printer.close()  # type: ignore[attr-defined]
            self._printer = None


class UsbTransport(_EscposTransport):
    can_read = True

    def __init__(self, vendor_id: int, product_id: int, timeout_s: float) -> None:
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise PrinterConfigError("le pilote USB (pyusb) n'est pas installé sur ce poste")
        timeout_ms = int(timeout_s * 1000)  # pyusb counts milliseconds
        super().__init__(
            lambda: Usb(vendor_id, product_id, timeout=timeout_ms),
            timeout_s,
            f"imprimante USB {vendor_id:04x}:{product_id:04x}",
        )

    def read(self, count: int, timeout_s: float) -> bytes:
        assert self._printer is not None
        try:
            return bytes(self._printer.device.read(self._printer.in_ep, count, int(timeout_s * 1000)))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a timeout is "no reply"
            return b""


class SerialTransport(_EscposTransport):
    can_read = True

    def __init__(self, device: str, baudrate: int, timeout_s: float) -> None:
        from escpos.printer import Serial

        if not Serial.is_usable():
            raise PrinterConfigError("le module série (pyserial) n'est pas installé sur ce poste")

        def make() -> object:
            return Serial(devfile=device, baudrate=baudrate, timeout=timeout_s)

        super().__init__(make, timeout_s, f"imprimante série {device}")

    def open(self, job_name: str) -> None:
        super().open(job_name)
        self._printer.device.write_timeout = self.timeout_s  # type: ignore[union-attr] - escpos sets none

    def read(self, count: int, timeout_s: float) -> bytes:
        assert self._printer is not None
        device = self._printer.device  # type: ignore[attr-defined]
        device.timeout = timeout_s
        try:
            return bytes(device.read(count))
        except Exception as e:  # noqa: BLE001
            raise PrintInterruptedError(f"{self.what} : {e}") from None


class WindowsTransport(Transport):
    """The Windows spooler, RAW datatype (python-escpos ``Win32Raw``): the job counts as printed once spooled."""

    def __init__(self, printer_name: str, timeout_s: float) -> None:
        if sys.platform != "win32":
            raise PrinterConfigError("l'imprimante Windows n'est utilisable que sous Windows")
        from escpos.printer import Win32Raw

        if not Win32Raw.is_usable():
            raise PrinterConfigError("le module pywin32 n'est pas installé sur ce poste")
        self._printer = Win32Raw(printer_name or "")
        self.what = f"imprimante Windows « {printer_name or 'par défaut'} »"

    def open(self, job_name: str) -> None:
        from escpos.exceptions import DeviceNotFoundError

        try:
            self._printer.open(job_name=job_name)
        except DeviceNotFoundError as e:
            raise PrinterOfflineError(f"{self.what} : {e}") from None

    def write(self, data: bytes) -> None:
        try:
            self._printer._raw(data)
        except Exception as e:  # noqa: BLE001 - pywintypes.error
            raise PrintInterruptedError(f"{self.what} : {e}") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._printer.close()


class CupsTransport(Transport):
    """A CUPS queue through ``lp -d NAME -o raw`` (no pycups needed): printed once CUPS accepted the job."""

    def __init__(self, printer_name: str, timeout_s: float) -> None:
        if not printer_name:
            raise PrinterConfigError("indiquez le nom de la file CUPS (printer_name)")
        self.printer_name, self.timeout_s = printer_name, timeout_s
        self._job = "Guichet"

    def open(self, job_name: str) -> None:
        if shutil.which("lp") is None:
            raise PrinterConfigError("la commande lp de CUPS est introuvable sur ce poste")
        self._job = job_name

    def write(self, data: bytes) -> None:
        try:
            done = subprocess.run(
                ["lp", "-d", self.printer_name, "-o", "raw", "-t", self._job],
                input=data, capture_output=True, timeout=self.timeout_s, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise PrinterNotRespondingError("CUPS ne répond pas") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"code {done.returncode}"
            raise PrinterOfflineError(f"CUPS « {self.printer_name} » : {message}")

    def close(self) -> None:
        pass


class FileTransport(Transport):
    """Bytes to a file: appended to a file (or a device such as /dev/usb/lp0), or one file per job in a folder."""

    def __init__(self, path: str, timeout_s: float) -> None:
        if not path:
            raise PrinterConfigError("indiquez le fichier de sortie (file_path)")
        self.path, self.timeout_s = Path(path).expanduser(), timeout_s
        self._job = "job"

    def open(self, job_name: str) -> None:
        self._job = job_name

    def write(self, data: bytes) -> None:
        target = self.path
        if target.is_dir():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            safe = re.sub(r"[^A-Za-z0-9_-]+", "-", self._job).strip("-") or "job"
            target = target / f"{stamp}-{safe}.bin"

        def write() -> None:
            with open(target, "ab") as f:
                f.write(data)
                f.flush()

        _bounded(write, self.timeout_s, f"écriture dans {target}")

    def close(self) -> None:
        pass


def _bounded(call: Callable[[], None], timeout_s: float, what: str) -> None:
    """Run a blocking call (a write to a device file) for at most ``timeout_s``; a stuck call is left behind."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    worker = threading.Thread(target=run, name="guichet-print-write", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise PrinterNotRespondingError(f"{what} bloquée")
    if errors:
        error = errors[0]
        if isinstance(error, OSError):
            raise PrinterOfflineError(f"{what} : {error.strerror or error}")
        raise error
