"""The grading service: a Flask app around the engine, the grader and the generator.

``create_app`` is the app factory (flaskr style).  Settings come, in increasing precedence, from
the defaults, ``config.py`` in the instance folder, ``GRADER_*`` environment variables and
``test_config``.  Run it with ``grader serve`` (development) or under gunicorn::

    gunicorn -c python:grader.service.gunicorn_config "grader.service:create_app()"
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from grader.service import config


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, problem handlers and the JSON API."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.path.abspath(os.environ["GRADER_INSTANCE_PATH"])
        if os.environ.get("GRADER_INSTANCE_PATH")
        else None,
    )
    # The instance folder holds the default SQLite database; a read-only install that sets
    # GRADER_DATABASE_URL and GRADER_SECRET_KEY does not need it.
    with contextlib.suppress(OSError):
        os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(config.from_environment())
    if test_config is not None:
        app.config.from_mapping(test_config)
    config.check(app.config)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = str(app.config.get("PUBLIC_URL") or "").startswith("https://")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)

    from grader.service import api, body_limit, database, housekeeping, lti, pages, rate_limits
    from grader.service.json_bodies import StrictJSONProvider

    app.json = StrictJSONProvider(app)
    body_limit.init_app(app)
    database.init_app(app)
    api.init_app(app)
    pages.init_app(app)
    rate_limits.init_app(app)
    housekeeping.init_app(app)
    lti.init_app(app)
    return app
