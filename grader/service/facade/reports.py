"""The gradebook as documents (a JSON page, a streamed CSV) and the per-key analytics of a set.

Nothing here holds a course in memory: the JSON is one page of rows, the CSV is written as its
rows arrive from the database, and the analytics are counted by the database (``json_each``
over the chosen grades, grouped by key, verdict and misconception), so Python sees one line per
key, verdict and misconception, however many students there are.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from grader.grading import VERDICTS
from grader.grading.policy import Passback
from grader.service.facade import chosen_attempts, gradebook
from grader.service.facade.gradebook import View
from grader.service.models import Assignment, ExerciseSet, Grade

TOP_MISCONCEPTIONS = 10
CSV_FIXED = [
    "student_id",
    "attempts",
    "score",
    "best_score",
    "max_score",
    "submitted_at",
    "policy_version",
    "copy_of",
]
# Rows of CSV written to the response at a time.
CSV_FLUSH = 200


def gradebook_page(session: Session, exercise_set: ExerciseSet, view: View) -> dict[str, Any]:
    """One page of the gradebook, with the cursor of the next page (``next_cursor``, null after the last)."""
    found, next_cursor = gradebook.page(session, exercise_set, view)
    return {
        "set_id": exercise_set.id,
        "policy_version": exercise_set.policy.version,
        "passback": str(chosen_attempts.passback_of(exercise_set)),
        "keys": gradebook.keys(session, exercise_set),
        "students": [row.to_dict() for row in found],
        "next_cursor": next_cursor,
    }


def gradebook_csv(session: Session, exercise_set: ExerciseSet, view: View | None = None) -> Iterator[str]:
    """The whole gradebook as CSV text, in pieces as the rows come: a header, then one line per
    student with one verdict column per key.  The session is used now, not while streaming."""
    keys = gradebook.keys(session, exercise_set)
    rows = gradebook.stream(session, exercise_set, view or View(limit=None))

    def generate() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_FIXED + keys)
        for written, row in enumerate(rows, 1):
            values = [
                row.student_id,
                row.attempts,
                row.score,
                row.best_score,
                row.max_score,
                row.submitted_at.isoformat() if row.submitted_at else None,
                row.policy_version,
                row.copy_of,
            ]
            verdicts = row.verdicts()
            writer.writerow(["" if v is None else _safe_cell(v) for v in values] + [verdicts.get(k, "") for k in keys])
            if written % CSV_FLUSH == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return generate()


def _safe_cell(value: Any) -> Any:
    """Defuse spreadsheet formulas (a student id starting with = + - @ would run in Excel)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _counted_grades(exercise_set: ExerciseSet, attempts: str, distinct_on: bool):
    """The ids of the grades analytics count: each student's latest attempt, or every attempt
    (each under its current grade)."""
    students = select(Assignment.id).where(Assignment.set_id == exercise_set.id).scalar_subquery()
    if attempts == "latest":
        return select(chosen_attempts.chosen(students, Passback.LATEST, distinct_on).c.grade_id)
    return select(chosen_attempts.graded(students, distinct_on).c.grade_id)


def analytics(session: Session, exercise_set: ExerciseSet, attempts: str = "latest") -> dict[str, Any]:
    """Per key: how many got each verdict, and which misconceptions; the top misconceptions overall.

    ``attempts="latest"`` counts each student's latest attempt once (so a student who tries ten
    times does not count ten times); ``"all"`` counts every attempt.
    """
    postgres = chosen_attempts.postgres(session)
    counted = _counted_grades(exercise_set, attempts, postgres).subquery()
    # PostgreSQL reads a json document again for every operator on it; jsonb is parsed once.
    results = cast(Grade.results, JSONB) if postgres else Grade.results
    each = func.jsonb_each if postgres else func.json_each
    entries = each(results).table_valued("key", "value").alias("entry")
    # ``->>`` with a literal index reads an array element in PostgreSQL and in SQLite (3.38+).
    verdict = entries.c.value.op("->>")(literal_column("0"))
    code = entries.c.value.op("->>")(literal_column("4"))
    grouped = session.execute(
        select(entries.c.key, verdict, code, func.count())
        .select_from(Grade)
        .join(entries, literal_column("1") == literal_column("1"))
        .where(Grade.id.in_(select(counted.c.grade_id)))
        .group_by(entries.c.key, verdict, code)
    ).all()
    submissions = session.scalar(select(func.count()).select_from(counted)) or 0
    per_key: dict[str, Counter] = defaultdict(Counter)
    misconceptions: dict[str, Counter] = defaultdict(Counter)
    overall: Counter = Counter()
    where: dict[str, set[str]] = defaultdict(set)
    for key, verdict_, code_, n in grouped:
        per_key[key][verdict_] += n
        if code_:
            misconceptions[key][code_] += n
            overall[code_] += n
            where[code_].add(key)
    order = {key: n for n, key in enumerate(gradebook.keys(session, exercise_set))}
    return {
        "set_id": exercise_set.id,
        "attempts": attempts,
        "submissions": submissions,
        "keys": [
            {
                "key": key,
                "counts": {v: per_key[key].get(v, 0) for v in VERDICTS},
                "misconceptions": dict(misconceptions[key].most_common()),
            }
            for key in sorted(per_key, key=lambda k: (order.get(k, len(order)), k))
        ],
        "top_misconceptions": [
            {"code": code, "count": n, "keys": sorted(where[code])}
            for code, n in sorted(overall.items(), key=lambda item: (-item[1], item[0]))[:TOP_MISCONCEPTIONS]
        ],
    }
