"""Misconceptions must give answers a student's work can be told apart by.

The check reads the grader's own catalogue (``grader.grading.misconceptions``): each entry's rule
is applied to the reference trace at every first-iteration step it can show at (in a phase the
exercise asks for), giving the value a student with that one mistake would write there.  Steps
where the rule has no value, or gives exactly the right one (f' = 1 for an active ReLU, y = z for
a linear node, a learning rate of 1), are where the mistake cannot happen; a misconception with
no other step is not checked.  Otherwise at least one of its values must be ``separated`` from the
reference (see ``Constraints.separated``), and, for entries marked ``everywhere``, every one of
them must differ from the reference by the relative ``separation`` (a derivative factor not ~1,
y not ~z, a delta not ~0).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from grader.engine import Trace, keys
from grader.engine.trace import Step
from grader.generation.constraints import Constraints, Violation
from grader.generation.passes import Pass
from grader.grading.misconceptions import CATALOGUE, Misconception

Records = dict[tuple[int, int | None], Pass]


def misconception_violations(trace: Trace, records: Records, c: Constraints) -> Iterator[Violation]:
    """Each misconception (of those the template distinguishes) whose answers cannot be told apart."""
    asked = {trace.steps[k].phase for k in trace.asked_keys()}
    first = [s for k, s in trace.steps.items() if s.phase in asked and keys.split(k).iteration == 1]
    for misconception in CATALOGUE:
        if misconception.code in c.distinguish:
            found = _check(misconception, trace, [s for s in first if s.kind in misconception.kinds], c)
            if found:
                yield found


def _reference(trace: Trace):
    return lambda key: trace.steps[key].value


def _alternative(misconception: Misconception, step: Step, trace: Trace) -> float | None:
    """The value a student with this misconception writes at ``step``; None where it does not apply."""
    try:
        value = misconception.rule(step, _reference(trace), trace)
    except (ArithmeticError, ValueError):
        return None
    if value is None or not math.isfinite(value) or value == step.value:
        return None
    return value


def _check(misconception: Misconception, trace: Trace, steps: list[Step], c: Constraints) -> Violation | None:
    shown = [(step, alt) for step in steps if (alt := _alternative(misconception, step, trace)) is not None]
    if not shown:
        return None
    code = misconception.code
    if misconception.everywhere:
        for step, alt in shown:
            if not c.apart(step.value, alt):
                return Violation.of(code, "v_too_close_at", key=step.key, right=f"{step.value:.4g}", wrong=f"{alt:.4g}")
    if not any(c.separated(step.value, alt) for step, alt in shown):
        where = ", ".join(step.key for step, _ in shown[:4]) + (", ..." if len(shown) > 4 else "")
        return Violation.of(code, "v_too_close_everywhere", steps=where)
    return None
