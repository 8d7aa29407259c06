"""Course scale on PostgreSQL: courses of 1,000 and 10,000 students with 10 attempts each.

For each size it builds the course (variants as the service makes them, submissions by COPY,
graded by the regrade itself), serves it with one real gunicorn worker, and prints:
the CSV export's time, time to first byte and the worker's peak RSS; the set page's p50 and p95
(sorted by name, by score, filtered); the analytics' time; the regrade throughput of
``grader regrade`` after a policy change, with grading alone (one process, no database) beside
it; and the set page's p95 again once the policy passes back the best attempt.  Then the
growth from the small course to the big one.  Usage:
python benchmarks/scale.py [--sizes 1000 10000] [--attempts 10] [--requests 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.grading import Policy  # noqa: E402
from grader.service import schema  # noqa: E402
from grader.service.facade import regrading  # noqa: E402
from grader.service.facade.exercise_sets import update_set  # noqa: E402
from grader.service.facade.keys import create_key  # noqa: E402
from grader.service.models import ExerciseSet  # noqa: E402
from grader.service.throwaway_postgres import ThrowawayPostgres  # noqa: E402
from tests.service.courses import build_course, course_size  # noqa: E402
from tests.service.servers import GunicornServer, only_worker, peak_rss_mib  # noqa: E402

BASELINE_REGRADE = 2614  # submissions/s of `grader regrade` on PostgreSQL before this work (issue 15)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def signed_in(base: str, secret: str) -> requests.Session:
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{base}/signin").text).group(1)
    response = browser.post(f"{base}/signin", data={"key": secret, "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    return browser


def measure(url: str, set_id: int, secret: str, repeats: int) -> dict[str, float]:
    out: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {secret}"}
    with GunicornServer(url, workers=1, threads=1) as server:
        worker = only_worker(server)
        api = f"{server.url}/api/v1/exercise-sets/{set_id}"
        requests.get(f"{api}/gradebook?limit=10", headers=headers, timeout=60).raise_for_status()  # warm-up
        out["rss_before_mib"] = peak_rss_mib(worker)
        started = time.perf_counter()
        with requests.get(f"{api}/gradebook?format=csv", headers=headers, stream=True, timeout=600) as response:
            response.raise_for_status()
            chunks = response.iter_content(chunk_size=None)
            first = next(chunks)
            out["csv_first_byte_ms"] = (time.perf_counter() - started) * 1000
            size = len(first) + sum(len(c) for c in chunks)
        out["csv_s"] = time.perf_counter() - started
        out["csv_mib"] = size / 2**20
        out["rss_after_csv_mib"] = peak_rss_mib(worker)
        started = time.perf_counter()
        requests.get(f"{api}/gradebook", headers=headers, timeout=60).raise_for_status()
        out["json_page_ms"] = (time.perf_counter() - started) * 1000
        timings = set_page_views(server.url, set_id, secret, repeats)
        every = [t for ts in timings.values() for t in ts]
        out["page_p50_ms"] = statistics.median(every)
        out["page_p95_ms"] = percentile(every, 95)
        out["page_score_p95_ms"] = percentile(timings["?sort=-score"], 95)
        analytics = []
        for _ in range(3):
            started = time.perf_counter()
            requests.get(f"{api}/analytics", headers=headers, timeout=60).raise_for_status()
            analytics.append((time.perf_counter() - started) * 1000)
        out["analytics_ms"] = statistics.median(analytics)
        out["rss_peak_mib"] = peak_rss_mib(worker)
    return out


VIEWS = ["", "?sort=-score", "?status=not_started", "?sort=score&below=50", "?q=s0001"]


def set_page_views(base: str, set_id: int, secret: str, repeats: int) -> dict[str, list[float]]:
    """Milliseconds per view of the set page, ``repeats`` rounds of the five ``VIEWS``."""
    browser = signed_in(base, secret)
    timings: dict[str, list[float]] = {view: [] for view in VIEWS}
    for _ in range(repeats):
        for view in VIEWS:
            started = time.perf_counter()
            response = browser.get(f"{base}/sets/{set_id}{view}")
            timings[view].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
    return timings


def best_attempt_views(url: str, engine, set_id: int, secret: str, repeats: int) -> dict[str, float]:
    """The set page's p95 once the policy passes back each student's best attempt (every
    attempt's grade is read to find it, where the latest needs one)."""
    with Session(engine) as session:
        update_set(session, session.get(ExerciseSet, set_id), {"policy": {"passback": "best"}})
    with GunicornServer(url, workers=1, threads=1) as server:
        timings = set_page_views(server.url, set_id, secret, repeats)
    return {"page_best_p95_ms": percentile([t for ts in timings.values() for t in ts], 95)}


def grading_alone(engine, set_id: int, sample: int = 5000) -> float:
    """Submissions per second that the regrade's own grading (``regrading.grade_rows``: traces
    solved, answers read, graded, records made) takes in one process, without the database."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT s.id, s.assignment_id, s.payload, a.exercise::text FROM submissions s"
                " JOIN assignments a ON a.id = s.assignment_id WHERE a.set_id = :s ORDER BY s.id LIMIT :n"
            ),
            {"s": set_id, "n": sample},
        ).all()
        document = connection.execute(
            text("SELECT document FROM policy_versions WHERE set_id = :s ORDER BY version DESC LIMIT 1"),
            {"s": set_id},
        ).scalar_one()
    policy = Policy.from_mapping(document)
    exercises = {assignment: exercise for _, assignment, _, exercise in rows}
    work = [(submission, assignment, payload) for submission, assignment, payload, _ in rows]
    started = time.perf_counter()
    for first in range(0, len(work), regrading.BATCH):
        part = work[first : first + regrading.BATCH]
        regrading.grade_rows(policy, {a: exercises[a] for _, a, _ in part}, part)
    return len(work) / (time.perf_counter() - started)


def regrade(url: str, engine, set_id: int) -> dict[str, float]:
    with Session(engine) as session:
        update_set(session, session.get(ExerciseSet, set_id), {"policy": {"rtol": 0.02}})
    total = course_size(engine, set_id)["submissions"]
    env = {**os.environ, "GRADER_DATABASE_URL": url}
    grader = str(Path(sys.executable).with_name("grader"))
    started = time.perf_counter()
    subprocess.run([grader, "regrade", str(set_id)], env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    alone = grading_alone(engine, set_id)
    return {
        "regrade_s": elapsed,
        "regrade_per_s": total / elapsed,
        "grading_alone_per_s": alone,
        "regrade_vs_alone": total / elapsed / alone,
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--attempts", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20, help="rounds of set-page requests (5 views each)")
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    with ThrowawayPostgres() as pg:
        url = pg.create_database("scale")
        engine = create_engine(url)
        schema.upgrade(engine)
        with Session(engine) as session:
            _key, secret = create_key(session, "scale", "admin")
        for size in args.sizes:
            started = time.perf_counter()
            set_id = build_course(engine, size, args.attempts, prefix="s")
            built = time.perf_counter() - started
            print(f"{size} students x {args.attempts} attempts built and graded in {built:.1f} s", flush=True)
            figures = {"build_s": built, "load_before": os.getloadavg()[0]}
            figures.update(measure(url, set_id, secret, args.requests))
            figures.update(regrade(url, engine, set_id))
            figures.update(best_attempt_views(url, engine, set_id, secret, args.requests))
            results[size] = figures
            print(json.dumps({size: figures}, indent=1), flush=True)
        engine.dispose()
    report(results, args.attempts)


def report(results: dict[int, dict[str, float]], attempts: int) -> None:
    sizes = sorted(results)
    rows = [
        ("CSV export, s", "csv_s", "{:.2f}"),
        ("CSV first byte, ms", "csv_first_byte_ms", "{:.0f}"),
        ("CSV size, MiB", "csv_mib", "{:.1f}"),
        ("worker peak RSS after warm-up, MiB", "rss_before_mib", "{:.0f}"),
        ("worker peak RSS after CSV, MiB", "rss_after_csv_mib", "{:.0f}"),
        ("worker peak RSS at the end, MiB", "rss_peak_mib", "{:.0f}"),
        ("gradebook JSON first page, ms", "json_page_ms", "{:.0f}"),
        ("set page p50, ms (5 views)", "page_p50_ms", "{:.0f}"),
        ("set page p95, ms (5 views)", "page_p95_ms", "{:.0f}"),
        ("set page p95 sorted by score, ms", "page_score_p95_ms", "{:.0f}"),
        ("set page p95, passback best, ms (5 views)", "page_best_p95_ms", "{:.0f}"),
        ("analytics, ms", "analytics_ms", "{:.0f}"),
        ("regrade (grader regrade), s", "regrade_s", "{:.1f}"),
        ("regrade, submissions/s", "regrade_per_s", "{:,.0f}"),
        ("grading alone, one process, submissions/s", "grading_alone_per_s", "{:,.0f}"),
        ("regrade ÷ grading alone (same run)", "regrade_vs_alone", "{:.2f}"),
        ("load average (1 min) after the regrade", "load_average", "{:.1f}"),
    ]
    header = "| | " + " | ".join(f"{s:,} students × {attempts}" for s in sizes)
    if len(sizes) == 2:
        header += " | growth |"
    print()
    print(header)
    print("|---" * (len(sizes) + 1 + (len(sizes) == 2)) + "|")
    for label, key, fmt in rows:
        cells = [fmt.format(results[s][key]) for s in sizes]
        if len(sizes) == 2:
            small, big = results[sizes[0]][key], results[sizes[1]][key]
            growth = f"+{big - small:.0f} MiB" if "rss" in key else f"×{big / small:.1f}"
            cells.append(growth)
        print(f"| {label} | " + " | ".join(cells) + " |")
    print(f"\nRegrade baseline before this work: {BASELINE_REGRADE:,} submissions/s (100,000 on PostgreSQL).")
    print(f"Machine: {os.cpu_count()} cores; load average (1, 5, 15 min) at the end: {os.getloadavg()}.")


if __name__ == "__main__":
    main()
