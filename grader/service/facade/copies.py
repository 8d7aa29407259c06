"""Copy detection: does a submission match another student's variant better than its own?

The grader alone can only say that answers were worked on numbers other than the exercise's own
(``grading.integrity``); which numbers needs the set's other variants.  A set's variants are
indexed once per process as one numpy matrix (a row per student, a column per asked key, the
reference values), so comparing a submission with 10,000 variants is a few vectorised
operations.  The comparison runs only for a submission the grader found worked on other numbers,
so an honest submission never pays for it.

A submission is flagged when another variant explains at least ``MIN_MATCHED`` of its answered
values and at least half of them, and more than twice as many as the student's own variant (plus
one) does.  The flag names the matching student; only instructors see it (gradebook JSON and CSV,
the per-student page, the API's submission views for instructors).  A set made from a fixed
template gives every student the same numbers: nothing can be compared, and the set page says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.engine import Exercise, solve
from grader.grading import Grading, Tolerance
from grader.service.models import Assignment, CopyFlag, ExerciseSet, Submission

MIN_MATCHED = 3
INDEXES = 8  # sets whose index is kept in memory


@dataclass(frozen=True)
class VariantIndex:
    """The reference values of every variant of a set, for the asked keys."""

    keys: tuple[str, ...]
    students: tuple[str, ...]
    assignment_ids: tuple[int, ...]
    values: np.ndarray  # one row per variant, one column per key
    half_widths: np.ndarray  # the accepted half-width around each value

    def __repr__(self) -> str:
        return f"VariantIndex({len(self.students)} variants x {len(self.keys)} keys)"


@dataclass(frozen=True)
class Match:
    """The variant a submission fits, against the student's own."""

    student_id: str
    matched: int
    own: int
    answered: int


def suspicious(grading: Grading) -> bool:
    """Whether the grader found the answers worked on other numbers (only then are variants compared)."""
    return any(r.note == "other_numbers" for r in grading.results.values())


def same_numbers(session: Session, exercise_set: ExerciseSet) -> bool:
    """Whether every student of the set has the same numbers (a fixed template: variant ids are NULL),
    so that copies cannot be told from the students' own work."""
    total, distinct = session.execute(
        select(func.count(Assignment.id), func.count(Assignment.variant_id)).where(Assignment.set_id == exercise_set.id)
    ).one()
    return bool(total) and not distinct


def index(session: Session, set_id: int, tolerance: Tolerance) -> VariantIndex | None:
    """The set's variant index (built once per process and set, rebuilt when students join)."""
    count, newest = session.execute(
        select(func.count(Assignment.id), func.max(Assignment.id)).where(
            Assignment.set_id == set_id, Assignment.variant_id.is_not(None)
        )
    ).one()
    if not count or count < 2:
        return None
    return _index(session, set_id, count, newest, tolerance)


_INDEXES: dict[tuple, VariantIndex | None] = {}  # (set, students, newest id, tolerance) -> index


def _index(session: Session, set_id: int, count: int, newest: int, tolerance: Tolerance) -> VariantIndex | None:
    cache_key = (set_id, count, newest, tolerance)
    if cache_key in _INDEXES:
        return _INDEXES[cache_key]
    rows = session.execute(
        select(Assignment.id, Assignment.student_id, Assignment.exercise)
        .where(Assignment.set_id == set_id, Assignment.variant_id.is_not(None))
        .order_by(Assignment.id)
    ).all()
    built = _INDEXES[cache_key] = _build(rows, tolerance)
    while len(_INDEXES) > INDEXES:
        _INDEXES.pop(next(iter(_INDEXES)))
    return built


def _build(rows, tolerance: Tolerance) -> VariantIndex | None:
    """Solve every variant once (not through the submission path's trace cache, which it would flush)."""
    keys: tuple[str, ...] | None = None
    students, ids, matrix = [], [], []
    for assignment_id, student_id, exercise in rows:
        trace = solve(Exercise.from_mapping(exercise))
        asked = tuple(trace.asked_keys())
        keys = keys or asked
        if asked != keys:  # a variant of another shape cannot be compared column by column
            continue
        students.append(student_id)
        ids.append(assignment_id)
        matrix.append([trace[k] for k in keys])
    if keys is None or len(students) < 2:
        return None
    values = np.array(matrix, dtype=float)
    half = np.vectorize(tolerance.padded, otypes=[float])(values)
    return VariantIndex(keys, tuple(students), tuple(ids), values, half)


def match(found: VariantIndex, assignment_id: int, answers: Mapping[str, float]) -> Match | None:
    """The other variant the answers fit clearly better than their own, if any."""
    columns = [n for n, k in enumerate(found.keys) if isinstance(answers.get(k), float) and math.isfinite(answers[k])]
    if len(columns) < MIN_MATCHED or assignment_id not in found.assignment_ids:
        return None
    given = np.array([answers[found.keys[n]] for n in columns])
    fits = (np.abs(found.values[:, columns] - given) <= found.half_widths[:, columns]).sum(axis=1)
    own_row = found.assignment_ids.index(assignment_id)
    own = int(fits[own_row])
    fits[own_row] = -1
    best = int(np.argmax(fits))
    matched = int(fits[best])
    if matched < MIN_MATCHED or 2 * matched < len(columns) or matched <= 2 * own + 1:
        return None
    return Match(found.students[best], matched, own, len(columns))


def record(session: Session, set_id: int, assignment_id: int, attempt: int, grading: Grading) -> Match | None:
    """Compare a just-stored attempt with the set's other variants; add a flag to the session if it fits one."""
    if not suspicious(grading):
        return None
    found = index(session, set_id, grading.policy.tolerance)
    if found is None:
        return None
    answers = {k: r.submitted for k, r in grading.results.items() if isinstance(r.submitted, float)}
    fit = match(found, assignment_id, answers)
    if fit is None:
        return None
    submission_id = session.scalar(
        select(Submission.id).where(Submission.assignment_id == assignment_id, Submission.attempt == attempt)
    )
    session.add(
        CopyFlag(
            submission_id=submission_id,
            matched_student_id=fit.student_id,
            matched_keys=fit.matched,
            own_keys=fit.own,
            answered_keys=fit.answered,
        )
    )
    return fit


def flags(session: Session, submission_ids: list[int]) -> dict[int, CopyFlag]:
    """submission id -> its copy flag, for those that have one."""
    if not submission_ids:
        return {}
    rows = session.execute(select(CopyFlag).where(CopyFlag.submission_id.in_(submission_ids))).scalars()
    return {flag.submission_id: flag for flag in rows}
