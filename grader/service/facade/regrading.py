"""Regrading a set under its current policy version.

Every submission without a grade under the current version gets one; older grades are kept,
each naming the version it was graded under.  The work goes in batches, each committed with its
grades, so a regrade can stop at any point (a time budget, a crash, an outage) and the next one
carries on where it stopped; two regrades running at once cannot grade a submission twice (the
unique (submission, policy) constraint), the loser of a race simply re-reads its batch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.engine import ENGINE_VERSION
from grader.grading import Policy, grade
from grader.service import grade_records
from grader.service.facade.assignments import trace_for
from grader.service.models import Assignment, ExerciseSet, Grade, Submission, utcnow

BATCH = 2000


@dataclass(frozen=True)
class RegradeResult:
    policy_version: int
    regraded: int
    remaining: int
    total: int

    def to_dict(self) -> dict[str, int]:
        return {
            "policy_version": self.policy_version,
            "regraded": self.regraded,
            "remaining": self.remaining,
            "total": self.total,
        }


def _ungraded(exercise_set: ExerciseSet, policy_id: int):
    return (
        select(Submission.id, Submission.assignment_id, Submission.payload)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.set_id == exercise_set.id)
        .where(~exists().where(Grade.submission_id == Submission.id, Grade.policy_id == policy_id))
    )


def counts(session: Session, exercise_set: ExerciseSet) -> tuple[int, int]:
    """(submissions in the set, those not yet graded under the current policy)."""
    total = session.scalar(
        select(func.count(Submission.id))
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.set_id == exercise_set.id)
    )
    pending = session.scalar(
        select(func.count()).select_from(_ungraded(exercise_set, exercise_set.policy.id).subquery())
    )
    return total or 0, pending or 0


def regrade(
    session: Session,
    exercise_set: ExerciseSet,
    progress: Callable[[int], None] | None = None,
    budget: float | None = None,
    batch: int = BATCH,
) -> RegradeResult:
    """Grade every ungraded submission under the current policy, or as many as ``budget`` seconds allow
    (at least one batch)."""
    version = exercise_set.policy
    policy_id, policy_number = version.id, version.version
    policy = Policy.from_mapping(version.document)
    exercises = dict(
        session.execute(select(Assignment.id, Assignment.exercise).where(Assignment.set_id == exercise_set.id)).all()
    )
    traces: dict[int, object] = {}
    started = time.monotonic()
    done = 0
    after = 0
    while True:
        rows = session.execute(
            _ungraded(exercise_set, policy_id).where(Submission.id > after).order_by(Submission.id).limit(batch)
        ).all()
        if not rows:
            break
        now = utcnow()
        grades = []
        for submission_id, assignment_id, payload in rows:
            trace = traces.get(assignment_id)
            if trace is None:
                trace = traces[assignment_id] = trace_for(exercises[assignment_id])
            answers = json.loads(payload).get("answers", {})
            record = grade_records.to_record(grade(trace, answers, policy))
            grades.append(
                {
                    "submission_id": submission_id,
                    "policy_id": policy_id,
                    "results": record,
                    "engine_version": ENGINE_VERSION,
                    "graded_at": now,
                }
            )
        try:
            session.execute(insert(Grade), grades)
            session.commit()
        except IntegrityError:
            # Another regrade graded some of these first; read the batch again.
            session.rollback()
            continue
        after = rows[-1][0]
        done += len(rows)
        if progress:
            progress(len(rows))
        # At least one batch per call, so that every call makes progress.
        if budget is not None and time.monotonic() - started >= budget:
            break
    total, remaining = counts(session, exercise_set)
    return RegradeResult(policy_number, done, remaining, total)
