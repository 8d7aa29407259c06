"""The textbook walk-through of a trace: each step's formula, with its numbers substituted.

This is the answer key students read, e.g. ``z3 = w3_1*y1 + w3_2*y2 = 0.1*0.35 + 0.8*0.9 = 0.755``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.engine import keys
from grader.engine.rules import number
from grader.engine.trace import Trace

PHASE_TITLES = {
    "given": "Given",
    "forward": "Forward pass",
    "loss": "Loss",
    "backward": "Backward pass (deltas)",
    "gradients": "Gradients",
    "updates": "Updated weights",
}


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    formula: str
    substituted: str
    value: float

    def __str__(self) -> str:
        parts = [self.key]
        if self.formula:
            parts.append(self.formula)
        if self.substituted:
            parts.append(self.substituted)
        parts.append(number(self.value))
        return " = ".join(parts)


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


def _section_title(key: str, phase: str) -> str:
    parsed = keys.parse(key)
    where = []
    if parsed and parsed.iteration > 1:
        where.append(f"iteration {parsed.iteration}")
    if parsed and parsed.sample is not None:
        where.append(f"sample {parsed.sample}")
    title = PHASE_TITLES[phase]
    return f"{title} ({', '.join(where)})" if where else title


def walkthrough(trace: Trace) -> list[Section]:
    """The trace as titled sections of substituted formulas, in the order a student works."""
    sections: list[Section] = []
    for step in trace.steps.values():
        title = _section_title(step.key, step.phase)
        if not sections or sections[-1].title != title:
            sections.append(Section(title))
        if step.phase == "given":
            sections[-1].lines.append(Line(step.key, "", "", step.value))
            continue
        args = [trace.steps[k].value for k in step.inputs]
        formula, substituted = step.rule.explain(step.inputs, args)
        sections[-1].lines.append(Line(step.key, formula, substituted, step.value))
    return sections


def render_text(trace: Trace) -> str:
    """The walk-through as plain text."""
    ex = trace.exercise
    head = [
        ex.title,
        f"Network {'-'.join(map(str, ex.layers))}, activation {', '.join(ex.activations)}, "
        f"loss {ex.loss}, bias {ex.bias}, learning rate {number(ex.learning_rate)}, "
        f"delta = {ex.delta_convention}, {ex.update} updates",
    ]
    out = ["\n".join(head)]
    for section in walkthrough(trace):
        out.append(f"{section.title}\n" + "\n".join(f"  {line}" for line in section.lines))
    return "\n\n".join(out) + "\n"
