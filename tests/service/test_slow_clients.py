"""Slow clients cannot stop the shipped deployment: nginx (deploy/nginx/grader.conf.template, as
docker-compose.yml runs it) in front of gunicorn (the production config) on PostgreSQL.

Fifty connections each send a request one byte every 2 s for 20 s; meanwhile the health check
and graded submissions must each be answered within 1 s.  The same attack straight at gunicorn's
sync workers shows why the proxy is there: a handful of such connections stop every worker.
``benchmarks/slow_clients.py`` runs the same scenario and reports the latency percentiles.
"""

from __future__ import annotations

import json
import shutil
import time

import pytest
import requests

from grader.engine import load_exercise, solve
from tests.service.servers import GunicornServer, NginxProxy, SlowClients, seeded_database

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW = 50
HOLD = 20.0
ROUNDS = 20  # health checks and submissions, each, during the hold
LIMIT = 1.0


@pytest.fixture(scope="module")
def deployment(postgres_server, tmp_path_factory):
    """gunicorn (2 sync workers) on PostgreSQL, behind the shipped nginx configuration."""
    import os

    if not os.path.exists(NGINX):
        pytest.fail("nginx is needed: apt-get install nginx (.ci/run installs it)")
    url = postgres_server.create_database("slow_clients")
    secret, set_id = seeded_database(url)
    with (
        GunicornServer(url, workers=2) as gunicorn,
        NginxProxy(f"127.0.0.1:{gunicorn.port}", tmp_path_factory.mktemp("nginx"), NGINX) as proxy,
    ):
        yield gunicorn, proxy, secret, set_id


def seed_body() -> bytes:
    trace = solve(load_exercise("exercises/seed-classic.yaml"))
    return json.dumps({"answers": {k: round(trace.values[k], 6) for k in trace.asked_keys()}}).encode()


def test_fifty_slow_clients_for_20_s_do_not_delay_health_or_submissions(deployment):
    _gunicorn, proxy, secret, set_id = deployment
    body = seed_body()
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    latencies: dict[str, list[float]] = {"health": [], "submission": []}
    with requests.Session() as http, SlowClients(proxy.port, SLOW) as slow:
        stop = time.monotonic() + HOLD
        n = 0
        # For the whole hold, and for at least ROUNDS rounds however slow a loaded machine makes them.
        while n < ROUNDS or time.monotonic() < stop:
            started = time.perf_counter()
            health = http.get(f"{proxy.url}/api/v1/health", timeout=5)
            latencies["health"].append(time.perf_counter() - started)
            assert health.status_code == 200
            started = time.perf_counter()
            path = f"/api/v1/exercise-sets/{set_id}/students/s{n % 20}/submissions"
            submitted = http.post(f"{proxy.url}{path}", data=body, headers=headers, timeout=5)
            latencies["submission"].append(time.perf_counter() - started)
            assert submitted.status_code == 201, submitted.text
            n += 1
            time.sleep(0.2)
        held = slow.open_count()
    # The attack was real: every slow connection was still open, mid-request, at the end.
    assert held == SLOW and slow.sent >= HOLD / slow.interval
    for name, values in latencies.items():
        print(f"{name} under {SLOW} slow clients: {len(values)} answers, max {max(values) * 1000:.0f} ms")
        assert len(values) >= ROUNDS, name
        assert max(values) < LIMIT, (name, sorted(values)[-5:])


def test_without_the_proxy_a_few_slow_clients_stop_every_sync_worker(deployment):
    """The control: gunicorn's two sync workers, each held by one slow connection, answer nothing."""
    gunicorn, _proxy, _secret, _set_id = deployment
    with SlowClients(gunicorn.port, 4, interval=0.5):
        time.sleep(0.5)
        with pytest.raises(requests.Timeout):
            requests.get(f"{gunicorn.url}/api/v1/health", timeout=LIMIT)
    # Once they go, the workers are free again.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{gunicorn.url}/api/v1/health", timeout=LIMIT).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    pytest.fail("gunicorn did not recover after the slow clients left")
