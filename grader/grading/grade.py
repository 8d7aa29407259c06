"""Grade a student's values against a trace, step by step, with follow-through.

The pipeline, in order (docs/grading-integrity.md explains each rule and why an honest student
is not hurt by it):

1. **Marking.**  Every step of the trace is walked in order.  A step's *own* expectation is its
   rule applied to the student's own earlier values (the reference where the student gave none).
   A value is ``correct`` when it matches the reference, or matches its own expectation while
   resting only on correct values (so careful rounding never costs marks).  It is ``carried``
   when it matches its own expectation but rests on earlier wrong values.
2. **No update, no copy.**  An update equal to the old value, or a later iteration's value equal
   to the earlier iteration's, earns nothing where the reference visibly changed (at the policy's
   precision, ``Tolerance.resolution``), even when the change is within tolerance.
3. **The follow-through guard.**  A value that follows from wrong earlier values earns no credit
   when one of the wrong values it rests on (a *root*: a wrong value that does not itself follow
   from the student's earlier values) is a placeholder: within tolerance of 0, exactly +1 or -1,
   exactly a given number that stands in for work not done (a network input as an activation, a
   target as an output: ``evidence``; not any printed number, which a slip may hit), implausible
   (further than 10 times max(1, |x|) from both the reference and what the student's own values
   give), or a copied previous value (step 2) where another value of the same iteration, sample
   and phase is copied too.  A lone repeat may be a slip that landed there: the steps are marked
   again with it as an ordinary wrong value.
4. **Integrity** (``integrity``).  Steps that read a given directly and contradict it show which
   numbers the student worked on: one or two misread givens are named (``misread_given``) and cost
   only the steps that read them; answers worked on other numbers get no follow-through and at
   most 20 % of the marks.
5. **Reasons** (``reasons``).  An ``incorrect`` value gets a reason where one can be seen: sign,
   power of ten, coarse rounding, a neighbour's or another iteration's or sample's value.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from grader.engine.exercise import PHASES
from grader.engine.trace import Step, Trace
from grader.grading import evidence, integrity
from grader.grading.answers import Invalid, parse_answers
from grader.grading.misconceptions import KINDS
from grader.grading.policy import Policy
from grader.grading.reasons import reason
from grader.grading.result import Grading, KeyResult, Verdict
from grader.grading.tolerance import Tolerance

TRIVIAL = (1.0, -1.0)
IMPLAUSIBLE = 10.0
DEFAULT_POLICY = Policy()
UPDATE_KINDS = ("new_w", "new_b")


class Judgement(NamedTuple):
    verdict: Verdict
    credit: float
    note: str
    misconception: str | None = None
    params: dict[str, Any] | None = None
    follows: bool = False  # the value follows from the student's own earlier values


MISSING = Judgement(Verdict.MISSING, 0.0, "missing")
CORRECT = Judgement(Verdict.CORRECT, 1.0, "correct")
NO_CAUSE = Judgement(Verdict.INCORRECT, 0.0, "incorrect")


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 + 1e-9 * abs(b)


def _safe(rule: Callable[..., float | None], args: Sequence[Any]) -> float:
    """A rule's value, or NaN where it has none (not applicable, or undefined for these numbers)."""
    try:
        value = rule(*args)
    except (ArithmeticError, ValueError):
        return math.nan
    return value if value is not None and math.isfinite(value) else math.nan


def _pairs(keys: Sequence[str], values: Mapping[str, float]) -> list[list[Any]]:
    return [[k, values[k]] for k in keys]


def grade(trace: Trace, answers: Mapping[str, Any], policy: Policy = DEFAULT_POLICY) -> Grading:
    """Grade ``answers`` ({step key: number or numeric string}) against ``trace`` under ``policy``."""
    plan = _plan(trace, policy.tolerance)
    return _Marker(trace, parse_answers(answers, plan.asked, plan.allowed), policy, plan).run()


class _Plan(NamedTuple):
    """What grading any answers to one trace under one tolerance needs, worked out once: a regrade
    grades every attempt of a variant in turn, so nothing here is recomputed per submission."""

    givens: dict[str, float]  # the given steps' values, where every grading's values start
    computed: tuple[tuple[str, Step, float, float, evidence.Guard | None], ...]  # key, step, reference,
    # the tolerance's padded half-width there, its guard: the steps to mark, in trace order
    asked: list[str]
    allowed: frozenset[str]
    phases: tuple[tuple[str, str, float], ...]  # key, phase, reference of each asked key
    guards: dict[str, evidence.Guard]
    # For ``reads_unwritten``: True where a step reads a given weight or bias, else the updates it reads.
    reads: dict[str, Literal[True] | tuple[str, ...]]


_PLANS: weakref.WeakKeyDictionary[Trace, dict[Tolerance, _Plan]] = weakref.WeakKeyDictionary()


def _plan(trace: Trace, tolerance: Tolerance) -> _Plan:
    by_tolerance = _PLANS.get(trace)
    if by_tolerance is None:
        by_tolerance = _PLANS[trace] = {}
    found = by_tolerance.get(tolerance)
    if found is None:
        guards = evidence.guards(trace, tolerance)
        steps = trace.steps
        asked = trace.asked_keys()
        found = by_tolerance[tolerance] = _Plan(
            {k: s.value for k, s in steps.items() if s.phase == "given"},
            tuple(
                (k, s, s.value, tolerance.padded(s.value), guards.get(k))
                for k, s in steps.items()
                if s.phase != "given"
            ),
            asked,
            frozenset(asked),
            tuple((k, steps[k].phase, steps[k].value) for k in asked),
            guards,
            _reads(trace),
        )
    return found


def _reads(trace: Trace) -> dict[str, Literal[True] | tuple[str, ...]]:
    givens = evidence.facts(trace).parameter_givens
    steps = trace.steps
    return {
        key: True
        if any(k in givens for k in step.inputs)
        else tuple(k for k in step.inputs if steps[k].kind in UPDATE_KINDS)
        for key, step in steps.items()
        if step.phase != "given"
    }


class _Marker:
    def __init__(self, trace: Trace, answers: dict[str, float | Invalid], policy: Policy, plan: _Plan):
        self.trace = trace
        self.answers = answers
        self.policy = policy
        self.plan = plan
        self.close = policy.tolerance.close
        self.effective: dict[str, float] = dict(plan.givens)
        self.roots: dict[str, frozenset[str]] = dict.fromkeys(plan.givens, frozenset())
        self.weights = {phase: policy.weight(phase) for phase in PHASES}
        self.guards = plan.guards
        self.copies: set[str] = set()  # roots that repeat a previous value: placeholders
        self.lone: frozenset[str] = frozenset()  # repeats with no second one in their group: slips
        self.suspects: list[str] = []  # anchors wrong with no known cause (see ``integrity``)
        self.owns: dict[str, float] = {}  # own expectations worked out on the slow path

    # Only a wrong answer needs these, and most answers are right.
    @functools.cached_property
    def facts(self) -> evidence.TraceFacts:
        return evidence.facts(self.trace)

    @functools.cached_property
    def order(self) -> dict[str, int]:
        return {key: n for n, key in enumerate(self.trace.steps)}

    def value(self, key: str) -> float:
        if key in self.effective:
            return self.effective[key]
        given = self.answers.get(key)
        return given if isinstance(given, float) else self.trace.steps[key].value

    def own(self, step: Step) -> float:
        return _safe(step.rule, [self.effective[k] for k in step.inputs])

    def run(self) -> Grading:
        judgements = self.walk()
        lone = integrity.lone_copies(self.facts, self.copies) if self.copies else frozenset()
        if lone:
            # Marked again with those repeats as ordinary wrong values (what else a repeat decides
            # does not depend on them, so the other repeats stay what they were).
            self.lone = lone
            self.effective = dict(self.plan.givens)
            self.roots = dict.fromkeys(self.plan.givens, frozenset())
            self.copies, self.suspects, self.owns = set(), [], {}
            judgements = self.walk()
        finding = self.weigh(judgements) if self.suspects else integrity.NOTHING
        weights, answers = self.weights, self.answers
        results = {}
        for key, phase, reference in self.plan.phases:
            judgement = judgements[key]
            if judgement is CORRECT:  # ``result`` of a correct value, as most are: nothing to explain
                results[key] = KeyResult(
                    key, phase, Verdict.CORRECT, 1.0, weights[phase], answers[key], reference, "correct", None, {}
                )
            else:
                results[key] = self.result(key, judgement)
        if finding.other_numbers:
            results = _capped(results, integrity.OTHER_NUMBERS_CAP)
        return Grading(results, self.policy)

    def walk(self) -> dict[str, Judgement]:
        """Mark every step in order (the pipeline's steps 1 to 3)."""
        judgements: dict[str, Judgement] = {}
        empty: frozenset[str] = frozenset()
        answers, effective = self.answers, self.effective
        for key, step, reference, width, guard in self.plan.computed:
            submitted = answers.get(key)
            if (
                isinstance(submitted, float)
                and abs(submitted - reference) <= width  # ``close``, with its width worked out once
                and (guard is None or not self.repeats(key, submitted))
            ):
                # Right by the reference: what it rests on no longer matters (most answers take
                # this path, so the student's own expectation is not worked out for them).
                judgement = CORRECT
                effective[key] = submitted
                self.roots[key] = empty
            elif isinstance(submitted, float):
                # Wrong, or right only because a copied previous value is within tolerance.
                own = self.owns[key] = self.own(step)
                upstream = empty.union(*(self.roots[k] for k in step.inputs))
                judgement = self.judge(step, submitted, own, upstream)
                self.effective[key] = submitted
                if judgement.verdict == "correct":
                    self.roots[key] = empty
                else:
                    self.roots[key] = upstream if judgement.follows else upstream | {key}
                if judgement is NO_CAUSE and (key in self.facts.anchors or self.reads_unwritten(step)):
                    self.suspects.append(key)
            else:
                own = self.own(step)
                self.effective[key] = own if not math.isnan(own) else step.value
                self.roots[key] = empty.union(*(self.roots[k] for k in step.inputs))
                judgement = (
                    MISSING
                    if submitted is None
                    else Judgement(Verdict.INVALID, 0.0, "invalid", params={"raw": repr(submitted.raw)})
                )
            judgements[key] = judgement
        return judgements

    def result(self, key: str, judgement: Judgement) -> KeyResult:
        step = self.trace.steps[key]
        submitted = self.answers.get(key)
        if judgement is NO_CAUSE and isinstance(submitted, float):
            right = self.owns.get(key, math.nan)
            found = reason(
                self.trace,
                self.facts,
                self.policy.tolerance,
                self.effective,
                key,
                submitted,
                step.value if math.isnan(right) else right,
            )
            if found is not None:
                judgement = Judgement(Verdict.INCORRECT, 0.0, found[0], None, found[1])
        return KeyResult(
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

    def judge(self, step: Step, a: float, own: float, upstream: frozenset[str]) -> Judgement:
        """The verdict on a number ``a`` that is not the reference, given what the student's own inputs give."""
        guard = self.guards.get(step.key)  # the steps whose reference visibly changed
        if guard is not None:
            copied = self.copied(step, a, guard.before, own)
            if copied is not None:
                return copied
        if not math.isnan(own) and self.close(a, own):
            if not upstream:
                return Judgement(Verdict.CORRECT, 1.0, "correct_rounding")
            sources = self.sources(upstream)
            trivial = self.placeholder(upstream)
            if trivial:
                note = "trivial_copy" if trivial[0] in self.copies else "trivial"
                return Judgement(Verdict.INCORRECT, 0.0, note, None, {"sources": sources, "trivial": trivial}, True)
            if not self.policy.follow_through:
                return Judgement(Verdict.INCORRECT, 0.0, "carried_off", None, {"sources": sources}, True)
            return Judgement(Verdict.CARRIED, self.policy.carried_credit, "carried", None, {"sources": sources}, True)
        named = self.misconception(step, a, own)
        return NO_CAUSE if named is None else named[0]

    def misconception(self, step: Step, a: float, own: float) -> tuple[Judgement, float] | None:
        """The first catalogue entry whose wrong rule gives ``a`` (and not what is due), as a judgement,
        with the value the wrong rule gives."""
        for misconception in KINDS.get(step.kind, ()):
            alternative = _safe(misconception.rule, (step, self.value, self.trace))
            if math.isnan(alternative) or not self.close(a, alternative):
                continue
            if not math.isnan(own) and self.close(alternative, own):
                continue
            code = misconception.code
            credit = self.policy.misconception_credit
            return Judgement(Verdict.MISCONCEPTION, credit, code, code, self.context(code)), alternative
        return None

    def also(self, key: str, code: str) -> tuple[str, ...]:
        """The catalogue entries other than ``code``, the misconception named at ``key``, whose wrong rule
        gives the student's value there too (and not what is due): a value may fit two by chance, and
        only the first is named, but a student who holds the second applied it here as well."""
        step = self.trace.steps[key]
        a = self.answers[key]
        if not isinstance(a, float):  # never so: a misconception is named only at a number
            return ()
        own = self.owns.get(key, math.nan)
        found = []
        for misconception in KINDS.get(step.kind, ()):
            alternative = _safe(misconception.rule, (step, self.value, self.trace))
            if misconception.code == code or math.isnan(alternative) or not self.close(a, alternative):
                continue
            if math.isnan(own) or not self.close(alternative, own):
                found.append(misconception.code)
        return tuple(found)

    def repeats(self, key: str, a: float) -> bool:
        """Whether ``a``, within tolerance of the reference, may be the previous value written again
        where the reference changed visibly: then it is judged as a wrong value would be."""
        guard = self.guards.get(key)
        # Half the rounding unit at the reference's previous value stands for the student's (the two
        # are within tolerance of each other here, so the unit is the same but at a power of ten).
        return guard is not None and abs(a - self.effective[guard.before]) <= guard.half_unit + 1e-12

    def reads_unwritten(self, step: Step) -> bool:
        """Whether a step reads a weight or bias the student did not write: a given one, or an update
        left blank (the grader works it out from the exercise's own numbers).  There, and only
        there, answers worked on other numbers contradict the exercise."""
        reads = self.plan.reads[step.key]
        return reads is True or any(not isinstance(self.answers.get(k), float) for k in reads)

    def same_figures(self, a: float, previous: float) -> bool:
        """Whether ``a`` is ``previous`` at the policy's precision (within half its rounding unit)."""
        return abs(a - previous) <= 0.5 * self.policy.tolerance.resolution(previous) + 1e-12

    def copied(self, step: Step, a: float, before: str, own: float) -> Judgement | None:
        """A judgement of no credit when ``a`` repeats the previous value rather than what is due (or the
        misconception whose wrong rule gives it, if one does)."""
        previous = self.effective[before]
        gap = abs(a - previous) + 1e-12
        if gap >= abs(a - step.value) or not self.same_figures(a, previous):
            return None
        if math.isnan(own):
            own = step.value
        # What the student's own values give must differ visibly from what they wrote before: a
        # careful rounder whose own numbers barely move may honestly write the same figures twice.
        if gap >= abs(a - own) or not evidence.visible(self.policy.tolerance, own, previous):
            return None
        lone = step.key in self.lone
        if lone and not self.close(a, step.value) and not self.close(a, own):
            return None  # a lone repeat that is wrong anyway: a slip like any other
        named = self.misconception(step, a, own)
        if named is not None and abs(a - named[1]) < gap:
            return named[0]  # a known wrong rule that gives these figures better is named as such
        if not lone:  # a lone repeat within tolerance earns nothing itself, but may be a slip
            self.copies.add(step.key)
        note = "unchanged" if step.kind in UPDATE_KINDS else "copied"
        return Judgement(Verdict.INCORRECT, 0.0, note, None, {"previous": before})

    def context(self, code: str) -> dict[str, Any] | None:
        """What a misconception's message needs to hold under this exercise's conventions."""
        ex = self.trace.exercise
        out: dict[str, Any] = {}
        if ex.delta_convention != "dE/dz":
            out["convention"] = ex.delta_convention
        return out or None

    def weigh(self, judgements: dict[str, Judgement]) -> integrity.Finding:
        """Apply ``integrity``: name misread givens, or withdraw follow-through from other numbers."""
        answered = {k: v for k, v in self.answers.items() if isinstance(v, float)}
        steps = self.trace.steps
        anchors = {k for k in answered if k in self.facts.parameter_anchors or self.reads_unwritten(steps[k])}
        named = {k: j.misconception for k, j in judgements.items() if k in anchors and j.misconception is not None}
        finding = integrity.assess(
            self.trace, self.facts, self.effective, answered, self.suspects, anchors, self.close, named, self.also
        )
        ex = self.trace.exercise
        printed = {**ex.weights, **ex.biases}
        if finding.other_numbers:
            example: dict[str, Any] = {}
            if finding.misread:
                given, value = next(iter(finding.misread.items()))
                example = {"given": given, "value": value, "printed": self.trace.steps[given].value}
            withdrawn = Judgement(Verdict.INCORRECT, 0.0, "other_numbers", None, example or None)
            for key, judgement in judgements.items():
                if judgement.verdict == "carried" or key in self.suspects:
                    judgements[key] = withdrawn
            return finding
        for key in finding.explained:
            step = self.trace.steps[key]
            given = next(g for g in step.inputs if g in finding.misread)
            value = finding.misread[given]
            params = {"given": given, "value": value, "printed": printed.get(given, self.trace.steps[given].value)}
            judgements[key] = Judgement(Verdict.INCORRECT, 0.0, "misread_given", None, params)
        return finding

    def sources(self, roots: frozenset[str]) -> list[list[Any]]:
        order = sorted(roots, key=self.order.__getitem__)
        shown = _pairs(order[:3], self.effective)
        return shown + ([["more", len(order) - 3]] if len(order) > 3 else [])

    def placeholder(self, roots: frozenset[str]) -> list[Any] | None:
        """The first wrong earlier value that is a placeholder, as [key, value], if any."""
        for key in sorted(roots, key=self.order.__getitem__):
            value, reference = self.effective[key], self.trace.steps[key].value
            if (
                key in self.copies
                or self.close(value, 0.0)
                or any(_same(value, p) for p in (*TRIVIAL, *self.facts.at_hand.get(key, ())))
                or (_far(value, reference) and _far(value, self.owns.get(key, reference)))
            ):
                return [key, value]
        return None


def _far(value: float, right: float) -> bool:
    """Whether ``value`` is implausibly far from ``right``: more than 10 times max(1, |right|) away.
    A root is a placeholder when it is far from both the reference and what the student's own
    earlier values give (after an earlier slip those may run far from the reference, and a slip
    there is still a slip)."""
    return not abs(value - right) <= IMPLAUSIBLE * max(1.0, abs(right))


def _capped(results: dict[str, KeyResult], cap: float) -> dict[str, KeyResult]:
    """Results whose points add up to at most ``cap`` of the maximum, every credit scaled alike."""
    score = sum(r.points for r in results.values())
    limit = cap * sum(r.weight for r in results.values())
    if score <= limit:
        return results
    factor = limit / score * (1.0 - 1e-12)  # never a hair over the cap by float rounding
    return {k: r.with_credit(r.credit * factor) for k, r in results.items()}
