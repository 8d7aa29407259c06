"""Random rules: their values, and their errors named by pointer."""

from __future__ import annotations

import pytest

from grader.generation.draws import Draws
from grader.generation.rules import Choice, Fixed, Uniform, is_rule, parse_rule


def parse(value, kind="number"):
    problems = []
    rule = parse_rule(value, "/weights/w3_1", kind, problems)
    return rule, [str(p) for p in problems]


def draws(n):
    return [Draws("h", 1, "s", a) for a in range(n)]


def test_plain_values_and_fixed_rules_are_fixed():
    assert parse(0.3) == (Fixed(0.3), [])
    assert parse({"fixed": 0.3}) == (Fixed(0.3), [])
    assert not Fixed(0.3).random
    assert is_rule({"uniform": [0, 1], "decimals": 1}) and not is_rule({"w3_1": 0.1})


def test_uniform_draws_every_grid_value_both_ends_included():
    rule, problems = parse({"uniform": [-1, 1], "decimals": 1, "exclude": [0]})
    assert problems == [] and rule.count() == 20
    seen = {rule.draw(d, "/weights/w3_1") for d in draws(600)}
    expected = {round(k / 10, 1) for k in range(-10, 11) if k != 0}
    assert seen == expected
    assert all(repr(v) == repr(round(v, 1)) for v in seen)  # short decimals, not 0.30000000000000004


def test_uniform_with_zero_decimals_gives_whole_numbers():
    rule, _ = parse({"uniform": [1, 3], "decimals": 0})
    assert {rule.draw(d, "/iterations") for d in draws(100)} == {1, 2, 3}


def test_uniform_grid_is_exact_for_decimal_bounds():
    assert Uniform(0.1, 0.3, 1).count() == 3  # 0.1, 0.2, 0.3 despite binary floats
    assert Uniform(0.05, 0.95, 2).representatives() == (0.05, 0.06, 0.94, 0.95)


def test_choice_draws_each_option():
    rule, problems = parse({"choice": ["sigmoid", "tanh"]}, kind="name")
    assert problems == [] and isinstance(rule, Choice)
    assert {rule.draw(d, "/activation") for d in draws(50)} == {"sigmoid", "tanh"}


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ({"uniform": [1, -1], "decimals": 1}, "number", "/weights/w3_1: uniform needs low < high, got [1, -1]"),
        ({"uniform": [0, 1]}, "number", "/weights/w3_1/decimals: uniform needs decimals"),
        ({"uniform": [0, 1], "decimals": 9}, "number", "/weights/w3_1/decimals: must be a whole number from 0 to 6"),
        ({"uniform": [0, "a"], "decimals": 1}, "number", "/weights/w3_1/uniform: uniform needs [low, high]"),
        ({"uniform": [0.01, 0.04], "decimals": 1}, "number", "leaves no value to draw"),
        ({"uniform": [0, 1], "decimals": 1, "step": 2}, "number", "/weights/w3_1/step: unknown field 'step'"),
        ({"choice": []}, "number", "/weights/w3_1/choice: choice needs a non-empty list"),
        ({"choice": [0.5, "x"]}, "number", "/weights/w3_1/choice/1: choice lists numbers here, got 'x'"),
        ({"uniform": [0, 1], "decimals": 1}, "name", "/weights/w3_1: uniform draws numbers"),
        ({"uniform": [0, 1], "choice": [1]}, "number", "a rule names one of uniform, choice, fixed"),
    ],
)
def test_bad_rules_are_named_by_pointer(value, kind, message):
    _, problems = parse(value, kind)
    assert any(message in p for p in problems), problems
