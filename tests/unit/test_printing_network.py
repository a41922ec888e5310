"""Printing through the real network backend to the printer emulator: every way a printer lets a kiosk down."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from guichet.config import PrinterSettings, Settings
from guichet.db import Database
from guichet.domain import PrintJobStatus
from guichet.printing.backends import PaperLevel, open_backend, parse_status
from guichet.printing.commands import print_test_page, printer_status, test_page_bytes
from guichet.printing.emulator import EmulatorMode, PrinterEmulator, strip_queries
from guichet.printing.errors import (
    PaperOutError,
    PrinterConfigError,
    PrinterNotRespondingError,
    PrinterOfflineError,
    PrintInterruptedError,
)
from guichet.printing.escpos_render import decode
from guichet.printing.worker import PrintEventKind, PrintWorker, render_job
from guichet.services.clock import now
from tests.unit._printing import KEY, Events, Kiosk, emulator_settings, make_kiosk

FAST = (0.05, 0.05, 0.05, 0.05, 0.05)  # retry delays: the schedule of production, compressed


@pytest.fixture
def emulator():
    with PrinterEmulator() as printer:
        yield printer


@pytest.fixture
def kiosk(demo_db: Database) -> Kiosk:
    return make_kiosk(demo_db)


def worker_for(kiosk: Kiosk, emulator: PrinterEmulator, events: Events, **kw: object) -> PrintWorker:
    settings = emulator_settings(emulator.port)
    return PrintWorker(kiosk.jobs, settings, on_event=events, retry_delays_s=kw.pop("delays", FAST), **kw)  # type: ignore[arg-type]


def test_the_emulator_receives_exactly_the_rendered_bytes(kiosk, emulator):
    info = kiosk.issue("A")
    events = Events()
    worker = worker_for(kiosk, emulator, events)
    assert worker.run_once() is True
    expected = render_job(kiosk.jobs.get(job_id=info.print_job_id), worker.settings)
    [job] = emulator.wait_for_jobs(1)
    assert job.payload == expected
    assert job.complete and job.status_queries == 6  # three before the job, three after
    assert "\nA001\n" in decode(job.payload).text
    assert kiosk.jobs.get(job_id=info.print_job_id).status is PrintJobStatus.PRINTED
    assert events.messages == ["Ticket A001 imprimé"]
    assert worker.run_once() is False


def test_printer_off_then_back_prints_the_ticket_once(kiosk, emulator):
    emulator.set_mode(EmulatorMode.REFUSE)
    info = kiosk.issue("A")
    events = Events()
    worker = worker_for(kiosk, emulator, events)
    assert worker.run_once() is True
    [failed] = events.seen
    assert failed.kind is PrintEventKind.FAILED and failed.will_retry
    assert failed.message == "Imprimante hors ligne — ticket A001 enregistré"
    assert failed.ticket_id == info.id and failed.job_id == info.print_job_id
    job = kiosk.jobs.get(job_id=info.print_job_id)
    assert job.status is PrintJobStatus.FAILED
    assert job.last_error.startswith("Imprimante hors ligne — ticket A001 enregistré (connexion refusée")
    # The ticket is in the queue whatever the printer does.
    [queue_a] = [q for q in kiosk.queue.site_status(site_id=kiosk.site_id).queues if q.letter == "A"]
    assert queue_a.waiting == 1
    emulator.set_mode(EmulatorMode.NORMAL)
    time.sleep(0.06)
    assert worker.run_once() is True
    assert worker.run_once() is False
    assert len(emulator.wait_for_jobs(1)) == 1
    time.sleep(0.1)
    assert len(emulator.jobs) == 1  # printed once
    job = kiosk.jobs.get(job_id=info.print_job_id)
    assert (job.status, job.attempts) == (PrintJobStatus.PRINTED, 2)
    assert events.messages[-1] == "Ticket A001 imprimé"


def test_a_hanging_printer_fails_within_the_timeout(kiosk, emulator):
    emulator.set_mode(EmulatorMode.HANG)
    info = kiosk.issue("A")
    events = Events()
    worker = worker_for(kiosk, emulator, events)
    started = time.monotonic()
    worker.run_once()
    elapsed = time.monotonic() - started
    assert elapsed < 5
    assert events.messages == ["L'imprimante ne répond pas — ticket A001 enregistré"]
    assert kiosk.jobs.get(job_id=info.print_job_id).status is PrintJobStatus.FAILED


def test_a_printer_that_stops_reading_mid_ticket_fails_within_the_timeout(kiosk, emulator):
    # The status answered, then nothing read: the post-job status request goes unanswered.
    backend = open_backend(emulator_settings(emulator.port, timeout_s=0.5))
    emulator.set_mode(EmulatorMode.NORMAL)
    started = time.monotonic()
    original = emulator._serve

    def stall(conn, mode, drop_after):  # noqa: ANN001
        conn.recv(9)
        conn.sendall(b"\x12\x12\x12")
        time.sleep(2)

    emulator._serve = stall  # type: ignore[method-assign]
    try:
        with pytest.raises(PrinterNotRespondingError):
            backend.send(b"\x1b@" + b"x" * 5000)
    finally:
        emulator._serve = original  # type: ignore[method-assign]
    assert time.monotonic() - started < 2


def test_dropped_mid_ticket_fails_then_prints_whole(kiosk, emulator):
    emulator.set_mode(EmulatorMode.DROP, drop_after=300)
    info = kiosk.issue("A")
    events = Events()
    worker = worker_for(kiosk, emulator, events)
    worker.run_once()
    assert events.messages == ["Impression interrompue — ticket A001 enregistré"]
    [partial] = emulator.wait_for_jobs(1)
    assert not partial.complete and len(partial.data) == 300
    emulator.set_mode(EmulatorMode.NORMAL)
    time.sleep(0.06)
    worker.run_once()
    jobs = emulator.wait_for_jobs(2)
    expected = render_job(kiosk.jobs.get(job_id=info.print_job_id), worker.settings)
    assert jobs[-1].payload == expected and jobs[-1].complete
    assert kiosk.jobs.get(job_id=info.print_job_id).status is PrintJobStatus.PRINTED


def test_paper_out_fails_with_plus_de_papier_and_sends_nothing(kiosk, emulator):
    emulator.set_mode(EmulatorMode.PAPER_OUT)
    info = kiosk.issue("A")
    events = Events()
    worker_for(kiosk, emulator, events).run_once()
    assert events.messages == ["Plus de papier — ticket A001 enregistré"]
    assert events.seen[0].reason == "Plus de papier"
    assert kiosk.jobs.get(job_id=info.print_job_id).status is PrintJobStatus.FAILED
    time.sleep(0.05)
    assert emulator.jobs == []  # nothing printed on a printer without paper


def test_paper_low_prints_and_warns(kiosk, emulator):
    emulator.set_mode(EmulatorMode.PAPER_LOW)
    kiosk.issue("A")
    events = Events()
    worker_for(kiosk, emulator, events).run_once()
    assert [e.kind for e in events.seen] == [PrintEventKind.PRINTED, PrintEventKind.PRINTER_STATUS]
    assert events.seen[1].message == "En ligne — papier bientôt épuisé"


def test_retries_stop_after_the_schedule_and_a_stale_ticket_is_not_retried(kiosk, emulator):
    emulator.set_mode(EmulatorMode.REFUSE)
    info = kiosk.issue("A")
    events = Events()
    worker = worker_for(kiosk, emulator, events, delays=(0.01, 0.01))
    for _ in range(3):
        worker.run_once()
        time.sleep(0.02)
    assert worker.run_once() is False
    assert [e.will_retry for e in events.seen] == [True, True, False]
    assert not kiosk.jobs.get(job_id=info.print_job_id).will_retry
    # A ticket older than the limit is given up at once: printed later it would reach the next person.
    old = kiosk.issue("B")
    worker = worker_for(kiosk, emulator, events, ticket_max_age_s=0.0)
    time.sleep(0.01)
    worker.run_once()
    assert events.seen[-1].job_id == old.print_job_id and not events.seen[-1].will_retry
    # A receipt or a test page keeps its schedule whatever its age.
    test = kiosk.jobs.enqueue_test_page(site_id=kiosk.site_id, printer_key=KEY)
    worker.run_once()
    assert events.seen[-1].job_id == test.id and events.seen[-1].will_retry
    assert events.seen[-1].message == "Imprimante hors ligne — page de test en attente"


def test_a_job_found_printing_at_start_is_printed(kiosk, emulator):
    info = kiosk.issue("A")
    kiosk.jobs.claim_next(printer_key=KEY)  # the previous worker died here
    events = Events()
    worker = worker_for(kiosk, emulator, events)
    assert worker.run_once() is False
    assert worker.recover() == 1
    assert worker.run_once() is True
    assert len(emulator.wait_for_jobs(1)) == 1
    assert kiosk.jobs.get(job_id=info.print_job_id).status is PrintJobStatus.PRINTED


def test_the_worker_thread_prints_what_the_kiosk_issues(kiosk, emulator):
    events = Events()
    worker = worker_for(kiosk, emulator, events, poll_s=5.0).start()
    try:
        started = time.monotonic()
        numbers = [kiosk.issue(letter).number for letter in "ABA"]
        worker.notify()
        jobs = emulator.wait_for_jobs(3, timeout=5)
        assert time.monotonic() - started < 2  # woken by notify(), not by the 5 s poll
        assert [decode(j.payload).text.split("\n")[4] for j in jobs] == numbers
        deadline = time.monotonic() + 2
        while len(events.seen) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert events.messages == [f"Ticket {n} imprimé" for n in numbers]
    finally:
        worker.stop()
    assert not worker.running


def test_the_worker_thread_retries_by_itself_when_the_printer_comes_back(kiosk, emulator):
    emulator.set_mode(EmulatorMode.REFUSE)
    events = Events()
    worker = worker_for(kiosk, emulator, events, poll_s=0.05).start()
    try:
        info = kiosk.issue("A")
        worker.notify()
        deadline = time.monotonic() + 3
        while not events.seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert events.messages[0] == "Imprimante hors ligne — ticket A001 enregistré"
        emulator.set_mode(EmulatorMode.NORMAL)
        assert len(emulator.wait_for_jobs(1, timeout=3)) == 1
    finally:
        worker.stop()
    assert kiosk.jobs.get(job_id=info.print_job_id).status is PrintJobStatus.PRINTED


def test_status_through_the_network(emulator):
    settings = emulator_settings(emulator.port)
    expected = {
        EmulatorMode.NORMAL: ("En ligne — papier OK", True),
        EmulatorMode.PAPER_LOW: ("En ligne — papier bientôt épuisé", True),
        EmulatorMode.PAPER_OUT: ("Plus de papier", False),
        EmulatorMode.REFUSE: ("Imprimante hors ligne", False),
    }
    for mode, (label, can_print) in expected.items():
        emulator.set_mode(mode)
        status = printer_status(settings)
        assert (status.label, status.can_print) == (label, can_print), mode
    emulator.set_mode(EmulatorMode.HANG)
    started = time.monotonic()
    status = printer_status(emulator_settings(emulator.port, timeout_s=0.3))
    assert status.label == "État inconnu" and status.can_print is None  # no reply is not "paper OK"
    assert time.monotonic() - started < 2


def test_status_bytes():
    assert parse_status(0x12, 0x12, 0x12).paper is PaperLevel.OK
    assert parse_status(0x12, 0x12, 0x1E).paper is PaperLevel.LOW
    assert parse_status(0x1A, 0x32, 0x72).paper is PaperLevel.OUT
    assert parse_status(0x12, 0x16, 0x12).label == "Capot de l'imprimante ouvert"
    assert parse_status(None, None, None).label == "État inconnu"
    assert parse_status(0xFF, 0x12, 0x12).label == "État inconnu"  # not a status byte


def test_errors_of_the_backend_itself(emulator):
    backend = open_backend(emulator_settings(emulator.port))
    emulator.set_mode(EmulatorMode.REFUSE)
    with pytest.raises(PrinterOfflineError):
        backend.send(b"x")
    emulator.set_mode(EmulatorMode.PAPER_OUT)
    with pytest.raises(PaperOutError):
        backend.send(b"x")
    emulator.set_mode(EmulatorMode.DROP, drop_after=50)
    with pytest.raises(PrintInterruptedError):
        backend.send(b"\x1b@" + b"y" * 20000)
    with pytest.raises(PrinterConfigError, match="adresse"):
        open_backend(PrinterSettings(backend="network"))
    with pytest.raises(PrinterConfigError, match="aucune imprimante"):
        open_backend(PrinterSettings())


def test_without_status_check_a_job_counts_as_sent(emulator):
    backend = open_backend(emulator_settings(emulator.port, status_check=False))
    backend.send(b"\x1b@hello\n")
    [job] = emulator.wait_for_jobs(1)
    assert job.data == b"\x1b@hello\n" and job.status_queries == 0


def test_test_page_through_the_network(emulator):
    settings = emulator_settings(emulator.port, paper_mm=80)
    report = print_test_page(settings, commune_name="Vénissieux", site_name="Hôtel de ville")
    assert report.status.label == "En ligne — papier OK"
    [job] = emulator.wait_for_jobs(1)
    text = decode(job.payload).text
    assert "Page de code : CP858" in text and "à â æ ç é è ê ë î ï ô oe ù û ü ÿ" in text
    assert strip_queries(job.data) == job.payload


def test_file_backend_and_emulator_files(tmp_path, emulator):
    out = tmp_path / "out.bin"
    settings = PrinterSettings(backend="file", file_path=str(out))
    data = test_page_bytes(settings)
    open_backend(settings).send(data)
    open_backend(settings).send(data)
    assert out.read_bytes() == data + data  # appended, like a device file
    folder = tmp_path / "jobs"
    folder.mkdir()
    open_backend(PrinterSettings(backend="file", file_path=str(folder))).send(data, job_name="Guichet — ticket A001")
    [written] = list(folder.iterdir())
    assert written.read_bytes() == data and written.name.endswith("ticket-A001.bin")
    assert printer_status(settings).label == "État inconnu"


def test_emulator_writes_jobs_to_a_folder(tmp_path):
    with PrinterEmulator(out_dir=tmp_path) as emulator:
        open_backend(emulator_settings(emulator.port)).send(test_page_bytes(PrinterSettings()))
        emulator.wait_for_jobs(1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job-0001.bin", "job-0001.txt"]
    assert "PAGE DE TEST" in (tmp_path / "job-0001.txt").read_text(encoding="utf-8")


def test_drivers_missing_on_this_pc_are_configuration_errors(monkeypatch):
    import guichet.printing.transports as transports

    monkeypatch.setattr(transports.shutil, "which", lambda _name: None)
    with pytest.raises(PrinterConfigError, match="lp"):
        open_backend(PrinterSettings(backend="cups", printer_name="tickets")).send(b"x")
    if transports.sys.platform != "win32":
        with pytest.raises(PrinterConfigError, match="Windows"):
            open_backend(PrinterSettings(backend="windows", printer_name="EPSON"))
    from escpos.printer import Serial, Usb

    if not Usb.is_usable():
        with pytest.raises(PrinterConfigError, match="pyusb"):
            open_backend(PrinterSettings(backend="usb", usb_vendor_id=0x04B8, usb_product_id=0x0202))
    if not Serial.is_usable():
        with pytest.raises(PrinterConfigError, match="pyserial"):
            open_backend(PrinterSettings(backend="serial", serial_device="/dev/ttyS0"))
    status = printer_status(PrinterSettings(backend="usb"))
    assert status.label == "Imprimante mal configurée"


def test_a_misconfigured_printer_fails_the_job_without_retrying(kiosk):
    info = kiosk.issue("A")
    events = Events()
    PrintWorker(kiosk.jobs, PrinterSettings(backend="usb", key=KEY), on_event=events).run_once()
    assert events.messages == ["Imprimante mal configurée — ticket A001 enregistré"]
    assert not events.seen[0].will_retry
    assert kiosk.jobs.get(job_id=info.print_job_id).status is PrintJobStatus.FAILED


def test_printer_settings_from_the_toml(tmp_path):
    path = tmp_path / "guichet.toml"
    path.write_text(
        'site_code = "HDV"\n[printer]\nbackend = "network"\nhost = "192.168.1.50"\npaper_mm = 58\n'
        'code_page = "cp1252"\ntimeout_s = 2.5\nusb_vendor_id = 0x04b8\nfooter = "Merci !"\n',
        encoding="utf-8",
    )
    printer = Settings.load(path).printer
    assert (printer.backend, printer.host, printer.port, printer.paper_mm) == ("network", "192.168.1.50", 9100, 58)
    assert (printer.code_page, printer.timeout_s, printer.usb_vendor_id, printer.footer) == (
        "CP1252", 2.5, 0x04B8, "Merci !",
    )  # fmt: skip
    assert Settings.load(tmp_path / "absent.toml").printer == PrinterSettings()
    path.write_text("[printer]\npaper_mm = 76\n", encoding="utf-8")
    with pytest.raises(ValueError, match="58 ou 80"):
        Settings.load(path)


def test_the_job_keeps_its_time_for_the_next_attempt(kiosk, emulator):
    emulator.set_mode(EmulatorMode.REFUSE)
    info = kiosk.issue("A")
    before = now()
    worker_for(kiosk, emulator, Events(), delays=(1, 2, 5, 10, 30)).run_once()
    job = kiosk.jobs.get(job_id=info.print_job_id)
    assert before + timedelta(seconds=0.9) <= job.next_attempt_at <= now() + timedelta(seconds=1.1)


def test_printing_imports_no_qt():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys\n"
        "import guichet.printing.backends, guichet.printing.commands, guichet.printing.emulator\n"
        "import guichet.printing.escpos_render, guichet.printing.layout, guichet.printing.worker\n"
        "import guichet.printing.transports\n"
        "import guichet.services.printing\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))\n"
    )
    cwd = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _wait_until(predicate, timeout: float = 3.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_the_worker_reports_the_printer_status_when_it_changes_and_when_asked(kiosk, emulator):
    events = Events()
    worker = worker_for(kiosk, emulator, events, poll_s=0.02, status_interval_s=0.05).start()

    def labels() -> list[str]:
        return [e.message for e in events.seen if e.kind is PrintEventKind.PRINTER_STATUS]

    try:
        assert _wait_until(lambda: labels() == ["En ligne — papier OK"])
        emulator.set_mode(EmulatorMode.PAPER_OUT)
        assert _wait_until(lambda: labels()[-1:] == ["Plus de papier"])
        time.sleep(0.15)
        assert labels() == ["En ligne — papier OK", "Plus de papier"]  # said once, not at every check
        worker.check_status()
        assert _wait_until(lambda: len(labels()) == 3)
        assert events.seen[-1].printer_status.paper is PaperLevel.OUT
    finally:
        worker.stop()
