"""The misconceptions of softmax, cross-entropy and leaky ReLU, on answers worked out by hand.

Each wrong answer below is computed in the comments from the mistake as a student makes it, not by
the catalogue's rule.  The network mostly used: one input y1 = 1 feeding three softmax outputs
through zero weights, so z = (0, 0, 0) and y = 1/3 each.
"""

from __future__ import annotations

import pytest

from grader.engine import Exercise, solve
from grader.grading import grade

THREE_WAY = {
    "layers": [1, 3],
    "activation": "softmax",
    "learning_rate": 1.0,
    "weights": {"w2_1": 0.0, "w3_1": 0.0, "w4_1": 0.0},
    "samples": [{"inputs": [1.0], "targets": [1.0, 0.0, 0.0]}],
    "ask": ["forward", "loss", "backward"],
}
FORWARD = {"z2": 0.0, "z3": 0.0, "z4": 0.0, "y2": 1 / 3, "y3": 1 / 3, "y4": 1 / 3}


def graded(doc, answers):
    return grade(solve(Exercise.from_mapping(doc)), answers).results


def test_extra_activation_derivative_under_softmax_and_cross_entropy():
    # Right: delta_k = y_k - t_k = -2/3, 1/3, 1/3.  The mistake multiplies by y(1 - y) = 2/9 again:
    # -2/3 * 2/9 = -4/27 = -0.148148, 1/3 * 2/9 = 2/27 = 0.074074.
    doc = {**THREE_WAY, "loss": "cross_entropy"}
    answers = {**FORWARD, "E": 1.098612, "delta2": -0.148148, "delta3": 0.074074, "delta4": 0.074074}
    results = graded(doc, answers)
    assert results["E"].verdict == "correct"  # ln 3
    for key in ("delta2", "delta3", "delta4"):
        assert (results[key].verdict, results[key].misconception) == ("misconception", "extra_activation_derivative")
    assert "y − t" in results["delta2"].message("en") and "y − t" in results["delta2"].message("zh")


def test_extra_activation_derivative_under_sigmoid_and_binary_cross_entropy():
    # 1-1, w2_1 = 0: y2 = sigmoid(0) = 1/2, t = 1.  Right: delta2 = y - t = -1/2.
    # The mistake: (y - t) y (1 - y) = -1/2 * 1/4 = -0.125.
    doc = {
        "layers": [1, 1], "activation": "sigmoid", "loss": "binary_cross_entropy", "weights": {"w2_1": 0.0},
        "samples": [{"inputs": [1.0], "targets": [1.0]}], "ask": ["delta2"],
    }  # fmt: skip
    result = graded(doc, {"delta2": -0.125})["delta2"]
    assert (result.verdict, result.misconception) == ("misconception", "extra_activation_derivative")


def test_softmax_as_sigmoid():
    # Each output as sigmoid(z_k) = sigmoid(0) = 0.5 instead of 1/3.  The loss from the student's own
    # outputs, -ln(0.5) = 0.693147, is carried forward; so is delta2 = 0.5 - 1 = -0.5.
    doc = {**THREE_WAY, "loss": "cross_entropy"}
    answers = {**FORWARD, "y2": 0.5, "y3": 0.5, "y4": 0.5, "E": 0.693147, "delta2": -0.5}
    results = graded(doc, answers)
    for key in ("y2", "y3", "y4"):
        assert (results[key].verdict, results[key].misconception) == ("misconception", "softmax_as_sigmoid")
    assert results["E"].verdict == "carried"
    assert results["delta2"].verdict == "carried"


def test_softmax_derivative_diagonal_only():
    # Half SSE: dE/dy = y - t = (-2/3, 1/3, 1/3).  Right (full Jacobian): delta2 = -2/9, delta3 = 1/9.
    # Diagonal only: dE/dy_k * y_k (1 - y_k) = -2/3 * 2/9 = -4/27 = -0.148148 and 1/3 * 2/9 = 0.074074.
    doc = {**THREE_WAY, "loss": "half_sse"}
    answers = {**FORWARD, "E": 1 / 3, "delta2": -0.148148, "delta3": 0.074074, "delta4": 0.111111}
    results = graded(doc, answers)
    for key in ("delta2", "delta3"):
        verdict = (results[key].verdict, results[key].misconception)
        assert verdict == ("misconception", "softmax_derivative_diagonal_only")
    assert results["delta4"].verdict == "correct"


def test_dead_unit_derivative():
    # 1-1-1, y1 = 1, leaky ReLU hidden (slope 0.1), linear output, t = 0.4.
    # z2 = -0.5, y2 = -0.05; z3 = 2 * -0.05 = -0.1 = y3; delta3 = -0.1 - 0.4 = -0.5.
    # Right: delta2 = 0.1 * 2 * -0.5 = -0.1.  The mistake takes f'(z2) = 0 as for ReLU: delta2 = 0.
    doc = {
        "layers": [1, 1, 1], "activation": ["leaky_relu", "linear"], "leaky_slope": 0.1, "learning_rate": 1.0,
        "weights": {"w2_1": -0.5, "w3_2": 2.0}, "samples": [{"inputs": [1.0], "targets": [0.4]}],
        "ask": ["forward", "backward"],
    }  # fmt: skip
    answers = {"z2": -0.5, "y2": -0.05, "z3": -0.1, "y3": -0.1, "delta3": -0.5, "delta2": 0.0}
    result = graded(doc, answers)["delta2"]
    assert (result.verdict, result.misconception) == ("misconception", "dead_unit_derivative")
    assert "slope" in result.message("en")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_new_misconception_has_a_title_and_message(language):
    from grader.grading.misconceptions import BY_CODE

    for code in ("extra_activation_derivative", "softmax_as_sigmoid", "softmax_derivative_diagonal_only",
                 "dead_unit_derivative"):  # fmt: skip
        assert BY_CODE[code].title(language) and BY_CODE[code].message(language)
