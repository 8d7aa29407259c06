"""The grading policy: tolerance, follow-through, credit and what a student may see.

Defaults suit hand calculation.  A student who rounds every value to 4 decimal places, or to
3 significant figures, and carries on from their own rounded numbers is within rtol = 1 %
(3 significant figures is at worst 0.5 % off) and atol = 1e-4 (4 decimal places is at most
5e-5 off) of what their own inputs give; the grader checks each step against that
recomputation, so rounding never compounds into lost marks.  1 % is still tight enough to
tell the classic mistakes apart, which change a value by a factor, a sign or a term.

What a student may see is a rule, not a switch, as in Canvas, Moodle or PrairieLearn: the
expected values are shown ``never`` (the default), ``always``, ``after_due`` (once the due
date has passed), or ``after_last_attempt`` (once the student can no longer submit).  The two
rules that wait keep the answers back while they could still be copied into a submission.
Whether the rule holds depends on the set's due date and the student's attempts, which the
policy does not know: ``Policy.reveals`` takes them from its caller.  ``true`` and ``false``
are read as ``always`` and ``never``, the switch this rule replaced, so stored policies keep
their meaning.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from grader.engine.exercise import PHASES, ExerciseError, Problem
from grader.grading.tolerance import MODES, Tolerance, ToleranceMode


class PolicyError(ExerciseError):
    """A policy document that cannot be used; ``problems`` names every bad field."""

    what = "policy"


FIELDS = (
    "tolerance",
    "rtol",
    "atol",
    "sigfigs",
    "decimals",
    "follow_through",
    "carried_credit",
    "misconception_credit",
    "phase_weights",
    "reveal",
    "passback",
)


class Passback(StrEnum):
    """Which attempt stands for a student in the gradebook and the score sent to the LMS."""

    LATEST = "latest"
    BEST = "best"


# Each rule of ``reveal``: when students (and LMSs acting for them) see the expected values.
REVEAL_RULES: dict[str, str] = {
    "never": "only instructors see them",
    "always": "from the first attempt on",
    "after_due": "once the set's due date has passed (never when the set has none)",
    "after_last_attempt": "once the student can no longer submit: every attempt is used or the due date has passed",
}
# The switch that came before the rules, still read so that stored policy documents keep working.
REVEAL_ALIASES: dict[bool, str] = {False: "never", True: "always"}


def reveal_rule(value: Any) -> str | None:
    """The canonical name of a reveal rule given by name or by a boolean alias; None for anything else."""
    if isinstance(value, bool):
        return REVEAL_ALIASES[value]
    if isinstance(value, str) and value in REVEAL_RULES:
        return value
    return None


@dataclass(frozen=True)
class Policy:
    tolerance: Tolerance = field(default_factory=Tolerance)
    follow_through: bool = True
    carried_credit: float = 1.0
    misconception_credit: float = 0.0
    phase_weights: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 1.0))
    reveal: str = "never"
    passback: Passback = Passback.LATEST

    def __post_init__(self) -> None:
        # Policies built in code (not read by from_mapping) may still say True or False; keep
        # only the canonical name, so that ``reveals`` and ``to_mapping`` see one of the rules.
        rule = reveal_rule(self.reveal)
        if rule is None:
            raise ValueError(f"reveal must be one of {', '.join(REVEAL_RULES)}, got {self.reveal!r}")
        object.__setattr__(self, "reveal", rule)
        object.__setattr__(self, "passback", Passback(self.passback))

    def __repr__(self) -> str:
        ft = f"follow-through {self.carried_credit:g}" if self.follow_through else "no follow-through"
        return f"Policy({self.tolerance!r}, {ft}, reveal {self.reveal})"

    def close(self, submitted: float, expected: float) -> bool:
        """Whether a submitted number counts as the expected one under this policy."""
        return self.tolerance.close(submitted, expected)

    def tolerance_for(self, expected: float) -> float:
        """The absolute half-width accepted around ``expected`` (for exports such as Moodle)."""
        return self.tolerance.padded(expected)

    def weight(self, phase: str) -> float:
        return self.phase_weights.get(phase, 1.0)

    def reveals(self, *, now: datetime, due_at: datetime | None, attempts_used: int, max_attempts: int | None) -> bool:
        """Whether a student's feedback shows the expected values at ``now``.

        ``due_at`` is the set's due date (None: none) and ``max_attempts`` its attempt limit
        (None: unlimited); ``attempts_used`` counts the student's stored attempts, the one being
        answered included.  Datetimes are timezone-aware.  Submissions are refused once ``now`` is
        after ``due_at``, so the due date counts as passed from that moment on, not at it.
        """
        if self.reveal == "always":
            return True
        if self.reveal == "never":
            return False
        past_due = due_at is not None and now > due_at
        if self.reveal == "after_due":
            return past_due
        # after_last_attempt: the student cannot submit again.
        return past_due or (max_attempts is not None and attempts_used >= max_attempts)

    def to_mapping(self) -> dict[str, Any]:
        """The policy as a flat document that ``from_mapping`` reads back unchanged."""
        tolerance = asdict(self.tolerance)
        return {
            "tolerance": str(tolerance.pop("mode")),
            **tolerance,
            "follow_through": self.follow_through,
            "carried_credit": self.carried_credit,
            "misconception_credit": self.misconception_credit,
            "phase_weights": dict(self.phase_weights),
            "reveal": self.reveal,
            "passback": str(self.passback),
        }

    @classmethod
    def from_mapping(cls, doc: Any) -> Policy:
        """Validate a policy document; unset fields keep their defaults."""
        if doc is None:
            return cls()
        if not isinstance(doc, Mapping):
            raise PolicyError([Problem.of("", "policy_not_mapping")])
        problems: list[Problem] = []
        for name in doc:
            if name not in FIELDS:
                problems.append(Problem.of(f"/{name}", "unknown_field", name=repr(name), known=", ".join(FIELDS)))

        def number(name: str, default: float, low: float, high: float) -> float:
            value = doc.get(name, default)
            # Ints are compared exactly, so a 400-digit one is simply out of range, never an OverflowError.
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not (isinstance(value, int) or math.isfinite(value)) or not low <= value <= high:
                shown = reprlib.repr(value)
                problems.append(Problem.of(f"/{name}", "number_range", least=f"{low:g}", most=f"{high:g}", value=shown))
                return default
            return float(value)

        def whole(name: str, default: int) -> int:
            value = doc.get(name, default)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 12:
                problems.append(Problem.of(f"/{name}", "whole_range", least=1, most=12, value=repr(value)))
                return default
            return value

        def flag(name: str, default: bool) -> bool:
            value = doc.get(name, default)
            if not isinstance(value, bool):
                problems.append(Problem.of(f"/{name}", "not_flag", value=repr(value)))
                return default
            return value

        reveal = reveal_rule(doc.get("reveal", "never"))
        if reveal is None:
            shown = reprlib.repr(doc["reveal"])
            problems.append(Problem.of("/reveal", "reveal_option", options=", ".join(REVEAL_RULES), value=shown))
            reveal = "never"

        passback = doc.get("passback", Passback.LATEST)
        if passback not in tuple(Passback):
            shown = reprlib.repr(passback)
            problems.append(Problem.of("/passback", "one_of", options=", ".join(Passback), value=shown))
            passback = Passback.LATEST

        mode = doc.get("tolerance", "relative")
        if mode not in MODES:
            problems.append(
                Problem.of("/tolerance", "unknown_option", name="tolerance", value=repr(mode), options=", ".join(MODES))
            )
            mode = "relative"
        defaults = Tolerance()
        tolerance = Tolerance(
            mode=ToleranceMode(mode),
            rtol=number("rtol", defaults.rtol, 0.0, 1.0),
            atol=number("atol", defaults.atol, 0.0, 1e6),
            sigfigs=whole("sigfigs", defaults.sigfigs),
            decimals=whole("decimals", defaults.decimals),
        )
        weights = dict.fromkeys(PHASES, 1.0)
        given = doc.get("phase_weights", {})
        if not isinstance(given, Mapping):
            problems.append(Problem.of("/phase_weights", "phase_weights_shape", value=repr(given)))
            given = {}
        for phase, value in given.items():
            if phase not in PHASES:
                problems.append(
                    Problem.of(f"/phase_weights/{phase}", "unknown_phase", value=repr(phase), phases=", ".join(PHASES))
                )
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1000:
                problems.append(
                    Problem.of(f"/phase_weights/{phase}", "number_range", least=0, most=1000, value=repr(value))
                )
            else:
                weights[phase] = float(value)
        policy = cls(
            tolerance=tolerance,
            follow_through=flag("follow_through", True),
            carried_credit=number("carried_credit", 1.0, 0.0, 1.0),
            misconception_credit=number("misconception_credit", 0.0, 0.0, 1.0),
            phase_weights=weights,
            reveal=reveal,
            passback=Passback(passback),
        )
        if problems:
            raise PolicyError(problems)
        return policy
