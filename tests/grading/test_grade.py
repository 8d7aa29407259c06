"""Hand-built cases for the step grader on the seed example."""

import math

import pytest

from grader.engine import Exercise, solve
from grader.grading import Policy, grade
from tests.conftest import SEED_AS_PRINTED as PRINTED


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


@pytest.fixture
def printed_trace(seed_exercise):
    doc = seed_exercise.to_mapping() | {"ask": list(PRINTED)}
    return solve(Exercise.from_mapping(doc))


def test_the_worked_example_with_its_printed_figures_gets_full_credit(printed_trace):
    result = grade(printed_trace, PRINTED)
    assert result.counts()["correct"] == len(PRINTED)
    assert result.score == result.max_score == len(PRINTED)


def test_a_slip_in_z3_is_carried_through_every_later_step(seed_trace):
    y1, y2 = 0.35, 0.9
    z3 = 0.1 * y1 + 0.8 * y2 + 1.0  # the slip: 1.755 instead of 0.755
    y3 = sigmoid(z3)
    y4 = sigmoid(0.68)
    z5 = 0.3 * y3 + 0.9 * y4
    y5 = sigmoid(z5)
    answers = {"z3": z3, "y3": y3, "z5": z5, "y5": y5, "E": 0.5 * (y5 - 0.5) ** 2}
    result = grade(seed_trace, answers)
    assert result.results["z3"].verdict == "incorrect"
    assert [result.results[k].verdict for k in ("y3", "z5", "y5", "E")] == ["carried"] * 4
    assert "z₃ = 1.755" in result.results["E"].message()
    assert result.results["z4"].verdict == "missing"


def test_iteration_two_starts_from_the_students_own_updated_weights(seed_trace):
    answers = {key: seed_trace[key] for key in seed_trace.asked_keys() if not key.startswith("it2.")}
    answers["new_w5_3"] = 0.45  # wrong update
    y3, y4 = seed_trace["it2.y3"], seed_trace["it2.y4"]
    z5 = 0.45 * y3 + seed_trace["new_w5_4"] * y4
    answers |= {"it2.y3": y3, "it2.y4": y4, "it2.z5": z5, "it2.y5": sigmoid(z5)}
    result = grade(seed_trace, answers)
    assert result.results["new_w5_3"].verdict == "incorrect"
    assert result.results["it2.z5"].verdict == "carried"
    assert result.results["it2.y5"].verdict == "carried"
    assert result.results["it2.y3"].verdict == "correct"


def test_placeholder_values_earn_no_follow_through(seed_trace):
    answers = {"y3": 0.0, "y4": 0.0, "z5": 0.0, "y5": 0.5, "E": 0.0, "delta5": 0.0}
    result = grade(seed_trace, answers)
    assert result.results["y3"].verdict == "incorrect"
    for key in ("z5", "y5", "E", "delta5"):
        assert result.results[key].credit == 0, key
    assert "y₃ = 0 looks like a placeholder" in result.results["y5"].message()


def test_copying_an_input_is_a_placeholder(seed_trace):
    answers = {"y3": 0.35, "z5": 0.3 * 0.35 + 0.9 * seed_trace["y4"]}
    result = grade(seed_trace, answers)
    assert result.results["z5"].verdict == "incorrect"
    assert "y₃ = 0.35" in result.results["z5"].message()


def test_a_saturating_value_cannot_make_later_steps_free(seed_trace):
    answers = {"z5": 1000.0, "y5": 1.0, "delta5": 0.0, "delta3": 0.0, "grad_w5_3": 0.0, "new_w5_3": 0.3}
    result = grade(seed_trace, answers)
    assert result.score == 0
    assert "z₅ = 1000 looks like a placeholder" in result.results["delta5"].message()


def test_near_zero_values_are_placeholders_too(seed_trace):
    result = grade(seed_trace, {"delta5": 0.00005, "grad_w5_3": 0.00005 * seed_trace["y3"]})
    assert result.results["grad_w5_3"].credit == 0


def test_a_zero_gradient_cannot_make_the_update_free(seed_trace):
    result = grade(seed_trace, {"grad_w5_3": 0.0, "new_w5_3": 0.3})
    assert result.results["new_w5_3"].credit == 0
    assert "∂E/∂w₅₃ = 0 looks like a placeholder" in result.results["new_w5_3"].message()


def test_carried_credit_follows_the_policy(seed_trace):
    z3 = 0.855
    answers = {"z3": z3, "y3": sigmoid(z3)}
    half = grade(seed_trace, answers, Policy(carried_credit=0.5))
    assert half.results["y3"].verdict == "carried"
    assert half.results["y3"].credit == 0.5


def test_missing_and_invalid(seed_trace):
    result = grade(seed_trace, {"z3": "zero point seven", "y3": "0,6803"})
    assert result.results["z3"].verdict == "invalid"
    assert "zero point seven" in result.results["z3"].message()
    assert result.results["y3"].verdict == "correct"
    assert result.results["z4"].verdict == "missing"
    assert result.counts()["missing"] == len(seed_trace.asked_keys()) - 2


def test_phase_weights_and_subtotals(seed_trace):
    answers = {key: seed_trace[key] for key in seed_trace.asked_keys()}
    answers["new_w5_3"] = 0.9
    policy = Policy.from_mapping({"phase_weights": {"updates": 3, "forward": 0.5}})
    result = grade(seed_trace, answers, policy)
    assert result.phases["updates"] == {"score": 15.0, "max_score": 18.0}
    assert result.phases["forward"] == {"score": 6.0, "max_score": 6.0}
    assert result.max_score == 6.0 + 2 * 1 + 3 + 6 + 18


def test_expected_values_are_shown_only_when_revealed(seed_trace):
    answers = {"z3": 0.9}
    hidden = grade(seed_trace, answers).to_dict()
    assert "expected" not in hidden["results"]["z3"]
    assert "0.755" not in str(hidden)
    shown = grade(seed_trace, answers, Policy(reveal="always")).to_dict()
    assert shown["results"]["z3"]["expected"] == pytest.approx(0.755)
    assert "Expected 0.755" in shown["results"]["z3"]["message"]


@pytest.mark.parametrize(
    ("rule", "shown"), [("never", False), ("always", True), ("after_due", False), ("after_last_attempt", False)]
)
def test_without_a_decision_only_always_reveals(seed_trace, rule, shown):
    # The rules that wait need a due date and attempts, which a bare grading does not have.
    doc = grade(seed_trace, {"z3": 0.9}, Policy(reveal=rule)).to_dict()
    assert ("expected" in doc["results"]["z3"]) is shown
    decided = grade(seed_trace, {"z3": 0.9}, Policy(reveal=rule)).to_dict(reveal=True)
    assert "expected" in decided["results"]["z3"]


def test_a_rules_name_is_not_a_decision(seed_trace):
    grading = grade(seed_trace, {"z3": 0.9}, Policy(reveal="never"))
    with pytest.raises(TypeError):
        grading.to_dict(reveal=grading.policy.reveal)


def test_contract_shape_and_chinese_messages(seed_trace):
    doc = grade(seed_trace, {"delta5": 0.19}).to_dict(language="zh")
    assert set(doc) >= {"score", "max_score", "results"}
    row = doc["results"]["delta5"]
    assert set(row) >= {"verdict", "credit", "misconception", "message"}
    assert row["misconception"] == "missing_activation_derivative"
    assert "导数" in row["message"]


def test_student_values_that_break_a_rule_do_not_crash(seed_trace):
    answers = {"z5": 1e308, "y5": -5.0, "E": 1e300}
    result = grade(seed_trace, answers)
    assert result.results["y5"].verdict == "incorrect"
