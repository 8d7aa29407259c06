"""``grader grade FILE ANSWERS [--policy FILE] [--json]``: grade a student's answers file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from grader.cli.refusal import Refusal, invalid
from grader.cli.solve import load_or_exit
from grader.engine import ExerciseError, solve
from grader.engine.loader import read_document, why_unreadable
from grader.engine.wording import Wording
from grader.grading import Policy, grade
from grader.worksheets.wording import say

COLOURS = {
    "correct": "green",
    "carried": "cyan",
    "misconception": "magenta",
    "incorrect": "red",
    "missing": "yellow",
    "invalid": "red",
}


# "cannot read answers FILE: ...", by what the file holds.
CANNOT_READ = {
    "answers": Wording("cannot read answers {path}: {error}", "无法读取答案文件 {path}：{error}"),
    "policy": Wording("cannot read policy {path}: {error}", "无法读取评分策略文件 {path}：{error}"),
}


def read_file(path: str, what: str, language: str = "en") -> Any:
    """A YAML or JSON file's content, or a clean command-line error in ``language``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = why_unreadable(error)(language)
        raise Refusal(CANNOT_READ[what](language).format(path=path, error=reason), language) from None
    try:
        return read_document(text, path)
    except ExerciseError as error:
        raise Refusal(CANNOT_READ[what](language).format(path=path, error=error.text(language)), language) from None


@click.command("grade")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("answers", type=click.Path(dir_okay=False))
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), help="Grading policy (YAML/JSON).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Feedback language.")
@click.option(
    "--reveal/--no-reveal",
    default=None,
    help="Show expected values (default: when the policy's reveal rule is always; there is no due date here).",
)
def grade_command(file: str, answers: str, policy_file: str | None, as_json: bool, lang: str, reveal: bool | None):
    """Grade the ANSWERS ({step key: value}) to the exercise FILE, step by step."""
    exercise = load_or_exit(file, lang)
    try:
        policy = Policy.from_mapping(read_file(policy_file, "policy", lang)) if policy_file else Policy()
        result = grade(solve(exercise), read_file(answers, "answers", lang), policy)
    except ExerciseError as error:
        raise invalid(error, lang) from None
    doc = result.to_dict(reveal=reveal, language=lang)
    if as_json:
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    table = Table(title=f"{exercise.text('title', lang)}: {doc['score']:g} / {doc['max_score']:g}")
    table.add_column(say("key", lang))
    table.add_column(say("submitted", lang))
    if "expected" in next(iter(doc["results"].values()), {}):
        table.add_column(say("expected", lang))
    table.add_column(say("verdict", lang))
    table.add_column(say("credit", lang), justify="right")
    table.add_column(say("message", lang))
    for key, row in doc["results"].items():
        cells = [key, "" if row["submitted"] is None else str(row["submitted"])]
        if "expected" in row:
            cells.append(f"{row['expected']:.6g}")
        colour = COLOURS[row["verdict"]]
        cells += [f"[{colour}]{say(row['verdict'], lang)}[/]", f"{row['credit']:g}", row["message"]]
        table.add_row(*cells)
    Console(width=160).print(table)
