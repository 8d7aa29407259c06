"""Exercises written by an instructor: a template's text (YAML) or a simple form checked with the
engine's own validation, and previewed (diagram, step count, full solution) before a set is made.

Every problem keeps the engine's JSON pointer, so a page can show it at its field: at the form
field the pointer names, or at the line of the YAML text it points into.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from grader.engine import ExerciseError, Problem, solve
from grader.engine.loader import read_document
from grader.engine.wording import Wording
from grader.generation import Template, TemplateError, Variant, generate_variant
from grader.generation.generator import GenerationError
from grader.service.facade.limits import GENERATION_BUDGET, MAX_TEMPLATE_TRIES, estimated_steps
from grader.worksheets.diagram import network_svg
from grader.worksheets.sheet import Sheet, build_sheet

MAX_TEXT = 20_000  # characters of template text; a hand exercise needs well under 2,000
PREVIEW_SEED = 0
PREVIEW_STUDENT = "preview"
SOURCE = Wording("the template", "模板")  # how problems name the editor's text


@dataclass
class Checked:
    """A template document checked: the template when it can be used, else every problem found."""

    document: Any
    template: Template | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.template is not None and not self.problems


@dataclass(frozen=True)
class Preview:
    """What an instructor sees before saving: one example variant, drawn, solved and laid out."""

    variant: Variant
    svg: str
    sheet: Sheet
    steps: int
    asked: int


def check_document(document: Any, max_steps: int, name: str = "inline") -> Checked:
    """Validate a template document (the YAML editor's or the form's) as the API's inline templates are."""
    if not isinstance(document, Mapping):
        return Checked(document, problems=[Problem.of("", "editor_not_mapping")])
    try:
        json.dumps(document, allow_nan=False)
    except (TypeError, ValueError):
        return Checked(document, problems=[Problem.of("", "plain_data")])
    constraints = document.get("constraints", {})
    if isinstance(constraints, Mapping) and "max_tries" not in constraints:
        # The server's bound on resampling, written into the template so the stored set says it.
        document = {**document, "constraints": {**constraints, "max_tries": MAX_TEMPLATE_TRIES}}
    steps = estimated_steps(document)
    if steps > max_steps:
        return Checked(document, problems=[Problem.of("/layers", "server_steps", steps=steps, most=max_steps)])
    try:
        template = Template.from_mapping(document, name)
    except TemplateError as error:
        return Checked(document, problems=list(error.problems))
    if template.constraints.max_tries > MAX_TEMPLATE_TRIES:
        return Checked(document, problems=[Problem.of("/constraints/max_tries", "max_tries", most=MAX_TEMPLATE_TRIES)])
    return Checked(dict(document), template)


def check_text(text: str, max_steps: int) -> Checked:
    """Parse and validate template text (YAML or JSON)."""
    if len(text) > MAX_TEXT:
        return Checked(None, problems=[Problem.of("", "text_too_long", most=MAX_TEXT)])
    try:
        document = read_document(text, SOURCE)
    except ExerciseError as error:
        return Checked(None, problems=list(error.problems))
    return check_document(document, max_steps)


def preview(template: Template, language: str = "en") -> Preview:
    """An example variant of the template with its diagram, step counts and the full worked solution.

    Raises GenerationError when no variant meets the template's constraints.
    """
    variant = generate_variant(template, PREVIEW_SEED, PREVIEW_STUDENT, budget=GENERATION_BUDGET)
    trace = variant.trace or solve(variant.exercise)
    sheet = build_sheet(variant, language)
    svg = network_svg(variant.exercise, language=language)
    return Preview(variant, svg, sheet, len(trace.steps), len(trace.asked_keys()))


def no_variant(error: GenerationError) -> Problem:
    """The problem to show when ``preview`` finds no variant: the generator's account of it."""
    return error.problem


def line_of_pointers(text: str) -> dict[str, int]:
    """JSON pointer -> line number (from 1) of every node in YAML text; {} when it does not parse."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, pointer: str) -> None:
        lines.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{key.value}"
                lines.setdefault(child, key.start_mark.line + 1)
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for k, item in enumerate(node.value):
                walk(item, f"{pointer}/{k}")

    if root is not None:
        walk(root, "")
    return lines


def line_of(pointer: str, lines: Mapping[str, int]) -> int | None:
    """The line of a pointer, or of its nearest parent that the text has (a missing field: its mapping)."""
    while True:
        if pointer in lines:
            return lines[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]


def to_yaml(document: Mapping[str, Any]) -> str:
    """A document as YAML in the catalogue's layout: short lists and mappings on one line."""
    out = []
    for key, value in document.items():
        if key == "samples" and isinstance(value, list):
            out.append("samples:")
            for sample in value:
                items = list(sample.items()) if isinstance(sample, Mapping) else [("inputs", sample)]
                for k, (name, part) in enumerate(items):
                    flow = yaml.safe_dump(part, default_flow_style=True, allow_unicode=True, width=1000).strip()
                    out.append(f"  {'- ' if k == 0 else '  '}{name}: {flow}")
            continue
        if isinstance(value, (list, Mapping)):
            flow = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000).strip()
        else:
            flow = yaml.safe_dump(value, allow_unicode=True, width=1000).strip().removesuffix("...").strip()
        out.append(f"{key}: {flow}")
    return "\n".join(out) + "\n"


__all__ = [
    "Checked",
    "GenerationError",
    "Preview",
    "check_document",
    "check_text",
    "line_of",
    "line_of_pointers",
    "no_variant",
    "preview",
    "to_yaml",
]
