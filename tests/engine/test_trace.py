"""The trace's keys, order, phases and inputs follow docs/step-keys.md, and every rule recomputes its step."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest
from hypothesis import given, settings

from grader.engine import Exercise, solve
from grader.engine.exercise import PHASES

from .strategies import exercises, parameters

SEED_ORDER = [
    "z3", "y3", "z4", "y4", "z5", "y5", "E",
    "delta5", "delta3", "delta4",
    "grad_w5_3", "grad_w5_4", "grad_w3_1", "grad_w3_2", "grad_w4_1", "grad_w4_2",
    "new_w5_3", "new_w5_4", "new_w3_1", "new_w3_2", "new_w4_1", "new_w4_2",
    "it2.z3", "it2.y3", "it2.z4", "it2.y4", "it2.z5", "it2.y5", "it2.E",
]  # fmt: skip

ANY = exercises(samples=(1, 3), iterations=(1, 3))


def _prefix(iteration: int, sample: int | None) -> str:
    return (f"it{iteration}." if iteration > 1 else "") + (f"s{sample}." if sample else "")


def expected_keys(ex: Exercise) -> list[str]:
    """Every key in the order docs/step-keys.md and a student's worksheet give them, written out independently."""
    nodes, start = [], 1
    for width in ex.layers:
        nodes.append(list(range(start, start + width)))
        start += width
    biased = ex.bias != "none"
    # Gradients and updates go backwards: output layer first, each node's weights then its bias.
    params = []
    for prev, layer in reversed(list(pairwise(nodes))):
        for j in layer:
            params += [f"w{j}_{i}" for i in prev] + ([f"b{j}"] if biased else [])
    count = len(ex.samples)
    many = count > 1
    batch = ex.update == "batch" and many

    def forward(pre: str) -> list[str]:
        # A softmax layer's y each need every z of the layer: its z come first, then its y.
        softmax = ex.activations[-1] == "softmax"
        paired = nodes[1:-1] if softmax else nodes[1:]
        keys = [f"{pre}{v}{j}" for layer in paired for j in layer for v in ("z", "y")]
        if softmax:
            keys += [f"{pre}{v}{j}" for v in ("z", "y") for j in nodes[-1]]
        return [*keys, f"{pre}E"]

    def backward(pre: str) -> list[str]:
        deltas = [f"{pre}delta{j}" for layer in reversed(nodes[1:]) for j in layer]
        return deltas + [f"{pre}grad_{p}" for p in params]

    out = [f"{_prefix(1, m if many else None)}y{i}" for m in range(1, count + 1) for i in nodes[0]]
    out += [f"w{j}_{i}" for prev, layer in pairwise(nodes) for j in layer for i in prev]
    out += [f"b{j}" for layer in nodes[1:] for j in layer] if biased else []
    for it in range(1, ex.iterations + 1):
        if batch:
            for m in range(1, count + 1):
                out += forward(_prefix(it, m)) + backward(_prefix(it, m))
            pre = _prefix(it, None)
            out += [f"{pre}E"] + [f"{pre}grad_{p}" for p in params] + [f"{pre}new_{p}" for p in params]
        else:
            for m in range(1, count + 1):
                pre = _prefix(it, m if many else None)
                out += forward(pre) + backward(pre) + [f"{pre}new_{p}" for p in params]
    for m in range(1, count + 1):
        out += forward(_prefix(ex.iterations + 1, m if many else None))
    if batch:  # the final pass shows the batch E too, so the drop in E can be read off
        out += [f"{_prefix(ex.iterations + 1, None)}E"]
    return out


def _phase_and_kind(key: str, batch: bool) -> tuple[str, str]:
    """What a key's name says its phase and kind are; in batch mode the unprefixed totals are batch kinds."""
    name = key.rsplit(".", 1)[-1]
    total = batch and ".s" not in f".{key}"
    if name == "E":
        return "loss", "E_batch" if total else "E"
    for start, phase, kind in (
        ("delta", "backward", "delta"),
        ("grad_w", "gradients", "grad_batch" if total else "grad_w"),
        ("grad_b", "gradients", "grad_batch" if total else "grad_b"),
        ("new_w", "updates", "new_w"),
        ("new_b", "updates", "new_b"),
        ("z", "forward", "z"),
        ("y", "forward", "y"),
    ):
        if name.startswith(start):
            return phase, kind
    raise AssertionError(key)


def test_seed_order(seed_exercise):
    trace = solve(seed_exercise)
    assert list(trace.values) == SEED_ORDER
    assert list(trace.steps) == ["y1", "y2", "w3_1", "w3_2", "w4_1", "w4_2", "w5_3", "w5_4", *SEED_ORDER]
    assert expected_keys(seed_exercise) == list(trace.steps)


def test_seed_phases_and_inputs(seed_exercise):
    steps = solve(seed_exercise).steps
    assert [steps[k].phase for k in ("y1", "w5_3", "z3", "E", "delta3", "grad_w3_1", "new_w3_1", "it2.y5")] == [
        "given", "given", "forward", "loss", "backward", "gradients", "updates", "forward",
    ]  # fmt: skip
    assert steps["z5"].inputs == ("w5_3", "w5_4", "y3", "y4")
    assert steps["E"].inputs == ("y5",)
    assert steps["delta5"].inputs == ("y5",)
    assert steps["delta3"].inputs == ("y3", "w5_3", "delta5")
    assert steps["grad_w3_2"].inputs == ("delta3", "y2")
    assert steps["new_w5_4"].inputs == ("w5_4", "grad_w5_4")
    assert steps["it2.z5"].inputs == ("new_w5_3", "new_w5_4", "it2.y3", "it2.y4")
    assert steps["it2.z3"].inputs == ("new_w3_1", "new_w3_2", "y1", "y2")


def test_online_samples_and_iterations():
    ex = Exercise.from_mapping(
        {
            "layers": [1, 1],
            "bias": "bias",
            "weights": {"w2_1": 0.5},
            "biases": {"b2": 0.1},
            "samples": [{"inputs": [1], "targets": [0]}, {"inputs": [2], "targets": [1]}],
            "iterations": 2,
        }
    )
    steps = solve(ex).steps
    assert list(steps) == [
        "s1.y1", "s2.y1", "w2_1", "b2",
        "s1.z2", "s1.y2", "s1.E", "s1.delta2", "s1.grad_w2_1", "s1.grad_b2", "s1.new_w2_1", "s1.new_b2",
        "s2.z2", "s2.y2", "s2.E", "s2.delta2", "s2.grad_w2_1", "s2.grad_b2", "s2.new_w2_1", "s2.new_b2",
        "it2.s1.z2", "it2.s1.y2", "it2.s1.E", "it2.s1.delta2", "it2.s1.grad_w2_1", "it2.s1.grad_b2",
        "it2.s1.new_w2_1", "it2.s1.new_b2",
        "it2.s2.z2", "it2.s2.y2", "it2.s2.E", "it2.s2.delta2", "it2.s2.grad_w2_1", "it2.s2.grad_b2",
        "it2.s2.new_w2_1", "it2.s2.new_b2",
        "it3.s1.z2", "it3.s1.y2", "it3.s1.E", "it3.s2.z2", "it3.s2.y2", "it3.s2.E",
    ]  # fmt: skip
    # Online: sample 2 starts from sample 1's update, iteration 2 from sample 2's.
    assert steps["s2.z2"].inputs == ("s1.new_w2_1", "s2.y1", "s1.new_b2")
    assert steps["it2.s1.z2"].inputs == ("s2.new_w2_1", "s1.y1", "s2.new_b2")
    assert steps["it2.s1.new_w2_1"].inputs == ("s2.new_w2_1", "it2.s1.grad_w2_1")


def test_batch_samples_and_iterations():
    ex = Exercise.from_mapping(
        {
            "layers": [1, 1],
            "weights": {"w2_1": 0.5},
            "samples": [{"inputs": [1], "targets": [0]}, {"inputs": [2], "targets": [1]}],
            "iterations": 2,
            "update": "batch",
        }
    )
    steps = solve(ex).steps
    assert list(steps) == [
        "s1.y1", "s2.y1", "w2_1",
        "s1.z2", "s1.y2", "s1.E", "s1.delta2", "s1.grad_w2_1",
        "s2.z2", "s2.y2", "s2.E", "s2.delta2", "s2.grad_w2_1",
        "E", "grad_w2_1", "new_w2_1",
        "it2.s1.z2", "it2.s1.y2", "it2.s1.E", "it2.s1.delta2", "it2.s1.grad_w2_1",
        "it2.s2.z2", "it2.s2.y2", "it2.s2.E", "it2.s2.delta2", "it2.s2.grad_w2_1",
        "it2.E", "it2.grad_w2_1", "it2.new_w2_1",
        "it3.s1.z2", "it3.s1.y2", "it3.s1.E", "it3.s2.z2", "it3.s2.y2", "it3.s2.E", "it3.E",
    ]  # fmt: skip
    # Batch: both samples of an iteration use the same weights; the update uses the batch gradient.
    assert steps["it2.s1.z2"].inputs == ("new_w2_1", "s1.y1")
    assert steps["it2.s2.z2"].inputs == ("new_w2_1", "s2.y1")
    assert steps["E"].inputs == ("s1.E", "s2.E")
    assert steps["grad_w2_1"].inputs == ("s1.grad_w2_1", "s2.grad_w2_1")
    assert steps["it2.new_w2_1"].inputs == ("new_w2_1", "it2.grad_w2_1")
    assert (steps["E"].kind, steps["grad_w2_1"].kind) == ("E_batch", "grad_batch")
    assert steps["it3.E"].inputs == ("it3.s1.E", "it3.s2.E")
    assert steps["it3.E"].value == steps["it3.s1.E"].value + steps["it3.s2.E"].value


@settings(max_examples=60, deadline=None)
@given(exercise=ANY)
def test_keys_follow_the_design(exercise):
    trace = solve(exercise)
    assert list(trace.steps) == expected_keys(exercise)
    batch = exercise.update == "batch" and len(exercise.samples) > 1
    for key, step in trace.steps.items():
        assert step.key == key
        if step.phase == "given":
            assert step.kind in ("input", "weight", "bias")
            assert step.inputs == ()
        else:
            assert (step.phase, step.kind) == _phase_and_kind(key, batch), key
            assert step.phase in PHASES


@settings(max_examples=60, deadline=None)
@given(exercise=ANY)
def test_inputs_come_earlier(exercise):
    seen: set[str] = set()
    for key, step in solve(exercise).steps.items():
        assert set(step.inputs) <= seen, key
        assert len(set(step.inputs)) == len(step.inputs), key
        seen.add(key)


@settings(max_examples=60, deadline=None)
@given(exercise=ANY)
def test_recompute_equals_the_trace(exercise):
    # The rules (plain Python, one step at a time) against the vectorised numpy pass.
    trace = solve(exercise)
    for key, step in trace.steps.items():
        if step.phase == "given":
            continue
        args = {k: trace[k] for k in step.inputs}
        scale = 1.0 + max((abs(v) for v in args.values()), default=0.0) ** 2
        assert step.recompute(args) == pytest.approx(step.value, rel=1e-12, abs=1e-15 * scale), key
        assert trace.recompute(key) == step.recompute(args)


@settings(max_examples=30, deadline=None)
@given(exercise=ANY)
def test_weights_in_any_order(exercise):
    # An Exercise built in code may list its weights in any order: the values must not depend on it.
    shuffled = dataclasses.replace(exercise, weights=dict(reversed(list(exercise.weights.items()))))
    assert solve(shuffled).values == solve(exercise).values
    assert parameters(shuffled) == parameters(exercise)


def test_recompute_from_other_values(seed_exercise):
    trace = solve(seed_exercise)
    # z3 = w3_1*y1 + w3_2*y2 with y1 = 0.5: 0.1*0.5 + 0.8*0.9 = 0.77
    assert trace.recompute("z3", {"y1": 0.5}) == pytest.approx(0.77, rel=1e-12)
    # ... and with w3_2 = 0 as well: 0.1*0.5 = 0.05
    assert trace.recompute("z3", {"y1": 0.5, "w3_2": 0.0}) == pytest.approx(0.05, rel=1e-12)
    # y3 = sigmoid(0) = 0.5
    assert trace.recompute("y3", {"z3": 0.0}) == 0.5
    # delta5 = (y5 - t) y5 (1 - y5) with y5 = 0.69: 0.19 * 0.69 * 0.31 = 0.040641
    assert trace.recompute("delta5", {"y5": 0.69}) == pytest.approx(0.040641, rel=1e-12)
    # delta3 = y3 (1 - y3) w5_3 delta5 with y3 = 0.68, delta5 = 0.04: 0.68 * 0.32 * 0.3 * 0.04 = 0.0026112
    assert trace.recompute("delta3", {"y3": 0.68, "delta5": 0.04}) == pytest.approx(0.0026112, rel=1e-12)
    # grad_w5_3 = delta5 * y3: 0.04 * 0.68 = 0.0272
    assert trace.recompute("grad_w5_3", {"delta5": 0.04, "y3": 0.68}) == pytest.approx(0.0272, rel=1e-12)
    # new_w5_3 = w5_3 - 1 * grad_w5_3: 0.3 - 0.0272 = 0.2728
    assert trace.recompute("new_w5_3", {"grad_w5_3": 0.0272}) == pytest.approx(0.2728, rel=1e-12)
    # it2.z3 from unchanged weights is the first pass's z3: 0.1*0.35 + 0.8*0.9 = 0.755
    assert trace.recompute("it2.z3", {"new_w3_1": 0.1, "new_w3_2": 0.8}) == pytest.approx(0.755, rel=1e-12)
    # Only the given inputs change: the rest come from the reference trace.
    assert trace.recompute("z5", {}) == pytest.approx(trace["z5"], rel=1e-12)
    assert trace.recompute("z5", {"y3": 0.0}) == pytest.approx(0.9 * trace["y4"], rel=1e-12)


def test_a_given_value_has_no_rule(seed_exercise):
    step = solve(seed_exercise).steps["w5_3"]
    with pytest.raises(TypeError):
        step.recompute({})


def test_asked_keys(seed_exercise):
    trace = solve(seed_exercise)
    assert trace.asked_keys() == SEED_ORDER
    only = solve(dataclasses.replace(seed_exercise, ask=("backward", "it2.E")))
    assert only.asked_keys() == ["delta5", "delta3", "delta4", "it2.E"]


def test_repr(seed_exercise):
    trace = solve(seed_exercise)
    assert repr(trace) == "Trace('Classic 2-2-1 sigmoid network, one BP step', 29 steps)"
    assert repr(trace.steps["z3"]) == "Step(z3 = 0.755 [forward/z] <- w3_1, w3_2, y1, y2)"
