"""Grade a student's values against a trace, step by step, with follow-through.

Every step of the trace is walked in order.  A step's *own* expectation is its rule applied to
the student's own earlier values (the reference where the student gave none).  A value is
``correct`` when it matches the reference, or matches its own expectation while resting only on
correct values (so careful rounding never costs marks).  It is ``carried`` when it matches its
own expectation but rests on earlier wrong values.

The follow-through guard.  Typing trivial values early (0, 1, a copy of an input, or a wild
number that saturates a sigmoid) can make every later step trivial.  So a value that follows
from wrong earlier values earns no follow-through credit when one of the wrong values it rests on
(a *root*: a wrong value that does not itself follow from the student's earlier values) is a
placeholder:
  - within tolerance of 0,
  - exactly +1 or -1, or exactly a number given in the exercise (an input, weight, bias, target
    or the learning rate), or
  - implausible: further from the reference than 10 times max(1, |reference|).
Such a value is marked ``incorrect`` with a message that names the placeholder.  An honest slip
(a wrong product, a dropped term, a sign) is none of these, so its consequences stay carried.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from grader.engine.exercise import PHASES
from grader.engine.trace import Step, Trace
from grader.grading.answers import Invalid, parse_answers
from grader.grading.misconceptions import KINDS
from grader.grading.policy import Policy
from grader.grading.result import Grading, KeyResult

TRIVIAL = (1.0, -1.0)
IMPLAUSIBLE = 10.0
DEFAULT_POLICY = Policy()


class Judgement(NamedTuple):
    verdict: str
    credit: float
    note: str
    misconception: str | None = None
    params: dict[str, Any] | None = None
    follows: bool = False  # the value follows from the student's own earlier values


MISSING = Judgement("missing", 0.0, "missing")
CORRECT = Judgement("correct", 1.0, "correct")


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 + 1e-9 * abs(b)


def _safe(rule, args) -> float:
    """A rule's value, or NaN where it has none (not applicable, or undefined for these numbers)."""
    try:
        value = rule(*args)
    except (ArithmeticError, ValueError):
        return math.nan
    return value if value is not None and math.isfinite(value) else math.nan


def grade(trace: Trace, answers: Mapping[str, Any], policy: Policy = DEFAULT_POLICY) -> Grading:
    """Grade ``answers`` ({step key: number or numeric string}) against ``trace`` under ``policy``."""
    asked = trace.asked_keys()
    return _Marker(trace, parse_answers(answers, asked), policy).run(asked)


class _Marker:
    def __init__(self, trace: Trace, answers: dict[str, float | Invalid], policy: Policy):
        self.trace = trace
        self.answers = answers
        self.policy = policy
        self.close = policy.tolerance.close
        self.effective: dict[str, float] = {}
        self.roots: dict[str, frozenset[str]] = {}
        self.weights = {phase: policy.weight(phase) for phase in PHASES}

    # Only a wrong answer needs these, and most answers are right.
    @functools.cached_property
    def order(self) -> dict[str, int]:
        return {key: n for n, key in enumerate(self.trace.steps)}

    @functools.cached_property
    def placeholders(self) -> tuple[float, ...]:
        ex = self.trace.exercise
        return (
            *TRIVIAL,
            ex.learning_rate,
            *ex.weights.values(),
            *ex.biases.values(),
            *(x for s in ex.samples for x in (*s.inputs, *s.targets)),
        )

    def value(self, key: str) -> float:
        if key in self.effective:
            return self.effective[key]
        given = self.answers.get(key)
        return given if isinstance(given, float) else self.trace.steps[key].value

    def run(self, asked: list[str]) -> Grading:
        wanted = set(asked)
        results: dict[str, KeyResult] = {}
        empty: frozenset[str] = frozenset()
        for key, step in self.trace.steps.items():
            if step.phase == "given":
                self.effective[key] = step.value
                self.roots[key] = empty
                continue
            submitted = self.answers.get(key)
            if isinstance(submitted, float) and self.close(submitted, step.value):
                # Right by the reference: what it rests on no longer matters (most answers take
                # this path, so the student's own expectation is not worked out for them).
                judgement = CORRECT
                self.effective[key] = submitted
                self.roots[key] = empty
            else:
                own = _safe(step.rule, [self.effective[k] for k in step.inputs])
                upstream = empty.union(*(self.roots[k] for k in step.inputs))
                if isinstance(submitted, float):
                    judgement = self.judge(step, submitted, own, upstream)
                    self.effective[key] = submitted
                    if judgement.verdict == "correct":
                        self.roots[key] = empty
                    else:
                        self.roots[key] = upstream if judgement.follows else upstream | {key}
                else:
                    self.effective[key] = own if not math.isnan(own) else step.value
                    self.roots[key] = upstream
                    judgement = (
                        MISSING
                        if submitted is None
                        else Judgement("invalid", 0.0, "invalid", params={"raw": repr(submitted.raw)})
                    )
            if key in wanted:
                results[key] = KeyResult(
                    key=key,
                    phase=step.phase,
                    verdict=judgement.verdict,
                    credit=judgement.credit,
                    weight=self.weights[step.phase],
                    submitted=submitted,
                    expected=step.value,
                    note=judgement.note,
                    misconception=judgement.misconception,
                    params=judgement.params or {},
                )
        return Grading(results, self.policy)

    def judge(self, step: Step, a: float, own: float, upstream: frozenset[str]) -> Judgement:
        """The verdict on a number ``a`` that is not the reference, given what the student's own inputs give."""
        if not math.isnan(own) and self.close(a, own):
            if not upstream:
                return Judgement("correct", 1.0, "correct_rounding")
            sources = self.describe(upstream)
            trivial = self.placeholder(upstream)
            if trivial:
                return Judgement("incorrect", 0.0, "trivial", None, {"sources": sources, "trivial": trivial}, True)
            if not self.policy.follow_through:
                return Judgement("incorrect", 0.0, "carried_off", None, {"sources": sources}, True)
            return Judgement("carried", self.policy.carried_credit, "carried", None, {"sources": sources}, True)
        for misconception in KINDS.get(step.kind, ()):
            alternative = _safe(misconception.rule, (step, self.value, self.trace))
            if math.isnan(alternative) or not self.close(a, alternative):
                continue
            if not math.isnan(own) and self.close(alternative, own):
                continue
            code = misconception.code
            return Judgement("misconception", self.policy.misconception_credit, code, code)
        return Judgement("incorrect", 0.0, "incorrect")

    def describe(self, roots: frozenset[str]) -> str:
        order = sorted(roots, key=self.order.__getitem__)
        shown = ", ".join(f"{k} = {self.effective[k]:g}" for k in order[:3])
        return shown + (f" and {len(order) - 3} more" if len(order) > 3 else "")

    def placeholder(self, roots: frozenset[str]) -> str | None:
        """The first wrong earlier value that is a placeholder, as "key = value", if any."""
        for key in sorted(roots, key=self.order.__getitem__):
            value, reference = self.effective[key], self.trace.steps[key].value
            if (
                self.close(value, 0.0)
                or any(_same(value, p) for p in self.placeholders)
                or abs(value - reference) > IMPLAUSIBLE * max(1.0, abs(reference))
            ):
                return f"{key} = {value:g}"
        return None
