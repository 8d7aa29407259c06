"""Grading speed: one seed submission, throughput per network, and a 100,000-submission regrade.

Run: python benchmarks/grading.py [--submissions N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from grader.engine import Exercise, keys, load_exercise, solve
from grader.grading import grade

ROOT = Path(__file__).resolve().parent.parent


def median_us(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - start)
    times.sort()
    return statistics.median(times) / 1e3, times[int(0.9 * len(times))] / 1e3


def answers_for(trace, rng: random.Random) -> dict[str, float]:
    """A realistic submission: rounded values, one slip, one misconception-like error."""
    answers = {k: round(trace[k], 4) for k in trace.asked_keys()}
    keys = list(answers)
    answers[rng.choice(keys)] *= 1.3
    return answers


def network(layers: list[int], rng: random.Random) -> Exercise:
    weights = {name: round(rng.uniform(-1, 1), 2) for name in keys.weight_names(layers)}
    return Exercise.from_mapping(
        {
            "layers": layers,
            "weights": weights,
            "learning_rate": 0.5,
            "samples": [{"inputs": [0.5] * layers[0], "targets": [0.2] * layers[-1]}],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(1)
    seed = load_exercise(ROOT / "exercises" / "seed-classic.yaml")
    trace = solve(seed)
    perfect = {k: trace[k] for k in trace.asked_keys()}
    slipped = answers_for(trace, rng)
    print("grading one complete seed submission (follow-through and misconception checks on)")
    for label, answers in (("all correct", perfect), ("rounded, one slip", slipped)):
        med, p90 = median_us(lambda a=answers: grade(trace, a), 3000)
        print(f"  {label:<20} median {med:8.1f} us   p90 {p90:8.1f} us   ({1e6 / med:,.0f} per second)")
    med, _ = median_us(lambda: grade(solve(seed), slipped), 3000)
    print(f"  {'solve + grade':<20} median {med:8.1f} us")
    small = network([2, 3, 2, 1], rng)
    small_trace = solve(small)
    small_answers = answers_for(small_trace, rng)
    med, p90 = median_us(lambda: grade(small_trace, small_answers), 3000)
    print(f"2-3-2-1 network: median {med:.1f} us, p90 {p90:.1f} us ({1e6 / med:,.0f} per second)")

    # A course regrade: each student has a variant (solved once each) and one submission.
    variants = 300
    exercises = [network([2, 2, 1], random.Random(v)) for v in range(variants - 1)] + [seed]
    traces = [solve(e) for e in exercises]
    submissions = [(v % variants, answers_for(traces[v % variants], rng)) for v in range(args.submissions)]
    start = time.perf_counter()
    total = 0.0
    for v, answers in submissions:
        total += grade(traces[v], answers).score
    elapsed = time.perf_counter() - start
    print(
        f"regrade {args.submissions:,} submissions over {variants} variants: {elapsed:.2f} s, "
        f"{args.submissions / elapsed:,.0f} submissions per second (target >= 2,000)"
    )
    start = time.perf_counter()
    for v, answers in submissions[:10_000]:
        grade(solve(exercises[v]), answers)
    elapsed = time.perf_counter() - start
    print(f"  re-solving each variant too: {10_000 / elapsed:,.0f} submissions per second")


if __name__ == "__main__":
    main()
