"""A throwaway PostgreSQL cluster for the integration tests and the benchmarks.

initdb + pg_ctl in a temporary folder, listening on a random loopback port and on a Unix socket in that
folder. As root, PostgreSQL refuses to run: the cluster then belongs to the ``postgres`` user (made by the
Debian package) and the commands run through ``runuser``. The owner connects through the socket (trust);
site roles connect over TCP with passwords (scram-sha-256), as in production.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    """The folder of initdb/pg_ctl/postgres, or None when PostgreSQL is not installed."""
    candidates: list[str] = []
    if os.environ.get("GUICHET_PG_BINDIR"):
        candidates.append(os.environ["GUICHET_PG_BINDIR"])
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb") or "").parent))
    for folder in candidates:
        if folder and all((Path(folder) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bindir: Path
    root: Path
    port: int
    owner: str | None  # the OS user running the server when we are root

    @property
    def data(self) -> Path:
        return self.root / "data"

    def admin_url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.root}&port={self.port}"

    def site_url(self, role: str, dbname: str, port: int | None = None) -> str:
        return f"postgresql://{role}@127.0.0.1:{port or self.port}/{dbname}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.owner:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=self.root)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(*, durable: bool = False) -> Cluster:
    """Start a new cluster (``durable``: fsync on, as in production, for the benchmarks)."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed")
    owner = None
    # As root, the folder must be reachable by the postgres user: not under a private TMPDIR.
    shared = "/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None
    root = Path(tempfile.mkdtemp(prefix="guichet-pg-", dir=shared))
    if os.geteuid() == 0:
        owner = "postgres"
        user = pwd.getpwnam(owner)
        os.chown(root, user.pw_uid, user.pw_gid)
    cluster = Cluster(bindir, root, 0, owner)
    init = cluster._run(
        "initdb", "-D", str(cluster.data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
        "-E", "UTF8", "--locale=C", "--no-sync",
    )  # fmt: skip
    if init.returncode:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr}")
    speed = [] if durable else ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    last = ""
    for _ in range(5):
        cluster.port = _free_port()
        options = " ".join(
            [f"-c port={cluster.port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={root}",
             "-c max_connections=200", *speed]
        )  # fmt: skip
        started = cluster._run(
            "pg_ctl", "-D", str(cluster.data), "-w", "-t", "60", "-l", str(root / "server.log"), "-o", options, "start"
        )
        if started.returncode == 0:
            return cluster
        last = started.stderr + (root / "server.log").read_text(errors="replace")
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start: {last}")
