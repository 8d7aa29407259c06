"""A set's gradebook (JSON or CSV) and its per-key analytics."""

from __future__ import annotations

from flask import current_app, request

from grader.service.api import Blueprint
from grader.service.api.context import SET_ID, caller, errors, exercise_set, session
from grader.service.facade import reports
from grader.service.rate_limits import expensive
from grader.service.schemas.reports import AnalyticsQuerySchema, AnalyticsSchema, GradebookQuerySchema, GradebookSchema

blp = Blueprint("Reports", __name__, description="Gradebook and analytics of a set.")


def _wants_csv(query) -> bool:
    if "format" in query:
        return query["format"] == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"], default="application/json")
    return best == "text/csv"


@blp.route(f"/exercise-sets/{SET_ID}/gradebook")
@blp.arguments(GradebookQuerySchema, location="query")
@blp.response(200, GradebookSchema)
@blp.alt_response(
    200,
    content_type="text/csv",
    success=True,
    schema={"type": "string"},
    description="With ?format=csv or Accept: text/csv",
)
@errors(blp, 401, 403, 404)
@expensive("export")
def gradebook(query, set_id: int):
    """One row per student: attempts, latest and best score, the latest attempt's verdict per key."""
    caller().require_staff()
    found = exercise_set(set_id)
    book = reports.gradebook(session(), found)
    if _wants_csv(query):
        return current_app.response_class(
            reports.gradebook_csv(book),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="gradebook-set-{found.id}.csv"'},
        )
    return book


@blp.route(f"/exercise-sets/{SET_ID}/analytics")
@blp.arguments(AnalyticsQuerySchema, location="query")
@blp.response(200, AnalyticsSchema)
@errors(blp, 401, 403, 404)
@expensive("export")
def analytics(query, set_id: int):
    """Per key: how many were correct, carried, misconception, incorrect, missing, invalid; top misconceptions."""
    caller().require_staff()
    return reports.analytics(session(), exercise_set(set_id), query.get("attempts", "latest"))
