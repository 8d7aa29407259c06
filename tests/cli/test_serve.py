"""``grader serve``: creates the database on first start, prints the URL and how to get a key, serves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from grader.service.throwaway_postgres import free_port

GRADER = str(Path(sys.executable).with_name("grader"))


def test_serve_creates_the_database_and_serves(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["GRADER_INSTANCE_PATH"] = str(tmp_path / "instance")
    server = subprocess.Popen(
        [GRADER, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "keys create --role instructor" in line:
                break
        output = "".join(lines)
        assert "(created)" in output and "grader.sqlite3" in output
        assert f"http://localhost:{port}/" in output and "/api/v1/openapi.json" in output
        # The printed command runs from here: grader is not on the PATH of this environment.
        command = next(line for line in lines if "keys create --role instructor" in line).split()[0]
        assert Path(command).resolve() == Path(GRADER).resolve()
        assert (tmp_path / "instance" / "grader.sqlite3").exists()
        for _ in range(100):
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert response.status_code == 200 and response.json()["database"] == "ok"
        # Every link the start-up message prints answers.
        links = re.findall(r"http://localhost:\d+/\S*", output)
        assert links
        for link in links:
            assert requests.get(link.replace("localhost", "127.0.0.1"), timeout=5).status_code == 200, link
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_help_names_gunicorn_for_production():
    result = subprocess.run([GRADER, "serve", "--help"], capture_output=True, text=True, check=True)
    assert "--host" in result.stdout and "--port" in result.stdout and "gunicorn" in result.stdout
