"""``GET /health``: the service is up and can reach its database."""

from __future__ import annotations

from grader import __version__
from grader.engine import ENGINE_VERSION
from grader.service.api import Blueprint
from grader.service.api.context import PUBLIC, errors
from grader.service.database import get_database
from grader.service.schemas.health import HealthSchema

blp = Blueprint("Health", __name__, description="Liveness and database connectivity; no credentials needed.")


@blp.route("/health")
@blp.doc(**PUBLIC)
@blp.response(200, HealthSchema)
@errors(blp)
def health():
    """Service health, with a round trip to the database; 503 when the database cannot be reached."""
    get_database().ping()
    return {"status": "ok", "database": "ok", "version": __version__, "engine_version": ENGINE_VERSION}
