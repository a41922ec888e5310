"""The hub's process killed (SIGKILL) in the middle of the morning and started again: every ticket the kiosk
was given still exists, and every one of them comes out of the real (emulated) printer, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from guichet.db import Database
from guichet.hub.client import HubLink, HubUnreachableError, RemotePublicServices, pair_with
from guichet.printing.emulator import PrinterEmulator
from guichet.printing.escpos_render import decode
from guichet.services.hub_devices import DeviceService
from guichet.services.queue_seed import seed_queues
from tests.hub.harness import free_port


def start_hub(config: Path, address: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "guichet", "--config", str(config), "hub", "serve", "--listen", address],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{address}/api/health", timeout=0.5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("le serveur du site n'a pas démarré")


@pytest.fixture
def emulator():
    with PrinterEmulator() as printer:
        yield printer


def test_a_killed_hub_loses_no_ticket_and_no_print_job(demo_db: Database, tmp_path: Path, emulator):
    seed_queues(demo_db, open_all_day=True)
    code = DeviceService(demo_db).pair(name="Borne 1", role="borne", site_code="HDV").code
    demo_db.close()
    config = tmp_path / "guichet.toml"
    config.write_text(
        f'db_path = "{demo_db.path}"\nsite_code = "HDV"\n'
        f'[printer]\nbackend = "network"\nhost = "127.0.0.1"\nport = {emulator.port}\nkey = "kiosque"\n'
        "timeout_s = 1.0\npaper_mm = 58\n",
        encoding="utf-8",
    )
    address = f"127.0.0.2:{free_port('127.0.0.2')}"
    hub = start_hub(config, address)
    link = None
    try:
        link = HubLink(f"http://{address}", pair_with(address, code)["token"], connect_timeout_s=0.5)
        kiosk = RemotePublicServices(link)
        site = kiosk.sites.find(code="HDV")
        queue = kiosk.queue.queue_statuses(site_id=site.id)[0]
        given: list[str] = []

        def issue(n: int) -> int:
            refused = 0
            for _ in range(n):
                try:
                    given.append(
                        kiosk.queue.issue_ticket(site_id=site.id, queue_id=queue.id, print_on="kiosque").number
                    )
                except HubUnreachableError:
                    refused += 1
            return refused

        issue(12)
        hub.send_signal(signal.SIGKILL)  # no goodbye: the power cable
        hub.wait(10)
        assert issue(3) == 3  # refused, said so: the kiosk shows its message, nobody holds a phantom ticket
        hub = start_hub(config, address)
        issue(8)
        assert len(given) == 20 and len(set(given)) == 20

        def printed() -> list[str]:
            return [line for j in emulator.jobs for line in decode(j.payload).text.split("\n") if line in given]

        deadline = time.monotonic() + 30
        while set(printed()) != set(given) and time.monotonic() < deadline:
            time.sleep(0.1)
        printed = printed()
        assert set(printed) == set(given), "every ticket given came out of the printer"
        # A job cut by the kill mid-send is sent again whole after the restart (a torn ticket is no ticket):
        # at most that one twice.
        assert len(printed) - len(given) <= 1
    finally:
        if link is not None:
            link.close()
        hub.terminate()
        hub.wait(10)
