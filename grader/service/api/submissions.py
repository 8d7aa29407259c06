"""A student's submissions: submit (graded at once, stored verbatim, idempotent) and history."""

from __future__ import annotations

from flask import request

from grader.service.api import Blueprint
from grader.service.api.context import (
    MAX_ID,
    STUDENT_PATH,
    PageQuerySchema,
    assignment,
    caller,
    errors,
    language,
    page_schema,
    paginate,
    session,
    submission_target,
)
from grader.service.api.replay import IDEMPOTENCY_KEY, REPLAYED, key_and_fingerprint, replay_response
from grader.service.facade import submissions
from grader.service.schemas.submissions import SubmissionCreatedSchema, SubmissionCreateSchema, SubmissionSchema

blp = Blueprint("Submissions", __name__, description="Students' submissions, graded step by step.")


@blp.route(f"{STUDENT_PATH}/submissions", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@blp.arguments(SubmissionCreateSchema)
@blp.response(
    201,
    SubmissionCreatedSchema,
    headers={
        "Location": {"schema": {"type": "string"}, "description": "This attempt"},
        "Idempotent-Replayed": REPLAYED,
    },
)
@errors(blp, 401, 403, 404, 409, 413, 415)
def submit(body, set_id: int, student_id: str):
    """Submit answers; they are graded at once and stored with the raw body in one transaction.

    A 201 means the submission is stored. With ``Idempotency-Key``, retrying the same request
    replays this response instead of submitting twice (see the API description). 409 when the
    due date has passed, no attempts are left, or the same key is still being processed.
    """
    target = submission_target(set_id, student_id)
    key, print_ = key_and_fingerprint()
    lang = language()
    # The strict JSON parser has checked that the body is UTF-8; it is stored as it was sent.
    sent = request.get_data(cache=True).decode("utf-8")
    stored, replayed = submissions.submit(session(), target, body["answers"], key, print_, lang, document=sent)
    response = replay_response(stored, replayed)
    response.headers["Content-Language"] = lang
    return response


@blp.route(f"{STUDENT_PATH}/submissions", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_schema(SubmissionSchema, "SubmissionPage"))
@errors(blp, 401, 403, 404)
def history(paging, set_id: int, student_id: str):
    """The student's submissions, oldest first, each with its current grade."""
    found, assigned = assignment(set_id, student_id)
    rows, numbers = paginate(submissions.history(assigned), paging)
    views = submissions.views(session(), found, assigned, rows, language(), staff=caller().is_staff)
    return {"items": views, **numbers}


@blp.route(f"{STUDENT_PATH}/submissions/<int(min=1, max={MAX_ID}):attempt>", methods=["GET"])
@blp.response(200, SubmissionSchema)
@errors(blp, 401, 403, 404)
def get_submission(set_id: int, student_id: str, attempt: int):
    """One attempt, with its current grade."""
    found, assigned = assignment(set_id, student_id)
    one = submissions.find_submission(session(), assigned, attempt)
    return submissions.views(session(), found, assigned, [one], language(), staff=caller().is_staff)[0]
