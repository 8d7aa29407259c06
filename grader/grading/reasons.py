"""Why an ``incorrect`` value is wrong, where the value itself shows it.

Each reason compares the student's value with what they should have written (what their own
earlier values give, or the reference where that cannot be worked out), and never reveals it:

- ``sign_flipped``: the right magnitude with the wrong sign;
- ``power_of_ten``: off by a factor of 10, 100 or 1000 (a slipped decimal point);
- ``too_coarse``: the right value rounded more coarsely than the policy accepts; the message
  says how many figures it needs;
- ``other_iteration`` / ``other_sample`` / ``neighbour``: the value of the same step in another
  iteration or sample, or of a neighbouring node or weight (z4 for z3, y3 for z3, w54 for w53).

A reason is given only when it is unambiguous: a candidate that is itself within tolerance of the
right value explains nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from grader.engine.trace import Trace
from grader.grading.evidence import TraceFacts, split
from grader.grading.tolerance import Tolerance

POWERS = (10.0, 100.0, 1000.0, 0.1, 0.01, 0.001)
COARSER = 6  # how many powers of ten coarser than the policy's precision are tried


def reason(
    trace: Trace,
    facts: TraceFacts,
    tolerance: Tolerance,
    effective: Mapping[str, float],
    key: str,
    value: float,
    right: float,
) -> tuple[str, dict[str, Any]] | None:
    """The reason code and its message parameters for ``value`` at ``key``, where ``right`` is due."""
    close = tolerance.close
    if abs(right) >= tolerance.resolution(right):
        if close(value, -right):
            return "sign_flipped", {}
        for power in POWERS:
            if close(value, right * power):
                return "power_of_ten", {"factor": power}
        coarse = _too_coarse(tolerance, value, right)
        if coarse is not None:
            return "too_coarse", coarse
    for other in facts.kin.get(key, ()):
        for candidate in (effective.get(other), trace.steps[other].value):
            if candidate is None or not close(value, candidate) or close(candidate, right):  # rarer test first
                continue
            here, there = split(key), split(other)
            if here[0] != there[0]:
                return "other_iteration", {"other": other}
            if here[1] != there[1]:
                return "other_sample", {"other": other}
            return "neighbour", {"other": other}
    return None


def _too_coarse(tolerance: Tolerance, value: float, right: float) -> dict[str, Any] | None:
    """The precision needed, if ``value`` is ``right`` rounded to a coarser unit than the policy's."""
    needed = tolerance.resolution(right)
    for step in range(1, COARSER + 1):
        unit = needed * 10.0**step
        rounded = round(right / unit) * unit
        if rounded != 0.0 and abs(value - rounded) <= 1e-9 * max(1.0, abs(value)) + 1e-12:
            decimals = max(0, -round(math.log10(needed)))
            figures = max(1, math.floor(math.log10(abs(right))) - round(math.log10(needed)) + 1)
            return {"decimals": decimals, "figures": figures}
    return None
