"""Regrading a set under its current policy version.

Every submission without a grade under the current version gets one; older grades are kept,
each naming the version it was graded under.  The work goes in batches, each committed with its
grades, so a regrade can stop at any point (a time budget, a crash, an outage) and the next one
carries on where it stopped.  Two regrades running at once cannot grade a submission twice: the
unique (submission, policy) constraint holds, and the insert skips what the other one wrote.

Grading is pure CPU, so a big regrade (``workers`` > 1, as ``grader regrade`` does) grades
batches in worker processes while the main process reads the next batch and writes the last.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from grader.engine import ENGINE_VERSION
from grader.grading import Policy, grade
from grader.service import grade_records
from grader.service.facade.assignments import trace_for
from grader.service.lti import passback
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
    ungraded = _ungraded(exercise_set, exercise_set.policy.id).subquery()
    return total or 0, session.scalar(select(func.count()).select_from(ungraded)) or 0


def grade_batch(policy_document: dict[str, Any], exercises: dict[int, dict], rows: list[tuple]) -> list[tuple]:
    """(submission id, stored record) for each (submission id, assignment id, payload) row."""
    policy = Policy.from_mapping(policy_document)
    out = []
    for submission_id, assignment_id, payload in rows:
        answers = json.loads(payload).get("answers", {})
        out.append(
            (submission_id, grade_records.to_record(grade(trace_for(exercises[assignment_id]), answers, policy)))
        )
    return out


def _insert(session: Session):
    """An INSERT of grades that skips any a concurrent regrade already wrote."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[session.bind.dialect.name]
    return dialect.insert(Grade.__table__).on_conflict_do_nothing(index_elements=["submission_id", "policy_id"])


def regrade(
    session: Session,
    exercise_set: ExerciseSet,
    progress: Callable[[int], None] | None = None,
    budget: float | None = None,
    batch: int = BATCH,
    workers: int = 1,
) -> RegradeResult:
    """Grade every ungraded submission under the current policy, or as many as ``budget`` seconds
    allow (at least one batch), in ``workers`` processes."""
    version = exercise_set.policy
    policy_id, policy_number, document = version.id, version.version, dict(version.document)
    exercises = dict(
        session.execute(select(Assignment.id, Assignment.exercise).where(Assignment.set_id == exercise_set.id)).all()
    )
    started = time.monotonic()
    passback_policy = Policy.from_mapping(document)

    def batches() -> Iterator[list[tuple]]:
        after = 0
        while True:
            query = _ungraded(exercise_set, policy_id).where(Submission.id > after).order_by(Submission.id)
            rows = [tuple(r) for r in session.execute(query.limit(batch)).all()]
            if not rows:
                return
            after = rows[-1][0]
            yield rows
            if budget is not None and time.monotonic() - started >= budget:
                return

    def needed(rows: list[tuple]) -> dict[int, dict]:
        return {a: exercises[a] for a in {r[1] for r in rows}}

    done = 0

    def store(graded: list[tuple]) -> None:
        nonlocal done
        now = utcnow()
        rows = [
            {
                "submission_id": s,
                "policy_id": policy_id,
                "results": r,
                "engine_version": ENGINE_VERSION,
                "graded_at": now,
            }
            for s, r in graded
        ]
        session.execute(_insert(session), rows)
        # Changed scores of LTI learners go to the outbox in the transaction of their grades.
        passback.after_regrade(session, [s for s, _r in graded], passback_policy)
        session.commit()
        done += len(graded)
        if progress:
            progress(len(graded))

    if workers <= 1:
        for rows in batches():
            store(grade_batch(document, needed(rows), rows))
    else:
        # forkserver, not fork: a forked child would share the parent's database sockets.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            pending: deque[Future] = deque()
            for rows in batches():
                pending.append(pool.submit(grade_batch, document, needed(rows), rows))
                if len(pending) > workers:
                    store(pending.popleft().result())
            while pending:
                store(pending.popleft().result())
    total, remaining = counts(session, exercise_set)
    return RegradeResult(policy_number, done, remaining, total)
