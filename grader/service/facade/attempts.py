"""Storing one attempt: the submission with its next attempt number, and its grade.

This is the write on the path of every submission, so it takes as few round trips as the
database allows.  The attempt number is found inside the INSERT itself, and with a limit the
INSERT inserts nothing once every attempt is used; two racing inserts of the same number meet
the unique (assignment, attempt) constraint, and the loser counts again.  On PostgreSQL the
submission and its grade go in one statement (a data-modifying CTE); SQLite takes two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, String, Text, bindparam, func, insert, select
from sqlalchemy.orm import Session

from grader.service import grade_records
from grader.service.models import Grade, Submission
from grader.service.models.base import UTCDateTime

SUBMISSIONS = Submission.__table__
GRADES = Grade.__table__


def _next_attempt(limited: bool):
    """INSERT the next attempt; with ``limited``, no row when none is left.  RETURNING id, attempt."""
    # Attempts are numbered 1..n without gaps, so the highest number is the count, and the
    # (assignment, attempt) index finds it in one step however many attempts there are.
    used = (
        select(func.coalesce(func.max(SUBMISSIONS.c.attempt), 0))
        .where(SUBMISSIONS.c.assignment_id == bindparam("assignment_id"))
        .scalar_subquery()
    )
    values = select(
        bindparam("assignment_id"),
        used + 1,
        bindparam("payload", type_=Text()),
        bindparam("by", type_=String()),
        bindparam("now", type_=UTCDateTime()),
    )
    if limited:
        values = values.where(used < bindparam("limit"))
    columns = ["assignment_id", "attempt", "payload", "submitted_by", "submitted_at"]
    return insert(SUBMISSIONS).from_select(columns, values).returning(SUBMISSIONS.c.id, SUBMISSIONS.c.attempt)


def _with_grade(limited: bool):
    """The submission INSERT as a CTE feeding the grade INSERT: one statement.  RETURNING attempt."""
    submission = _next_attempt(limited).cte("new_submission")
    values = select(
        submission.c.id,
        bindparam("policy_id"),
        bindparam("engine_version", type_=String()),
        bindparam("results", type_=GRADES.c.results.type),
        bindparam("score", type_=Float()),
        bindparam("max_score", type_=Float()),
        bindparam("now", type_=UTCDateTime()),
    )
    columns = ["submission_id", "policy_id", "engine_version", "results", "score", "max_score", "graded_at"]
    return insert(GRADES).from_select(columns, values).returning(select(submission.c.attempt).scalar_subquery())


# Built once: building a statement costs more than running it.
NEXT_ATTEMPT = {limited: _next_attempt(limited) for limited in (False, True)}
WITH_GRADE = {limited: _with_grade(limited) for limited in (False, True)}
INSERT_GRADE = insert(GRADES)


def store_attempt(
    session: Session,
    assignment_id: int,
    limit: int | None,
    payload: str,
    by: str,
    policy_id: int,
    engine_version: str,
    results: dict[str, Any],
    now: datetime,
) -> int | None:
    """Add the next attempt and its grade to the session's transaction; returns the attempt number,
    or None when no attempt is left.  Raises IntegrityError when another insert took the number."""
    score, max_score = grade_records.score(results)
    params = {
        "assignment_id": assignment_id,
        "limit": limit,
        "payload": payload,
        "by": by,
        "now": now,
        "policy_id": policy_id,
        "engine_version": engine_version,
        "results": results,
        "score": score,
        "max_score": max_score,
    }
    limited = limit is not None
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(WITH_GRADE[limited], params).scalar_one_or_none()
    inserted = session.execute(NEXT_ATTEMPT[limited], params).one_or_none()
    if inserted is None:
        return None
    submission_id, attempt = inserted
    session.execute(INSERT_GRADE, {**params, "submission_id": submission_id, "graded_at": now})
    return attempt
