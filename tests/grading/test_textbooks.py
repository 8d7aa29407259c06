"""Two textbooks' worked examples, encoded as exercises and answered with the figures as printed.

The figures are the books' own, typed as the books print them (rounded to 3 or 4 decimals in
Han & Kamber, to 9 in Mazur): independent evidence that the engine, the conventions (delta =
-dE/dz with added biases in Han & Kamber) and the integrity rules give a careful student full marks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine import load_exercise, solve
from grader.grading import grade

HERE = Path(__file__).parent / "textbooks"

# Han, Kamber and Pei, Data Mining, 3rd ed., Tables 9.2 and 9.3 (Example 9.1, Figure 9.5).
HAN_KAMBER = {
    "z4": "-0.7",
    "y4": "0.332",
    "z5": "0.1",
    "y5": "0.525",
    "z6": "-0.105",
    "y6": "0.474",
    "delta6": "0.1311",
    "delta5": "-0.0065",
    "delta4": "-0.0087",
    "new_w6_4": "-0.261",
    "new_w6_5": "-0.138",
    "new_w4_1": "0.192",
    "new_w5_1": "-0.306",
    "new_w4_2": "0.4",
    "new_w5_2": "0.1",
    "new_w4_3": "-0.508",
    "new_w5_3": "0.194",
    "new_b6": "0.218",
    "new_b5": "0.194",
    "new_b4": "-0.408",
}

# Matt Mazur, "A Step by Step Backpropagation Example" (2015).
MAZUR = {
    "z3": "0.3775",
    "y3": "0.593269992",
    "y4": "0.596884378",
    "z5": "1.105905967",
    "y5": "0.75136507",
    "y6": "0.772928465",
    "E": "0.298371109",
    "delta5": "0.138498562",
    "grad_w5_3": "0.082167041",
    "grad_w3_1": "0.000438568",
    "new_w5_3": "0.35891648",
    "new_w5_4": "0.408666186",
    "new_w6_3": "0.511301270",
    "new_w6_4": "0.561370121",
    "new_w3_1": "0.149780716",
    "new_w3_2": "0.19956143",
    "new_w4_1": "0.24975114",
    "new_w4_2": "0.29950229",
}


@pytest.mark.parametrize(
    ("name", "printed"), [("han-kamber-9-5.yaml", HAN_KAMBER), ("mazur-2-2-2.yaml", MAZUR)], ids=["han", "mazur"]
)
def test_the_books_figures_get_full_marks(name, printed):
    trace = solve(load_exercise(HERE / name))
    assert set(trace.asked_keys()) == set(printed)
    result = grade(trace, printed)
    assert {k: r.message() for k, r in result.results.items() if r.verdict != "correct"} == {}
    assert result.score == result.max_score == len(printed)


def test_han_and_kambers_sign_slip_is_named_under_their_convention():
    # Err6 written as (O - T) O (1 - O), the dE/dz sign, in a book whose Err is -dE/dz.
    trace = solve(load_exercise(HERE / "han-kamber-9-5.yaml"))
    result = grade(trace, {**HAN_KAMBER, "delta6": "-0.1311"}).results["delta6"]
    assert result.misconception == "target_minus_output"
    assert "(t − y), not (y − t)" in result.message()
    assert "从 (t − y) 开始" in result.message("zh")
