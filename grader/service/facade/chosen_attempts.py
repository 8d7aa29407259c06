"""Which attempt of each student counts, and its current grade, found in the database.

A student's attempt that counts is the latest, or the best where the policy passes back the best
(``Passback``); each attempt counts under its current grade, the one of the newest policy version
it was graded under.  The gradebook, its CSV, the analytics and the set's counts read them from
here.  Indexes that serve these queries: submissions (assignment_id, attempt) finds a student's
attempts, grades (submission_id, policy_id) the grades of each, grades (policy_id,
submission_id) a version's grades.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from grader.grading.policy import Passback, Policy
from grader.service.models import Assignment, ExerciseSet, Grade, PolicyVersion, Submission


def postgres(session: Session) -> bool:
    """Whether the session's database is PostgreSQL (which gets ``DISTINCT ON`` and ``jsonb``)."""
    return session.get_bind().dialect.name == "postgresql"


def passback_of(exercise_set: ExerciseSet) -> Passback:
    """Which attempt stands for a student in this set: the policy's ``passback``."""
    return Policy.from_mapping(exercise_set.policy.document).passback


def current(submission_id) -> Any:
    """The condition that a grade is the current grade of the submission ``submission_id`` (a
    column): that of its newest policy version.

    Policy versions of a set are added one after another (a version is the previous one plus
    one, and two edits at once cannot both add the same number), so the newest version also has
    the highest id: the (submission, policy) index finds it in one step.
    """
    other = aliased(Grade, name="other_grade")
    newest = select(func.max(other.policy_id)).where(other.submission_id == submission_id).scalar_subquery()
    return and_(Grade.submission_id == submission_id, Grade.policy_id == newest)


def graded(students, distinct_on: bool, settled: int | None = None):
    """The current grade of every submission of ``students`` (a subquery of assignment ids).

    With ``settled`` (``settled_policy``: every submission's current grade is under that policy
    version) it is the grade under that version, read from the (policy, submission) index.
    Otherwise ``distinct_on`` (PostgreSQL) picks it with ``DISTINCT ON``, which the planner counts
    right (one row per submission); a ``row_number() = 1`` filter, as SQLite needs, is estimated
    at a fraction of that, and the misestimate turns the gradebook's joins into nested loops.
    """
    columns = [
        Submission.assignment_id,
        Submission.attempt,
        Submission.submitted_at,
        Grade.id.label("grade_id"),
        Grade.policy_id,
        Grade.score,
        Grade.max_score,
    ]
    base = (
        select(*columns).join(Grade, Grade.submission_id == Submission.id).where(Submission.assignment_id.in_(students))
    )
    if settled is not None:
        return base.where(Grade.policy_id == settled).subquery("graded")
    if distinct_on:
        newest_first = (Grade.submission_id, Grade.policy_id.desc())
        return base.ext(postgresql.distinct_on(Grade.submission_id)).order_by(*newest_first).subquery("graded")
    ranked = base.add_columns(
        func.row_number().over(partition_by=Grade.submission_id, order_by=Grade.policy_id.desc()).label("newest")
    ).subquery("ranked")
    return select(*(ranked.c[c.key] for c in columns)).where(ranked.c.newest == 1).subquery("graded")


def chosen(students, passback: Passback, distinct_on: bool, settled: int | None = None):
    """Per assignment among ``students`` (a subquery of assignment ids) that has an attempt: the
    attempt that counts, its current grade, and the number of attempts.

    The latest attempt is found from the attempts' index (attempts are numbered 1..n, so the
    highest is also the count) and only its grade is read: one lookup per student.  The best
    needs every attempt's grade.
    """
    if passback == Passback.LATEST:
        if distinct_on:
            return _latest_lateral(students)
        last = (
            select(Submission.assignment_id, func.max(Submission.attempt).label("attempts"))
            .where(Submission.assignment_id.in_(students))
            .group_by(Submission.assignment_id)
            .subquery("last")
        )
        is_last = and_(Submission.assignment_id == last.c.assignment_id, Submission.attempt == last.c.attempts)
        latest = (
            select(Submission.id, last.c.assignment_id, last.c.attempts)
            .add_columns(Submission.attempt, Submission.submitted_at)
            .join(last, is_last)
            .subquery("latest")
        )
        return (
            select(
                latest.c.assignment_id,
                latest.c.attempts,
                latest.c.attempt,
                latest.c.submitted_at,
                Grade.id.label("grade_id"),
                Grade.policy_id,
                Grade.score,
                Grade.max_score,
            )
            .join(Grade, current(latest.c.id))
            .subquery("chosen")
        )
    g = graded(students, distinct_on, settled).c
    order = [g.score.desc(), g.attempt.desc()]
    # Counted over the whole partition but in the order DISTINCT ON picks by, so the database sorts
    # the attempts once for both, not once for the count and again for the pick.
    attempts = func.count().over(partition_by=g.assignment_id, order_by=order, rows=(None, None))
    columns = [
        g.assignment_id,
        attempts.label("attempts"),
        g.attempt,
        g.submitted_at,
        g.grade_id,
        g.policy_id,
        g.score,
        g.max_score,
    ]
    if distinct_on:
        one_each = postgresql.distinct_on(g.assignment_id)
        return select(*columns).ext(one_each).order_by(g.assignment_id, *order).subquery("chosen")
    pick = func.row_number().over(partition_by=g.assignment_id, order_by=order).label("pick")
    per_student = select(*columns, pick).subquery("per_student")
    return select(*(per_student.c[c.key] for c in columns)).where(per_student.c.pick == 1).subquery("chosen")


def _latest_lateral(students):
    """``chosen`` for the latest attempt on PostgreSQL: per student, the highest attempt and then
    that attempt's newest grade, each one backward step in an index (``LATERAL ... LIMIT 1``).

    A score-sorted page needs every student's score; found this way it costs two index probes a
    student, where sorting the set's every submission and joining every grade (``DISTINCT ON``)
    read and sorted the whole course: 170 ms against 75 ms at 10,000 students.
    """
    student = aliased(Assignment, name="student")
    latest = (
        select(Submission.id, Submission.attempt, Submission.submitted_at)
        .where(Submission.assignment_id == student.id)
        .order_by(Submission.attempt.desc())
        .limit(1)
        .lateral("latest")
    )
    newest = (
        select(Grade.id, Grade.policy_id, Grade.score, Grade.max_score)
        .where(Grade.submission_id == latest.c.id)
        .order_by(Grade.policy_id.desc())
        .limit(1)
        .lateral("newest")
    )
    return (
        select(
            student.id.label("assignment_id"),
            latest.c.attempt.label("attempts"),
            latest.c.attempt,
            latest.c.submitted_at,
            newest.c.id.label("grade_id"),
            newest.c.policy_id,
            newest.c.score,
            newest.c.max_score,
        )
        .select_from(student)
        .join(latest, true())
        .join(newest, true())
        .where(student.id.in_(students))
        .subquery("chosen")
    )


def best_score(assignment_id):
    """The best current score among the attempts of the assignment ``assignment_id`` (a column of
    the enclosing query), as a scalar subquery."""
    attempt = aliased(Submission, name="any_attempt")
    return (
        select(func.max(Grade.score))
        .select_from(attempt)
        .join(Grade, current(attempt.id))
        .where(attempt.assignment_id == assignment_id)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Reading:
    """How a set's gradebook is read: which attempt counts (the policy's ``passback``), whether the
    database has ``DISTINCT ON`` (PostgreSQL), and ``settled_policy`` where it helps (the best
    attempt reads every attempt's grade; the latest, one per student, gains nothing from it)."""

    passback: Passback
    distinct_on: bool
    settled: int | None = None


def reading(session: Session, exercise_set: ExerciseSet, whole: bool) -> Reading:
    """How to read this set's attempts now; ``whole``: for every student of the set (a sort or a
    filter by score), not a page of them."""
    passback = passback_of(exercise_set)
    # A page of students' attempts is read in a moment: finding the settled version would cost more.
    wanted = passback == Passback.BEST and whole
    return Reading(passback, postgres(session), settled_policy(session, exercise_set) if wanted else None)


def submission_count(session: Session, exercise_set: ExerciseSet) -> int:
    """How many submissions the set has.  A student's attempts are numbered 1..n, so the highest
    is their count: one index lookup per student instead of a pass over every submission."""
    attempts = (
        select(func.max(Submission.attempt))
        .where(Submission.assignment_id == Assignment.id)
        .correlate(Assignment)
        .scalar_subquery()
    )
    total = session.scalar(select(func.coalesce(func.sum(attempts), 0)).where(Assignment.set_id == exercise_set.id))
    return int(total or 0)


def graded_under(session: Session, policy_id: int) -> int:
    """How many submissions a policy version has graded.  A version belongs to one set and grades a
    submission at most once, so this counts one range of the (policy, submission) index."""
    return session.scalar(select(func.count()).select_from(Grade).where(Grade.policy_id == policy_id)) or 0


def settled_policy(session: Session, exercise_set: ExerciseSet) -> int | None:
    """The policy version that holds every submission's current grade, if one does: the newest
    version with grades, when it has graded every submission of the set.  So it is after a
    regrade has finished, or while the policy has never changed; then a submission's current
    grade is its grade under that version, with no need to find the newest of its grades.

    Read a moment before the gradebook query, so a submission graded in between under a newer
    version is missing from that one view (the next one has it)."""
    newest = session.scalar(
        select(PolicyVersion.id)
        .where(PolicyVersion.set_id == exercise_set.id, exists().where(Grade.policy_id == PolicyVersion.id))
        .order_by(PolicyVersion.id.desc())
        .limit(1)
    )
    if newest is None or graded_under(session, newest) != submission_count(session, exercise_set):
        return None
    return newest
