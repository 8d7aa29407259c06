"""A student's answers: a map from step key to a number, as typed.

Numbers and numeric strings are accepted, including a decimal comma ("0,69") and a typographic
minus ("−0.5").  Anything else is kept as an ``Invalid`` answer, graded ``invalid``.  A key that
is not asked is an error naming the key and listing the valid ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader.engine.exercise import ExerciseError, Problem

NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
MAX_TEXT = 64


class AnswerError(ExerciseError):
    """Answers that cannot be graded at all; ``problems`` names each bad key."""

    what = "answers"


@dataclass(frozen=True, slots=True)
class Invalid:
    raw: Any

    def __repr__(self) -> str:
        return f"Invalid({self.raw!r})"


def parse_number(raw: Any) -> float | Invalid:
    """One answer as a finite float, or Invalid."""
    if isinstance(raw, bool):
        return Invalid(raw)
    if isinstance(raw, (int, float)):
        value = float(raw) if abs(raw) < 1e308 else math.inf
        return value if math.isfinite(value) else Invalid(raw)
    if isinstance(raw, str) and len(raw) <= MAX_TEXT:
        text = raw.strip().replace("\u2212", "-").replace(" ", "")
        if NUMBER.match(text):
            value = float(text.replace(",", "."))
            return value if math.isfinite(value) else Invalid(raw)
    return Invalid(raw)


def parse_answers(raw: Any, asked: Sequence[str], allowed: frozenset[str] | None = None) -> dict[str, float | Invalid]:
    """Parse a {key: value} mapping against the asked keys (``allowed``: the same as a set, if the
    caller keeps one); unknown keys raise AnswerError."""
    if not isinstance(raw, Mapping):
        raise AnswerError([Problem.of("", "answers_not_mapping", kind=type(raw).__name__)])
    if allowed is None:
        allowed = frozenset(asked)
    unknown = [] if allowed.issuperset(raw) else [key for key in raw if key not in allowed]
    if unknown:
        valid = ", ".join(asked)
        raise AnswerError([Problem.of(f"/{key}", "unknown_answer_key", key=repr(key), keys=valid) for key in unknown])
    # A float in range is taken as it is, without a call: most answers stored as JSON are one.
    return {
        key: value if value.__class__ is float and -1e308 < value < 1e308 else parse_number(value)
        for key, value in raw.items()
    }
