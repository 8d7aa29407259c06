"""``grader generate TEMPLATE --seed N [--count K | --students FILE] [--out DIR]``: a set of variants.

Writes, for every student, the concrete exercise, the worksheet and the answer key (HTML and
Markdown) and the diagram; for the set, all worksheets and answer keys in one file each, the
expected answers as CSV, a Moodle XML quiz and a manifest.  The same command gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from grader.cli.refusal import Refusal, invalid
from grader.engine import ExerciseError
from grader.engine.loader import read_document
from grader.engine.wording import Wording
from grader.generation import (
    GenerationError,
    check_students,
    default_students,
    find_template,
    generate_set,
)
from grader.grading.policy import Policy
from grader.worksheets.bundle import write_set

WARNING = Wording("warning: ", "警告：")
PROGRESS_FROM = 20  # sets smaller than this finish before a bar would be worth showing


def policy_tolerance(path: str | None = None) -> Callable[[float], float]:
    """The grading policy's tolerance (from ``path``, or the default policy) for the Moodle export.

    Falls back to max(1e-4, 1% of |v|), the default policy's rule, where grader.grading is absent.
    """
    if not path:
        return Policy().tolerance_for
    try:
        doc = read_document(Path(path).read_text(encoding="utf-8"), path)
        return Policy.from_mapping(doc).tolerance_for
    except (OSError, UnicodeDecodeError, ExerciseError) as error:
        raise click.ClickException(f"policy {path}: {error}") from None


def read_roster(path: str) -> list[str]:
    """Student ids from a file, one per line; blank lines and lines starting with # are skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


@click.command("generate")
@click.argument("template")
@click.option("--seed", type=int, required=True, help="The set's seed: same seed, same variants.")
@click.option("--count", type=click.IntRange(1, 100_000), help="Number of students, ids s001, s002, ...")
@click.option(
    "--students",
    "roster",
    type=click.Path(exists=True, dir_okay=False),
    help="File of student ids, one per line (instead of --count).",
)
@click.option("--out", type=click.Path(file_okay=False), help="Output directory [default: TEMPLATE-seedN].")
@click.option("--moodle/--no-moodle", default=True, show_default=True, help="Also write moodle.xml.")
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Grading policy (YAML) whose tolerance the Moodle export uses [default: the default policy].",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the worksheets, answer keys, diagrams and Moodle questions.",
)
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
def generate_command(
    template: str,
    seed: int,
    count: int | None,
    roster: str | None,
    out: str | None,
    moodle: bool,
    policy_file: str | None,
    lang: str,
    quiet: bool,
) -> None:
    """Generate one variant of TEMPLATE (a file, or a catalogue name such as seed-classic) per student,
    with worksheets, answer keys and a Moodle export."""
    if count and roster:
        raise click.UsageError("give --count or --students, not both")
    try:
        chosen = find_template(template)
        students = check_students(read_roster(roster)) if roster else default_students(count or 1)
    except ExerciseError as error:
        raise invalid(error, lang) from None
    except GenerationError as error:
        raise Refusal(error.text(lang), lang) from None
    directory = Path(out or f"{chosen.name}-seed{seed}")
    tolerance = policy_tolerance(policy_file) if moodle else None
    console = Console(stderr=True)
    show = not quiet and len(students) >= PROGRESS_FROM and console.is_terminal
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not show, transient=True) as progress:
        drawing = progress.add_task("variants", total=len(students))
        try:
            variants = generate_set(chosen, seed, students, lambda v: progress.advance(drawing))
        except GenerationError as error:
            raise Refusal(error.text(lang), lang) from None
        writing = progress.add_task("worksheets", total=len(variants))
        files = write_set(directory, chosen, variants, tolerance, lambda v: progress.advance(writing), language=lang)
    warning = WARNING(lang)
    for unmet in sorted({f"{v.constraint}: {v.text(lang)}" for v in variants[0].unmet}):
        click.echo(f"{warning}{chosen.name}: {unmet}", err=True)
    if not quiet:
        if lang == "zh":
            click.echo(
                f"{chosen.name}（种子 {seed}）的 {len(variants)} 个题目变体，{len(files)} 个文件，在 {directory}"
            )
        else:
            click.echo(
                f"{len(variants)} variant{'s' if len(variants) > 1 else ''} of {chosen.name} (seed {seed}), "
                f"{len(files)} files in {directory}"
            )
