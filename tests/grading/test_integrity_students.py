"""Simulated students who try to beat the integrity rules, and honest ones who must not be hurt.

Every property runs over random exercises of every activation, loss, bias mode, update mode and
delta convention (``simulated.random_exercise``).  BP_EXAMPLES raises the example counts.
"""

from __future__ import annotations

import itertools
import math
import os
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.engine import Exercise, Trace, solve
from grader.engine.exercise import ExerciseError
from grader.grading import Policy, grade
from grader.grading.evidence import facts, join, split, visible
from grader.grading.misconceptions import BY_CODE
from tests.grading.simulated import decimals, exercises, work
from tests.grading.test_simulated_students import REQUIREMENTS, ambiguous, first_shown, stands_in

EXAMPLES = int(os.environ.get("BP_EXAMPLES", "30"))
# Derandomized: the suite runs the same examples every time (BP_EXAMPLES explores further).
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=os.environ.get("BP_RANDOM") is None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TOLERANCE = Policy().tolerance
CAP = 0.2


def classmate(exercise: Exercise, rng: random.Random, names: list[str] | None = None) -> Exercise | None:
    """The exercise with each weight in ``names`` (default: all) moved by 0.1 to 0.3, either way."""
    doc = exercise.to_mapping()
    for name in names or list(doc["weights"]):
        doc["weights"][name] = round(doc["weights"][name] + rng.choice((-1, 1)) * rng.uniform(0.1, 0.3), 2)
    try:
        return Exercise.from_mapping(doc)
    except ExerciseError:
        return None


def solved(exercise: Exercise | None) -> Trace:
    assume(exercise is not None)
    try:
        trace = solve(exercise)
    except (ArithmeticError, ValueError):
        assume(False)
    return trace


def finite(answers: dict[str, float]) -> dict[str, float]:
    assume(all(math.isfinite(v) for v in answers.values()))
    return answers


def fraction(result) -> float:
    return result.score / result.max_score


def first_pass(trace: Trace) -> list[str]:
    return [k for k in trace.asked_keys() if split(k)[0] == 1 and trace.steps[k].phase in ("forward", "loss")]


@SETTINGS
@given(exercise=exercises(), seed=st.integers(0, 2**32 - 1))
def test_a_copied_classmates_solution_earns_at_most_a_fifth(exercise, seed):
    trace = solve(exercise)
    theirs = solved(classmate(exercise, random.Random(seed)))
    result = grade(trace, finite(work(theirs, decimals(4))))
    assert fraction(result) <= CAP + 1e-9, {k: r.note for k, r in result.results.items() if r.credit > 0}


@SETTINGS
@given(exercise=exercises(), seed=st.integers(0, 2**32 - 1))
def test_a_copied_first_forward_pass_earns_at_most_a_fifth(exercise, seed):
    # Only the first forward pass is asked and copied: no update gives the weights away.
    keys = first_pass(solve(exercise))
    mine = Exercise.from_mapping(exercise.to_mapping() | {"ask": keys})
    trace = solve(mine)
    theirs = solved(classmate(mine, random.Random(seed)))
    answers = finite(work(theirs, decimals(4)))
    # A classmate whose net inputs differ at two nodes or fewer (the rest coincide, or dead ReLUs hide
    # them) shares most of the student's numbers: that is one or two misread weights, not a copy.
    moved = {split(k)[2] for k in keys if trace.steps[k].kind == "z" and not TOLERANCE.close(answers[k], trace[k])}
    assume(len(moved) >= 3)
    # ... and likewise one whose net inputs contradict the printed weights, from the student's own
    # earlier values, at two nodes or fewer (the other moves cancel within the tolerance: one
    # misread input or two misread weights explain the rest).  A copy shows where at least half of
    # the net inputs contradict; where most agree (saturated units hide the moves), the copied
    # answers are this exercise's right answers and earn what right answers earn.
    against = contradicting(trace, answers, keys)
    assume(len({split(k)[2] for k in against}) >= 3)
    assume(2 * len(against) >= sum(1 for k in keys if trace.steps[k].kind == "z"))
    result = grade(trace, answers)
    assert fraction(result) <= CAP + 1e-9, ({k: r.note for k, r in result.results.items()}, mine.to_mapping(), answers)


def contradicting(trace: Trace, answers: dict[str, float], keys: list[str]) -> set[str]:
    """The net inputs among ``keys`` that neither the printed numbers give (the reference) nor the
    printed weights from the student's own earlier values."""
    mine = {**{k: s.value for k, s in trace.steps.items()}, **answers}
    out = set()
    for key in keys:
        step = trace.steps[key]
        due = step.rule(*[mine[k] for k in step.inputs])
        if (
            step.kind == "z"
            and not TOLERANCE.close(answers[key], due)
            and not TOLERANCE.close(answers[key], step.value)
        ):
            out.add(key)
    return out


def changed_visibly(trace: Trace, answers: dict[str, float], key: str, before: str) -> bool:
    """Whether a step's value differs from ``before``'s at the policy's precision, both in the reference
    and in what the right rule gives from the student's own values (a careful rounder's own numbers
    may not move visibly, and then writing the same figures again is honest)."""
    step = trace.steps[key]
    mine = {**{k: s.value for k, s in trace.steps.items()}, **answers}
    due = step.rule(*[mine[k] for k in step.inputs])
    return visible(TOLERANCE, trace[key], trace[before]) and visible(TOLERANCE, due, mine[before])


def placeholders(trace: Trace) -> set[float]:
    """The numbers the follow-through guard takes for placeholders: ±1 and every given number."""
    ex = trace.exercise
    out = {1.0, -1.0, ex.learning_rate, *ex.weights.values(), *ex.biases.values()}
    return out | {x for sample in ex.samples for x in (*sample.inputs, *sample.targets)}


def _no_update(step, own):
    return own[step.inputs[0]] if step.kind in ("new_w", "new_b") else None


@SETTINGS
@given(exercise=exercises())
def test_weights_left_unchanged_earn_nothing_where_the_change_shows(exercise):
    trace = solve(exercise)
    answers = finite(work(trace, decimals(6), habit=_no_update))
    result = grade(trace, answers)
    for key in trace.asked_keys():
        step = trace.steps[key]
        if step.kind in ("new_w", "new_b") and changed_visibly(trace, answers, key, step.inputs[0]):
            assert result.results[key].credit == 0, (key, result.results[key].message(), exercise.to_mapping())


@SETTINGS
@given(exercise=exercises(iterations=2))
def test_an_iteration_copied_from_the_one_before_earns_nothing_where_it_changed(exercise):
    trace = solve(exercise)
    previous = facts(trace).previous

    def copy_iteration(step, own):
        before = previous.get(step.key)
        return own[before] if before is not None and step.kind not in ("new_w", "new_b") else None

    answers = finite(work(trace, decimals(6), habit=copy_iteration))
    result = grade(trace, answers)
    for key in trace.asked_keys():
        copied = split(key)[0] > 1 and key in previous and trace.steps[key].kind not in ("new_w", "new_b")
        if copied and changed_visibly(trace, answers, key, previous[key]):
            assert result.results[key].credit == 0, (key, result.results[key].message(), exercise.to_mapping())


@SETTINGS
@given(exercise=exercises(), data=st.data())
def test_a_misread_given_costs_only_the_steps_that_read_it(exercise, data):
    trace = solve(exercise)
    readers = facts(trace).readers
    weight = data.draw(st.sampled_from(sorted(w for w in exercise.weights if w in readers)))
    misread = solved(classmate(exercise, random.Random(data.draw(st.integers(0, 2**32))), [weight]))
    answers = finite(work(misread, decimals(6)))
    # A misreading that makes a step 0 makes a placeholder, and the follow-through guard applies.
    assume(not any(TOLERANCE.close(answers[r], 0.0) for r in readers[weight] if r in answers))
    wrong = [v for k, v in answers.items() if not TOLERANCE.close(v, trace[k])]
    assume(not any(v in placeholders(trace) for v in wrong))
    result = grade(trace, answers)
    lost = {k for k, r in result.results.items() if r.credit < 1}
    assert lost <= set(readers[weight]), {k: result.results[k].message() for k in lost - set(readers[weight])}
    named = [r for r in result.results.values() if r.note == "misread_given"]
    if len(lost) >= 2:
        assert named and all(r.params["given"] == weight for r in named), {k: result.results[k].note for k in lost}
        assert math.isclose(named[0].params["value"], misread.exercise.weights[weight], abs_tol=1e-3)


def _phase_keys(trace: Trace, data) -> tuple[str, str]:
    asked = [k for k in trace.asked_keys() if abs(trace[k]) > 1e-3]
    first = data.draw(st.sampled_from(asked))
    others = [k for k in asked if trace.steps[k].phase != trace.steps[first].phase]
    assume(others)
    return first, data.draw(st.sampled_from(others))


@SETTINGS
@given(exercise=exercises(), data=st.data())
def test_two_slips_in_different_phases_cost_exactly_those_two_keys(exercise, data):
    trace = solve(exercise)
    a, b = _phase_keys(trace, data)
    factors = st.sampled_from([0.6, 0.75, 1.3, 1.45])
    factor_a = data.draw(factors)
    factor_b = data.draw(factors)
    answers = finite(work(trace, decimals(6), slips={a: factor_a, b: factor_b}))
    # The second slip may land back on the reference, from the first slip's consequences, or within
    # tolerance of what the student's own values give there (a small loss under the 1e-4 floor).
    assume(not TOLERANCE.close(answers[a], trace[a]) and not TOLERANCE.close(answers[b], trace[b]))
    for k, other in ((a, {b: factor_b}), (b, {a: factor_a})):
        assume(not TOLERANCE.close(answers[k], work(trace, decimals(6), slips=other)[k]))
    # A slip may land on the previous value: the two are in different phases, so they never make
    # the two repeats of one iteration, sample and phase that show a copy.
    # A slip that lands on a placeholder (0, ±1, an input or target at an activation) is one.
    assume(not any(stands_in(trace, k, answers[k]) for k in (a, b)))
    result = grade(trace, answers)
    lost = {k: (r.verdict, r.message()) for k, r in result.results.items() if r.credit < 1}
    assert set(lost) == {a, b}, lost


# These show at the very first net input, before which there is nothing to slip on; and a student
# who back-propagates with updated weights uses weights the simulation works out only later.
NOT_AFTER_A_SLIP = {"threshold_sign", "activation_on_input", "swapped_weight_indices", "updated_weights_in_backprop"}


@pytest.mark.parametrize("code", sorted(set(REQUIREMENTS) - NOT_AFTER_A_SLIP))
@SETTINGS
@given(data=st.data())
def test_a_misconception_after_an_earlier_slip_is_still_named(code, data):
    exercise = data.draw(exercises(**REQUIREMENTS[code]))
    trace = solve(exercise)
    plain = finite(work(trace, misconception=BY_CODE[code]))
    key = first_shown(trace, plain)
    assume(key is not None)
    order = list(trace.steps)
    earlier = [k for k in trace.asked_keys() if order.index(k) < order.index(key) and abs(trace[k]) > 1e-3]
    assume(earlier)
    slip = data.draw(st.sampled_from(earlier))
    answers = finite(work(trace, slip=(slip, 1.3), misconception=BY_CODE[code]))
    assume(first_shown(trace, answers) == slip)
    # The misconception now shows at the first key after the slip where the right rule, from the
    # student's own values, gives something else than what they wrote.
    rest = {k: v for k, v in answers.items() if k != slip}
    shown = first_shown(trace, {**rest, slip: answers[slip]}, skip={slip})
    assume(shown is not None and not ambiguous(trace, answers, shown, code))
    assume(not TOLERANCE.close(answers[shown], trace[shown]))  # the slip may cancel the mistake out
    grading = grade(trace, answers)
    result = grading.results[shown]
    assert (result.verdict, result.misconception) == ("misconception", code), result.message()
    # The honest student beside the "more than two distinct mistakes" rule (integrity.MAX_MISTAKES):
    # one misconception and one slip are two mistakes, never answers worked on other numbers.
    assert not any(r.note == "other_numbers" for r in grading.results.values())


# The catalogue entries that change a step reading a given weight or bias (a net input of the first
# pass, a hidden delta, a first update): the anchors where the integrity rules count mistakes.
# updated_weights_in_backprop is left out: the simulation reads the reference's updated weights, not
# the student's own (see NOT_AFTER_A_SLIP).
AT_ANCHORS = (
    *("threshold_sign", "activation_on_input", "swapped_weight_indices"),
    *("missing_activation_derivative", "derivative_from_z", "dead_unit_derivative"),
    *("gradient_ascent", "missing_learning_rate"),
)


def _together(a: str, b: str) -> bool:
    """Whether one student can hold both misconceptions, each showing on its own: they change steps of
    different kinds (the catalogue has no rule for two at one step) and one exercise can show both."""
    first, second = REQUIREMENTS[a], REQUIREMENTS[b]
    return not BY_CODE[a].kinds & BY_CODE[b].kinds and all(second.get(k, v) == v for k, v in first.items())


TWO_MISCONCEPTIONS = [pair for pair in itertools.combinations(AT_ANCHORS, 2) if _together(*pair)]


def shows(trace: Trace, answers: dict[str, float], code: str) -> bool:
    """Whether ``code``'s wrong rule, from the student's own values, gives what they wrote at some asked
    step where the right rule gives something else beyond the tolerance."""
    wrong = BY_CODE[code]

    def value(k: str) -> float:
        return answers.get(k, trace.steps[k].value)

    for key in trace.asked_keys():
        step = trace.steps[key]
        if step.kind not in wrong.kinds:
            continue
        try:
            mistaken = wrong.rule(step, value, trace)
            right = step.rule(*[value(k) for k in step.inputs])
        except (ArithmeticError, ValueError):
            continue
        if mistaken is None or right is None or not math.isfinite(mistaken):
            continue
        if TOLERANCE.close(answers[key], mistaken) and not TOLERANCE.close(mistaken, right):
            return True
    return False


@SETTINGS
@given(pair=st.sampled_from(TWO_MISCONCEPTIONS), data=st.data())
def test_two_misconceptions_and_a_slip_are_not_other_numbers(pair, data):
    # The honest student beside the "more than two distinct mistakes" rule (integrity.MAX_MISTAKES):
    # two misconceptions, each applied wherever its rule applies, and one slip at an anchor are three
    # mistakes; a misconception that shows at two or more nodes is no chance fit (integrity.MIN_SHOWN).
    exercise = data.draw(exercises(**(REQUIREMENTS[pair[0]] | REQUIREMENTS[pair[1]])))
    trace = solve(exercise)
    wrong = [BY_CODE[code] for code in pair]
    clean = finite(work(trace, decimals(6), misconception=wrong))
    anchors = [k for k in trace.asked_keys() if k in facts(trace).parameter_anchors and abs(trace[k]) > 1e-3]
    assume(anchors)
    slip = data.draw(st.sampled_from(anchors))
    factor = data.draw(st.sampled_from([0.6, 0.75, 1.3, 1.45]))
    answers = finite(work(trace, decimals(6), misconception=wrong, slip=(slip, factor)))
    assume(not TOLERANCE.close(answers[slip], clean[slip]) and not stands_in(trace, slip, answers[slip]))
    assume(all(shows(trace, answers, code) for code in pair))
    for written in (clean, answers):
        result = grade(trace, written)
        other = {k: r.message() for k, r in result.results.items() if r.note == "other_numbers"}
        assert not other, ({k: r.misconception or r.note for k, r in result.results.items()}, exercise.to_mapping())


@pytest.mark.parametrize("code", sorted(set(REQUIREMENTS) - {"updated_weights_in_backprop"}))
@SETTINGS
@given(data=st.data())
def test_a_misconception_from_iteration_two_on_is_named_in_iteration_two(code, data):
    exercise = data.draw(exercises(**(REQUIREMENTS[code] | {"iterations": 2})))
    trace = solve(exercise)
    wrong = BY_CODE[code]

    def later(step, own):
        if split(step.key)[0] < 2 or step.kind not in wrong.kinds:
            return None
        value = wrong.rule(step, lambda k: own.get(k, trace.steps[k].value), trace)
        return value if value is not None and math.isfinite(value) else None

    answers = finite(work(trace, habit=later))
    key = first_shown(trace, answers)
    assume(key is not None and not ambiguous(trace, answers, key, code))
    assert split(key)[0] >= 2
    # Where the mistaken value happens to equal the iteration before's, it reads as a copied value.
    iteration, sample, name = split(key)
    before = join(iteration - 1, sample, name)
    assume(before not in trace.steps or not TOLERANCE.close(answers[key], answers.get(before, trace[before])))
    result = grade(trace, answers).results[key]
    assert (result.verdict, result.misconception) == ("misconception", code), result.message()


@SETTINGS
@given(exercise=exercises())
def test_a_forward_pass_alone_is_right_where_given_and_missing_elsewhere(exercise):
    trace = solve(exercise)
    keys = set(first_pass(trace))
    answers = {k: v for k, v in work(trace, decimals(6)).items() if k in keys}
    result = grade(trace, answers)
    for key, r in result.results.items():
        assert r.verdict == ("correct" if key in keys else "missing"), (key, r.verdict, answers.get(key), trace[key])


def typed(value: float) -> str:
    """A value as typed by hand: a decimal comma and the typographic minus sign."""
    return f"{value:.4f}".replace(".", ",").replace("-", "\u2212")


@SETTINGS
@given(exercise=exercises())
def test_answers_typed_by_hand_get_full_marks(exercise):
    trace = solve(exercise)
    answers = {k: typed(v) for k, v in work(trace, decimals(4)).items()}
    result = grade(trace, answers)
    assert result.score == result.max_score, {k: r.verdict for k, r in result.results.items() if r.credit < 1}
