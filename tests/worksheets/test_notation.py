"""Key labels and formulas in student notation."""

from __future__ import annotations

import pytest

from grader.worksheets.notation import context, fixed, formula, label, subscript, symbol


@pytest.mark.parametrize(
    ("key", "expected_symbol", "expected_label"),
    [
        ("z3", "z₃", "z₃"),
        ("y5", "y₅", "y₅"),
        ("E", "E", "E"),
        ("it2.E", "E", "E (iteration 2)"),
        ("delta5", "δ₅", "δ₅"),
        ("grad_w5_3", "∂E/∂w₅₃", "∂E/∂w₅₃"),
        ("grad_b4", "∂E/∂b₄", "∂E/∂b₄"),
        ("new_w5_3", "w₅₃ (new)", "w₅₃ (new)"),
        ("it2.s1.new_w5_3", "w₅₃ (new)", "w₅₃ (new, iteration 2, sample 1)"),
        ("s2.z4", "z₄", "z₄ (sample 2)"),
        ("w12_3", "w₁₂,₃", "w₁₂,₃"),
    ],
)
def test_symbols_and_labels(key, expected_symbol, expected_label):
    assert symbol(key) == expected_symbol
    assert label(key) == expected_label


def test_chinese_context():
    assert context("it2.s1.z3", "zh") == "第2次迭代，样本1"
    assert label("it2.new_w5_3", "zh") == "w₅₃（更新后，第2次迭代）"


def test_not_a_key_is_refused():
    with pytest.raises(ValueError, match="not a step key"):
        symbol("z")


def test_formulas_in_student_notation():
    assert formula("w3_1*y1 + w3_2*y2", "z3") == "w₃₁·y₁ + w₃₂·y₂"
    assert formula("new_w3_1*y1 - new_b3", "it2.z3") == "w₃₁·y₁ - b₃"  # the weights in force, no clutter
    assert formula("[y5(1-y5)] * (w5_3*delta5)", "delta3") == "[y₅(1-y₅)] · (w₅₃·δ₅)"
    assert formula("s1.grad_w5_3 + s2.grad_w5_3", "grad_w5_3") == "∂E/∂w₅₃[sample 1] + ∂E/∂w₅₃[sample 2]"
    assert formula("1/2 * (0.69 - 0.5)^2", "E") == "1/2 · (0.69 - 0.5)²"
    assert formula("0.1*9.29071e-05", "new_w3_1") == "0.1·0.0000929071"
    assert formula("sigmoid((-0.145))", "y3") == "sigmoid(-0.145)"
    assert formula("(-0.2)*0.46 - 0.1", "z5") == "(-0.2)·0.46 - 0.1"


def test_number_formats():
    assert subscript(5, 3) == "₅₃"
    assert [fixed(x) for x in (0.755, 0.7550000000000001, 9.29071e-05, -0.3, 1.0, 0.0, -1e-20)] == [
        "0.755",
        "0.755",
        "0.0000929071",
        "-0.3",
        "1",
        "0",
        "-0.00000000000000000001",
    ]
