"""Batch training: the unprefixed gradients are the sum or mean of the per-sample ones."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from grader.engine import Exercise, solve

from .strategies import exercises, parameters, prefix, with_parameters

BATCHES = exercises(update="batch", samples=(2, 4), iterations=(1, 3))


def _reduce(values: list[float], reduction: str):
    """The exact sum or mean, as pytest.approx allowing the rounding of adding ``values`` in any order."""
    total = math.fsum(values)
    slack = 1e-14 * math.fsum(abs(v) for v in values)
    if reduction == "mean":
        return pytest.approx(total / len(values), rel=1e-12, abs=slack / len(values))
    return pytest.approx(total, rel=1e-12, abs=slack)


@settings(max_examples=60, deadline=None)
@given(exercise=BATCHES)
def test_batch_is_the_reduction_of_the_samples(exercise: Exercise):
    trace = solve(exercise)
    count = len(exercise.samples)
    for it in range(1, exercise.iterations + 1):
        pre = prefix(it, None)
        each = [prefix(it, m) for m in range(1, count + 1)]
        energies = [trace[f"{s}E"] for s in each]
        assert trace[f"{pre}E"] == _reduce(energies, exercise.batch_reduction)
        for name in parameters(exercise):
            parts = [trace[f"{s}grad_{name}"] for s in each]
            assert trace[f"{pre}grad_{name}"] == _reduce(parts, exercise.batch_reduction), pre + name


@settings(max_examples=60, deadline=None)
@given(exercise=BATCHES)
def test_batch_gradient_from_single_sample_exercises(exercise: Exercise):
    # Independent evidence: each sample solved alone, as its own one-sample exercise, at the weights
    # the batch had reached, gives the batch's per-sample gradient; reduced, the batch gradient.
    trace = solve(exercise)
    values = parameters(exercise)
    for it in range(1, exercise.iterations + 1):
        alone = [solve(with_parameters(exercise, values, samples=(s,), iterations=1)) for s in exercise.samples]
        for name in values:
            grads = [t[f"grad_{name}"] for t in alone]
            for m, grad in enumerate(grads, start=1):
                assert trace[f"{prefix(it, m)}grad_{name}"] == pytest.approx(grad, rel=1e-12, abs=1e-14)
            assert trace[f"{prefix(it, None)}grad_{name}"] == _reduce(grads, exercise.batch_reduction)
        values = {name: trace[f"{prefix(it, None)}new_{name}"] for name in values}


@settings(max_examples=30, deadline=None)
@given(exercise=exercises(update="batch", samples=(1, 1), iterations=(1, 2)))
def test_batch_of_one_is_online(exercise: Exercise):
    # One sample: sum and mean are the sample itself, so batch and online agree and keys carry no s1.
    batch = solve(exercise)
    online = solve(with_parameters(exercise, parameters(exercise), update="online"))
    assert batch.values == online.values
    assert not any(".s1." in k or k.startswith("s1.") for k in batch.steps)
