"""The ``visible_change`` constraint: updates and later iterations that move clearly more than the tolerance.

Its 1,000-seed check for every template is in ``test_catalogue.test_constraints_hold_for_a_thousand_seeds``
(the same loop as the other constraints).  Here: the setting, the definition worked by hand on the
tutorial's numbers, the fixed seed's exemption, and the student it is there to stop.
"""

from __future__ import annotations

import pytest
import yaml

from grader.generation import Template, catalogue_template, generate_variant, template_names, variant_violations
from grader.generation.constraints import Constraints, change_ratio
from grader.grading import grade
from grader.grading.evidence import facts
from tests.generation.test_catalogue import copies_caught, previous_key
from tests.grading.simulated import decimals, work

RANDOM = [name for name in template_names() if catalogue_template(name).random]


def seed_with(learning_rate) -> Template:
    """The tutorial's exercise (seed-classic) with another learning rate, or a rule for one."""
    doc = yaml.safe_load(catalogue_template("seed-classic").source)
    return Template.from_mapping({**doc, "learning_rate": learning_rate}, "seed-eta")


def test_it_is_on_by_default_and_read_from_a_template():
    problems: list = []
    assert Constraints().visible_change == 2.0
    assert Constraints.from_mapping({"visible_change": 3}, problems).visible_change == 3.0
    assert Constraints.from_mapping({"visible_change": False}, problems).visible_change is None
    assert problems == []


def test_the_change_is_counted_in_default_tolerances_at_the_new_value():
    # max(1e-4, 1 % of the new value): 0.5 -> 0.49 is 0.01 / 0.0049 = 2.04 tolerances;
    # near 0 the floor of 1e-4 counts: 0.0003 -> 0.0001 is 0.0002 / 0.0001 = 2.
    assert change_ratio(0.49, 0.5) == pytest.approx(0.01 / 0.0049, rel=1e-6)
    assert change_ratio(0.0001, 0.0003) == pytest.approx(2.0, rel=1e-6)
    assert change_ratio(0.3, 0.3) is None  # unchanged by design: no change to see
    assert change_ratio(0.3, 0.3 + 1e-13) is None  # float noise around an unchanged value


def test_the_tutorials_update_of_w31_is_refused_worked_by_hand():
    # The tutorial (learning rate 1): dE/dw31 = delta3 x1 = 0.0026545 * 0.35 = 0.00092907, so w31
    # goes from 0.1 to 0.099071.  The default tolerance there is 1 % of 0.099071 = 0.00099071: the
    # old 0.1 is within it (0.00092907 < 0.00099071), so a student who never updates w31 would be
    # marked right.  0.00092907 / 0.00099071 = 0.938 tolerances, under 2: refused.  (w53 and w54,
    # checked first, move by 0.027674 / 0.0027233 = 10.2 and 0.027002 / 0.0087300 = 3.09.)
    found = [v for v in variant_violations(generate_variant(seed_with(1.0), 1, "s001"), seed_with(1.0))
             if v.constraint == "visible_change"]  # fmt: skip
    assert [v.message for v in found] == [
        "new_w3_1 = 0.0990709 differs from w3_1 = 0.1 by 0.000929, 0.94 times the default tolerance (0.000991), under 2"
    ]
    assert change_ratio(0.099071, 0.1) == pytest.approx(0.938, abs=0.001)  # the same, from the printed figures
    # With a learning rate of 4, w31 moves by 4 * 0.00092907 = 0.0037163 against 1 % of 0.096284:
    # 3.86 tolerances, enough; now w32 is the one: it moves by 4 * dE/dw32 = 4 * 0.0023890 = 0.0095561
    # to 0.8 - 0.0095561 = 0.790444, against 1 % of that, 0.0079044: 1.21 tolerances.
    variant = generate_variant(seed_with(4.0), 1, "s001")
    found = [v for v in variant_violations(variant, seed_with(4.0)) if v.constraint == "visible_change"]
    assert len(found) == 1 and found[0].message.startswith(
        "new_w3_2 = 0.790444 differs from w3_2 = 0.8 by 0.00956, 1.2 "
    )
    assert variant.exercise.learning_rate == 4.0


def test_a_weight_that_does_not_change_by_design_is_not_refused():
    # With x1 = 0, dE/dw31 = delta3 * 0 = 0: w31 stays 0.1 exactly, so the old value is the right
    # answer and there is no change to see.  The first refusal is w32's update instead.
    doc = yaml.safe_load(catalogue_template("seed-classic").source)
    template = Template.from_mapping({**doc, "samples": [{"inputs": [0.0, 0.9], "targets": [0.5]}]}, "zero-input")
    variant = generate_variant(template, 1, "s001")
    assert variant.trace["new_w3_1"] == 0.1 and variant.trace["new_w4_1"] == 0.4
    found = [v for v in variant_violations(variant, template) if v.constraint == "visible_change"]
    assert len(found) == 1 and found[0].message.startswith("new_w3_2 = ")


def test_a_random_template_redraws_a_variant_whose_changes_hide_in_the_tolerance():
    # sigmoid-221 as it was drawn before (eta 0.5 or 2, inputs 0.05 to 0.95, weights within 1): the
    # variant found without the constraint is refused with it, and the search goes on past it.
    old = {"learning_rate": {"choice": [0.5, 2.0]}, "weights": {"uniform": [-1, 1], "decimals": 1, "exclude": [0]},
           "samples": [{"inputs": {"uniform": [0.05, 0.95], "decimals": 2},
                        "targets": {"uniform": [0.1, 0.9], "decimals": 1, "exclude": [0.4, 0.5, 0.6]}}]}  # fmt: skip
    doc = {**yaml.safe_load(catalogue_template("sigmoid-221").source), **old}
    off = Template.from_mapping({**doc, "constraints": {"visible_change": False}}, "old-221")
    on = Template.from_mapping(doc, "old-221")
    before = generate_variant(off, 3, "s001")
    assert copies_caught(before.trace)  # a skipped update would pass the tolerance somewhere
    assert [v.constraint for v in variant_violations(before, on)] == ["visible_change"]
    after = generate_variant(on, 3, "s001")
    assert after.resamples > before.resamples and copies_caught(after.trace) == []


def test_a_fixed_exercise_is_kept_with_the_warning():
    # The tutorial's exercise is fixed (seed-example.md): it cannot be redrawn, so it is kept as it is,
    # and the unmet constraint is reported; its skipped updates are left to the grader's own rules.
    variant = generate_variant(catalogue_template("seed-classic"), 1, "s001")
    assert any(w.startswith("visible_change: new_w3_1 = 0.0990709") for w in variant.warnings)
    assert [key for key, _, _ in copies_caught(variant.trace)] == [
        "new_w3_1", "new_w3_2", "new_w4_1", "new_w4_2", "it2.z3", "it2.y3", "it2.z4", "it2.y4", "it2.y5",
    ]  # fmt: skip


@pytest.mark.parametrize("name", template_names())
def test_the_previous_value_is_the_graders(name):
    # The constraint reads "the value before" from grading.evidence, the grader's one definition;
    # the tests' own reading of the keys (it2.y3 -> y3, new_w -> its old weight) agrees with it.
    trace = generate_variant(catalogue_template(name), 0, "s001").trace
    previous = facts(trace).previous
    assert {k: previous.get(k) for k in trace.asked_keys()} == {k: previous_key(trace, k) for k in trace.asked_keys()}


def _no_update(step, own):
    return own[step.inputs[0]] if step.kind in ("new_w", "new_b") else None


@pytest.mark.parametrize("name", RANDOM)
def test_a_student_who_never_updates_earns_nothing_for_it(name):
    # New weights written as the old ones, and the later passes worked from those (so they repeat
    # the first iteration's values), to 4 decimals: no credit at any update or later-iteration step
    # whose value changes (a zero input's weight is the one exception by design).  Before the
    # constraint and the redrawn ranges, such a student earned 15 % of those steps on these templates.
    template = catalogue_template(name)
    for seed in range(10):
        trace = generate_variant(template, seed, "s001").trace
        result = grade(trace, work(trace, decimals(4), habit=_no_update))
        previous = facts(trace).previous
        paid = [
            key
            for key in trace.asked_keys()
            if key in previous and trace[key] != trace[previous[key]] and result.results[key].credit > 0
        ]
        assert paid == [], (seed, trace.exercise.to_mapping())
