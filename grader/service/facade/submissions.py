"""Submissions: graded on arrival, stored verbatim with their grade in one transaction.

The facade takes the answers parsed (by the API or the student page), and the submitted document
as text, kept verbatim.  Nothing acknowledged is ever lost: the 201 goes out only after the
commit that holds that document, its grade and (with an Idempotency-Key) the response to replay.  Attempts are numbered
1, 2, ... per student; the unique (assignment, attempt) constraint is what enforces
``max_attempts`` when two submissions race, in one process or many.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.engine import ENGINE_VERSION
from grader.grading import AnswerError, Policy, grade
from grader.service import grade_records
from grader.service.facade import attempts, copies, idempotency
from grader.service.facade.assignments import attempts_used, trace_of
from grader.service.facade.errors import (
    AttemptsExhausted,
    Conflict,
    NotFound,
    PastDue,
    UnknownAnswerKey,
    problems_under,
)
from grader.service.facade.idempotency import StoredResponse
from grader.service.facade.targets import Target
from grader.service.lti import passback
from grader.service.models import Assignment, ExerciseSet, Grade, PolicyVersion, Submission, utcnow

API = "/api/v1"
INSERT_TRIES = 5


def location(set_id: int, student_id: str, attempt: int | None = None) -> str:
    """The URL path of a student's submissions, or of one attempt."""
    path = f"{API}/exercise-sets/{set_id}/students/{quote(student_id, safe='@:+')}/submissions"
    return path if attempt is None else f"{path}/{attempt}"


def document_of(answers: Mapping[str, Any]) -> str:
    """The submitted document ``{"answers": ...}`` as compact JSON text."""
    return json.dumps({"answers": dict(answers)}, ensure_ascii=False, separators=(",", ":"))


def submit(
    session: Session,
    target: Target,
    answers: Mapping[str, Any],
    key: str | None,
    print_: str | None,
    language: str = "en",
    document: str | None = None,
) -> tuple[StoredResponse, bool]:
    """Grade and store a submission, at most once per idempotency key; returns (response, replayed).

    ``answers`` are parsed already (step key -> number or numeric text); ``document`` is the
    submission as it was sent, stored verbatim (by default ``document_of(answers)``).  Raises
    ``UnknownAnswerKey``, ``PastDue``, ``AttemptsExhausted``, ``Conflict`` and the idempotency errors.
    """
    stored = document_of(answers) if document is None else document
    return idempotency.run(
        session, target.scope, key, print_, lambda: _grade_and_store(session, target, stored, answers, language)
    )


def _grade_and_store(
    session: Session, target: Target, document: str, answers: Mapping[str, Any], language: str
) -> StoredResponse:
    """Grade, then add the submission and its grade to the session (the caller commits)."""
    policy = target.policy
    try:
        # grade() checks the answers' keys first; graded once here, not validated and then graded.
        grading = grade(target.trace, answers, policy)
    except AnswerError as error:
        raise UnknownAnswerKey(
            "; ".join(p.message for p in error.problems),
            problems_under(error.problems, "answers"),
        ) from None
    if target.due_at is not None and utcnow() > target.due_at:
        raise PastDue(f"submissions closed at {target.due_at.isoformat()}")
    limit = target.max_attempts
    record = grade_records.to_record(grading)
    for _ in range(INSERT_TRIES):
        now = utcnow()
        try:
            attempt = attempts.store_attempt(
                session,
                target.assignment_id,
                limit,
                document,
                target.scope,
                target.policy_id,
                ENGINE_VERSION,
                record,
                now,
            )
        except IntegrityError:
            # Another submission took this attempt number first; count again.
            session.rollback()
            continue
        if attempt is None:
            raise AttemptsExhausted(limit)
        # In the same transaction: a submission that fits another student's variant is flagged.
        copies.record(session, target.set_id, target.assignment_id, attempt, grading)
        # The LMS's copy of the score goes in the outbox in this same transaction: nothing lost.
        if target.lti_enrolled is not False:
            passback.after_attempt(session, target.assignment_id, policy)
        # Attempts are numbered 1..n without gaps: this one's number is the attempts used.
        reveal = policy.reveals(now=now, due_at=target.due_at, attempts_used=attempt, max_attempts=limit)
        graded = grading.to_dict(reveal, language)
        view = _view(target.set_id, target.student_id, attempt, now, target.policy_version, graded, answers)
        view["attempts_left"] = None if limit is None else limit - attempt
        return StoredResponse(201, view, location(target.set_id, target.student_id, attempt))
    raise Conflict("too many simultaneous submissions for this student; retry")


def _view(set_id, student_id, attempt, submitted_at, policy_version: int, graded: dict[str, Any], answers):
    return {
        "set_id": set_id,
        "student_id": student_id,
        "attempt": attempt,
        "submitted_at": submitted_at.isoformat(),
        "policy_version": policy_version,
        **graded,
        "answers": answers,
    }


def _answers(submission: Submission) -> dict[str, Any]:
    return json.loads(submission.payload).get("answers", {})


def current_grades(session: Session, submission_ids: list[int]) -> dict[int, tuple[Grade, PolicyVersion]]:
    """submission id -> its grade under the newest policy version it was graded under."""
    out: dict[int, tuple[Grade, PolicyVersion]] = {}
    if not submission_ids:
        return out
    rows = session.execute(
        select(Grade, PolicyVersion)
        .join(PolicyVersion, PolicyVersion.id == Grade.policy_id)
        .where(Grade.submission_id.in_(submission_ids))
    ).all()
    for grade_row, version in rows:
        best = out.get(grade_row.submission_id)
        if best is None or version.version > best[1].version:
            out[grade_row.submission_id] = (grade_row, version)
    return out


def views(
    session: Session,
    exercise_set: ExerciseSet,
    assignment: Assignment,
    submissions: list[Submission],
    language: str,
    staff: bool = False,
) -> list[dict[str, Any]]:
    """Submissions as the API shows them, each with its current grade.

    Expected values are shown when the current policy's reveal rule holds now, given the set's due
    date and the student's attempts so far (all of them, not only those of this page).  For
    ``staff`` (never for a student) each view also says whose variant its values match, if not
    the student's own (``copy_of``).
    """
    trace = trace_of(assignment)
    reveal = Policy.from_mapping(exercise_set.policy.document).reveals(
        now=utcnow(),
        due_at=exercise_set.due_at,
        attempts_used=attempts_used(session, assignment),
        max_attempts=exercise_set.max_attempts,
    )
    grades = current_grades(session, [s.id for s in submissions])
    flagged = copies.flags(session, [s.id for s in submissions]) if staff else {}
    out = []
    for submission in submissions:
        grade_row, version = grades[submission.id]
        answers = _answers(submission)
        grading = grade_records.rebuild(grade_row.results, trace, answers, Policy.from_mapping(version.document))
        graded = grading.to_dict(reveal, language)
        view = _view(
            assignment.set_id,
            assignment.student_id,
            submission.attempt,
            submission.submitted_at,
            version.version,
            graded,
            answers,
        )
        if staff:
            flag = flagged.get(submission.id)
            view["copy_of"] = flag.matched_student_id if flag else None
        out.append(view)
    return out


def history(assignment: Assignment):
    """The student's submissions, oldest first (a query, for pagination)."""
    return select(Submission).where(Submission.assignment_id == assignment.id).order_by(Submission.attempt)


def find_submission(session: Session, assignment: Assignment, attempt: int) -> Submission:
    """One attempt, or ``NotFound``."""
    found = session.execute(
        select(Submission).where(Submission.assignment_id == assignment.id, Submission.attempt == attempt)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no attempt {attempt} for student {assignment.student_id!r}")
    return found
