"""``grader serve [--host H] [--port P]``: run the service (development server; gunicorn in production)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click


def grader_command() -> str:
    """How to run ``grader`` from this shell: the bare name when it is on the PATH, else its path
    (after ``make run`` it lives in ``.venv/bin``, which is not on the PATH until activated)."""
    running = Path(sys.argv[0]).resolve()
    found = shutil.which("grader")
    if found and Path(found).resolve() == running:
        return "grader"
    try:
        return os.path.relpath(running)
    except ValueError:  # another drive on Windows
        return str(running)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--debug", is_flag=True, help="Flask debug mode (never in production).")
def serve_command(host: str, port: int, debug: bool) -> None:
    """Run the grading service; creates or upgrades the database first.

    For production run it under gunicorn:
    gunicorn -c python:grader.service.gunicorn_config "grader.service:create_app()"
    """
    from sqlalchemy import func, select

    from grader.cli.service import service_app
    from grader.service import schema
    from grader.service.access_log import hide_in_werkzeug_log
    from grader.service.database import get_database
    from grader.service.models import ApiKey

    app = service_app()
    hide_in_werkzeug_log()
    database = get_database(app)
    created = schema.current(database.engine) is None
    schema.upgrade(database.engine)
    with database.sessions() as session:
        keys = session.scalar(select(func.count(ApiKey.id)))
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/"
    click.echo(f"Database: {database.url.render_as_string(hide_password=True)}{' (created)' if created else ''}")
    click.echo(f"BP Grader is running at {url}")
    click.echo(f"  JSON API: {url}api/v1/openapi.json (its OpenAPI description; every call is under /api/v1)")
    if not keys:
        click.echo("No API keys yet. Create an instructor key (in another terminal, same settings) with:")
    else:
        click.echo("To create another instructor key:")
    click.echo(f"  {grader_command()} keys create --role instructor --name YOUR-NAME")
    # The embedded server sends LMS scores itself; production runs `grader worker` processes.
    from grader.service.worker import start_in_background

    start_in_background(app)
    click.echo("Scores for LMSs (LTI) are sent from this process; production runs `grader worker`.")
    app.run(host=host, port=port, debug=debug, use_reloader=False, threaded=True)
