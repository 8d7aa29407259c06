"""``grader solve FILE [--json] [--lang zh]``: the reference solution of an exercise."""

from __future__ import annotations

import json
import sys

import click

from grader.cli.refusal import invalid
from grader.engine import ExerciseError, Trace, load_exercise, solve
from grader.engine.rules import number
from grader.engine.walkthrough import render_text, walkthrough
from grader.worksheets.sheet import part_title
from grader.worksheets.wording import say


def load_or_exit(path: str, language: str = "en"):
    """Load an exercise file, or stop with its problems listed in ``language``."""
    try:
        return load_exercise(path)
    except ExerciseError as error:
        raise invalid(error, language) from None


@click.command("solve")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every step value.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the words.")
def solve_command(file: str, as_json: bool, lang: str) -> None:
    """Solve an exercise FILE: every step value, as a textbook walk-through or as JSON."""
    exercise = load_or_exit(file, lang)
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
    elif lang == "en":
        click.echo(render_text(trace), nl=False)
    else:
        click.echo(walkthrough_text(trace, lang), nl=False)


def walkthrough_text(trace: Trace, language: str) -> str:
    """The walk-through as plain text in ``language``, titled as the answer keys are."""
    ex = trace.exercise
    activations = "、".join(dict.fromkeys(f.label(language) for f in ex.activation_functions))
    bias = {"none": "no biases", "bias": "biases", "threshold": "thresholds"}[ex.bias]
    head = say(
        "Network {shape}, activation {activation}, loss {loss}, bias {bias}, learning rate {rate}, "
        "delta = {delta}, {update} updates",
        language,
        shape="-".join(map(str, ex.layers)),
        activation=activations,
        loss=ex.loss_function.label(language),
        bias=say(bias, language),
        rate=number(ex.learning_rate),
        delta=ex.delta_convention,
        update=say(ex.update, language),
    )
    out = [f"{ex.text('title', language)}\n{head}"]
    for section in walkthrough(trace):
        first = trace.steps[section.lines[0].key]
        title = part_title(first.key, first.phase, first.kind, ex, language)
        out.append(f"{title}\n" + "\n".join(f"  {line}" for line in section.lines))
    return "\n\n".join(out) + "\n"
