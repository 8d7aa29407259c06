"""``grader regrade SET``: grade every submission of a set under its current policy, with a progress bar."""

from __future__ import annotations

import os

import click


@click.command("regrade")
@click.argument("set_id", metavar="SET", type=click.IntRange(1))
@click.option(
    "--workers",
    default=os.cpu_count() or 1,
    show_default="one per core",
    type=click.IntRange(1, 64),
    help="Processes that grade in parallel.",
)
@click.option(
    "--batch",
    default=2000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Submissions graded per transaction.",
)
@click.option(
    "--queue",
    "to_queue",
    is_flag=True,
    help="Queue the regrade as chunk jobs for `grader worker` processes (on any machine) instead.",
)
def regrade_command(set_id: int, workers: int, batch: int, to_queue: bool = False) -> None:
    """Regrade set SET: every submission not yet graded under the current policy version gets a grade.

    Safe to interrupt and run again: it carries on where it stopped.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from grader.cli.service import service_app
    from grader.service import schema
    from grader.service.database import get_database
    from grader.service.facade import regrading
    from grader.service.models import ExerciseSet

    database = get_database(service_app())
    schema.upgrade(database.engine)
    with database.sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        if exercise_set is None:
            raise click.ClickException(f"no exercise set {set_id}")
        if to_queue:
            queued = regrading.enqueue(session, exercise_set, batch)
            click.echo(f"Set {set_id}: {queued} chunks of up to {batch} submissions queued for grader worker.")
            return
        _total, pending = regrading.counts(session, exercise_set)
        columns = (TextColumn("regrading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task("regrade", total=pending)
            result = regrading.regrade(
                session, exercise_set, lambda n: progress.advance(task, n), batch=batch, workers=workers
            )
    click.echo(
        f"Set {set_id}: {result.regraded} of {result.total} submissions graded under policy version "
        f"{result.policy_version}; {result.remaining} remaining."
    )
