"""Real server processes for the scale-out and outage tests and the load benchmark: gunicorn
running the service on loopback, configured only through the environment, as in production."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from grader.service.throwaway_postgres import free_port

APP = "grader.service:create_app()"
CONFIG = "python:grader.service.gunicorn_config"


class GunicornServer:
    """``with GunicornServer(database_url) as server: requests.get(server.url + "/api/v1/health")``."""

    def __init__(
        self, database_url: str, workers: int | None = 2, threads: int = 1, log: Path | None = None, app: str = APP
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
        self.env.update(
            GRADER_DATABASE_URL=database_url,
            GRADER_SECRET_KEY="scale-out-test",
            GRADER_BIND=f"127.0.0.1:{self.port}",
            GRADER_THREADS=str(threads),
            GRADER_LOG_LEVEL="warning",
            GRADER_DB_CONNECT_TIMEOUT="2",
        )
        if workers is not None:  # None: the production default of the gunicorn config
            self.env["WEB_CONCURRENCY"] = str(workers)
        self.app = app
        self.log = log
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
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", CONFIG, "--access-logfile", "/dev/null", self.app],
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
