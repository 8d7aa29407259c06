"""What a worksheet and an answer key show, gathered from a variant: the Sheet.

The Jinja2 templates in ``templates/`` only lay a Sheet out; everything computed (labels,
formulas in student notation, number formats, the diagram) is done here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.engine import Exercise, keys, solve
from grader.engine.walkthrough import walkthrough
from grader.generation import Variant
from grader.worksheets.conventions import conventions
from grader.worksheets.diagram import network_svg
from grader.worksheets.notation import fixed, formula, given, subscript, symbol
from grader.worksheets.wording import PHASE_TITLES, joined, say

ANSWER_FIGURES = 6  # significant figures of the values printed in answer keys


@dataclass(frozen=True, slots=True)
class Row:
    """One step: its key, its symbol, and (for answer keys) its formula, substitution and value."""

    key: str
    symbol: str
    formula: str
    substituted: str
    value: str
    asked: bool


@dataclass
class Part:
    """A titled group of rows, e.g. "Forward pass (iteration 2)"."""

    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Sheet:
    """Everything printed for one variant."""

    variant: Variant
    svg: str
    conventions: list[tuple[str, str]]
    givens: list[tuple[str, list[str]]]
    parts: list[Part]
    language: str = "en"

    def __repr__(self) -> str:
        return f"Sheet({self.variant!r}, {len(self.parts)} parts)"

    @property
    def exercise(self) -> Exercise:
        return self.variant.exercise

    def say(self, text: str, **params: object) -> str:
        """A text of the sheet in the sheet's language."""
        return say(text, self.language, **params)

    def text(self, name: str) -> str:
        """The exercise's title, description or objective in the sheet's language."""
        return self.exercise.text(name, self.language)

    @property
    def asked_parts(self) -> list[Part]:
        """The parts with only the asked rows, for the worksheet's answer grid."""
        out = [Part(p.title, [r for r in p.rows if r.asked]) for p in self.parts]
        return [p for p in out if p.rows]

    @property
    def asked_count(self) -> int:
        return sum(len(p.rows) for p in self.asked_parts)


def givens(exercise: Exercise, language: str = "en") -> list[tuple[str, list[str]]]:
    """(what, ["y₁ = 0.35", ...]) rows of the given values, as the student copies them."""
    inputs = exercise.node_layers[0]
    outputs = exercise.output_nodes
    rows = []
    names = ["t"] if len(outputs) == 1 else [f"t{subscript(j)}" for j in outputs]
    target = "target" if len(outputs) == 1 else "targets"
    for m, sample in enumerate(exercise.samples, start=1):
        several = len(exercise.samples) > 1
        what_in = say("Sample {m} inputs", language, m=m) if several else say("Inputs", language)
        what_out = say(f"Sample {{m}} {target}", language, m=m) if several else say(target.capitalize(), language)
        rows.append((what_in, [f"y{subscript(i)} = {given(x)}" for i, x in zip(inputs, sample.inputs)]))
        rows.append((what_out, [f"{n} = {given(t)}" for n, t in zip(names, sample.targets)]))
    for prev, layer in zip(exercise.node_layers, exercise.node_layers[1:]):
        rows.append(
            (
                say("Weights into {nodes}", language, nodes=joined([str(j) for j in layer], language)),
                [f"w{subscript(j, i)} = {given(exercise.weights[f'w{j}_{i}'])}" for j in layer for i in prev],
            )
        )
    if exercise.biases:
        what = "Thresholds" if exercise.bias == "threshold" else "Biases"
        rows.append(
            (say(what, language), [f"b{subscript(int(k[1:]))} = {given(v)}" for k, v in exercise.biases.items()])
        )
    rows.append((say("Learning rate", language), [f"η = {given(exercise.learning_rate)}"]))
    return rows


def part_title(key: str, phase: str, kind: str, exercise: Exercise, language: str = "en") -> str:
    """The title of the part a step starts: "Forward pass (iteration 2, sample 1)", "正向传播（第 2 次迭代）"."""
    parsed = keys.parse(key)
    where = []
    if parsed and parsed.iteration > 1:
        where.append(say("iteration {n}", language, n=parsed.iteration))
    if parsed and parsed.sample is not None:
        where.append(say("sample {m}", language, m=parsed.sample))
    # Batch totals are titled like per-sample steps by the walk-through; say which they are.
    if len(exercise.samples) > 1 and exercise.update == "batch" and kind in ("E_batch", "grad_batch"):
        where.append(say("batch sum" if exercise.batch_reduction == "sum" else "batch mean", language))
    title = say(PHASE_TITLES[phase], language)
    if not where:
        return title
    return f"{title}（{'，'.join(where)}）" if language == "zh" else f"{title} ({', '.join(where)})"


def build_sheet(variant: Variant, language: str = "en") -> Sheet:
    """The Sheet of a variant: diagram, conventions, givens, and every step of the walk-through.

    ``language`` ("en" or "zh") is the language of every word printed; numbers and formulas are
    the same in both.
    """
    trace = variant.trace or solve(variant.exercise)
    asked = set(trace.asked_keys())
    parts = []
    ex = variant.exercise
    for section in walkthrough(trace):
        if section.lines and trace.steps[section.lines[0].key].phase == "given":
            continue
        first = trace.steps[section.lines[0].key]
        part = Part(part_title(first.key, first.phase, first.kind, ex, language))
        for line in section.lines:
            part.rows.append(
                Row(
                    key=line.key,
                    symbol=symbol(line.key, language),
                    formula=formula(line.formula, line.key, language),
                    substituted=formula(line.substituted, line.key, language),
                    value=fixed(line.value, ANSWER_FIGURES),
                    asked=line.key in asked,
                )
            )
        parts.append(part)
    return Sheet(
        variant,
        network_svg(ex, language=language),
        conventions(ex, language),
        givens(ex, language),
        parts,
        language,
    )
