"""Big courses, built fast for the scale benchmark and the flat-memory test (PostgreSQL).

Students' variants are made as the service makes them (``generate_variant``, in a process pool
when each student has their own), then assignments and submissions go in with ``COPY``; the
submissions are graded by the regrade itself, the same code that grades them in production.
"""

from __future__ import annotations

import json
import random
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from grader.engine import ENGINE_VERSION
from grader.service.facade import regrading
from grader.service.facade.assignments import template_of, trace_for
from grader.service.facade.exercise_sets import create_set
from grader.service.facade.keys import create_key
from grader.service.models import ExerciseSet, utcnow


def answers_for(trace, rng: random.Random) -> dict[str, float]:
    """A student's answers: the reference rounded to 4 decimals, a slip now and then, some left out."""
    out = {}
    values = trace.values
    for key in trace.asked_keys():
        value = round(values[key], 4)
        if rng.random() < 0.05:
            value = round(value * rng.uniform(0.5, 1.5), 4)
        if rng.random() < 0.95:
            out[key] = value
    return out


def _variants(args: tuple[dict, str, int, list[str]]) -> list[tuple[str, dict, str, str, str, int, str | None]]:
    from grader.generation import Template, generate_variant

    document, name, seed, students = args
    template = Template.from_mapping(document, name)
    out = []
    for student in students:
        variant = generate_variant(template, seed, student)
        out.append(
            (
                student,
                variant.exercise.to_mapping(),
                variant.content_hash,
                variant.engine_version,
                variant.generator_version,
                variant.resamples,
                variant.id if template.random else None,
            )
        )
    return out


def _copy(engine: Engine, table: str, columns: list[str], rows) -> None:
    raw = engine.raw_connection()
    try:
        with (
            raw.driver_connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def build_course(
    engine: Engine,
    students: int,
    attempts: int,
    template: str = "sigmoid-221",
    seed: int = 5,
    processes: int = 2,
    prefix: str = "s",
    one_grade: bool = False,
) -> int:
    """A new set of ``students`` students with ``attempts`` graded submissions each; its id.

    ``one_grade`` (for tests that need a course's size, not its marks): the first submission is
    graded and every submission gets a copy of that grade, written with COPY, not graded one by one.
    """
    with Session(engine, expire_on_commit=False) as session:
        key, _secret = create_key(session, f"bench-{prefix}-{students}-{random.random():.9f}", "instructor")
        exercise_set = create_set(session, key.account, {"template": template, "seed": seed}, 100_000)
        session.commit()
        set_id = exercise_set.id
        parsed = template_of(exercise_set)
        document, name = exercise_set.template, exercise_set.template_name
    ids = [f"{prefix}{n:06d}" for n in range(students)]
    if parsed.random and processes > 1:
        parts = [(document, name, seed, ids[i::processes]) for i in range(processes)]
        with ProcessPoolExecutor(processes) as pool:
            variants = [v for part in pool.map(_variants, parts) for v in part]
    else:
        variants = _variants((document, name, seed, ids))
    # Two students drawing the same variant is possible in principle (the service resamples);
    # here the second is simply left out.
    seen: set[str] = set()
    unique = []
    for v in variants:
        if v[6] is None or v[6] not in seen:
            seen.add(v[6])
            unique.append(v)
    now = utcnow()
    columns = [
        "set_id",
        "student_id",
        "exercise",
        "template_hash",
        "engine_version",
        "generator_version",
        "resamples",
        "variant_id",
        "created_at",
    ]
    _copy(engine, "assignments", columns, ((set_id, v[0], json.dumps(v[1]), *v[2:], now) for v in unique))
    with engine.connect() as connection:
        from sqlalchemy import text

        assigned = connection.execute(
            text("SELECT id, exercise FROM assignments WHERE set_id = :s ORDER BY id"), {"s": set_id}
        ).all()
    rng = random.Random(seed)

    def submissions():
        for assignment_id, exercise in assigned:
            trace = trace_for(exercise)
            for attempt in range(1, attempts + 1):
                payload = json.dumps({"answers": answers_for(trace, rng)})
                yield (assignment_id, attempt, payload, "bench", now)

    columns = ["assignment_id", "attempt", "payload", "submitted_by", "submitted_at"]
    _copy(engine, "submissions", columns, submissions())
    _analyze(engine)
    if one_grade:
        _copy_one_grade(engine, set_id)
    else:
        with Session(engine, expire_on_commit=False) as session:
            regrading.regrade(session, session.get(ExerciseSet, set_id), workers=processes)
    _analyze(engine)
    return set_id


def _copy_one_grade(engine: Engine, set_id: int) -> None:
    from sqlalchemy import text

    from grader.grading import Policy, grade
    from grader.service import grade_records

    with engine.connect() as connection:
        policy_id, document = connection.execute(
            text("SELECT id, document FROM policy_versions WHERE set_id = :s"), {"s": set_id}
        ).one()
        ids = (
            connection.execute(
                text(
                    "SELECT s.id FROM submissions s JOIN assignments a ON a.id = s.assignment_id"
                    " WHERE a.set_id = :s ORDER BY s.id"
                ),
                {"s": set_id},
            )
            .scalars()
            .all()
        )
        payload, exercise = connection.execute(
            text(
                "SELECT s.payload, a.exercise FROM submissions s"
                " JOIN assignments a ON a.id = s.assignment_id WHERE s.id = :i"
            ),
            {"i": ids[0]},
        ).one()
    answers = json.loads(payload)["answers"]
    record = grade_records.to_record(grade(trace_for(exercise), answers, Policy.from_mapping(document)))
    text_record = json.dumps(record)
    score, max_score = grade_records.score(record)
    now = utcnow()
    columns = ["submission_id", "policy_id", "results", "score", "max_score", "engine_version", "graded_at"]
    _copy(engine, "grades", columns, ((i, policy_id, text_record, score, max_score, ENGINE_VERSION, now) for i in ids))


def _analyze(engine: Engine) -> None:
    # Autovacuum analyzes new rows within a minute; the planner needs the figures now.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")


def course_size(engine: Engine, set_id: int) -> dict[str, Any]:
    """Students, submissions and grades of a set (to check a build)."""
    from sqlalchemy import text

    with engine.connect() as connection:
        return dict(
            connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM assignments WHERE set_id = :s) AS students,"
                    " (SELECT count(*) FROM submissions JOIN assignments a ON a.id = assignment_id"
                    "  WHERE a.set_id = :s) AS submissions,"
                    " (SELECT count(*) FROM grades JOIN submissions s ON s.id = submission_id"
                    "  JOIN assignments a ON a.id = s.assignment_id WHERE a.set_id = :s) AS grades"
                ),
                {"s": set_id},
            )
            .mappings()
            .one()
        )
