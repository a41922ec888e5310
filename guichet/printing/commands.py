"""Direct printer actions (no job queue): the test page, the status, and the emulator's command line.

The kiosk and the desk print through the job queue (``PrintJobService`` + ``PrintWorker``); these are for
installing a printer (``guichet printer test|status``) and for running without one (``guichet
printer-emulator``).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from guichet.config import PrinterSettings
from guichet.printing.backends import PrinterStatus, SendReport, describe, open_backend
from guichet.printing.emulator import EmulatorMode, PrinterEmulator, ReceivedJob
from guichet.printing.errors import PrinterConfigError, PrinterError
from guichet.printing.escpos_render import decode, render
from guichet.printing.layout import PrinterTestSlip, paper_for, printer_test_ops
from guichet.printing.worker import logo_path


def test_page_bytes(settings: PrinterSettings, *, commune_name: str = "", site_name: str = "") -> bytes:
    """The test page for this printer: every French character, its code page, a ruler of the paper's width."""
    slip = PrinterTestSlip(commune_name, site_name, describe(settings), settings.code_page, datetime.now(UTC))
    paper = paper_for(settings.paper_mm)
    ops = printer_test_ops(slip, paper, logo=logo_path(settings))
    return render(ops, paper, code_page_name=settings.code_page, native_qr=settings.native_qr)


test_page_bytes.__test__ = False  # type: ignore[attr-defined] - not a pytest test despite its name


def print_test_page(settings: PrinterSettings, *, commune_name: str = "", site_name: str = "") -> SendReport:
    """Print the test page now, on the calling thread (never the GUI's); raises PrinterError."""
    data = test_page_bytes(settings, commune_name=commune_name, site_name=site_name)
    return open_backend(settings).send(data, job_name="Guichet — page de test")


def printer_status(settings: PrinterSettings) -> PrinterStatus:
    """Ask the printer (bounded by ``timeout_s``): online, paper OK / low / out, or « état inconnu »."""
    try:
        return open_backend(settings).status()
    except PrinterConfigError as e:
        return PrinterStatus(reachable=False, detail=e.detail, configured=False)


def printer_command(settings: PrinterSettings, what: str) -> int:
    """``guichet printer test|status``."""
    print(f"Imprimante : {describe(settings)} — papier {settings.paper_mm} mm — page de code {settings.code_page}")
    if what == "status":
        status = printer_status(settings)
        print(status.label + (f" ({status.detail})" if status.detail else ""))
        return 0 if status.can_print else 1
    try:
        report = print_test_page(settings)
    except PrinterError as e:
        print(f"Page de test non imprimée : {e}", file=sys.stderr)
        return 1
    print(f"Page de test envoyée en {report.elapsed_s * 1000:.0f} ms — {report.status.label}")
    return 0


def run_emulator(*, host: str, port: int, mode: str, out_dir: Path | None) -> int:
    """``guichet printer-emulator``: a network printer on this PC until Ctrl+C."""

    def show(job: ReceivedJob) -> None:
        if not job.payload:
            print(f"[{job.number}] demande d'état seule ({job.status_queries} demande(s))", flush=True)
            return
        try:
            lines = [line for line in decode(job.payload).text.splitlines() if line.strip()]
        except ValueError:
            lines = []
        summary = " | ".join(lines[:4])
        state = "" if job.complete else " — connexion coupée par l'émulateur"
        print(f"[{job.number}] {len(job.payload)} octets{state} : {summary}", flush=True)

    emulator = PrinterEmulator(host=host, port=port, mode=EmulatorMode(mode), out_dir=out_dir, on_job=show)
    try:
        emulator.start()
    except OSError as e:
        print(f"Impossible d'écouter sur {host}:{port} : {e.strerror or e}", file=sys.stderr)
        return 2
    where = f" ; travaux enregistrés dans {out_dir}" if out_dir else ""
    print(f"Imprimante simulée sur {host}:{emulator.port}, mode « {mode} »{where}. Ctrl+C pour arrêter.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    print(f"{len(emulator.jobs)} travail(aux) reçu(s).")
    return 0


def cli(settings: PrinterSettings | object, args: object) -> int:
    """Entry of ``guichet printer …`` and ``guichet printer-emulator`` (argparse namespace)."""
    if getattr(args, "command", "") == "printer-emulator":
        return run_emulator(
            host=args.host,
            port=args.port,
            mode=args.mode,
            out_dir=args.out,  # type: ignore[attr-defined]
        )
    printer = settings.printer if hasattr(settings, "printer") else settings
    return printer_command(printer, args.printer_command)  # type: ignore[arg-type, attr-defined]
