"""Exercise templates: the exercise format of docs/exercise-format.md, where numbers may be random rules.

A template is an exercise document (see ``grader.engine.exercise``) in which

- any weight, bias, input, target, the learning rate or the number of iterations may be a rule of
  ``grader.generation.rules`` instead of a number, and the activation (or one layer's) a choice;
- ``weights`` and ``biases`` may be one rule for all (``weights: {uniform: [-1, 1], decimals: 1}``)
  or a mapping with a ``"*"`` entry for those not listed; a sample's ``inputs`` and ``targets``
  may be one rule for every element;
- an optional ``constraints:`` block tunes the hand-computability checks (``grader.generation.constraints``).

The structure (layers, loss, bias mode, update mode, conventions, ask) is fixed, so every variant
of a template asks the same keys.  A template is validated by resolving it with the extreme values
of each rule and validating the results as exercises, so errors name the field they concern.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.engine import Exercise, ExerciseError, Problem, solve
from grader.engine.exercise import PHASES, TRANSLATED_FIELDS
from grader.engine.loader import read_document, unreadable
from grader.generation.constraints import Constraints
from grader.generation.draws import Draws, content_hash
from grader.generation.rules import Fixed, Rule, is_rule, parse_rule

# Fields that decide the shape of an exercise and the keys it asks: never random.
FIXED_FIELDS = (
    "title",
    "description",
    "objective",
    *TRANSLATED_FIELDS,
    "difficulty",
    "layers",
    "loss",
    "bias",
    "update",
    "batch_reduction",
    "delta_convention",
    "ask",
)
GENERATOR_FIELDS = ("constraints",)
WILDCARD = "*"


class TemplateError(ExerciseError):
    """A template that cannot be used; ``problems`` names every bad field."""

    what = "template"

    def __init__(self, problems, name: str = "template"):
        self.name = name
        super().__init__(problems)


@dataclass(frozen=True)
class Template:
    """A parsed, validated template: fixed fields, one rule per drawn value, and its constraints."""

    name: str
    document: Mapping[str, Any]
    content_hash: str
    constraints: Constraints
    slots: tuple[tuple[str, Rule], ...] = field(repr=False)
    source: str = field(default="", repr=False, compare=False)

    def __repr__(self) -> str:
        drawn = sum(1 for _, rule in self.slots if rule.random)
        return f"Template({self.name!r}, {self.content_hash[:12]}, {drawn} random of {len(self.slots)} values)"

    @property
    def title(self) -> str:
        return self.document.get("title", "Untitled exercise")

    def text(self, name: str, language: str = "en") -> str:
        """The template's "title", "description" or "objective" in a language, as ``Exercise.text``."""
        english = self.title if name == "title" else self.document.get(name, "")
        return (self.document.get(f"{name}_zh") or english) if language == "zh" else english

    @property
    def random(self) -> bool:
        """Whether any value varies between variants."""
        return any(rule.random for _, rule in self.slots)

    def values(self, draws: Draws) -> dict[str, Any]:
        """Pointer -> drawn value, for one attempt."""
        return {pointer: rule.draw(draws, pointer) for pointer, rule in self.slots}

    def resolve(self, draws: Draws) -> dict[str, Any]:
        """The concrete exercise document of one attempt (not yet validated)."""
        return _assemble(self.document, self.values(draws))

    @classmethod
    def from_mapping(cls, doc: Any, name: str = "template", source: str = "") -> Template:
        """Validate a parsed template document; raise TemplateError naming every bad field."""
        if not isinstance(doc, Mapping):
            raise TemplateError([Problem.of("", "template_not_mapping")], name)
        problems: list[Problem] = []
        constraints = Constraints.from_mapping(doc.get("constraints", {}), problems)
        exercise_doc = {k: v for k, v in doc.items() if k not in GENERATOR_FIELDS}
        for key in FIXED_FIELDS:
            if is_rule(exercise_doc.get(key)):
                problems.append(Problem.of(f"/{key}", "fixed_in_template", key=key))
        slots = _slots(exercise_doc, problems)
        if not problems:
            problems.extend(_probe(exercise_doc, slots))
        if problems:
            raise TemplateError(problems, name)
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        source = source or yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True)
        return cls(name, exercise_doc, content_hash(canonical), constraints, tuple(slots), source)


def parse_template(text: str, name: str = "template") -> Template:
    """Parse and validate template text (YAML, or JSON)."""
    try:
        doc = read_document(text, name)
    except ExerciseError as error:
        raise TemplateError(error.problems, name) from None
    return Template.from_mapping(doc, name, text)


def load_template(path: str | Path) -> Template:
    """Load and validate a template file; its name is the file name without the extension."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError([unreadable(path, error)], path.stem) from None
    return parse_template(text, path.stem)


def _names(doc: Mapping[str, Any], which: str) -> list[str]:
    """The weight or bias names of the template's network, or [] if its layers are not valid."""
    try:
        layers = tuple(int(n) for n in doc.get("layers", ()))
        shell = Exercise(layers=layers, activations=(), weights={}, samples=(), bias=doc.get("bias", "none"))
        return shell.weight_names() if which == "weights" else shell.bias_names()
    except (TypeError, ValueError):
        return []


def _slots(doc: Mapping[str, Any], problems: list[Problem]) -> list[tuple[str, Rule]]:
    """(pointer, rule) for every value a variant draws, in a fixed order."""
    slots: list[tuple[str, Rule]] = []

    def add(pointer: str, value: Any, kind: str = "number") -> None:
        slots.append((pointer, parse_rule(value, pointer, kind, problems)))

    activation = doc.get("activation", "sigmoid")
    if isinstance(activation, list):
        for k, item in enumerate(activation):
            add(f"/activation/{k}", item, "name")
    else:
        add("/activation", activation, "name")
    for key in ("learning_rate", "iterations"):
        if key in doc:
            add(f"/{key}", doc[key])
    for which in ("weights", "biases"):
        value = doc.get(which)
        if value is None:
            continue
        if which == "biases" and doc.get("bias", "none") == "none" and is_rule(value):
            problems.append(Problem.of("/biases", "bias_rule_without_bias"))
            continue
        if is_rule(value):
            value = {WILDCARD: value}
        if not isinstance(value, Mapping):
            add(f"/{which}", value)
            continue
        default = value.get(WILDCARD)
        listed = [name for name in value if name != WILDCARD]
        missing = [name for name in _names(doc, which) if name not in value] if default is not None else []
        for name in (*listed, *missing):
            add(f"/{which}/{name}", value.get(name, default))
    samples = doc.get("samples")
    if isinstance(samples, list):
        # A layers field that is not a list (a rule, say) is reported by itself, not as a KeyError here.
        layers = doc["layers"] if isinstance(doc.get("layers"), list) and doc["layers"] else [0]
        for m, sample in enumerate(samples):
            if not isinstance(sample, Mapping):
                add(f"/samples/{m}", sample)
                continue
            for part, width in (("inputs", layers[0]), ("targets", layers[-1])):
                value = sample.get(part)
                if is_rule(value) and isinstance(width, int):
                    value = [value] * width
                if isinstance(value, list):
                    for k, item in enumerate(value):
                        add(f"/samples/{m}/{part}/{k}", item)
                elif value is not None:
                    add(f"/samples/{m}/{part}", value)
    return slots


SLOT_FIELDS = ("activation", "learning_rate", "iterations", "weights", "biases", "samples")


@functools.lru_cache(maxsize=4096)
def _path(pointer: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in pointer[1:].split("/"))


def _assemble(doc: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The template document with every slot (pointer -> value, in slot order) filled in.

    Slots come in document order, so list elements arrive as 0, 1, 2, ...: they are appended.
    """
    paths = [(_path(pointer), value) for pointer, value in values.items()]
    drawn = {path[0] for path, _ in paths}
    out: dict[str, Any] = {k: v for k, v in doc.items() if k not in drawn}
    samples = doc.get("samples")
    for path, value in paths:
        container: Any = out
        for depth in range(len(path) - 1):
            part = path[depth]
            if isinstance(part, int):
                if part == len(container):  # a new sample keeps its other (invalid) fields for validation
                    base = samples[part] if isinstance(samples, list) and isinstance(samples[part], Mapping) else {}
                    container.append({k: v for k, v in base.items() if k not in ("inputs", "targets")})
            elif part not in container:
                container[part] = [] if isinstance(path[depth + 1], int) else {}
            container = container[part]
        last = path[-1]
        if isinstance(last, int):
            container.append(value)
        else:
            container[last] = value
    return out


def _probe(doc: Mapping[str, Any], slots: list[tuple[str, Rule]]) -> list[Problem]:
    """Validate the template as exercises: once with each rule's first value, then each extreme in turn."""
    base = {pointer: rule.representatives()[0] for pointer, rule in slots}
    probes = [(None, base)]
    for pointer, rule in slots:
        probes.extend((pointer, {**base, pointer: value}) for value in rule.representatives()[1:])
    random = {pointer for pointer, rule in slots if rule.random}
    problems: dict[Problem, None] = {}
    for varied, values in probes:
        found = _validate(_assemble(doc, values))
        for problem in found:
            culprit = varied or (problem.pointer if problem.pointer in random else None)
            note = Problem.of("", "can_draw", pointer=culprit, value=repr(values[culprit])) if culprit else None
            problems[problem.noted(note) if note else problem] = None
        if varied is None and found:
            break  # the template is wrong as written; its extremes would only repeat that
    return list(problems)


def _validate(doc: dict[str, Any]) -> list[Problem]:
    try:
        exercise = Exercise.from_mapping(doc)
        if any(item not in PHASES for item in exercise.ask):
            solve(exercise).asked_keys()
    except ExerciseError as error:
        return list(error.problems)
    return []


__all__ = ["Fixed", "Template", "TemplateError", "load_template", "parse_template"]
