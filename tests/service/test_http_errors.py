"""Errors raised before the app sees a request are problem+json too: gunicorn's own 400, 414 and
431, nginx's (the shipped proxy configuration), and 413 for an oversized chunked body, which has
no Content-Length to check up front."""

from __future__ import annotations

import json
import shutil
import socket
import time

import pytest
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from grader.service import schema
from tests.service.servers import GunicornServer, NginxProxy

LIMIT = 256 * 1024  # GRADER_MAX_CONTENT_LENGTH's default


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """gunicorn (production config) on SQLite, and the shipped nginx configuration in front of it."""
    from grader.service.facade.keys import create_key

    folder = tmp_path_factory.mktemp("http-errors")
    url = f"sqlite:///{folder / 'grader.sqlite3'}"
    engine = create_engine(url)
    schema.upgrade(engine)
    with Session(engine) as session:
        _key, secret = create_key(session, "alice", "instructor")
        session.commit()
    engine.dispose()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    with (
        GunicornServer(url, workers=1) as gunicorn,
        NginxProxy(f"127.0.0.1:{gunicorn.port}", folder / "nginx", nginx) as proxy,
    ):
        yield {"gunicorn": gunicorn, "nginx": proxy}, secret


def raw(port: int, data: bytes) -> tuple[int, str, dict]:
    """Send raw bytes; the status, content type and problem document of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers.get("Content-Type", ""), json.loads(body)


@pytest.mark.parametrize("server", ["gunicorn", "nginx"])
def test_a_request_line_that_is_not_http_is_a_400_problem(servers, server):
    status, kind, doc = raw(servers[0][server].port, b"GARBAGE\r\n\r\n")
    assert (status, kind) == (400, "application/problem+json")
    assert doc["type"] == "/api/v1/problems/malformed-request" and doc["status"] == 400


@pytest.mark.parametrize(("server", "length"), [("gunicorn", 5000), ("nginx", 9000)])
def test_a_request_line_over_the_limit_is_a_414_problem(servers, server, length):
    response = requests.get(f"{servers[0][server].url}/api/v1/{'x' * length}", timeout=10)
    assert response.status_code == 414 and response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 414 and response.json()["title"] == "URI Too Long"


@pytest.mark.parametrize(("server", "length"), [("gunicorn", 9000), ("nginx", 9000)])
def test_a_header_over_the_limit_is_a_431_problem(servers, server, length):
    response = requests.get(f"{servers[0][server].url}/api/v1/health", headers={"X-Big": "a" * length}, timeout=10)
    assert response.status_code == 431 and response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 431


def chunks(size: int, piece: int = 8192):
    for start in range(0, size, piece):
        yield b" " * min(piece, size - start)


@pytest.mark.parametrize(("server", "size"), [("gunicorn", LIMIT + 1), ("gunicorn", 4 * LIMIT), ("nginx", 4 * LIMIT)])
def test_an_oversized_chunked_body_is_a_413_problem_not_invalid_json(servers, server, size):
    (found, secret) = servers
    response = requests.post(
        f"{found[server].url}/api/v1/solve",
        data=chunks(size),  # a generator: requests sends it chunked, without Content-Length
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
        timeout=30,
    )
    assert response.status_code == 413, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/v1/problems/payload-too-large"


@pytest.mark.parametrize("server", ["gunicorn", "nginx"])
def test_a_chunked_body_within_the_limit_is_read_whole(servers, server, seed_exercise):
    (found, secret) = servers
    body = json.dumps({"exercise": seed_exercise.to_mapping()}).encode() + b" " * (LIMIT - 20_000)
    response = requests.post(
        f"{found[server].url}/api/v1/solve",
        data=iter([body[i : i + 8192] for i in range(0, len(body), 8192)]),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["values"]["z3"] == pytest.approx(0.755)


def test_the_proxy_access_log_keeps_no_student_token(servers):
    proxy = servers[0]["nginx"]
    requests.get(f"{proxy.url}/student/bps_TopSecretToken123?attempt=2", timeout=10)
    # nginx writes the line once the response is sent, which may be after the client has it.
    line = '"GET /student/[token]?attempt=2 HTTP/1.1"'
    deadline = time.monotonic() + 30
    while line not in (text := proxy.access_log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert line in text
    assert "TopSecretToken123" not in text
