"""What a worksheet and an answer key show, gathered from a variant: the Sheet.

The Jinja2 templates in ``templates/`` only lay a Sheet out; everything computed (labels,
formulas in student notation, number formats, the diagram) is done here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.engine import Exercise, solve
from grader.engine.walkthrough import walkthrough
from grader.generation import Variant
from grader.worksheets.conventions import conventions
from grader.worksheets.diagram import network_svg
from grader.worksheets.notation import fixed, formula, given, subscript, symbol

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

    def __repr__(self) -> str:
        return f"Sheet({self.variant!r}, {len(self.parts)} parts)"

    @property
    def exercise(self) -> Exercise:
        return self.variant.exercise

    @property
    def asked_parts(self) -> list[Part]:
        """The parts with only the asked rows, for the worksheet's answer grid."""
        out = [Part(p.title, [r for r in p.rows if r.asked]) for p in self.parts]
        return [p for p in out if p.rows]

    @property
    def asked_count(self) -> int:
        return sum(len(p.rows) for p in self.asked_parts)


def givens(exercise: Exercise) -> list[tuple[str, list[str]]]:
    """(what, ["y₁ = 0.35", ...]) rows of the given values, as the student copies them."""
    inputs = exercise.node_layers[0]
    outputs = exercise.output_nodes
    rows = []
    names = ["t"] if len(outputs) == 1 else [f"t{subscript(j)}" for j in outputs]
    for m, sample in enumerate(exercise.samples, start=1):
        where = f"Sample {m} " if len(exercise.samples) > 1 else ""
        target = "target" if len(outputs) == 1 else "targets"
        rows.append(
            ((where + "inputs").capitalize(), [f"y{subscript(i)} = {given(x)}" for i, x in zip(inputs, sample.inputs)])
        )
        rows.append(((where + target).capitalize(), [f"{n} = {given(t)}" for n, t in zip(names, sample.targets)]))
    for prev, layer in zip(exercise.node_layers, exercise.node_layers[1:]):
        rows.append(
            (
                f"Weights into {', '.join(map(str, layer))}" if len(layer) > 1 else f"Weights into {layer[0]}",
                [f"w{subscript(j, i)} = {given(exercise.weights[f'w{j}_{i}'])}" for j in layer for i in prev],
            )
        )
    if exercise.biases:
        what = "Thresholds" if exercise.bias == "threshold" else "Biases"
        rows.append((what, [f"b{subscript(int(k[1:]))} = {given(v)}" for k, v in exercise.biases.items()]))
    rows.append(("Learning rate", [f"η = {given(exercise.learning_rate)}"]))
    return rows


def build_sheet(variant: Variant) -> Sheet:
    """The Sheet of a variant: diagram, conventions, givens, and every step of the walk-through."""
    trace = variant.trace or solve(variant.exercise)
    asked = set(trace.asked_keys())
    parts = []
    ex = variant.exercise
    batch = len(ex.samples) > 1 and ex.update == "batch"
    for section in walkthrough(trace):
        if section.lines and trace.steps[section.lines[0].key].phase == "given":
            continue
        title = section.title.replace(") (", ", ")
        part = Part(_batch_title(title, trace.steps[section.lines[0].key].kind, ex) if batch else title)
        for line in section.lines:
            part.rows.append(
                Row(
                    key=line.key,
                    symbol=symbol(line.key),
                    formula=formula(line.formula, line.key),
                    substituted=formula(line.substituted, line.key),
                    value=fixed(line.value, ANSWER_FIGURES),
                    asked=line.key in asked,
                )
            )
        parts.append(part)
    return Sheet(variant, network_svg(variant.exercise), conventions(variant.exercise), givens(variant.exercise), parts)


def _batch_title(title: str, kind: str, exercise: Exercise) -> str:
    """Mark the batch totals' sections, which the walk-through titles like per-sample ones."""
    if kind not in ("E_batch", "grad_batch"):
        return title
    how = "batch sum" if exercise.batch_reduction == "sum" else "batch mean"
    return f"{title[:-1]}, {how})" if title.endswith(")") else f"{title} ({how})"
