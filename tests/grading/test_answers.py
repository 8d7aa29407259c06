import math

import pytest

from grader.grading import AnswerError, Invalid, parse_answers
from grader.grading.answers import parse_number


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (0.69, 0.69),
        (1, 1.0),
        ("0.69", 0.69),
        ("0,69", 0.69),
        (" -0.5 ", -0.5),
        ("\u22120.5", -0.5),
        ("1e-3", 0.001),
        ("1,5E-3", 0.0015),
        (".5", 0.5),
        ("+2", 2.0),
    ],
)
def test_numbers_and_numeric_strings(raw, value):
    assert parse_number(raw) == pytest.approx(value)


@pytest.mark.parametrize(
    "raw",
    [True, None, "abc", "", "1,234.5", "0.5.1", math.nan, math.inf, "nan", "inf", [1], {"v": 1}, "1" * 100, 10**400],
)
def test_anything_else_is_invalid(raw):
    assert isinstance(parse_number(raw), Invalid)


def test_unknown_key_is_named_with_the_valid_ones(seed_trace):
    with pytest.raises(AnswerError) as error:
        parse_answers({"z3": 0.755, "z6": 1.0}, seed_trace.asked_keys())
    (problem,) = error.value.problems
    assert problem.pointer == "/z6"
    assert "'z6'" in problem.message and "z3, y3, z4" in problem.message


def test_answers_must_be_a_mapping(seed_trace):
    with pytest.raises(AnswerError, match="mapping"):
        parse_answers([0.755], seed_trace.asked_keys())
