"""``/exercise-sets``: create, list, read and change sets; regrade after a policy change."""

from __future__ import annotations

from flask import current_app, request

from grader.service import regrade_jobs
from grader.service.api import Blueprint
from grader.service.api.context import (
    SET_ID,
    PageQuerySchema,
    caller,
    errors,
    exercise_set,
    page_schema,
    paginate,
    session,
)
from grader.service.api.replay import IDEMPOTENCY_KEY, REPLAYED, key_and_fingerprint, replay_response
from grader.service.facade import exercise_sets, idempotency, regrading
from grader.service.facade.idempotency import StoredResponse
from grader.service.rate_limits import expensive
from grader.service.schemas.exercise_sets import (
    ExerciseSetCreateSchema,
    ExerciseSetSchema,
    ExerciseSetUpdatedSchema,
    ExerciseSetUpdateSchema,
    RegradeSchema,
)

blp = Blueprint("Exercise sets", __name__, description="Exercise sets: a template and seed, a variant per student.")

REGRADE_BUDGET = 20.0


@blp.route("/exercise-sets", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@blp.arguments(ExerciseSetCreateSchema)
@blp.response(
    201, ExerciseSetSchema, headers={"Location": {"schema": {"type": "string"}}, "Idempotent-Replayed": REPLAYED}
)
@errors(blp, 401, 403, 409, 415)
@expensive("create_set")
def create_set(body):
    """Create a set from a catalogue template (``template``) or an inline one (``template_document``)."""
    who = caller()
    owner = who.require_staff()
    key, print_ = key_and_fingerprint()
    db = session()

    body.setdefault("time_zone", current_app.config.get("TIME_ZONE") or "UTC")

    def work() -> StoredResponse:
        created = exercise_sets.create_set(db, owner, body, current_app.config["MAX_TRACE_STEPS"])
        view = ExerciseSetSchema().dump(exercise_sets.summary(db, created))
        return StoredResponse(201, view, f"/api/v1/exercise-sets/{created.id}")

    stored, replayed = idempotency.run(db, who.scope, key, print_, work)
    return replay_response(stored, replayed)


@blp.route("/exercise-sets", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_schema(ExerciseSetSchema, "ExerciseSetPage"))
@errors(blp, 401, 403)
def list_sets(paging):
    """The caller's sets, newest first (admins: everyone's)."""
    rows, numbers = paginate(exercise_sets.list_sets(caller()), paging)
    return {"items": [exercise_sets.summary(session(), s) for s in rows], **numbers}


@blp.route(f"/exercise-sets/{SET_ID}", methods=["GET"])
@blp.response(200, ExerciseSetSchema)
@errors(blp, 401, 403, 404)
def get_set(set_id: int):
    """One set, with its current policy and counts."""
    caller().require_staff()
    return exercise_sets.summary(session(), exercise_set(set_id))


@blp.route(f"/exercise-sets/{SET_ID}", methods=["PATCH"])
@blp.arguments(ExerciseSetUpdateSchema)
@blp.response(200, ExerciseSetUpdatedSchema)
@errors(blp, 401, 403, 404, 415)
def update_set(changes, set_id: int):
    """Change the title, policy (a new policy version), max_attempts or due date.

    The answer shows the set as this change left it; ``policy_changed`` says whether it stored
    a new policy version (a policy equal to the one in force adds none).
    """
    caller().require_staff()
    found = exercise_set(set_id)
    stored = exercise_sets.update_set(session(), found, changes)
    return {**exercise_sets.summary(session(), found), "policy_changed": stored is not None}


# RFC 7240: a client that would rather not wait asks for the regrade to run in the background.
PREFER = {
    "in": "header",
    "name": "Prefer",
    "required": False,
    "schema": {"type": "string", "maxLength": 1000},
    "description": "`respond-async`: queue the regrade and answer at once (202); follow it with the set's "
    "`stale_grades` (`GET /exercise-sets/{set_id}`). Without it the call grades for up to about 20 s.",
}


@blp.route(f"/exercise-sets/{SET_ID}/regrade", methods=["POST"])
@blp.doc(parameters=[PREFER])
@blp.response(200, RegradeSchema, description="Every submission is graded under the current policy")
@blp.alt_response(
    202,
    schema=RegradeSchema,
    description="Time ran out: `remaining` are left; call again. With `Prefer: respond-async`: queued",
    headers={"Preference-Applied": {"schema": {"type": "string"}}, "Location": {"schema": {"type": "string"}}},
)
@errors(blp, 401, 403, 404)
@expensive("regrade")
def regrade(set_id: int):
    """Grade every submission under the current policy version (old grades are kept).

    Runs for at most about 20 seconds per call; when ``remaining`` > 0 (status 202) call again,
    it carries on. ``grader regrade SET`` does the same from the command line, with a progress bar.

    With ``Prefer: respond-async`` the regrade is queued as chunk jobs that ``grader worker``
    processes grade (the server starts one), and the answer comes at once: 202, with
    ``Preference-Applied: respond-async`` and the set's URL in ``Location``, whose
    ``stale_grades`` falls to 0 as the chunks are graded.  A regrade already queued is not
    queued again (``queued`` is then 0); a worker that dies loses nothing.
    """
    caller().require_staff()
    found = exercise_set(set_id)
    if "respond-async" in (token.strip().lower() for token in request.headers.get("Prefer", "").split(",")):
        queued = regrade_jobs.start_for(session(), found, current_app.config)
        total, remaining = regrading.counts(session(), found)
        body = regrading.RegradeResult(found.policy.version, 0, remaining, total).to_dict()
        headers = {"Preference-Applied": "respond-async", "Location": f"/api/v1/exercise-sets/{set_id}"}
        return {**body, "queued": queued}, 202, headers
    result = regrading.regrade(session(), found, budget=REGRADE_BUDGET)
    return result.to_dict(), 200 if result.remaining == 0 else 202
