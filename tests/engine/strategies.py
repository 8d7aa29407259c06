"""Hypothesis strategies for small random exercises whose numbers stay in a moderate range.

Weights and biases lie in [-1.5, 1.5], inputs in [-1, 1] and targets in (0.05, 0.95).  Training can
still diverge over several iterations (or linear layers can feed a sigmoid a large z, so that it
rounds to exactly 1 and cross-entropy is infinite); the loader rejects such exercises, and so do
these strategies: every exercise they give has a finite trace.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from grader.engine import Exercise, solve
from grader.engine.activations import ACTIVATIONS as REGISTERED_ACTIVATIONS
from grader.engine.losses import LOSSES as REGISTERED_LOSSES

# Every registered activation and loss, so that a new entry is checked against finite differences too.
ACTIVATIONS = tuple(REGISTERED_ACTIVATIONS)
HIDDEN = tuple(name for name, a in REGISTERED_ACTIVATIONS.items() if not a.output_only)  # softmax: output only
LOSSES = tuple(REGISTERED_LOSSES)
ANY_OUTPUT = tuple(name for name, loss in REGISTERED_LOSSES.items() if not loss.outputs)
BIAS_MODES = ("none", "bias", "threshold")
CONVENTIONS = ("dE/dz", "-dE/dz")

_moderate = st.floats(min_value=-1.5, max_value=1.5, allow_nan=False, allow_infinity=False)
_inputs = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False)
_targets = st.floats(min_value=0.05, max_value=0.95, allow_nan=False, allow_infinity=False)
_biases = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False)


def _vectors(size: int):
    return st.lists(_targets, min_size=size, max_size=size)


def _distributions(size: int):
    """Targets summing to 1: one-hot, or a distribution made of whole-number weights."""
    one_hot = st.integers(0, size - 1).map(lambda k: [1.0 if j == k else 0.0 for j in range(size)])
    weights = st.lists(st.integers(1, 4), min_size=size, max_size=size)
    return st.one_of(one_hot, weights.map(lambda w: [x / sum(w) for x in w]))


def _fixed_or(strategy, value):
    return st.just(value) if value is not None else strategy


@st.composite
def exercises(
    draw,
    *,
    output=None,
    loss=None,
    bias=None,
    update=None,
    reduction=None,
    convention=None,
    samples=(1, 3),
    iterations=(1, 1),
    depth=(2, 4),
) -> Exercise:
    """A random valid exercise; any keyword fixes that setting, the rest are drawn."""
    layers = draw(st.lists(st.integers(1, 3), min_size=depth[0], max_size=depth[1]))
    output = draw(_fixed_or(st.sampled_from(ACTIVATIONS), output))
    if REGISTERED_ACTIVATIONS[output].output_only:
        layers[-1] = max(2, layers[-1])
    allowed = [name for name in LOSSES if name in ANY_OUTPUT or output in REGISTERED_LOSSES[name].outputs]
    loss = draw(_fixed_or(st.sampled_from(allowed), loss))
    hidden = draw(st.lists(st.sampled_from(HIDDEN), min_size=len(layers) - 2, max_size=len(layers) - 2))
    bias = draw(_fixed_or(st.sampled_from(BIAS_MODES), bias))
    shell = Exercise(layers=tuple(layers), activations=(*hidden, output), weights={}, samples=(), bias=bias)
    doc = {
        "layers": layers,
        "activation": [*hidden, output],
        "loss": loss,
        "bias": bias,
        "learning_rate": draw(st.floats(min_value=0.05, max_value=2.0)),
        "weights": {name: draw(_moderate) for name in shell.weight_names()},
        "biases": {name: draw(_biases) for name in shell.bias_names()},
        "samples": [
            {
                "inputs": draw(st.lists(_inputs, min_size=layers[0], max_size=layers[0])),
                "targets": draw(
                    _distributions(layers[-1]) if REGISTERED_LOSSES[loss].distribution else _vectors(layers[-1])
                ),
            }
            for _ in range(draw(st.integers(*samples)))
        ],
        "iterations": draw(st.integers(*iterations)),
        "leaky_slope": draw(st.sampled_from((0.01, 0.1, 0.25))),
        "update": draw(_fixed_or(st.sampled_from(("online", "batch")), update)),
        "batch_reduction": draw(_fixed_or(st.sampled_from(("sum", "mean")), reduction)),
        "delta_convention": draw(_fixed_or(st.sampled_from(CONVENTIONS), convention)),
    }
    exercise = Exercise.from_mapping(doc)
    with np.errstate(all="ignore"):  # overflow is expected in the examples rejected here
        values = solve(exercise).values
    assume(all(math.isfinite(v) for v in values.values()))
    return exercise


def parameters(exercise: Exercise) -> dict[str, float]:
    """Every weight and bias of an exercise by name."""
    return {**exercise.weights, **exercise.biases}


def with_parameters(exercise: Exercise, values: dict[str, float], **changes) -> Exercise:
    """The same exercise with its weights and biases taken from ``values``."""
    weights = {k: values[k] for k in exercise.weight_names()}
    biases = {k: values[k] for k in exercise.bias_names()}
    return dataclasses.replace(exercise, weights=weights, biases=biases, **changes)


def prefix(iteration: int, sample: int | None) -> str:
    """The key prefix docs/step-keys.md prescribes: it{k}. for k >= 2, then s{m}. for numbered samples."""
    return (f"it{iteration}." if iteration > 1 else "") + (f"s{sample}." if sample is not None else "")


def updates(exercise: Exercise):
    """(prefix of the update, sample index or None for a batch) for every update, in training order."""
    many = len(exercise.samples) > 1
    batch = exercise.update == "batch" and many
    for it, m in itertools.product(range(1, exercise.iterations + 1), range(len(exercise.samples))):
        if batch:
            if m == 0:
                yield prefix(it, None), None
        else:
            yield prefix(it, m + 1 if many else None), m
