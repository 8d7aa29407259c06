"""``grader solve FILE [--json]``: the reference solution of an exercise."""

from __future__ import annotations

import json
import sys

import click

from grader.engine import ExerciseError, load_exercise, solve
from grader.engine.walkthrough import render_text


def load_or_exit(path: str):
    """Load an exercise file, or stop with its problems listed."""
    try:
        return load_exercise(path)
    except ExerciseError as error:
        raise click.ClickException(str(error)) from None


@click.command("solve")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every step value.")
def solve_command(file: str, as_json: bool) -> None:
    """Solve an exercise FILE: every step value, as a textbook walk-through or as JSON."""
    exercise = load_or_exit(file)
    trace = solve(exercise)
    if as_json:
        doc = {
            "title": exercise.title,
            "values": trace.values,
            "phases": {k: s.phase for k, s in trace.steps.items() if s.phase != "given"},
            "inputs": {k: list(s.inputs) for k, s in trace.steps.items() if s.phase != "given"},
            "asked": trace.asked_keys(),
        }
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        click.echo(render_text(trace), nl=False)
