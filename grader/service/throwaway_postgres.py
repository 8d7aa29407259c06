"""A throwaway PostgreSQL server on loopback, for the test suite and the benchmarks.

It runs the machine's own PostgreSQL binaries (``/usr/lib/postgresql/*/bin``, or ``GRADER_PG_BIN``)
on a fresh data directory and a free port.  ``initdb`` refuses to run as root, so as root the
server runs as the ``postgres`` user (``runuser``) in a directory that user owns.

Durability settings are relaxed only where a crashed *machine* would matter (``fsync=off``):
commits still reach the operating system before they are acknowledged, so stopping the server
abruptly (``stop("immediate")``, as the outage test does) loses nothing acknowledged.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "log_min_messages": "warning",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here, or the server would not start."""


def find_binaries() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first."""
    configured = os.environ.get("GRADER_PG_BIN")
    candidates = [configured] if configured else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and PATH); "
        "install them (Debian: apt-get install postgresql-15) or set GRADER_PG_BIN"
    )


def _version(folder: str) -> float:
    try:
        return float(Path(folder).parent.name)
    except ValueError:
        return 0.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL server of our own: ``start()``, ``url(db)``, ``stop()``, ``cleanup()``."""

    def __init__(self, root: str | Path | None = None, port: int | None = None):
        self.bin = find_binaries()
        self.port = port or free_port()
        self.root = Path(root or tempfile.mkdtemp(prefix="grader-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log = self.root / "server.log"
        self.as_postgres = os.geteuid() == 0
        self.owner = os.getpid()

    def __repr__(self) -> str:
        return f"ThrowawayPostgres(127.0.0.1:{self.port}, {self.data})"

    def __enter__(self) -> ThrowawayPostgres:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed: {result.stderr.strip()}\n{log}")
        return result

    def _prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if self.as_postgres:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root needs a 'postgres' user to run the server as") from None
            for path in (self.root, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            )

    def start(self) -> None:
        """Create the cluster on first start, then start the server and wait until it accepts connections."""
        self._prepare()
        options = " ".join(f"-c {k}={v}" for k, v in SERVER_SETTINGS.items())
        options += f" -p {self.port} -k {self.socket_dir}"
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options)
        # A server must not outlive the process that started it, however that process ends.
        atexit.register(self.cleanup)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), check=False)
            if result.returncode == 0:
                return
            time.sleep(0.1)
        raise PostgresUnavailable(f"PostgreSQL on port {self.port} did not become ready")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` (clean) or ``immediate`` (abrupt, like a crash)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60", check=False)

    def cleanup(self) -> None:
        """Stop the server and delete its files (only in the process that made it, not in forks)."""
        if os.getpid() != self.owner or not self.root.exists():
            return
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still connected."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(statement)
