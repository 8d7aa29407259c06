"""Slow-client benchmark: latency of the health check and of graded submissions while 50
connections each send a request one byte every 2 s, through the shipped deployment.

nginx (deploy/nginx/grader.conf.template, as docker-compose.yml runs it) in front of gunicorn
(the production config) on a throwaway PostgreSQL, all on loopback.  One client alternates a
health check and a graded submission of the seed exercise, with 0.2 s between pairs, for the
measured seconds, first without and then with the slow connections open.  Prints p50, p99 and
the maximum of each.  Target: p99 under 200 ms with the slow connections open.

Usage (from the repository root):
    python benchmarks/slow_clients.py [--seconds 20] [--slow 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.engine import load_exercise, solve  # noqa: E402
from grader.service.throwaway_postgres import ThrowawayPostgres  # noqa: E402
from tests.service.servers import GunicornServer, NginxProxy, SlowClients, seeded_database  # noqa: E402


def measure(url: str, secret: str, set_id: int, seconds: float) -> dict[str, list[float]]:
    """Alternate health checks and submissions for ``seconds``; latencies in seconds."""
    trace = solve(load_exercise(ROOT / "exercises" / "seed-classic.yaml"))
    body = json.dumps({"answers": {k: round(trace.values[k], 6) for k in trace.asked_keys()}}).encode()
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    out: dict[str, list[float]] = {"health": [], "submission": []}
    stop = time.monotonic() + seconds
    n = 0
    with requests.Session() as http:
        while time.monotonic() < stop:
            started = time.perf_counter()
            assert http.get(f"{url}/api/v1/health", timeout=30).status_code == 200
            out["health"].append(time.perf_counter() - started)
            started = time.perf_counter()
            path = f"{url}/api/v1/exercise-sets/{set_id}/students/b{n % 50}/submissions"
            assert http.post(path, data=body, headers=headers, timeout=30).status_code == 201
            out["submission"].append(time.perf_counter() - started)
            n += 1
            time.sleep(0.2)
    return out


def p(values: list[float], q: int) -> float:
    """The q-th percentile, in ms."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="Measured seconds, without and with")
    parser.add_argument("--slow", type=int, default=50, help="Slow connections held open")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    args = parser.parse_args()
    with ThrowawayPostgres() as pg, tempfile.TemporaryDirectory() as folder:
        url = pg.create_database("slow")
        secret, set_id = seeded_database(url)
        with (
            GunicornServer(url, workers=args.workers) as gunicorn,
            NginxProxy(f"127.0.0.1:{gunicorn.port}", Path(folder)) as proxy,
        ):
            measure(proxy.url, secret, set_id, 2.0)  # warm up every worker
            print(
                f"nginx -> gunicorn ({args.workers} sync workers) -> PostgreSQL, loopback; "
                f"{args.seconds:g} s each; one client alternating health and a graded submission"
            )
            print(f"{'slow connections':>16}  {'request':<10} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
            for slow in (0, args.slow):
                holder = SlowClients(proxy.port, slow) if slow else contextlib.nullcontext()
                with holder:
                    results = measure(proxy.url, secret, set_id, args.seconds)
                    held = holder.open_count() if slow else 0
                for name, values in results.items():
                    print(
                        f"{slow:>16}  {name:<10} {len(values):>4} {p(values, 50):>8.1f} {p(values, 99):>8.1f}"
                        f" {max(values) * 1000:>8.1f}"
                    )
                if slow:
                    print(f"{held} of {slow} slow connections still open (mid-request) at the end")


if __name__ == "__main__":
    main()
