"""The gradebook and the per-key analytics of a set, derived from the stored grades."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.grading import VERDICTS
from grader.service import grade_records
from grader.service.facade import copies
from grader.service.facade.submissions import current_grades
from grader.service.models import Assignment, ExerciseSet, Submission

TOP_MISCONCEPTIONS = 10


def _latest_grades(session: Session, exercise_set: ExerciseSet):
    """Per assignment (by student id): its submissions, oldest first, each with its current grade."""
    assignments = (
        session.execute(select(Assignment).where(Assignment.set_id == exercise_set.id).order_by(Assignment.student_id))
        .scalars()
        .all()
    )
    submissions = session.execute(
        select(Submission.id, Submission.assignment_id, Submission.attempt, Submission.submitted_at)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.set_id == exercise_set.id)
        .order_by(Submission.assignment_id, Submission.attempt)
    ).all()
    grades = current_grades(session, [s.id for s in submissions])
    by_assignment: dict[int, list] = defaultdict(list)
    for s in submissions:
        by_assignment[s.assignment_id].append((s, *grades[s.id]))
    return [(a, by_assignment.get(a.id, [])) for a in assignments]


def gradebook(session: Session, exercise_set: ExerciseSet) -> dict[str, Any]:
    """One row per student: attempts, latest and best score, and the latest attempt's verdicts."""
    rows = []
    keys: dict[str, None] = {}
    graded = _latest_grades(session, exercise_set)
    flagged = copies.flags(session, [attempts[-1][0].id for _, attempts in graded if attempts])
    for assignment, attempts in graded:
        row: dict[str, Any] = {
            "student_id": assignment.student_id,
            "attempts": len(attempts),
            "score": None,
            "best_score": None,
            "max_score": None,
            "submitted_at": None,
            "policy_version": None,
            "copy_of": None,
            "verdicts": {},
        }
        if attempts:
            scores = [grade_records.score(g.results) for _, g, _ in attempts]
            submission, grade_row, version = attempts[-1]
            row.update(
                score=scores[-1][0],
                best_score=max(s for s, _ in scores),
                max_score=scores[-1][1],
                submitted_at=submission.submitted_at,
                policy_version=version.version,
                verdicts={k: v for k, (v, _) in grade_records.verdicts(grade_row.results).items()},
            )
            flag = flagged.get(submission.id)
            # The latest attempt's values fit another student's variant (instructors only).
            row["copy_of"] = flag.matched_student_id if flag else None
            keys.update(dict.fromkeys(row["verdicts"]))
        rows.append(row)
    return {
        "set_id": exercise_set.id,
        "policy_version": exercise_set.policy.version,
        "keys": list(keys),
        "students": rows,
    }


def gradebook_csv(book: dict[str, Any]) -> str:
    """The gradebook as CSV: one line per student, then one verdict column per key."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    fixed = ["student_id", "attempts", "score", "best_score", "max_score", "submitted_at", "policy_version", "copy_of"]
    writer.writerow(fixed + book["keys"])
    for row in book["students"]:
        values = [row[name] for name in fixed]
        values[5] = values[5].isoformat() if values[5] else ""
        writer.writerow(
            ["" if v is None else _safe_cell(v) for v in values] + [row["verdicts"].get(k, "") for k in book["keys"]]
        )
    return out.getvalue()


def _safe_cell(value: Any) -> Any:
    """Defuse spreadsheet formulas (a student id starting with = + - @ would run in Excel)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def analytics(session: Session, exercise_set: ExerciseSet, attempts: str = "latest") -> dict[str, Any]:
    """Per key: how many got each verdict, and which misconceptions; the top misconceptions overall.

    ``attempts="latest"`` counts each student's latest attempt once (so a student who tries ten
    times does not count ten times); ``"all"`` counts every attempt.
    """
    per_key: dict[str, Counter] = {}
    misconceptions: dict[str, Counter] = {}
    overall: Counter = Counter()
    where: dict[str, set[str]] = defaultdict(set)
    counted = 0
    for _assignment, graded in _latest_grades(session, exercise_set):
        chosen = graded[-1:] if attempts == "latest" else graded
        for _submission, grade_row, _version in chosen:
            counted += 1
            for key, (verdict, code) in grade_records.verdicts(grade_row.results).items():
                per_key.setdefault(key, Counter())[verdict] += 1
                if code:
                    misconceptions.setdefault(key, Counter())[code] += 1
                    overall[code] += 1
                    where[code].add(key)
    return {
        "set_id": exercise_set.id,
        "attempts": attempts,
        "submissions": counted,
        "keys": [
            {
                "key": key,
                "counts": {v: counts.get(v, 0) for v in VERDICTS},
                "misconceptions": dict(misconceptions.get(key, Counter()).most_common()),
            }
            for key, counts in per_key.items()
        ],
        "top_misconceptions": [
            {"code": code, "count": n, "keys": sorted(where[code])}
            for code, n in overall.most_common(TOP_MISCONCEPTIONS)
        ],
    }
