"""Bulk regrade through the service: 100,000 stored submissions, graded again after a policy change.

Starts a throwaway PostgreSQL on loopback, makes a set of a random template with STUDENTS
students, stores SUBMISSIONS submissions (answers near the reference, some slips), then changes
the policy and runs ``grader regrade SET`` (the command, with its progress bar) and times it.
Target: under 60 s.  Usage: python benchmarks/regrade.py [--submissions N] [--students N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from grader.service import schema
from grader.service.facade.assignments import assignment_for, trace_of
from grader.service.facade.exercise_sets import create_set, update_set
from grader.service.facade.keys import create_key
from grader.service.models import Submission
from grader.service.throwaway_postgres import ThrowawayPostgres


def answers_for(trace, rng: random.Random) -> dict[str, float]:
    """A student's answers: the reference rounded to 4 decimals, with a slip now and then."""
    out = {}
    for key in trace.asked_keys():
        value = round(trace.values[key], 4)
        if rng.random() < 0.05:
            value = round(value * rng.uniform(0.5, 1.5), 4)
        if rng.random() < 0.9:
            out[key] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--students", type=int, default=250)
    parser.add_argument("--template", default="sigmoid-221")
    args = parser.parse_args()
    rng = random.Random(1)
    with ThrowawayPostgres() as pg:
        url = pg.create_database("regrade")
        engine = create_engine(url)
        schema.upgrade(engine)
        started = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            key, _secret = create_key(session, "bench", "instructor")
            exercise_set = create_set(session, key.account, {"template": args.template, "seed": 5}, 20_000)
            session.commit()
            assignments = [assignment_for(session, exercise_set, f"s{n:04d}") for n in range(args.students)]
            set_id = exercise_set.id
        made = time.perf_counter() - started
        print(f"{args.students} variants of {args.template} made in {made:.1f} s")
        started = time.perf_counter()
        per_student = args.submissions // args.students
        with engine.begin() as connection:
            for assignment in assignments:
                trace = trace_of(assignment)
                rows = [
                    {
                        "assignment_id": assignment.id,
                        "attempt": attempt + 1,
                        "submitted_by": "bench",
                        "payload": json.dumps({"answers": answers_for(trace, rng)}),
                    }
                    for attempt in range(per_student)
                ]
                connection.execute(insert(Submission), rows)
        total = per_student * args.students
        print(f"{total} submissions stored in {time.perf_counter() - started:.1f} s")
        with Session(engine) as session:
            from grader.service.models import ExerciseSet

            update_set(session, session.get(ExerciseSet, set_id), {"policy": {"rtol": 0.02}})
        engine.dispose()
        env = {**os.environ, "GRADER_DATABASE_URL": url}
        grader = str(Path(sys.executable).with_name("grader"))
        started = time.perf_counter()
        subprocess.run([grader, "regrade", str(set_id)], env=env, check=True)
        elapsed = time.perf_counter() - started
        print(
            f"grader regrade: {total} submissions in {elapsed:.1f} s ({total / elapsed:,.0f} per second); "
            f"target under 60 s: {'met' if elapsed < 60 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
