"""What grading produces: a verdict per key, and the scores derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from grader.engine.exercise import PHASES
from grader.engine.rules import number
from grader.grading.answers import Invalid
from grader.grading.messages import EXPECTED, REASONS, render
from grader.grading.policy import Policy


class Verdict(StrEnum):
    """What a value earned.  The values are the strings of the JSON contract."""

    CORRECT = "correct"  # within tolerance of the reference, or of what the student's own right values give
    CARRIED = "carried"  # wrong against the reference, right from the student's own earlier values
    MISCONCEPTION = "misconception"  # what a known wrong rule gives; ``misconception`` names it
    INCORRECT = "incorrect"  # wrong, with no known cause
    MISSING = "missing"  # asked for but not given
    INVALID = "invalid"  # not a finite number


# As plain strings, for schemas and documents that list them.
VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)


class KeyResult(NamedTuple):
    """The verdict on one key.  A named tuple, not a dataclass: a regrade builds tens of results per
    submission for a million submissions, and a tuple is built several times faster (as ``Step``)."""

    key: str
    phase: str
    verdict: Verdict
    credit: float
    weight: float
    submitted: float | Invalid | None
    expected: float
    note: str
    misconception: str | None
    params: dict[str, Any]

    def __repr__(self) -> str:
        tag = f" {self.misconception}" if self.misconception else ""
        return f"KeyResult({self.key}: {self.verdict}{tag}, credit {self.credit:g})"

    @property
    def points(self) -> float:
        return self.credit * self.weight

    @property
    def reason(self) -> str | None:
        """Why an ``incorrect`` value is wrong, where that can be seen (a note code), else None."""
        return self.note if self.verdict == "incorrect" and self.note in REASONS else None

    def with_credit(self, credit: float) -> KeyResult:
        """The same result with another credit (a capped grading scales every key alike)."""
        return self._replace(credit=credit)

    def message(self, language: str = "en", reveal: bool = False) -> str:
        """Feedback for this key; the expected value only when ``reveal``."""
        text = render(self.note, self.params, language, self.key)
        if reveal and self.verdict not in ("correct",):
            text += EXPECTED.get(language, EXPECTED["en"]).format(expected=number(self.expected))
        return text

    def to_dict(self, reveal: bool, language: str = "en") -> dict[str, Any]:
        submitted = self.submitted.raw if isinstance(self.submitted, Invalid) else self.submitted
        out = {
            "verdict": self.verdict,
            "credit": self.credit,
            "weight": self.weight,
            "misconception": self.misconception,
            "reason": self.reason,
            "message": self.message(language, reveal),
            "phase": self.phase,
            "submitted": submitted
            if isinstance(submitted, (int, float, str)) or submitted is None
            else repr(submitted),
        }
        if reveal:
            out["expected"] = self.expected
        return out


@dataclass(frozen=True)
class Grading:
    results: dict[str, KeyResult]
    policy: Policy

    def __repr__(self) -> str:
        return f"Grading({self.score:g}/{self.max_score:g} over {len(self.results)} keys)"

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results.values())

    @property
    def max_score(self) -> float:
        return sum(r.weight for r in self.results.values())

    @property
    def phases(self) -> dict[str, dict[str, float]]:
        """Score and maximum per phase, for the phases asked."""
        sums: dict[str, list[float]] = {}
        for r in self.results.values():
            score_and_max = sums.setdefault(r.phase, [0.0, 0.0])
            score_and_max[0] += r.credit * r.weight
            score_and_max[1] += r.weight
        return {p: {"score": sums[p][0], "max_score": sums[p][1]} for p in PHASES if p in sums}

    def counts(self) -> dict[str, int]:
        """How many keys got each verdict."""
        out = dict.fromkeys(VERDICTS, 0)
        for r in self.results.values():
            out[r.verdict] += 1
        return out

    def to_dict(self, reveal: bool | None = None, language: str = "en") -> dict[str, Any]:
        """The JSON shape of docs/verdicts.md, with the expected values when ``reveal`` is true.

        ``reveal`` is the caller's decision (``Policy.reveals`` with the set's due date and the
        student's attempts); None reveals only under the rule ``always``, as no state is known here.
        """
        if reveal is None:
            reveal = self.policy.reveal == "always"
        elif not isinstance(reveal, bool):
            # A rule's name passed by mistake would be truthy, and "never" would show every answer.
            raise TypeError(f"reveal must be True, False or None, got {reveal!r}")
        return {
            "score": self.score,
            "max_score": self.max_score,
            "phases": self.phases,
            "counts": self.counts(),
            "results": {k: r.to_dict(reveal, language) for k, r in self.results.items()},
        }
