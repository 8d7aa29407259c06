"""Load benchmark: graded submissions of the seed exercise against a trivial baseline endpoint.

A real gunicorn server (the production config) runs the service on a throwaway PostgreSQL, both on
loopback.  The baseline endpoint is the same app stack (bearer-key authentication, strict JSON
body parsing, a database session) doing one INSERT of the request body.  A closed-loop load
generator runs at 1, 8 and 32 concurrent clients and prints throughput and p50/p99 latency of
both, and how the graded submissions compare with the baseline:

    graded throughput >= 70 % of the baseline's, and graded p99 <= 1.5 x the baseline's

The seconds of each endpoint are split into blocks that alternate between the two (ABBA), so a
machine that speeds up or slows down during the run favours neither; CPU per request of the
server, the database and the load generator itself is read from /proc.

Usage (from the repository root):
    python benchmarks/load.py [--seconds 20] [--rounds 8] [--clients 1,8,32] [--workers N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.engine import load_exercise, solve  # noqa: E402
from grader.service import schema  # noqa: E402
from grader.service.facade.exercise_sets import create_set  # noqa: E402
from grader.service.facade.keys import create_key  # noqa: E402
from grader.service.throwaway_postgres import ThrowawayPostgres  # noqa: E402
from tests.service.servers import GunicornServer  # noqa: E402

BASELINE_TABLE = "benchmark_baseline"


def app_with_baseline():
    """The service plus ``POST /api/v1/benchmark/baseline``: authenticate, parse, one INSERT."""
    from flask import request

    from grader.service import create_app
    from grader.service.api import Blueprint
    from grader.service.auth import current_principal
    from grader.service.database import get_session
    from grader.service.json_bodies import loads

    app = create_app()
    blp = Blueprint("Benchmark", __name__)

    @blp.route("/benchmark/baseline", methods=["POST"])
    def baseline():
        current_principal()
        body = request.get_data(cache=True)
        loads(body)
        session = get_session()
        session.execute(text(f"INSERT INTO {BASELINE_TABLE} (body) VALUES (:body)"), {"body": body.decode()})
        session.commit()
        return {"stored": True}, 201

    app.register_blueprint(blp, url_prefix="/api/v1")
    return app


def seed_answers() -> dict[str, float]:
    """Every asked key of the seed example, rounded as a careful student writes it."""
    trace = solve(load_exercise(ROOT / "exercises" / "seed-classic.yaml"))
    return {k: round(trace.values[k], 6) for k in trace.asked_keys()}


def run_load(port: int, path_of, body: bytes, key: str, clients: int, seconds: float) -> tuple[float, list[float]]:
    """Closed loop: each client sends its next request when the last one is answered."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def client(n: int) -> None:
        sent = 0
        while time.monotonic() < stop:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            started = time.perf_counter()
            connection.request("POST", path_of(n, sent), body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies[n].append(time.perf_counter() - started)
            connection.close()
            if response.status != 201:
                errors.append(f"{response.status}")
            sent += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[:3]}")
    flat = [x for per in latencies for x in per]
    return len(flat) / elapsed, flat


def _tree_ticks(root: int) -> int:
    """utime + stime, in clock ticks, of ``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        ticks[pid] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class CPU:
    """CPU seconds used by the server's and the database's processes between two readings."""

    def __init__(self, server_pid: int, database_pid: int):
        self.pids = {"server": server_pid, "database": database_pid}
        self.hz = os.sysconf("SC_CLK_TCK")

    def read(self) -> dict[str, float]:
        used = {name: _tree_ticks(pid) / self.hz for name, pid in self.pids.items()}
        return {**used, "load generator": time.process_time()}

    @staticmethod
    def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {name: after[name] - before[name] for name in before}


class Block(NamedTuple):
    """One timed block of requests to one endpoint."""

    seconds: float
    latencies: list[float]
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


class Totals:
    """The blocks of one endpoint at one concurrency, pooled."""

    def __init__(self, blocks: list[Block]):
        self.latencies = [x for b in blocks for x in b.latencies]
        self.rate = len(self.latencies) / sum(b.seconds for b in blocks)
        self.spent = {name: sum(b.cpu[name] for b in blocks) for name in blocks[0].cpu}

    def p(self, q: float) -> float:
        """The q-th percentile latency, in ms."""
        return percentile(self.latencies, q) * 1000

    def cpu(self, name: str) -> float:
        """CPU ms per request used by ``name``."""
        return self.spent[name] / len(self.latencies) * 1000


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="Measured seconds per endpoint and level")
    parser.add_argument("--rounds", type=int, default=8, help="Alternating blocks the seconds are split into")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread when > 1)")
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]

    with ThrowawayPostgres() as pg:
        url = pg.create_database("load")
        engine = create_engine(url)
        schema.upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text(f"CREATE TABLE {BASELINE_TABLE} (id serial PRIMARY KEY, body text NOT NULL)"))
        with Session(engine, expire_on_commit=False) as session:
            account_key, secret = create_key(session, "load", "instructor")
            set_id = create_set(session, account_key.account, {"template": "seed-classic"}, 20_000).id
            session.commit()
        engine.dispose()

        server = GunicornServer(
            url, workers=args.workers, threads=args.threads, app="benchmarks.load:app_with_baseline()"
        )
        with server:
            body = json.dumps({"answers": seed_answers()}).encode()
            graded_path = lambda n, i: f"/api/v1/exercise-sets/{set_id}/students/c{n:03d}/submissions"  # noqa: E731
            baseline_path = lambda n, i: "/api/v1/benchmark/baseline"  # noqa: E731
            # Warm up: every worker loads the app, every student gets an assignment.
            run_load(server.port, graded_path, body, secret, max(levels), 2.0)
            run_load(server.port, baseline_path, body, secret, max(levels), 1.0)
            cpu = CPU(server.process.pid, int((pg.data / "postmaster.pid").read_text().split()[0]))

            def measured(path_of, clients):
                before = cpu.read()
                rate, latencies = run_load(server.port, path_of, body, secret, clients, args.seconds / args.rounds)
                return Block(len(latencies) / rate, latencies, CPU.spent(before, cpu.read()))

            print(
                f"gunicorn {server.url}, PostgreSQL on loopback, seed exercise ({len(seed_answers())} keys); "
                f"{args.seconds:g} s per endpoint and level, in {args.rounds} alternating blocks"
            )
            print(
                f"{'clients':>7}  {'endpoint':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
                f" {'CPU ms/req: server':>19} {'database':>9} {'client':>7}   vs baseline"
            )
            for clients in levels:
                blocks: dict[str, list[Block]] = {"baseline": [], "graded": []}
                for n in range(args.rounds):
                    # ABBA order, so that a machine slowing down or speeding up favours neither.
                    order = [("baseline", baseline_path), ("graded", graded_path)]
                    for name, path_of in order if n % 2 == 0 else order[::-1]:
                        blocks[name].append(measured(path_of, clients))
                base, graded = Totals(blocks["baseline"]), Totals(blocks["graded"])
                share, slower = graded.rate / base.rate, graded.p(99) / base.p(99)
                shares = [g.rate / b.rate for g, b in zip(blocks["graded"], blocks["baseline"], strict=True)]
                verdict = "met" if share >= 0.7 and slower <= 1.5 else "MISSED"
                for name, totals in (("baseline", base), ("graded", graded)):
                    line = (
                        f"{clients:>7}  {name:<10} {totals.rate:>8.1f} {totals.p(50):>8.1f} {totals.p(99):>8.1f}"
                        f" {totals.cpu('server'):>19.2f} {totals.cpu('database'):>9.2f}"
                        f" {totals.cpu('load generator'):>7.2f}"
                    )
                    if name == "graded":
                        line += (
                            f"   throughput {share:.0%} (>= 70%; blocks {min(shares):.0%}-{max(shares):.0%}),"
                            f" p99 x{slower:.2f} (<= 1.5): {verdict}"
                        )
                    print(line)


if __name__ == "__main__":
    main()
