"""Real server processes for the scale-out and outage tests and the load benchmark: gunicorn
running the service on loopback, configured only through the environment, as in production."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from grader.service.throwaway_postgres import free_port

APP = "grader.service:create_app()"
CONFIG = "python:grader.service.gunicorn_config"


class GunicornServer:
    """``with GunicornServer(database_url) as server: requests.get(server.url + "/api/v1/health")``."""

    def __init__(
        self,
        database_url: str,
        workers: int | None = 2,
        threads: int = 1,
        log: Path | None = None,
        app: str = APP,
        access_log: Path | None = None,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
        self.env.update(
            GRADER_DATABASE_URL=database_url,
            # Production (gunicorn's default) refuses short or placeholder secrets.
            GRADER_SECRET_KEY=secrets.token_urlsafe(32),
            GRADER_BIND=f"127.0.0.1:{self.port}",
            GRADER_THREADS=str(threads),
            GRADER_LOG_LEVEL="warning",
            GRADER_DB_CONNECT_TIMEOUT="2",
        )
        if workers is not None:  # None: the production default of the gunicorn config
            self.env["WEB_CONCURRENCY"] = str(workers)
        self.app = app
        self.log = log
        self.access_log = access_log
        self.process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"GunicornServer({self.url})"

    def __enter__(self) -> GunicornServer:
        if self.process is None:
            self.start()
        return self.wait()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> GunicornServer:
        """Launch gunicorn without waiting for it (start several, then ``wait`` for each)."""
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        access_log = str(self.access_log or "/dev/null")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", CONFIG, "--access-logfile", access_log, self.app],
            env=self.env,
            stdout=output,
            stderr=output,
        )
        return self

    def wait(self) -> GunicornServer:
        """Wait until the server answers its health check."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass  # still starting
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not become healthy in 60 s")

    def stop(self) -> None:
        """Stop the server (gracefully, then by force)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


NGINX_TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "grader.conf.template"


def render_template(text: str, values: dict[str, str]) -> str:
    """Fill in ``${NAME}`` for the given names only, as the nginx image's envsubst step does."""
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


class NginxProxy:
    """The shipped nginx configuration (deploy/nginx/grader.conf.template) in front of ``upstream``,
    run by the system's nginx from a private folder: ``with NginxProxy("127.0.0.1:8000", tmp) as proxy``."""

    def __init__(self, upstream: str, folder: Path, binary: str = "/usr/sbin/nginx"):
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.upstream = upstream
        self.process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"NginxProxy({self.url} -> {self.upstream})"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def write_config(self) -> Path:
        """The shipped server block, and a main file that keeps every path inside ``folder``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        server = render_template(
            NGINX_TEMPLATE.read_text(), {"GRADER_UPSTREAM": self.upstream, "NGINX_PORT": f"127.0.0.1:{self.port}"}
        )
        # The image sends /var/log/nginx/access.log to stdout; here it is a file the tests read.
        server = server.replace("/var/log/nginx/access.log", str(self.access_log))
        (self.folder / "grader.conf").write_text(server)
        kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        temp = "\n".join(f"    {kind}_temp_path {self.folder / kind};" for kind in kinds)
        main = self.folder / "nginx.conf"
        main.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {self.folder / 'nginx.pid'};\nerror_log {self.folder / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n{temp}\n    include {self.folder / 'grader.conf'};\n}}\n"
        )
        return main

    def __enter__(self) -> NginxProxy:
        main = self.write_config()
        folder = str(self.folder)
        self.process = subprocess.Popen(
            [self.binary, "-p", folder, "-e", f"{folder}/error.log", "-c", str(main), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode()}")
            try:
                requests.get(f"{self.url}/api/v1/health", timeout=5)
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("nginx did not start in 20 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class SlowClients:
    """``count`` connections that each send a request one byte every ``interval`` seconds, from one
    background thread: ``with SlowClients(port, 50): ...`` holds them open for the block's duration.

    Each starts a POST with a body of ``body_size`` bytes it never finishes sending, the way a
    client on a bad line (or an attacker) keeps a connection busy; ``open_count`` tells how many
    the server has not dropped.
    """

    def __init__(self, port: int, count: int, interval: float = 2.0, path: str = "/api/v1/health", body_size=1000):
        self.port = port
        self.count = count
        self.interval = interval
        self.request = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {body_size}\r\n\r\n" + "x" * body_size
        ).encode()
        self.sockets: list = []
        self.sent = 0
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> SlowClients:
        for _ in range(self.count):
            self.sockets.append(socket.create_connection(("127.0.0.1", self.port), timeout=5))
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()

    def _trickle(self) -> None:
        alive = list(self.sockets)
        while not self._stop.is_set() and self.sent < len(self.request):
            byte = self.request[self.sent : self.sent + 1]
            for sock in list(alive):
                try:
                    sock.sendall(byte)
                except OSError:
                    alive.remove(sock)
                    self.dropped += 1
            self.sent += 1
            self._stop.wait(self.interval)

    def open_count(self) -> int:
        """Connections the server still holds open: neither answered nor closed."""
        still = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                sock.recv(1)  # data: answered early; b"": closed.  Neither is held.
            except BlockingIOError:
                still += 1  # nothing to read and not closed: the server is still waiting for us
            except OSError:
                pass  # reset by the server
            finally:
                sock.setblocking(True)
        return still


class CommitCutter:
    """A TCP proxy to PostgreSQL that drops the connection just after a COMMIT has passed through,
    once, on the first connection that ran a statement containing ``after``: the server commits,
    the client never hears so.  ``with CommitCutter(port, b"INSERT INTO submissions") as cut: cut.url(db)``."""

    COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"  # psycopg sends COMMIT as a simple query

    def __init__(self, upstream_port: int, after: bytes):
        self.upstream_port = upstream_port
        self.after = after
        self.cuts = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` through this proxy."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def __enter__(self) -> CommitCutter:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            muted = threading.Event()  # set: the server's answers are no longer passed on
            threading.Thread(target=self._pump, args=(client, server, True, muted), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False, muted), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool, muted: threading.Event) -> None:
        armed = False
        try:
            while data := source.recv(65536):
                if not from_client:
                    if muted.is_set():
                        break
                    target.sendall(data)
                    continue
                if not self.cuts:
                    armed = armed or self.after in data
                    if armed and self.COMMIT in data:
                        self.cuts += 1
                        muted.set()
                        target.sendall(data)
                        time.sleep(0.3)  # the server commits; its answer is never passed on
                        break
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def seeded_database(url: str) -> tuple[str, int]:
    """Migrate the empty database at ``url`` and give it an instructor key and a seed-example set,
    made through the facade; returns (the key, the set's id)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from grader.service import schema
    from grader.service.facade.exercise_sets import create_set
    from grader.service.facade.keys import create_key

    engine = create_engine(url)
    try:
        schema.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            key, secret = create_key(session, "instructor", "instructor")
            set_id = create_set(session, key.account, {"template": "seed-classic", "seed": 1}, max_steps=20_000).id
            session.commit()
    finally:
        engine.dispose()
    return secret, set_id


def peak_rss_mib(pid: int) -> float:
    """A process's peak resident set size (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def only_worker(server: GunicornServer) -> int:
    """The pid of the one worker of a gunicorn server started with ``workers=1``."""
    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return int(children[0])
