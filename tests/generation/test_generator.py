"""The generator: reproducible, distinct, constrained variants; clear failures."""

from __future__ import annotations

import dataclasses

import pytest

from grader.engine import ENGINE_VERSION, Exercise
from grader.generation import (
    GenerationError,
    Template,
    check_students,
    default_students,
    find_template,
    generate_set,
    generate_variant,
)
from grader.generation.draws import Draws

TEMPLATE = {
    "title": "Pinned",
    "layers": [2, 2, 1],
    "learning_rate": {"choice": [0.5, 2.0]},
    "weights": {"uniform": [-1, 1], "decimals": 1, "exclude": [0]},
    "samples": [
        {
            "inputs": {"uniform": [0.05, 0.95], "decimals": 2},
            "targets": {"uniform": [0.1, 0.9], "decimals": 1, "exclude": [0.4, 0.5, 0.6]},
        }
    ],
}


@pytest.fixture
def template():
    return Template.from_mapping(TEMPLATE, "pinned")


def test_pinned_variant_never_changes(template):
    # Pinned: a variant must be reproducible forever from (template, seed, student).  The draws are:
    # attempt 0 gives these numbers under every generator version.
    drawn = Exercise.from_mapping(template.resolve(Draws(template.content_hash, 2024, "s001", 0)))
    assert template.content_hash == "d8dfe5bf7e895b1fe4c6324010d867066026cc7ff8d4ab474b9060613976a4ea"
    assert drawn.learning_rate == 2.0
    assert dict(drawn.weights) == {"w3_1": 0.4, "w3_2": 1.0, "w4_1": -1.0, "w4_2": -0.8, "w5_3": -0.3, "w5_4": -0.4}
    assert drawn.samples[0].inputs == (0.54, 0.38) and drawn.samples[0].targets == (0.3,)
    # Generator version 2 turned visible_change on by default: that attempt's first-layer updates
    # hide inside the tolerance, so version 2 accepts attempt 144 (version 1 accepted attempt 0).
    variant = generate_variant(template, 2024, "s001")
    assert (variant.resamples, variant.generator_version, variant.exercise.learning_rate) == (144, "2", 2.0)
    assert dict(variant.exercise.weights) == {
        "w3_1": -0.4,
        "w3_2": 0.1,
        "w4_1": -0.9,
        "w4_2": -0.8,
        "w5_3": -0.7,
        "w5_4": 0.9,
    }
    assert variant.exercise.samples[0].inputs == (0.86, 0.77) and variant.exercise.samples[0].targets == (0.8,)
    old_rules = dataclasses.replace(template.constraints, visible_change=None)
    assert generate_variant(dataclasses.replace(template, constraints=old_rules), 2024, "s001").resamples == 0


def test_same_inputs_same_variant_and_provenance(template):
    a, b = generate_variant(template, 7, "s003"), generate_variant(template, 7, "s003")
    assert a == b and a.id == b.id
    assert a.provenance() == {
        "template": "pinned",
        "content_hash": template.content_hash,
        "seed": 7,
        "student": "s003",
        "resamples": a.resamples,
        "engine_version": ENGINE_VERSION,
        "generator_version": "2",
        "variant": a.id,
    }


def test_resamples_rebuild_the_variant_directly(template):
    variant = next(v for v in (generate_variant(template, s, "s001") for s in range(50)) if v.resamples > 0)
    again = generate_variant(template, variant.seed, "s001", start=variant.resamples)
    assert again.exercise == variant.exercise and again.resamples == variant.resamples


def test_students_and_seeds_get_different_variants(template):
    variants = generate_set(template, 1, default_students(40))
    assert len({v.id for v in variants}) == 40
    assert generate_variant(template, 1, "s001").id != generate_variant(template, 2, "s001").id


def test_set_is_deduplicated_when_the_template_has_few_variants():
    few = dict(
        TEMPLATE,
        learning_rate=2.0,
        weights={"*": {"choice": [0.3, -0.6]}, "w3_1": 0.5, "w5_3": -0.4},
        constraints={"distinct_weights": False, "visible_change": False},
    )
    variants = generate_set(Template.from_mapping(few, "few"), 1, default_students(6))
    assert len({v.id for v in variants}) == 6


def test_impossible_template_fails_naming_the_constraint():
    # Thresholds of at most 0.001 move no net input visibly: +b and -b cannot be told apart.
    stuck = dict(
        TEMPLATE,
        bias="threshold",
        biases={"uniform": [-0.001, 0.001], "decimals": 4, "exclude": [0]},
        constraints={"max_tries": 30, "short_numbers": False, "min_abs_parameter": False, "visible_change": False},
    )
    with pytest.raises(GenerationError) as caught:
        generate_variant(Template.from_mapping(stuck, "stuck"), 1, "s001")
    message = str(caught.value)
    assert "no variant for student 's001' (seed 1) met the constraints in 30 tries" in message
    assert "Unmet most often: threshold_sign" in message
    assert "constraints: {distinguish: {threshold_sign: false}}" in message


def test_fixed_template_is_kept_with_warnings():
    seed = find_template("seed-classic")
    variant = generate_variant(seed, 5, "anyone")
    assert not seed.random and variant.resamples == 0
    assert [w.split(":")[0] for w in variant.warnings] == ["visible_change", "net_input_in_gradient"]


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ([], "empty"),
        (["a", "a"], "more than once"),
        (["../x"], "must be 1 to 128"),
        (["x" * 129], "must be 1 to 128"),
        (["ok", "bad id!"], "bad id!"),
        (["ok", "trailing "], "trailing "),
    ],
)
def test_bad_rosters_are_refused(roster, message):
    with pytest.raises(GenerationError, match=message):
        check_students(roster)


def test_rosters_take_every_id_the_api_takes():
    """An LMS's ids (e-mail addresses, urn-like and +-tagged ids, 128 characters) work in both."""
    from grader.service.schemas.fields import STUDENT_ID

    ids = ["alice@example.edu", "urn:lms:user:42", "bob+cs101", "a.b_c-d", "x" * 128]
    assert all(STUDENT_ID.match(sid) for sid in ids)
    assert check_students(ids) == ids


def test_default_students_are_numbered():
    assert default_students(3) == ["s001", "s002", "s003"]
    assert default_students(1000)[-1] == "s1000"


def test_fixed_template_with_long_numbers_is_kept_with_warnings():
    # A fixed exercise is never refused, even when a check that runs before solving is unmet.
    fixed = {k: v for k, v in find_template("seed-classic").document.items() if k != "constraints"}
    fixed["weights"] = {**fixed["weights"], "w3_1": 0.123}
    variant = generate_variant(Template.from_mapping(fixed, "fixed"), 1, "s001")
    assert variant.exercise.weights["w3_1"] == 0.123 and variant.trace is not None
    assert next(w.split(":")[0] for w in variant.warnings) == "short_numbers"
