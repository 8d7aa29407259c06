"""docs/ states the contracts the code keeps: every figure, name and link in it is checked here
against the code itself, so the pages cannot drift from what the project does."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import click
import pytest

from grader.cli import main as grader_main
from grader.engine import solve
from grader.engine.activations import ACTIVATIONS
from grader.engine.exercise import FIELDS, PHASES
from grader.engine.losses import LOSSES
from grader.generation.constraints import Constraints
from grader.grading.result import VERDICTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def _text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _table_rows(text: str, heading: str) -> list[list[str]]:
    """The cells of the first table under ``heading``, without its header and separator."""
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def _seed_rows() -> list[tuple[str, str]]:
    return [(key.strip("`"), value) for key, value, _how in _table_rows(_text("seed-example.md"), "## The figures")]


def test_seed_example_figures_are_the_engines(seed_exercise, as_printed):
    rows = _seed_rows()
    trace = solve(seed_exercise)
    assert len(rows) >= 20
    for key, figure in rows:
        assert trace[key] == as_printed(figure), key


def test_every_doc_is_indexed_and_every_link_resolves():
    pages = sorted(p.name for p in DOCS.glob("*.md"))
    index = _text("README.md")
    for page in pages:
        if page != "README.md":
            assert f"({page})" in index, f"docs/README.md does not list {page}"
    for source in [*DOCS.glob("*.md"), ROOT / "README.md"]:
        for target, _anchor in LINK.findall(source.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (source.parent / target).exists(), f"{source.name} links to missing {target}"


def test_nothing_cites_a_file_outside_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    citing = []
    for name in tracked:
        path = ROOT / name
        readable = path.suffix in (".py", ".md", ".yaml", ".yml", ".html", ".toml", ".cfg") and path.exists()
        if readable and path != Path(__file__) and "DESIGN.md" in path.read_text(encoding="utf-8", errors="replace"):
            citing.append(name)
    assert citing == []


def _commands(group: click.Group, prefix: str = "grader") -> list[str]:
    out = []
    for name, command in group.commands.items():
        out.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            out.extend(_commands(command, f"{prefix} {name}"))
    return out


def test_cli_page_names_every_command():
    text = _text("cli.md")
    missing = []
    for command in _commands(grader_main):
        *parents, last = command.split()
        # "grader templates list / show NAME / check" names the sub-commands of one group together.
        if f"`{command}" not in text and not re.search(rf"`{' '.join(parents)} [^`]*`[^\n]*`?{last}\b", text):
            missing.append(command)
    assert missing == []


def test_exercise_page_names_every_field_activation_loss_and_constraint():
    text = _text("exercise-format.md")
    for name in (*FIELDS, *ACTIVATIONS, *LOSSES):
        assert f"`{name}`" in text, name
    for constraint in dataclasses.fields(Constraints):
        assert f"`{constraint.name}`" in text, constraint.name


@pytest.mark.parametrize("name", ["verdicts.md"])
def test_verdict_page_names_every_verdict(name):
    verdicts = [row[0].strip("`") for row in _table_rows(_text(name), "# Verdicts and grades")]
    assert verdicts == list(VERDICTS)


def test_step_key_page_names_every_phase():
    phases = [row[0].strip("`") for row in _table_rows(_text("step-keys.md"), "## Phases")]
    assert phases == list(PHASES)
