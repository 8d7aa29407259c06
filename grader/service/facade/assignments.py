"""Assignments: a student's variant of a set, made on first access, and what each party sees of it.

Templates and traces are pure functions of stored documents, so they are cached per process by
content; that is a cache of computation, not state: any process computes the same thing.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.engine import Exercise, Trace, solve
from grader.engine.problems import Problem as EngineProblem
from grader.engine.walkthrough import walkthrough
from grader.generation import GenerationError, Template, generate_variant
from grader.generation.student_ids import student_id_problem
from grader.generation.work_clock import WorkClock
from grader.service.credentials import STUDENT_TOKEN_PREFIX, digest, new_secret
from grader.service.facade.errors import BadIdentifier, Conflict, InvalidExercise, NotFound, Problem
from grader.service.facade.limits import GENERATION_BUDGET
from grader.service.facade.principals import SEES_SET, Principal
from grader.service.models import AccessToken, Assignment, ExerciseSet, Submission, utcnow

CREATE_TRIES = 5


def check_student_id(student_id: str) -> None:
    """``BadIdentifier`` unless ``student_id`` is an acceptable external id."""
    problem = student_id_problem(student_id)
    if problem:
        raise BadIdentifier(problem, [Problem(problem, field="student_id")])


@functools.lru_cache(maxsize=64)
def _template(name: str, canonical: str) -> Template:
    return Template.from_mapping(json.loads(canonical), name)


def template_of(exercise_set: ExerciseSet) -> Template:
    """The set's template, parsed (cached by content)."""
    return _template(exercise_set.template_name or "inline", json.dumps(exercise_set.template, sort_keys=True))


@functools.lru_cache(maxsize=1024)
def trace_for_text(exercise_text: str) -> Trace:
    """The reference trace of an exercise document given as JSON text (cached by that text)."""
    return solve(Exercise.from_mapping(json.loads(exercise_text)))


def trace_for(exercise: dict[str, Any]) -> Trace:
    """The reference trace of a stored exercise document (cached by content)."""
    return trace_for_text(json.dumps(exercise, sort_keys=True))


def trace_of(assignment: Assignment) -> Trace:
    """The reference trace of an assignment's exercise (cached by content)."""
    return trace_for(assignment.exercise)


_LOCATE = (
    select(ExerciseSet, Assignment)
    .outerjoin(Assignment, and_(Assignment.set_id == ExerciseSet.id, Assignment.student_id == bindparam("student")))
    .where(ExerciseSet.id == bindparam("set_id"), SEES_SET)
)


def locate(
    session: Session, principal: Principal, set_id: int, student_id: str
) -> tuple[ExerciseSet, Assignment | None]:
    """The set (with its current policy) and the student's assignment if any, in one query.

    ``NotFound`` when the caller may not see the set (the one rule of ``principals.SEES_SET``).
    One round trip to the database, with the statement built once.
    """
    params = {"set_id": set_id, "student": student_id, **principal.visibility()}
    row = session.execute(_LOCATE, params).one_or_none()
    if row is None:
        raise NotFound(f"no exercise set {set_id}")
    return row[0], row[1]


def find_assignment(session: Session, exercise_set: ExerciseSet, student_id: str) -> Assignment | None:
    """The student's assignment in the set, if it exists."""
    return session.execute(
        select(Assignment).where(Assignment.set_id == exercise_set.id, Assignment.student_id == student_id)
    ).scalar_one_or_none()


def assignment_for(session: Session, exercise_set: ExerciseSet, student_id: str) -> Assignment:
    """The student's assignment, made with a fresh variant on first access.

    Two requests for a new student may race: the unique constraint on (set, student) lets one
    insert and the other read it back.  For a random template, no two students of a set share a
    variant: a collision resamples, and the unique (set, variant) constraint decides races.
    """
    check_student_id(student_id)
    for _ in range(CREATE_TRIES):
        found = find_assignment(session, exercise_set, student_id)
        if found is not None:
            return found
        assignment = _new_assignment(session, exercise_set, student_id)
        session.add(assignment)
        try:
            session.commit()
            return assignment
        except IntegrityError:
            session.rollback()
    raise Conflict("the assignment could not be created; retry")


def _new_assignment(session: Session, exercise_set: ExerciseSet, student_id: str) -> Assignment:
    template = template_of(exercise_set)
    taken = set(
        session.execute(
            select(Assignment.variant_id).where(
                Assignment.set_id == exercise_set.id, Assignment.variant_id.is_not(None)
            )
        ).scalars()
    )
    start = 0
    clock = WorkClock()
    try:
        while True:
            # One budget for the whole search, collisions with other students' variants included.
            left = max(0.0, GENERATION_BUDGET - clock.elapsed())
            variant = generate_variant(template, exercise_set.seed, student_id, start=start, budget=left)
            if not template.random or variant.id not in taken:
                break
            start = variant.resamples + 1
            if start >= template.constraints.max_tries:
                raise GenerationError(EngineProblem.of("", "g_too_few_for_set", count=len(taken) + 1))
    except GenerationError as error:
        raise InvalidExercise(f"no variant could be made for student {student_id!r}: {error}") from None
    return Assignment(
        set_id=exercise_set.id,
        student_id=student_id,
        exercise=variant.exercise.to_mapping(),
        template_hash=variant.content_hash,
        engine_version=variant.engine_version,
        generator_version=variant.generator_version,
        resamples=variant.resamples,
        variant_id=variant.id if template.random else None,
    )


def attempts_used(session: Session, assignment: Assignment) -> int:
    """How many submissions the student has made."""
    # Attempts are numbered 1..n without gaps, so the highest number is the count (one index lookup).
    return session.scalar(select(func.max(Submission.attempt)).where(Submission.assignment_id == assignment.id)) or 0


def student_view(session: Session, exercise_set: ExerciseSet, assignment: Assignment) -> dict[str, Any]:
    """What a student may see of their exercise: givens, asked keys, diagram; never an expected value."""
    trace = trace_of(assignment)
    exercise = trace.exercise
    used = attempts_used(session, assignment)
    limit = exercise_set.max_attempts
    return {
        "set_id": exercise_set.id,
        "student_id": assignment.student_id,
        "title": exercise.title,
        "description": exercise.description,
        "objective": exercise.objective,
        "difficulty": exercise.difficulty,
        "exercise": exercise.to_mapping(),
        "given": {k: s.value for k, s in trace.steps.items() if s.phase == "given"},
        "asked": [{"key": k, "phase": trace.steps[k].phase} for k in trace.asked_keys()],
        "diagram_svg": diagram_svg(exercise),
        "attempts_used": used,
        "max_attempts": limit,
        "attempts_left": None if limit is None else max(0, limit - used),
        "due_at": exercise_set.due_at,
        "template_hash": assignment.template_hash,
        "engine_version": assignment.engine_version,
        "generator_version": assignment.generator_version,
    }


def diagram_svg(exercise: Exercise) -> str:
    """The network diagram, weights on the edges and biases at the nodes, as SVG."""
    from grader.worksheets.diagram import network_svg

    return network_svg(exercise)


def answer_key(assignment: Assignment) -> dict[str, Any]:
    """Every step value of the student's variant, and the textbook walk-through (instructors only)."""
    trace = trace_of(assignment)
    return {
        "set_id": assignment.set_id,
        "student_id": assignment.student_id,
        "values": trace.values,
        "asked": trace.asked_keys(),
        "walkthrough": [
            {
                "title": section.title,
                "lines": [
                    {"key": line.key, "formula": line.formula, "substituted": line.substituted, "value": line.value}
                    for line in section.lines
                ],
            }
            for section in walkthrough(trace)
        ],
    }


def issue_token(session: Session, assignment: Assignment) -> str:
    """A new access token for the student (earlier ones stay valid until revoked or expired); shown
    once.  It expires after the set's ``token_lifetime_days``, when the set gives one."""
    secret = new_secret(STUDENT_TOKEN_PREFIX)
    expires_at = token_expiry(assignment)
    session.add(AccessToken(assignment_id=assignment.id, secret_hash=digest(secret), expires_at=expires_at))
    session.commit()
    return secret


def token_expiry(assignment: Assignment) -> datetime | None:
    """When a token issued now for this student expires; None when the set's tokens do not."""
    days = assignment.exercise_set.token_lifetime_days
    return utcnow() + timedelta(days=days) if days else None


def revoke_tokens(session: Session, assignment: Assignment) -> int:
    """Revoke every active token of the student; returns how many."""
    tokens = (
        session.execute(
            select(AccessToken).where(AccessToken.assignment_id == assignment.id, AccessToken.revoked_at.is_(None))
        )
        .scalars()
        .all()
    )
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
    session.commit()
    return len(tokens)
