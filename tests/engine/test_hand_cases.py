"""Small networks worked by hand, one per activation, loss, bias mode, convention and update mode.

The numbers are chosen so the arithmetic stays exact or nearly so: sigmoid(0) = 1/2,
sigmoid(ln 3) = 3/4, tanh(ln 2) = (2 - 1/2)/(2 + 1/2) = 3/5.  Every expected value is written
from the textbook formulas in the comments, not from the engine.
"""

from __future__ import annotations

import math

import pytest

from grader.engine import Exercise, solve
from grader.engine.walkthrough import render_text

LN2, LN3 = math.log(2.0), math.log(3.0)


def trace_of(**doc):
    doc.setdefault("learning_rate", 1.0)
    return solve(Exercise.from_mapping(doc))


def assert_values(trace, expected: dict[str, float]) -> None:
    for key, value in expected.items():
        assert trace[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


def test_sigmoid():
    # 1-1-1, y1 = 1.  z2 = 0 * 1 = 0, y2 = 1/2.  z3 = 2 ln 3 * 1/2 = ln 3, y3 = 1/(1 + 1/3) = 3/4.
    trace = trace_of(
        layers=[1, 1, 1], activation="sigmoid", weights={"w2_1": 0.0, "w3_2": 2 * LN3},
        samples=[{"inputs": [1.0], "targets": [0.25]}],
    )  # fmt: skip
    delta3 = (0.75 - 0.25) * 0.75 * 0.25  # (y3 - t) y3 (1 - y3) = 0.09375
    delta2 = 0.5 * 0.5 * (2 * LN3) * delta3  # y2 (1 - y2) w3_2 delta3 = 0.046875 ln 3
    assert_values(
        trace,
        {
            "z2": 0.0, "y2": 0.5, "z3": LN3, "y3": 0.75,
            "E": 0.5 * 0.5**2,  # 1/2 (3/4 - 1/4)^2 = 0.125
            "delta3": 0.09375, "delta2": 0.046875 * LN3,
            "grad_w3_2": 0.09375 * 0.5, "grad_w2_1": delta2 * 1.0,
            "new_w3_2": 2 * LN3 - 0.046875, "new_w2_1": -0.046875 * LN3,
        },
    )  # fmt: skip
    assert delta3 == 0.09375


def test_tanh():
    # 1-1-1, y1 = ln 2.  z2 = 1 * ln 2, y2 = tanh(ln 2) = 3/5.  w3_2 = ln 2 / 0.6, so z3 = ln 2 and y3 = 3/5.
    w32 = LN2 / 0.6
    trace = trace_of(
        layers=[1, 1, 1], activation="tanh", learning_rate=0.5, weights={"w2_1": 1.0, "w3_2": w32},
        samples=[{"inputs": [LN2], "targets": [0.1]}],
    )  # fmt: skip
    delta3 = (0.6 - 0.1) * (1 - 0.6**2)  # (y3 - t)(1 - y3^2) = 0.5 * 0.64 = 0.32
    delta2 = (1 - 0.6**2) * w32 * delta3  # (1 - y2^2) w3_2 delta3
    assert_values(
        trace,
        {
            "y2": 0.6, "z3": LN2, "y3": 0.6, "E": 0.5 * 0.5**2,
            "delta3": 0.32, "delta2": delta2,
            "grad_w3_2": 0.32 * 0.6,  # delta3 y2 = 0.192
            "grad_w2_1": delta2 * LN2,  # delta2 y1
            "new_w3_2": w32 - 0.5 * 0.192, "new_w2_1": 1.0 - 0.5 * delta2 * LN2,
        },
    )  # fmt: skip


def test_relu_including_zero_net_input():
    # 2-2-1 ReLU.  y1 = 1, y2 = 2.  z3 = 2*1 + (-1)*2 = 0 exactly: y3 = 0 and ReLU'(0) is taken as 0.
    # z4 = 1*1 + 0.5*2 = 2, y4 = 2.  z5 = 1*0 + 0.75*2 = 1.5 = y5.  t = 1.
    trace = trace_of(
        layers=[2, 2, 1], activation="relu", learning_rate=0.1,
        weights={"w3_1": 2.0, "w3_2": -1.0, "w4_1": 1.0, "w4_2": 0.5, "w5_3": 1.0, "w5_4": 0.75},
        samples=[{"inputs": [1.0, 2.0], "targets": [1.0]}],
    )  # fmt: skip
    assert_values(
        trace,
        {
            "z3": 0.0, "y3": 0.0, "z4": 2.0, "y4": 2.0, "z5": 1.5, "y5": 1.5,
            "E": 0.125,  # 1/2 (1.5 - 1)^2
            "delta5": 0.5,  # (y5 - t) * 1
            "delta3": 0.0,  # ReLU'(0) = 0, although w5_3 delta5 = 0.5
            "delta4": 0.375,  # 1 * w5_4 * delta5 = 0.75 * 0.5
            "grad_w5_3": 0.0, "grad_w5_4": 1.0,  # delta5 * y3, delta5 * y4
            "grad_w3_1": 0.0, "grad_w3_2": 0.0,
            "grad_w4_1": 0.375, "grad_w4_2": 0.75,
            "new_w5_4": 0.75 - 0.1 * 1.0, "new_w4_1": 1.0 - 0.0375, "new_w4_2": 0.5 - 0.075,
            "new_w3_1": 2.0, "new_w3_2": -1.0, "new_w5_3": 1.0,
        },
    )  # fmt: skip


def test_relu_negative_net_input():
    # 1-1 ReLU: z2 = -0.5 * 1, y2 = 0, ReLU' = 0: no gradient reaches the weight.
    trace = trace_of(
        layers=[1, 1], activation="relu", weights={"w2_1": -0.5}, samples=[{"inputs": [1.0], "targets": [0.5]}]
    )
    assert_values(trace, {"z2": -0.5, "y2": 0.0, "E": 0.125, "delta2": 0.0, "grad_w2_1": 0.0, "new_w2_1": -0.5})


def test_linear_with_sse():
    # 1-1-1 linear.  y2 = 0.5 * 2 = 1, y3 = 3 * 1 = 3.  E = (3 - 1)^2 = 4.
    trace = trace_of(
        layers=[1, 1, 1], activation="linear", loss="sse", learning_rate=0.01,
        weights={"w2_1": 0.5, "w3_2": 3.0}, samples=[{"inputs": [2.0], "targets": [1.0]}],
    )  # fmt: skip
    assert_values(
        trace,
        {
            "y2": 1.0, "y3": 3.0, "E": 4.0,
            "delta3": 4.0,  # 2 (y3 - t) * 1
            "delta2": 12.0,  # 1 * w3_2 * delta3
            "grad_w3_2": 4.0, "grad_w2_1": 24.0,  # delta3 y2, delta2 y1
            "new_w3_2": 2.96, "new_w2_1": 0.26,
        },
    )  # fmt: skip


def test_mse_divides_by_the_output_count():
    # 1-2 linear: y2 = 0.5, y3 = -1, targets 0 and 1.  E = ((0.5)^2 + (-2)^2) / 2 = 2.125.
    trace = trace_of(
        layers=[1, 2], activation="linear", loss="mse", weights={"w2_1": 0.5, "w3_1": -1.0},
        samples=[{"inputs": [1.0], "targets": [0.0, 1.0]}],
    )  # fmt: skip
    # delta_j = 2 (y_j - t_j) / 2
    assert_values(trace, {"E": 2.125, "delta2": 0.5, "delta3": -2.0, "grad_w2_1": 0.5, "grad_w3_1": -2.0})


def test_binary_cross_entropy_with_sigmoid():
    # 1-1 sigmoid: z2 = 0, y2 = 1/2, t = 1.  E = -[1 ln(1/2) + 0] = ln 2.
    # delta2 = (y - t)/(y(1 - y)) * y(1 - y) = y - t = -1/2.
    trace = trace_of(
        layers=[1, 1], activation="sigmoid", loss="binary_cross_entropy", weights={"w2_1": 0.0},
        samples=[{"inputs": [1.0], "targets": [1.0]}],
    )  # fmt: skip
    assert_values(trace, {"y2": 0.5, "E": LN2, "delta2": -0.5, "grad_w2_1": -0.5, "new_w2_1": 0.5})


def _two_one_one(bias: str, w31: float, w32: float, biases: dict):
    return trace_of(
        layers=[2, 1, 1], activation=["sigmoid", "linear"], bias=bias, biases=biases,
        weights={"w3_1": w31, "w3_2": w32, "w4_3": 2.0}, samples=[{"inputs": [1.0, 1.0], "targets": [0.0]}],
    )  # fmt: skip


def test_no_bias():
    # z3 = 0.5*1 + (-0.5)*1 = 0, y3 = 1/2.  z4 = 2 * 1/2 = 1 = y4.  t = 0, E = 1/2.
    trace = _two_one_one("none", 0.5, -0.5, {})
    assert_values(
        trace,
        {
            "z3": 0.0, "y3": 0.5, "z4": 1.0, "E": 0.5,
            "delta4": 1.0, "delta3": 0.25 * 2.0 * 1.0,  # y3 (1 - y3) w4_3 delta4
            "grad_w4_3": 0.5, "grad_w3_1": 0.5, "grad_w3_2": 0.5,
            "new_w4_3": 1.5, "new_w3_1": 0.0, "new_w3_2": -1.0,
        },
    )  # fmt: skip
    assert not any(k.startswith(("b", "grad_b", "new_b")) for k in trace.steps)


def test_threshold():
    # M-P neurons: z = sum w y - b.  z3 = 0.5 + 0.25 - 0.75 = 0, y3 = 1/2; z4 = 2 * 1/2 - 0.5 = 0.5.
    # dz/db = -1, so dE/db = -delta.
    trace = _two_one_one("threshold", 0.5, 0.25, {"b3": 0.75, "b4": 0.5})
    assert_values(
        trace,
        {
            "z3": 0.0, "y3": 0.5, "z4": 0.5, "y4": 0.5, "E": 0.125,
            "delta4": 0.5, "delta3": 0.25,  # (y4 - 0) * 1; 1/4 * 2 * 0.5
            "grad_w4_3": 0.25, "grad_b4": -0.5, "grad_w3_1": 0.25, "grad_w3_2": 0.25, "grad_b3": -0.25,
            "new_w4_3": 1.75, "new_b4": 1.0, "new_w3_1": 0.25, "new_w3_2": 0.0, "new_b3": 1.0,
        },
    )  # fmt: skip
    assert "z3 = w3_1*y1 + w3_2*y2 - b3 = 0.5*1 + 0.25*1 - 0.75 = 0" in render_text(trace)
    assert "grad_b4 = -delta4 = -0.5 = (-0.5)" in render_text(trace)


def test_bias():
    # z = sum w y + b with the biases of the threshold case negated: the same z, y, E and deltas,
    # and dE/db = +delta.
    trace = _two_one_one("bias", 0.5, 0.25, {"b3": -0.75, "b4": -0.5})
    assert_values(
        trace,
        {
            "z3": 0.0, "z4": 0.5, "E": 0.125, "delta4": 0.5, "delta3": 0.25,
            "grad_w4_3": 0.25, "grad_b4": 0.5, "grad_b3": 0.25,
            "new_w4_3": 1.75, "new_b4": -1.0, "new_b3": -1.0,
        },
    )  # fmt: skip


def test_textbook_delta_convention():
    # The sigmoid case under g = -dE/dz: the deltas change sign, w_new = w + eta g gives the same weights.
    trace = trace_of(
        layers=[1, 1, 1], activation="sigmoid", delta_convention="-dE/dz",
        weights={"w2_1": 0.0, "w3_2": 2 * LN3}, samples=[{"inputs": [1.0], "targets": [0.25]}],
    )  # fmt: skip
    assert_values(
        trace,
        {
            "delta3": -0.09375, "delta2": -0.046875 * LN3,
            "grad_w3_2": 0.046875, "grad_w2_1": 0.046875 * LN3,
            "new_w3_2": 2 * LN3 - 0.046875,
        },
    )  # fmt: skip
    assert "grad_w3_2 = -delta3*y2 = -(-0.09375)*0.5 = 0.046875" in render_text(trace)


BATCH = {
    "layers": [1, 1], "activation": "linear", "learning_rate": 0.1, "weights": {"w2_1": 0.5},
    "samples": [{"inputs": [1.0], "targets": [0.0]}, {"inputs": [2.0], "targets": [0.0]}],
}  # fmt: skip


@pytest.mark.parametrize(("reduction", "divisor"), [("sum", 1.0), ("mean", 2.0)])
def test_batch(reduction, divisor):
    # y = 0.5 * x: 0.5 and 1.0.  E_m = y^2 / 2: 0.125 and 0.5.  delta_m = y: 0.5 and 1.0.
    # grad_m = delta_m x_m: 0.5 and 2.0; batch: (0.5 + 2.0) / divisor.
    trace = trace_of(**BATCH, update="batch", batch_reduction=reduction)
    assert_values(
        trace,
        {
            "s1.E": 0.125, "s2.E": 0.5, "E": 0.625 / divisor,
            "s1.grad_w2_1": 0.5, "s2.grad_w2_1": 2.0, "grad_w2_1": 2.5 / divisor,
            "new_w2_1": 0.5 - 0.1 * 2.5 / divisor,
            "it2.s1.y2": 0.5 - 0.25 / divisor,
        },
    )  # fmt: skip


def test_online():
    # Sample 1: y = 0.5, grad = 0.5, w = 0.5 - 0.05 = 0.45.  Sample 2 with w = 0.45: y = 0.9,
    # E = 0.405, grad = 0.9 * 2 = 1.8, w = 0.45 - 0.18 = 0.27.
    trace = trace_of(**BATCH, update="online")
    assert_values(
        trace,
        {
            "s1.grad_w2_1": 0.5, "s1.new_w2_1": 0.45,
            "s2.y2": 0.9, "s2.E": 0.405, "s2.grad_w2_1": 1.8, "s2.new_w2_1": 0.27,
            "it2.s1.y2": 0.27, "it2.s2.y2": 0.54,
        },
    )  # fmt: skip
