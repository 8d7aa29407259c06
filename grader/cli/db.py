"""``grader db upgrade|downgrade|current|check|revision|prune``: the database schema (Alembic), and
housekeeping."""

from __future__ import annotations

import click


def _app():
    from grader.cli.service import service_app

    return service_app()


def _engine():
    from grader.service.database import get_database

    return get_database(_app()).engine


def _where(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@click.group("db")
def db_group() -> None:
    """The service database (GRADER_DATABASE_URL; default SQLite in the instance folder)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply the migrations up to REVISION (default: the newest). Creates the tables on first use."""
    from grader.service import schema

    engine = _engine()
    schema.upgrade(engine, revision)
    click.echo(f"{_where(engine)} is at revision {schema.current(engine)}")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Undo migrations down to REVISION (``base`` empties the database)."""
    from grader.service import schema

    engine = _engine()
    schema.downgrade(engine, revision)
    click.echo(f"{_where(engine)} is at revision {schema.current(engine) or 'base'}")


@db_group.command("current")
def current_command() -> None:
    """Show the database's revision and the newest one available."""
    from grader.service import schema

    engine = _engine()
    click.echo(f"database: {_where(engine)}\ncurrent: {schema.current(engine) or 'none'}\nhead: {schema.head(engine)}")


@db_group.command("check")
def check_command() -> None:
    """Exit 1 if the models and the migrated database differ (a revision is missing)."""
    from grader.service import schema

    engine = _engine()
    found = schema.differences(engine)
    for difference in found:
        click.echo(repr(difference))
    if found:
        raise click.ClickException(f"{len(found)} difference(s): write a revision with `grader db revision -m ...`")
    click.echo("models and migrations agree")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the revision changes.")
@click.option("--autogenerate/--empty", default=True, help="Compare the models with the database (default).")
def revision_command(message: str, autogenerate: bool) -> None:
    """Write a new migration script (for developers; upgrade the database first)."""
    from grader.service import schema

    schema.revision(_engine(), message, autogenerate)


@db_group.command("prune")
def prune_command() -> None:
    """Delete expired Idempotency-Key records (older than 24 hours), ended rate-limit windows and
    ended or expired page sessions now.

    The service does this by itself every few minutes; no cron entry is needed.
    """
    from grader.service import housekeeping
    from grader.service.facade import idempotency

    deleted = housekeeping.prune(_app())
    click.echo(
        f"deleted {deleted['idempotency records']} idempotency record(s) older than {idempotency.RETENTION}, "
        f"{deleted['rate-limit counters']} ended rate-limit counter(s) "
        f"and {deleted['page sessions']} ended or expired page session(s)"
    )
