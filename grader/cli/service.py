"""What the service commands (``serve``, ``keys``, ``db``, ``regrade``) share: the app they run
against, and one line, not a traceback, when its settings or its database cannot be used."""

from __future__ import annotations

import sys

import click

DATABASE = "grader.database"


def service_app():
    """The service app built from the environment; the command's failures name its database."""
    from grader.service import create_app
    from grader.service.database import get_database

    app = create_app()
    click.get_current_context().meta[DATABASE] = str(get_database(app))
    return app


def explain(error: BaseException, context: click.Context) -> str | None:
    """The one-line message for a settings or database failure; None for anything else."""
    if "grader.service.config" not in sys.modules:
        return None  # no service command ran: not ours to explain
    from grader.service.config import ConfigurationError
    from grader.service.database import explain_failure

    if isinstance(error, ConfigurationError):
        return str(error)
    cause = explain_failure(error)
    if cause is None:
        return None
    where = context.meta.get(DATABASE, "the database (GRADER_DATABASE_URL)")
    return f"cannot use the database {where}: {cause}"
