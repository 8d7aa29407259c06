"""Generation speed: variants per second for every catalogue template, and a class set of 300 with worksheets.

Run: .venv/bin/python benchmarks/generate.py   (target: a set of 300 with every file in under 5 s)
"""

from __future__ import annotations

import statistics
import tempfile
import time

from grader.generation import catalogue, default_students, find_template, generate_set, generate_variant
from grader.worksheets.bundle import write_set

VARIANTS = 300
SET_SIZE = 300


def tolerance(value: float) -> float:
    return max(1e-4, 0.01 * abs(value))


def variants_per_second() -> None:
    print(f"{'template':22} {'variants/s':>10} {'resamples':>10}")
    for template in catalogue():
        start = time.perf_counter()
        variants = [generate_variant(template, seed, "s001") for seed in range(VARIANTS)]
        elapsed = time.perf_counter() - start
        resamples = statistics.mean(v.resamples for v in variants)
        print(f"{template.name:22} {VARIANTS / elapsed:10.0f} {resamples:10.2f}")


def whole_set(name: str) -> None:
    template = find_template(name)
    start = time.perf_counter()
    variants = generate_set(template, 2024, default_students(SET_SIZE))
    drawn = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        files = write_set(directory, template, variants, tolerance)
    done = time.perf_counter()
    print(
        f"set of {SET_SIZE} {name}: variants {drawn - start:.2f} s, worksheets, keys and Moodle "
        f"{done - drawn:.2f} s, total {done - start:.2f} s ({len(files)} files)"
    )


if __name__ == "__main__":
    variants_per_second()
    for name in ("sigmoid-221", "deep-2321", "batch-two-samples"):
        whole_set(name)
