"""``grader worker``: run queued jobs (score passback to LMSs, regrade chunks), as many processes as needed."""

from __future__ import annotations

import signal

import click


@click.command("worker")
@click.option(
    "--interval",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.05, 60),
    help="Seconds between polls when idle.",
)
@click.option("--until-idle", is_flag=True, help="Stop when no job is due (for cron, or tests).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Run only jobs of this kind (repeatable); every kind when not given.",
)
def worker_command(interval: float, until_idle: bool, kinds: tuple[str, ...] = ()) -> None:
    """Run queued jobs: scores for the LMSs, with retries, and chunks of regrades.  Any number of
    workers may share one PostgreSQL database (each job is claimed by one of them with FOR UPDATE
    SKIP LOCKED)."""
    from grader.cli.service import service_app
    from grader.service import schema
    from grader.service.database import get_database
    from grader.service.worker import HANDLERS, Worker

    app = service_app()
    unknown = sorted(set(kinds) - set(HANDLERS))
    if unknown:
        raise click.BadParameter(
            f"no job kind {', '.join(unknown)}; the kinds are {', '.join(sorted(HANDLERS))}", param_hint="--kind"
        )
    engine = get_database(app).engine
    if schema.current(engine) != schema.head(engine):
        raise click.ClickException("the database is not at the newest revision; run `grader db upgrade` first")
    worker = Worker(app, interval, kinds or None)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    click.echo(f"Worker running against {engine.url.render_as_string(hide_password=True)}; Ctrl-C stops it.")
    try:
        worker.run(until_idle=until_idle)
    except KeyboardInterrupt:
        worker.stop()
    click.echo("Worker stopped.")
