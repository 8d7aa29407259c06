"""Step grading: tolerance, follow-through, misconceptions and partial credit. Pure, no I/O."""

from grader.grading.answers import AnswerError, Invalid, parse_answers
from grader.grading.grade import grade
from grader.grading.misconceptions import CATALOGUE, Misconception
from grader.grading.policy import Policy, PolicyError
from grader.grading.result import VERDICTS, Grading, KeyResult
from grader.grading.tolerance import Tolerance

__all__ = [
    "CATALOGUE",
    "VERDICTS",
    "AnswerError",
    "Grading",
    "Invalid",
    "KeyResult",
    "Misconception",
    "Policy",
    "PolicyError",
    "Tolerance",
    "grade",
    "parse_answers",
]
