"""``GET /problems/{slug}``: what each problem ``type`` URI means."""

from __future__ import annotations

from grader.service.api import Blueprint
from grader.service.api.context import PUBLIC, errors
from grader.service.problems import TYPE_PREFIX, TYPES, ProblemError
from grader.service.schemas.health import ProblemTypeSchema

blp = Blueprint("Problem types", __name__, description="Descriptions of the error types the API returns.")


@blp.route("/problems/<string:slug>")
@blp.doc(**PUBLIC)
@blp.response(200, ProblemTypeSchema)
@errors(blp, 404)
def problem_type(slug: str):
    """The description of one problem type, at the URI that problems carry as ``type``."""
    if slug not in TYPES:
        raise ProblemError(404, "not-found", f"no problem type {slug!r}; known: {', '.join(TYPES)}")
    title, description = TYPES[slug]
    return {"type": TYPE_PREFIX + slug, "title": title, "description": description}
