"""A set's gradebook (JSON or CSV) and its per-key analytics."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request, stream_with_context

from grader.service import json_codec
from grader.service.api import Blueprint
from grader.service.api.context import SET_ID, caller, errors, exercise_set, session
from grader.service.facade import reports
from grader.service.facade.gradebook import DEFAULT_LIMIT, Sort, Status, View
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
    """One row per student: attempts, the score of the attempt that counts (the latest, or the best
    when the policy passes back the best), the best score, and that attempt's verdict per key.

    JSON comes a page at a time: follow ``next_cursor`` (or the ``Link: rel="next"`` header) with
    the same sort and filters.  The CSV is every student, streamed as the database returns them."""
    caller().require_staff()
    found = exercise_set(set_id)
    view = View(
        sort=Sort(query.get("sort", Sort.NAME)),
        status=Status(query.get("status", Status.ALL)),
        search=query.get("search", ""),
        below=query.get("below"),
        cursor=query.get("cursor"),
        limit=query.get("limit", DEFAULT_LIMIT),
    )
    if _wants_csv(query):
        view.after()  # a bad cursor is refused before the first byte
        csv_view = View(view.sort, view.status, view.search, view.below, view.cursor, None)
        rows = reports.gradebook_csv(session(), found, csv_view)
        # The stream reads through a connection of its own: give the request's back to the pool now,
        # so an export holds one connection, not two, however long it streams.
        session().close()
        return current_app.response_class(
            stream_with_context(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="gradebook-set-{found.id}.csv"'},
        )
    book = reports.gradebook_page(session(), found, view)
    headers = {}
    if book["next_cursor"]:
        following = {k: v for k, v in request.args.items() if k != "cursor"}
        following["cursor"] = book["next_cursor"]
        headers["Link"] = f'<{request.base_url}?{urlencode(following)}>; rel="next"'
    # Written with orjson, not through the schema (which documents it): a page of 1,000 students
    # with 30 verdicts each is 30,000 values, ten times slower through marshmallow.
    return current_app.response_class(json_codec.encode(book), mimetype="application/json", headers=headers)


@blp.route(f"/exercise-sets/{SET_ID}/analytics")
@blp.arguments(AnalyticsQuerySchema, location="query")
@blp.response(200, AnalyticsSchema)
@errors(blp, 401, 403, 404)
@expensive("export")
def analytics(query, set_id: int):
    """Per key: how many were correct, carried, misconception, incorrect, missing, invalid; top misconceptions."""
    caller().require_staff()
    return reports.analytics(session(), exercise_set(set_id), query.get("attempts", "latest"))
