"""Written outputs at the desk (PDF letters, scans): open in the system viewer, print, or save.

Printing draws each page of the PDF (rendered by QtPdf) on the printer the agent picks in the print
dialog; no external viewer is needed. Files opened in the viewer go to a private temporary folder of this
process, removed when the desk closes: a letter names a citizen and must not linger on the PC.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QWidget

from guichet.ui.common.messages import error_text

PRINT_DPI = 300  # enough for text and a logo; a 1200-dpi raster of an A4 page would weigh 500 MB
_temp_dir: Path | None = None


class PdfAction(StrEnum):
    PRINT = "imprimer"
    OPEN = "ouvrir"
    SAVE = "enregistrer"

    @property
    def label(self) -> str:
        return {PdfAction.PRINT: "&Imprimer…", PdfAction.OPEN: "&Ouvrir", PdfAction.SAVE: "&Enregistrer sous…"}[self]


class PdfError(Exception):
    """A PDF QtPdf cannot read (the message is French)."""


def safe_file_name(name: str, suffix: str = ".pdf") -> str:
    """A file name any file system takes: « Accusé VEN-HDV-2026-000123.pdf » stays readable."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip(" .") or "document"
    return stem if Path(stem).suffix.lower() == suffix or not suffix else stem + suffix


def load_pdf(data: bytes, parent=None) -> QPdfDocument:  # noqa: ANN001
    """A QtPdf document over the bytes (raises PdfError if they are not a readable PDF)."""
    document = QPdfDocument(parent)
    buffer = QBuffer(document)  # owned by the document: the bytes live as long as it does
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        document.deleteLater()
        raise PdfError("Ce document PDF est illisible : il ne peut être ni affiché ni imprimé.")
    return document


def render_pages(data: bytes, dpi: int = 96) -> list[QImage]:
    """Every page as an image at ``dpi`` (the print path, and on-screen checks)."""
    document = load_pdf(data)
    try:
        return [_render(document, page, dpi) for page in range(document.pageCount())]
    finally:
        document.deleteLater()


def _render(document: QPdfDocument, page: int, dpi: int) -> QImage:
    points = document.pagePointSize(page)
    size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
    image = document.render(page, size)
    if image.isNull():
        raise PdfError(f"La page {page + 1} du document n'a pas pu être dessinée.")
    return image


def paint_pdf(data: bytes, printer: QPrinter) -> int:
    """Draw every page of the PDF on the printer, each scaled to its paper; returns the number of pages."""
    document = load_pdf(data)
    try:
        printer.setFullPage(True)  # the letter has its own margins: paper edge = page edge
        painter = QPainter()
        if not painter.begin(printer):
            raise PdfError("L'imprimante n'a pas pu être ouverte : vérifiez qu'elle est allumée et reliée.")
        try:
            dpi = min(printer.resolution(), PRINT_DPI)
            for page in range(document.pageCount()):
                if page:
                    printer.newPage()
                image = _render(document, page, dpi)
                target = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
                scaled = image.size().scaled(target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRectF(QPointF(0, 0), scaled.toSizeF()), image)
            return document.pageCount()
        finally:
            painter.end()
    finally:
        document.deleteLater()


def print_pdf(
    parent: QWidget, data: bytes, title: str, *, on_done: Callable[[str], None] | None = None
) -> QPrintDialog:
    """Ask where to print (window-modal dialog, no nested event loop), then print. ``on_done`` gets a message."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Imprimer — {title}")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def print_now() -> None:  # the closure keeps the printer alive as long as the dialog
        try:
            pages = paint_pdf(data, printer)
        except PdfError as exc:
            message = str(exc)
        else:
            message = (
                f"{title} : {pages} page{'s' if pages > 1 else ''} envoyée{'s' if pages > 1 else ''} à l'imprimante."
            )
        if on_done is not None:
            on_done(message)

    dialog.accepted.connect(print_now)
    dialog.open()
    return dialog


def temp_dir() -> Path:
    global _temp_dir
    if _temp_dir is None or not _temp_dir.exists():
        _temp_dir = Path(tempfile.mkdtemp(prefix="guichet-documents-"))
        atexit.register(shutil.rmtree, _temp_dir, True)
    return _temp_dir


def open_file(path: Path) -> bool:
    """Hand a file to the system's viewer (a separate function so tests can replace it)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def open_document(data: bytes, file_name: str) -> tuple[Path, bool]:
    """Write the document to the private temporary folder and open it in the system viewer."""
    path = temp_dir() / safe_file_name(file_name, suffix=Path(file_name).suffix or ".pdf")
    path.write_bytes(data)
    return path, open_file(path)


def save_document(
    parent: QWidget, data: bytes, file_name: str, *, on_done: Callable[[str], None] | None = None
) -> QFileDialog:
    """Ask where to save (window-modal dialog), then write the file; ``on_done`` gets a message."""
    suffix = Path(file_name).suffix or ".pdf"
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    dialog = QFileDialog(parent, "Enregistrer le document", str(Path(folder) / safe_file_name(file_name, suffix)))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(suffix.lstrip("."))
    dialog.setNameFilter("Documents PDF (*.pdf)" if suffix == ".pdf" else f"Fichiers {suffix} (*{suffix})")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def write(path: str) -> None:
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            message = error_text(exc)
        else:
            message = f"Document enregistré : {path}"
        if on_done is not None:
            on_done(message)

    dialog.fileSelected.connect(write)
    dialog.open()
    return dialog


def deliver_pdf(
    parent: QWidget, action: PdfAction, data: bytes, *, title: str, file_name: str,
    on_done: Callable[[str], None] | None = None,
) -> QWidget | None:  # fmt: skip
    """Do what the agent chose with a PDF just made; returns the dialog opened, if any."""
    if action is PdfAction.PRINT:
        return print_pdf(parent, data, title, on_done=on_done)
    if action is PdfAction.SAVE:
        return save_document(parent, data, file_name, on_done=on_done)
    path, opened = open_document(data, file_name)
    if on_done is not None:
        on_done(
            f"{title} ouvert dans la visionneuse."
            if opened
            else f"Aucune visionneuse n'a pu ouvrir le document ; il est ici : {path}"
        )
    return None
