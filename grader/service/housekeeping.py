"""Housekeeping that happens by itself, so an installation needs no cron entry.

Expired Idempotency-Key records (older than 24 hours), the counters of rate-limit windows that
have ended, and page sessions that have ended or expired are deleted by the service itself: at
most once per ``PRUNE_INTERVAL`` seconds in each server process, after a response has gone out
(``call_on_close``), so no client waits for it.  Several processes pruning at once is harmless:
each deletes what has expired.  ``grader db prune`` does the same on demand.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

PRUNE_INTERVAL = 600.0
log = logging.getLogger(__name__)

# Database URL -> when this process last pruned it (time.monotonic()).
_last_pruned: dict[str, float] = {}


def prune(app: Flask) -> dict[str, int]:
    """Delete expired idempotency records, ended rate-limit windows and ended or expired page
    sessions now; how many of each."""
    from grader.service import rate_limit_storage
    from grader.service.database import get_database
    from grader.service.facade import idempotency, signin

    database = get_database(app)
    with database.sessions() as session:
        records = idempotency.prune(session)
        sessions = signin.prune(session, signin.SessionLimits.of(app.config))
    with database.engine.begin() as connection:
        counters = rate_limit_storage.prune(connection)
    return {"idempotency records": records, "rate-limit counters": counters, "page sessions": sessions}


def _prune_quietly(app: Flask) -> None:
    try:
        with app.app_context():
            prune(app)
    except SQLAlchemyError as error:  # the next interval tries again
        log.warning("housekeeping skipped: %s", error.__class__.__name__)


def _after_request(response):
    app = current_app._get_current_object()
    interval = app.config.get("PRUNE_INTERVAL", PRUNE_INTERVAL)
    if interval is None:
        return response
    key = app.config["DATABASE_URL"]
    now = time.monotonic()
    if now - _last_pruned.get(key, -float("inf")) >= interval:
        _last_pruned[key] = now
        response.call_on_close(lambda: _prune_quietly(app))
    return response


def init_app(app: Flask) -> None:
    """Prune after responses, at most once per ``PRUNE_INTERVAL`` (config; None switches it off)."""
    app.config.setdefault("PRUNE_INTERVAL", PRUNE_INTERVAL)
    app.after_request(_after_request)
