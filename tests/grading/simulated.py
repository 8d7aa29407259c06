"""Simulated students: they work through a trace step by step from their own written values."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence

from hypothesis import strategies as st

from grader.engine import Exercise, Step, Trace, keys
from grader.grading.misconceptions import Misconception

Rounder = Callable[[float], float]


def decimals(places: int) -> Rounder:
    return lambda v: round(v, places)


def sigfigs(figures: int) -> Rounder:
    return lambda v: float(f"{v:.{figures}g}")


# A habit: what a student writes at a step instead of the right value, from the values they have
# written so far (None: the right value).
Habit = Callable[[Step, dict[str, float]], float | None]


def work(
    trace: Trace,
    rounder: Rounder = float,
    slip: tuple[str, float] | None = None,
    misconception: Misconception | Sequence[Misconception] | None = None,
    habit: Habit | None = None,
    slips: dict[str, float] | None = None,
) -> dict[str, float]:
    """Every step the student computes, from their own rounded values, as they would write it.

    ``misconception`` may be several: the student applies each wherever its rule applies (where two
    apply at one step, the first that gives a value: the catalogue has no rule for both at once)."""
    own: dict[str, float] = {}
    wrong_rules = (misconception,) if isinstance(misconception, Misconception) else tuple(misconception or ())
    slips = dict(slips or {})
    if slip is not None:
        slips[slip[0]] = slip[1]

    def value(key: str) -> float:
        return own[key] if key in own else trace.steps[key].value

    for key, step in trace.steps.items():
        if step.phase == "given":
            own[key] = step.value
            continue
        try:
            result = step.rule(*[own[k] for k in step.inputs])
        except (ArithmeticError, ValueError):  # e.g. ln(0) once a mistake drives y to 0 or 1
            result = math.nan
        for wrong_rule in wrong_rules:
            if step.kind not in wrong_rule.kinds:
                continue
            try:
                wrong = wrong_rule.rule(step, value, trace)
            except (ArithmeticError, ValueError):  # e.g. a wrong rule's ln(0)
                wrong = None
            if wrong is not None and math.isfinite(wrong):
                result = wrong
                break
        if habit is not None:
            instead = habit(step, own)
            result = result if instead is None else instead
        if key in slips:
            result *= slips[key]
        own[key] = rounder(result)
    return {k: own[k] for k in trace.asked_keys()}


def weights_for(layers: list[int], draw_number) -> dict[str, float]:
    return {name: draw_number() for name in keys.weight_names(layers)}


def random_exercise(rng: random.Random, **fixed) -> Exercise:
    """A random hand-sized exercise over every activation, loss, bias mode and update mode."""

    def pick(name, options):
        return fixed[name] if name in fixed else rng.choice(options)

    def short(low, high):
        value = round(rng.uniform(low, high), 2)
        return value if abs(value) >= 0.05 else math.copysign(0.1, value)

    shapes = [[2, 2, 1], [1, 2, 1], [2, 3, 2, 1], [2, 2, 2], [3, 2, 1], [2, 3, 3]]
    outputs = ["sigmoid", "tanh", "linear", "leaky_relu", "softmax"]
    if "layers" in fixed and fixed["layers"][-1] == 1:
        outputs.remove("softmax")
    output = pick("output", outputs)
    layers = pick("layers", [s for s in shapes if s[-1] > 1] if output == "softmax" else shapes)
    losses = {"sigmoid": ["binary_cross_entropy", "cross_entropy"], "softmax": ["cross_entropy", "cross_entropy"]}
    loss = pick("loss", ["half_sse", "sse", "mse", *losses.get(output, [])])
    if loss == "binary_cross_entropy" or (loss == "cross_entropy" and output != "softmax"):
        output = "sigmoid"
    hidden = [pick("hidden", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]) for _ in layers[1:-1]]
    bias = pick("bias", ["none", "bias", "threshold"])
    samples = pick("samples", [1, 1, 2])
    doc = {
        "layers": layers,
        "activation": [*hidden, output],
        "loss": loss,
        "bias": bias,
        "learning_rate": pick("learning_rate", [0.5, 1.0, 0.8, 2.0]),
        "weights": weights_for(layers, lambda: short(-1, 1)),
        "samples": [
            {
                "inputs": [short(-1, 1) for _ in range(layers[0])],
                "targets": distribution(rng, layers[-1])
                if loss == "cross_entropy"
                else [short(0.1, 0.9) for _ in range(layers[-1])],
            }
            for _ in range(samples)
        ],
        "iterations": pick("iterations", [1, 1, 2]),
        "update": pick("update", ["online", "batch"]),
        "batch_reduction": pick("batch_reduction", ["sum", "mean"]),
        "delta_convention": pick("delta_convention", ["dE/dz", "dE/dz", "-dE/dz"]),
        "leaky_slope": pick("leaky_slope", [0.01, 0.1, 0.2]),
    }
    if bias != "none":
        doc["biases"] = {f"b{j}": short(-0.5, 0.5) for j in range(layers[0] + 1, sum(layers) + 1)}
    return Exercise.from_mapping(doc)


def distribution(rng: random.Random, size: int) -> list[float]:
    """Cross-entropy targets: mostly one-hot, sometimes a distribution in tenths."""
    if size == 1:
        return [1.0]
    if rng.random() < 0.7:
        hot = rng.randrange(size)
        return [1.0 if k == hot else 0.0 for k in range(size)]
    tenths = sorted(rng.sample(range(1, 10), size - 1))
    cuts = [0, *tenths, 10]
    return [(b - a) / 10 for a, b in itertools.pairwise(cuts)]


@st.composite
def exercises(draw, **fixed) -> Exercise:
    """The hypothesis strategy over ``random_exercise``."""
    return random_exercise(draw(st.randoms(use_true_random=False)), **fixed)
