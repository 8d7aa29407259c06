"""Softmax, cross-entropy and leaky ReLU on networks small enough to work by hand.

Every expected value is written from the textbook formulas in the comments, not from the engine.
With all net inputs 0, softmax over three outputs gives y = 1/3 each, which keeps the arithmetic
exact.
"""

from __future__ import annotations

import math

import pytest

from grader.engine.walkthrough import render_text

from .test_hand_cases import assert_values, trace_of

THREE_WAY = {
    "layers": [1, 3],
    "activation": "softmax",
    "weights": {"w2_1": 0.0, "w3_1": 0.0, "w4_1": 0.0},
    "samples": [{"inputs": [1.0], "targets": [1.0, 0.0, 0.0]}],
}


def test_softmax_with_cross_entropy_delta_is_y_minus_t():
    # z = (0, 0, 0): y_k = e^0 / (3 e^0) = 1/3.  E = -ln(1/3) = ln 3.
    # delta_k = y_k - t_k: -2/3, 1/3, 1/3.  grad_w_k1 = delta_k * y1 = delta_k.  w_new = 0 - 1 * grad.
    trace = trace_of(**THREE_WAY, loss="cross_entropy")
    assert_values(
        trace,
        {
            "z2": 0.0, "y2": 1 / 3, "y3": 1 / 3, "y4": 1 / 3, "E": math.log(3.0),
            "delta2": -2 / 3, "delta3": 1 / 3, "delta4": 1 / 3,
            "grad_w2_1": -2 / 3, "grad_w3_1": 1 / 3, "new_w2_1": 2 / 3, "new_w4_1": -1 / 3,
        },
    )  # fmt: skip
    # After the update z = (2/3, -1/3, -1/3): y2 = e^(2/3) / (e^(2/3) + 2 e^(-1/3)) = 1 / (1 + 2/e).
    assert_values(trace, {"it2.y2": 1 / (1 + 2 / math.e), "it2.E": math.log(1 + 2 / math.e)})
    assert list(trace.steps)[4:11] == ["z2", "z3", "z4", "y2", "y3", "y4", "E"]
    assert trace.steps["y3"].inputs == ("z2", "z3", "z4")


def test_softmax_with_cross_entropy_under_the_textbook_sign():
    # g = -dE/dz = t - y; the gradients and updates are unchanged.
    trace = trace_of(**THREE_WAY, loss="cross_entropy", delta_convention="-dE/dz")
    assert_values(trace, {"delta2": 2 / 3, "delta3": -1 / 3, "grad_w2_1": -2 / 3, "new_w2_1": 2 / 3})


def test_softmax_with_half_sse_uses_the_full_jacobian():
    # dE/dy = y - t = (-2/3, 1/3, 1/3), y = 1/3 each.  delta_k = sum_j dE/dy_j y_j (d_jk - y_k):
    # delta2 = (-2/3)(1/3)(2/3) + (1/3)(1/3)(-1/3) + (1/3)(1/3)(-1/3) = -4/27 - 1/27 - 1/27 = -2/9;
    # delta3 = (-2/3)(1/3)(-1/3) + (1/3)(1/3)(2/3) + (1/3)(1/3)(-1/3) = 2/27 + 2/27 - 1/27 = 1/9.
    # E = 1/2 (4/9 + 1/9 + 1/9) = 1/3.
    trace = trace_of(**THREE_WAY, loss="half_sse")
    assert_values(trace, {"E": 1 / 3, "delta2": -2 / 9, "delta3": 1 / 9, "delta4": 1 / 9, "new_w2_1": 2 / 9})
    assert trace.steps["delta2"].inputs == ("y2", "y3", "y4")


def test_cross_entropy_with_a_distribution_as_targets():
    # t = (1/2, 1/4, 1/4), y = 1/3 each: E = -(1/2 + 1/4 + 1/4) ln(1/3) = ln 3; delta = y - t.
    doc = {**THREE_WAY, "samples": [{"inputs": [1.0], "targets": [0.5, 0.25, 0.25]}]}
    trace = trace_of(**doc, loss="cross_entropy")
    assert_values(trace, {"E": math.log(3.0), "delta2": 1 / 3 - 1 / 2, "delta3": 1 / 3 - 1 / 4})


@pytest.mark.parametrize(("slope", "derivative"), [(None, 0.01), (0.1, 0.1)])
def test_leaky_relu(slope, derivative):
    # 1-1-1, y1 = 1, hidden leaky ReLU, linear output.  z2 = -0.5 * 1 = -0.5 < 0: y2 = slope * -0.5.
    # z3 = 2 * y2 = -slope; delta3 = y3 - t = -slope - 0.4; delta2 = slope * w3_2 * delta3.
    doc = {
        "layers": [1, 1, 1], "activation": ["leaky_relu", "linear"],
        "weights": {"w2_1": -0.5, "w3_2": 2.0}, "samples": [{"inputs": [1.0], "targets": [0.4]}],
    }  # fmt: skip
    if slope is not None:
        doc["leaky_slope"] = slope
    trace = trace_of(**doc)
    y2 = -0.5 * derivative
    delta3 = 2 * y2 - 0.4
    delta2 = derivative * 2.0 * delta3
    assert_values(trace, {"z2": -0.5, "y2": y2, "z3": 2 * y2, "delta3": delta3, "delta2": delta2})
    assert_values(trace, {"grad_w2_1": delta2, "new_w2_1": -0.5 - delta2, "grad_w3_2": delta3 * y2})


def test_leaky_relu_derivative_at_zero_is_the_slope():
    # z2 = 0 exactly: y2 = 0 and f'(0) = 0.1 (ReLU takes 0 there).  delta3 = 0 - 1 = -1, delta2 = 0.1 * 2 * -1.
    doc = {
        "layers": [1, 1, 1], "activation": ["leaky_relu", "linear"], "leaky_slope": 0.1,
        "weights": {"w2_1": 0.0, "w3_2": 2.0}, "samples": [{"inputs": [1.0], "targets": [1.0]}],
    }  # fmt: skip
    assert_values(trace_of(**doc), {"y2": 0.0, "delta3": -1.0, "delta2": -0.2})
    relu = {**doc, "activation": ["relu", "linear"]}
    relu.pop("leaky_slope")
    assert_values(trace_of(**relu), {"delta2": 0.0})


def test_the_walkthrough_shows_each_softmax_formula_with_numbers():
    text = render_text(trace_of(**THREE_WAY, loss="cross_entropy"))
    assert "y2 = e^z2 / (e^z2 + e^z3 + e^z4) = e^0 / (e^0 + e^0 + e^0) = 0.333333" in text
    assert "E = - (1*ln(y2) + 0*ln(y3) + 0*ln(y4)) = - (1*ln(0.333333) + 0*ln(0.333333) + 0*ln(0.333333))" in text
    assert "delta2 = (y2 - 1) = (0.333333 - 1) = (-0.666667)" in text
    jacobian = render_text(trace_of(**THREE_WAY, loss="half_sse"))
    assert "delta3 = y3*([y3 - 0] - ([y2 - 1]*y2 + [y3 - 0]*y3 + [y4 - 0]*y4))" in jacobian
