"""The worked solution a student sees once the policy's reveal rule allows it.

It is the walk-through of ``grader solve`` (``grader.engine.walkthrough``): every formula with its
numbers, in student notation.  Beside each line goes the student's own value from the attempt
shown; a step graded ``carried`` also gets the formula with the student's own earlier numbers
substituted, which is what earned it the credit.  A plot of the error E over the iterations
shows the point of the exercise: one step of back-propagation lowers E.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.engine import keys
from grader.engine.rules import number
from grader.engine.trace import Trace
from grader.engine.walkthrough import walkthrough
from grader.grading.answers import Invalid, parse_number
from grader.service.pages.formatting import field_label, group_title
from grader.worksheets import notation


@dataclass(frozen=True)
class Yours:
    """The student's entry for a step, as typed, with its verdict."""

    text: str
    verdict: str
    # For a carried step: the formula with the student's own numbers, and what it gives.
    own_substituted: str | None = None
    own_value: str | None = None


@dataclass(frozen=True)
class SolutionLine:
    key: str
    label: str
    formula: str
    substituted: str
    value: str
    yours: Yours | None = None


@dataclass
class SolutionSection:
    title: str
    lines: list[SolutionLine] = field(default_factory=list)


def own_values(trace: Trace, answers: Mapping[str, Any]) -> dict[str, float]:
    """Every step's value as the student's own work has it.

    A number the student gave is theirs; a step they left out (or wrote unreadably) is its rule
    applied to their own earlier values, as the grader's follow-through does.
    """
    out: dict[str, float] = {}
    for key, step in trace.steps.items():
        given = parse_number(answers[key]) if key in answers else None
        if step.phase == "given":
            out[key] = step.value
        elif isinstance(given, float):
            out[key] = given
        else:
            out[key] = _apply(step.rule, [out[k] for k in step.inputs], step.value)
    return out


def _apply(rule, args: list[float], fallback: float) -> float:
    try:
        value = rule(*args)
    except (ArithmeticError, ValueError, TypeError):
        return fallback
    return value if value is not None and math.isfinite(value) else fallback


def build(trace: Trace, shown: Mapping[str, Any] | None) -> list[SolutionSection]:
    """The worked solution in sections (one per phase, iteration and sample), for the attempt ``shown``."""
    asked = set(trace.asked_keys())
    answers = shown["answers"] if shown else {}
    results = shown["results"] if shown else {}
    own = own_values(trace, answers) if shown else {}
    sections: list[SolutionSection] = []
    for section in walkthrough(trace):
        for line in section.lines:
            step = trace.steps[line.key]
            if step.phase == "given" or line.key not in asked:
                continue
            title = group_title(step.phase, line.key)
            if not sections or sections[-1].title != title:
                sections.append(SolutionSection(title))
            sections[-1].lines.append(
                SolutionLine(
                    key=line.key,
                    label=field_label(line.key),
                    formula=notation.formula(line.formula, line.key),
                    substituted=notation.formula(line.substituted, line.key),
                    value=number(line.value),
                    yours=_yours(trace, line.key, answers, results, own),
                )
            )
    return sections


def _yours(trace: Trace, key: str, answers, results, own: dict[str, float]) -> Yours | None:
    result = results.get(key)
    if result is None:
        return None
    text = str(answers.get(key, "")).strip()
    if result["verdict"] != "carried":
        return Yours(text, result["verdict"])
    step = trace.steps[key]
    args = [own[k] for k in step.inputs]
    _formula, substituted = step.rule.explain(step.inputs, args)
    return Yours(
        text,
        "carried",
        own_substituted=notation.formula(substituted, key),
        own_value=number(_apply(step.rule, args, step.value)),
    )


# The plot of E: geometry only; student/_loss_plot.html draws it.
WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
SERIES_COLOURS = ("#0969da", "#8250df", "#bf3989", "#1a7f37")


@dataclass
class Series:
    name: str
    colour: str
    points: list[tuple[float, float, int, float]]  # (x, y, iteration, E)

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}" for n, (x, y, _i, _e) in enumerate(self.points))


@dataclass
class LossPlot:
    series: list[Series]
    x_ticks: list[tuple[float, int]]
    y_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT
    yours: list[tuple[float, float, int, float]] = field(default_factory=list)


def loss_series(trace: Trace) -> dict[int | None, list[tuple[int, str]]]:
    """The error's keys by sample (None: the whole batch, or the single sample), each as (iteration, key)."""
    by_sample: dict[int | None, list[tuple[int, str]]] = {}
    for key, step in trace.steps.items():
        if step.phase != "loss":
            continue
        parsed = keys.parse(key)
        if parsed is None or parsed.name != "E":
            continue
        by_sample.setdefault(parsed.sample, []).append((parsed.iteration, key))
    if None in by_sample:  # a batch total, or one sample: plot that alone
        return {None: by_sample[None]}
    return by_sample


def loss_plot(trace: Trace, answers: Mapping[str, Any] | None = None, sample_word: str = "sample") -> LossPlot | None:
    """E over the iterations, one line per sample (or the total); None with fewer than two iterations.

    ``answers`` adds the student's own E values of the total (or single-sample) line as markers.
    """
    series_keys = loss_series(trace)
    iterations = sorted({it for pairs in series_keys.values() for it, _k in pairs})
    if len(iterations) < 2:
        return None
    values = [trace.steps[k].value for pairs in series_keys.values() for _it, k in pairs]
    yours_pairs = []
    if answers and None in series_keys:
        for it, key in series_keys[None]:
            mine = parse_number(answers[key]) if key in answers else None
            if isinstance(mine, float) and not isinstance(mine, Invalid) and math.isfinite(mine):
                yours_pairs.append((it, mine))
    top_value = max([*values, *(e for _it, e in yours_pairs)])
    low_value = min([0.0, *values, *(e for _it, e in yours_pairs)])
    span = (top_value - low_value) or 1.0
    top_value += 0.08 * span
    span = top_value - low_value

    def x(iteration: int) -> float:
        return LEFT + (iteration - iterations[0]) * (WIDTH - LEFT - RIGHT) / (iterations[-1] - iterations[0])

    def y(value: float) -> float:
        return HEIGHT - BOTTOM - (value - low_value) * (HEIGHT - TOP - BOTTOM) / span

    series = []
    for n, (sample, pairs) in enumerate(sorted(series_keys.items(), key=lambda item: item[0] or 0)):
        name = "E" if sample is None else f"E ({sample_word} {sample})"
        points = [(x(it), y(trace.steps[k].value), it, trace.steps[k].value) for it, k in sorted(pairs)]
        series.append(Series(name, SERIES_COLOURS[n % len(SERIES_COLOURS)], points))
    ticks = [low_value + span * i / 4 for i in range(5)]
    return LossPlot(
        series=series,
        x_ticks=[(x(it), it) for it in iterations],
        y_ticks=[(y(v), notation.fixed(v, 3)) for v in ticks],
        yours=[(x(it), y(e), it, e) for it, e in yours_pairs],
    )
