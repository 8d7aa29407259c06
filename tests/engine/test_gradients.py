"""Every gradient of the trace against central finite differences of the loss, on random networks.

The loss is evaluated by solving copies of the exercise with one weight or bias nudged by +-h,
so the check relies on nothing but the forward pass and the loss.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.engine import Exercise, Trace, solve
from grader.engine.losses import LOSSES as REGISTERED_LOSSES

from .strategies import ACTIVATIONS, BIAS_MODES, LOSSES, exercises, parameters, updates, with_parameters

H = 1e-6
# Draws too close to ReLU's kink or to saturation are skipped (``_well_conditioned``); with several
# samples that can be most draws, which is by design, not a sign of a bad strategy.
EXAMPLES = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


def _well_conditioned(trace: Trace) -> bool:
    """Every first-iteration net input is clear of ReLU's kink at z = 0 (where there is no
    derivative) and of saturation (where 1 - y loses the digits a finite difference needs)."""
    return all(1e-3 < abs(s.value) < 8.0 for k, s in trace.steps.items() if s.kind == "z" and not k.startswith("it"))


def _central_difference(exercise: Exercise, name: str, loss_key: str) -> float:
    values = parameters(exercise)
    h = H * max(1.0, abs(values[name]))
    up = solve(with_parameters(exercise, {**values, name: values[name] + h}))[loss_key]
    down = solve(with_parameters(exercise, {**values, name: values[name] - h}))[loss_key]
    return (up - down) / (2 * h)


def _assert_gradients(trace: Trace, exercise: Exercise, grad_prefix: str, loss_key: str) -> None:
    """trace[grad_prefix + grad_<p>] is dE/dp for every parameter p of ``exercise``, E = its ``loss_key``."""
    scale = 1.0 + abs(solve(exercise)[loss_key])
    for name in parameters(exercise):
        expected = _central_difference(exercise, name, loss_key)
        got = trace[f"{grad_prefix}grad_{name}"]
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-7 * scale), (grad_prefix, name)


@pytest.mark.parametrize(
    ("output", "loss"),
    [
        (a, loss)
        for a, loss in itertools.product(ACTIVATIONS, LOSSES)
        if not REGISTERED_LOSSES[loss].outputs or a in REGISTERED_LOSSES[loss].outputs
    ],
)
@EXAMPLES
@given(data=st.data())
def test_one_sample(output, loss, data):
    exercise = data.draw(exercises(output=output, loss=loss, samples=(1, 1)))
    trace = solve(exercise)
    assume(_well_conditioned(trace))
    _assert_gradients(trace, exercise, "", "E")


@pytest.mark.parametrize("bias", BIAS_MODES)
@EXAMPLES
@given(data=st.data())
def test_online_samples_in_turn(bias, data):
    # Online: sample m's gradient is taken at the weights left by the update for sample m - 1.
    exercise = data.draw(exercises(bias=bias, update="online", samples=(2, 3)))
    trace = solve(exercise)
    assume(_well_conditioned(trace))
    values = parameters(exercise)
    for m, sample in enumerate(exercise.samples, start=1):
        alone = with_parameters(exercise, values, samples=(sample,))
        _assert_gradients(trace, alone, f"s{m}.", "E")
        values = {name: trace[f"s{m}.new_{name}"] for name in values}


@pytest.mark.parametrize(("bias", "reduction"), list(itertools.product(BIAS_MODES, ("sum", "mean"))))
@EXAMPLES
@given(data=st.data())
def test_batch(bias, reduction, data):
    # Batch: the unprefixed E is the sum or mean of the samples' E, and grad_* its gradient.
    exercise = data.draw(exercises(bias=bias, update="batch", reduction=reduction, samples=(2, 3)))
    trace = solve(exercise)
    assume(_well_conditioned(trace))
    _assert_gradients(trace, exercise, "", "E")


@settings(max_examples=60, deadline=None)
@given(exercise=exercises(convention="dE/dz", iterations=(1, 2)))
def test_negated_delta_convention(exercise):
    plain = solve(exercise)
    negated = solve(dataclasses.replace(exercise, delta_convention="-dE/dz"))
    assert list(negated.steps) == list(plain.steps)
    for key, step in plain.steps.items():
        if step.kind == "delta":
            assert negated[key] == pytest.approx(-step.value, rel=1e-14, abs=0), key
        else:
            # z, y, E, every gradient and every updated weight are the same under either convention.
            assert negated[key] == pytest.approx(step.value, rel=1e-14, abs=0), key
    deltas = [k for k, s in plain.steps.items() if s.kind == "delta" and s.value != 0.0]
    assert all(negated[k] != plain[k] for k in deltas)


@settings(max_examples=60, deadline=None)
@given(exercise=exercises(samples=(1, 3), iterations=(1, 3)))
def test_update_rule(exercise):
    # new = old - eta * grad, chained from the given values through every update, in the keys of docs/step-keys.md.
    trace = solve(exercise)
    eta = exercise.learning_rate
    current = {name: name for name in parameters(exercise)}
    for pre, _ in updates(exercise):
        for name, old_key in current.items():
            expected = trace[old_key] - eta * trace[f"{pre}grad_{name}"]
            assert trace[f"{pre}new_{name}"] == pytest.approx(expected, rel=1e-14, abs=0), pre + name
        current = {name: f"{pre}new_{name}" for name in current}
    last = exercise.iterations + 1
    assert all(f"it{last}.new_{name}" not in trace for name in current)
