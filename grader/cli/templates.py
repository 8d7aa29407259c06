"""``grader templates``: the catalogue, one template's source, and a check of any template."""

from __future__ import annotations

from collections import Counter

import click

from grader.cli.refusal import Refusal, invalid
from grader.engine import ExerciseError
from grader.engine.wording import Wording
from grader.generation import catalogue, find_template
from grader.generation.draws import Draws
from grader.generation.generator import attempt_violations
from grader.worksheets.wording import padded, say


@click.group("templates", invoke_without_command=True)
@click.pass_context
def templates_command(context: click.Context) -> None:
    """The exercise template catalogue (``grader templates`` lists it)."""
    if context.invoked_subcommand is None:
        context.invoke(list_command)


@templates_command.command("list")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the texts.")
def list_command(lang: str = "en") -> None:
    """Every catalogue template: name, difficulty, title and objective."""
    for template in catalogue():
        difficulty = say(template.document.get("difficulty", "introductory"), lang)
        click.echo(f"{template.name:22} {padded(difficulty, 13)} {template.text('title', lang)}")
        if template.text("objective", lang):
            click.echo(f"{'':36} {template.text('objective', lang)}")


LANGUAGE = click.option(
    "--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the messages."
)
ACCEPTED = Wording("accepted", "符合约束")
FOR_EXAMPLE = Wording("e.g.", "例如")
NONE_ACCEPTED = Wording("no attempt met the constraints", "没有一次抽取符合约束")


@templates_command.command("show")
@click.argument("template")
@LANGUAGE
def show_command(template: str, lang: str = "en") -> None:
    """Print a template's source, to copy and adapt."""
    try:
        click.echo(find_template(template).source, nl=False)
    except ExerciseError as error:
        raise invalid(error, lang) from None


@templates_command.command("check")
@click.argument("template")
@click.option(
    "--tries", type=click.IntRange(1, 100_000), default=500, show_default=True, help="Attempts to draw and check."
)
@LANGUAGE
def check_command(template: str, tries: int, lang: str = "en") -> None:
    """Validate TEMPLATE and report how often a drawn attempt meets the constraints, and what fails."""
    try:
        chosen = find_template(template)
    except ExerciseError as error:
        raise invalid(error, lang) from None
    click.echo(f"{chosen!r}\n{chosen.constraints!r}")
    accepted = ACCEPTED(lang)
    unmet: Counter[str] = Counter()
    example: dict[str, str] = {}
    for attempt in range(tries if chosen.random else 1):
        found = next(attempt_violations(chosen, Draws(chosen.content_hash, 0, "check", attempt)), None)
        name = found.constraint if found else accepted
        unmet[name] += 1
        if found:
            example.setdefault(name, found.text(lang))
    total = sum(unmet.values())
    for name, count in unmet.most_common():
        shown = f": {FOR_EXAMPLE(lang)} {example[name]}" if name in example else ""
        click.echo(f"{count / total:7.1%}  {name}{shown}")
    if not unmet[accepted]:
        raise Refusal(NONE_ACCEPTED(lang), lang)
