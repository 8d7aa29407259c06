"""A set's students: the roster, each student's exercise, access token and answer key."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import func, select

from grader.service.api import Blueprint
from grader.service.api.context import (
    SET_ID,
    STUDENT_PATH,
    PageQuerySchema,
    assignment,
    caller,
    errors,
    exercise_set,
    page_schema,
    paginate,
    session,
)
from grader.service.facade import assignments
from grader.service.models import Assignment, Submission
from grader.service.schemas.students import (
    AccessTokenSchema,
    AnswerKeySchema,
    ExerciseViewSchema,
    RevokedSchema,
    StudentSchema,
)

blp = Blueprint("Students", __name__, description="Students of a set: variants, access tokens, answer keys.")


def student_link(set_id: int, student_id: str, token: str) -> str:
    """The student's page, reached with their token (the web pages read it from the path)."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return f"{base.rstrip('/')}/student/{token}"


@blp.route(f"/exercise-sets/{SET_ID}/students")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_schema(StudentSchema, "StudentPage"))
@errors(blp, 401, 403, 404)
def roster(paging, set_id: int):
    """Students who have an assignment in the set, by student id, with their attempt counts."""
    caller().require_staff()
    found = exercise_set(set_id)
    attempts = select(func.count(Submission.id)).where(Submission.assignment_id == Assignment.id).scalar_subquery()
    query = select(Assignment).where(Assignment.set_id == found.id).order_by(Assignment.student_id)
    rows, numbers = paginate(query, paging)
    counts = dict(
        session().execute(select(Assignment.id, attempts).where(Assignment.id.in_([a.id for a in rows]))).all()
    )
    items = [{"student_id": a.student_id, "attempts": counts.get(a.id, 0), "created_at": a.created_at} for a in rows]
    return {"items": items, **numbers}


@blp.route(f"{STUDENT_PATH}/exercise")
@blp.response(200, ExerciseViewSchema)
@errors(blp, 401, 403, 404)
def student_exercise(set_id: int, student_id: str):
    """The student's variant: givens, asked keys, diagram, attempts. Never an expected value.

    The assignment (and the variant) is made on first access. A student token may read its own.
    """
    found, assigned = assignment(set_id, student_id)
    return assignments.student_view(session(), found, assigned)


@blp.route(f"{STUDENT_PATH}/access-token", methods=["POST"])
@blp.response(201, AccessTokenSchema)
@errors(blp, 401, 403, 404)
def issue_access_token(set_id: int, student_id: str):
    """A new access token for the student, and the link to their page. Shown once; earlier tokens stay valid."""
    found, assigned = assignment(set_id, student_id, staff_only=True)
    token = assignments.issue_token(session(), assigned)
    return {
        "set_id": found.id,
        "student_id": assigned.student_id,
        "token": token,
        "url": student_link(found.id, assigned.student_id, token),
        "expires_at": assignments.token_expiry(assigned),
    }


@blp.route(f"{STUDENT_PATH}/access-token", methods=["DELETE"])
@blp.response(200, RevokedSchema)
@errors(blp, 401, 403, 404)
def revoke_access_tokens(set_id: int, student_id: str):
    """Revoke every access token of the student."""
    _found, assigned = assignment(set_id, student_id, staff_only=True, create=False)
    return {"revoked": assignments.revoke_tokens(session(), assigned)}


@blp.route(f"{STUDENT_PATH}/answer-key")
@blp.response(200, AnswerKeySchema)
@errors(blp, 401, 403, 404)
def answer_key(set_id: int, student_id: str):
    """Every value of the student's variant, with the textbook walk-through. Instructor or admin only."""
    _found, assigned = assignment(set_id, student_id, staff_only=True)
    return assignments.answer_key(assigned)
