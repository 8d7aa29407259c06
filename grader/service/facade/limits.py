"""How much work one request may ask for: exercises are bounded in computed steps.

A hand exercise has tens to a few hundred steps.  An inline exercise or template could ask for
six layers of 16 nodes, 16 samples and 1,000 iterations, millions of steps, and tie up a worker
for minutes; so its size is estimated from the raw document, before anything is solved, and
refused above ``MAX_TRACE_STEPS``.  The generator's resampling is bounded too.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from grader.service.facade.errors import ExerciseTooLarge, coded

MAX_TEMPLATE_TRIES = 100
# CPU seconds one request may spend searching for a variant (a new student's first view, a new
# inline set's trial draw, an editor preview).  A vetted template finds one in milliseconds; a
# template whose constraints can never be met would otherwise spend its every try.
GENERATION_BUDGET = 0.5


def _numbers(value: Any) -> list[float]:
    """Every number inside a value (a plain number, or a random rule's bounds and choices)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, Mapping):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


def estimated_steps(doc: Any) -> int:
    """Roughly how many steps solving this exercise (or any variant of this template) computes."""
    if not isinstance(doc, Mapping):
        return 0
    layers = doc.get("layers")
    if not isinstance(layers, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in layers):
        return 0
    layers = [max(0, min(n, 10_000)) for n in layers[:100]]
    nodes = sum(layers[1:])
    weights = sum(a * b for a, b in itertools.pairwise(layers))
    biases = nodes if doc.get("bias", "none") != "none" else 0
    samples = doc.get("samples")
    count = len(samples) if isinstance(samples, list) else 1
    iterations = max(_numbers(doc.get("iterations", 1)) or [1.0])
    per_sample = 3 * nodes + 1 + 2 * (weights + biases)
    return int(max(1.0, min(iterations, 1e9)) * max(1, count) * per_sample)


def check_size(doc: Any, limit: int, where: str) -> None:
    """``ExerciseTooLarge`` when the exercise at pointer ``where`` would take more than ``limit`` steps."""
    steps = estimated_steps(doc)
    if steps > limit:
        raise ExerciseTooLarge(
            f"this exercise would compute about {steps} steps; the server allows {limit} per exercise "
            "(fewer layers, nodes, samples or iterations)",
            [coded(where, "server_steps_short", steps=steps, most=limit)],
        )
