"""``GET /health`` (liveness: the process answers and reaches its database) and ``GET /ready``
(readiness: the database is reachable and migrated to the code's newest revision)."""

from __future__ import annotations

from grader import __version__
from grader.engine import ENGINE_VERSION
from grader.service import schema
from grader.service.api import Blueprint
from grader.service.api.context import PUBLIC, errors
from grader.service.database import get_database, is_outage
from grader.service.problems import ProblemError
from grader.service.schemas.health import HealthSchema, ReadySchema

RETRY_AFTER = {"Retry-After": "5"}

blp = Blueprint("Health", __name__, description="Liveness and database connectivity; no credentials needed.")


@blp.route("/health")
@blp.doc(**PUBLIC)
@blp.response(200, HealthSchema)
@errors(blp)
def health():
    """Service health, with a round trip to the database; 503 when the database cannot be reached."""
    get_database().ping()
    return {"status": "ok", "database": "ok", "version": __version__, "engine_version": ENGINE_VERSION}


@blp.route("/ready")
@blp.doc(**PUBLIC)
@blp.response(200, ReadySchema)
@errors(blp)
def ready():
    """Readiness for a load balancer or orchestrator: 200 once the database is reachable and at the
    code's newest migration; 503 (``not-ready``) while it is unreachable, never migrated or behind."""
    engine = get_database().engine
    head = schema.code_head()
    try:
        current = schema.current(engine)
    except Exception as error:
        if not is_outage(error):
            raise
        raise ProblemError(503, "not-ready", "the database cannot be reached", headers=RETRY_AFTER) from None
    if current is None:
        detail = f"the database was never migrated; run `grader db upgrade` (to {head})"
        raise ProblemError(503, "not-ready", detail, headers=RETRY_AFTER)
    if current != head:
        detail = f"the database is at revision {current}, the code needs {head}; run `grader db upgrade`"
        raise ProblemError(503, "not-ready", detail, headers=RETRY_AFTER)
    return {"status": "ready", "revision": current}
