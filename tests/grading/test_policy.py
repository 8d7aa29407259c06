from datetime import UTC, datetime, timedelta

import pytest

from grader.grading import Policy, PolicyError, Tolerance
from grader.grading.policy import REVEAL_RULES


def test_defaults_fit_hand_calculation():
    policy = Policy()
    assert policy.tolerance == Tolerance(mode="relative", rtol=0.01, atol=1e-4)
    assert policy.follow_through and policy.carried_credit == 1.0
    assert policy.reveal == "never"


def test_round_trip():
    policy = Policy.from_mapping(
        {
            "tolerance": "sigfigs",
            "sigfigs": 4,
            "follow_through": False,
            "carried_credit": 0.5,
            "phase_weights": {"updates": 2},
            "reveal": "after_last_attempt",
        }
    )
    assert Policy.from_mapping(policy.to_mapping()) == policy
    assert policy.weight("updates") == 2.0 and policy.weight("forward") == 1.0


def test_every_bad_field_is_named():
    with pytest.raises(PolicyError) as error:
        Policy.from_mapping(
            {
                "tolerance": "fuzzy",
                "rtol": -1,
                "sigfigs": 0,
                "carried_credit": 2,
                "reveal": "yes",
                "phase_weights": {"warmup": 1, "loss": "x"},
                "colour": "red",
            }
        )
    pointers = {p.pointer for p in error.value.problems}
    assert pointers == {
        "/tolerance",
        "/rtol",
        "/sigfigs",
        "/carried_credit",
        "/reveal",
        "/phase_weights/warmup",
        "/phase_weights/loss",
        "/colour",
    }
    assert "invalid policy" in str(error.value)


def test_nan_rtol_is_rejected():
    with pytest.raises(PolicyError, match="/rtol"):
        Policy.from_mapping({"rtol": float("nan")})


def test_tolerance_for_export_is_the_padded_half_width():
    assert Policy().tolerance_for(0.755) == pytest.approx(0.00755, rel=1e-6)
    assert Policy().tolerance_for(0.0) == pytest.approx(1e-4, rel=1e-6)


def test_a_huge_integer_is_out_of_range_not_a_crash():
    with pytest.raises(PolicyError, match="/rtol"):
        Policy.from_mapping({"rtol": 10**400})


# --- What a student may see: the reveal rule. ---


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (False, "never"),
        (True, "always"),
        ("never", "never"),
        ("always", "always"),
        ("after_due", "after_due"),
        ("after_last_attempt", "after_last_attempt"),
    ],
)
def test_reveal_takes_a_rule_or_the_old_boolean(given, stored):
    policy = Policy.from_mapping({"reveal": given})
    assert policy.reveal == stored
    assert policy.to_mapping()["reveal"] == stored  # the name is written back, never the boolean
    assert Policy.from_mapping(policy.to_mapping()) == policy
    assert stored in repr(policy)


@pytest.mark.parametrize("bad", ["yes", "Always", "after due", "", 1, 0, None, 0.0, ["always"], {"rule": "never"}])
def test_any_other_reveal_is_refused_naming_the_rules(bad):
    with pytest.raises(PolicyError) as error:
        Policy.from_mapping({"reveal": bad})
    [problem] = error.value.problems
    assert problem.pointer == "/reveal"
    assert all(rule in problem.message for rule in REVEAL_RULES)


def test_a_policy_built_in_code_keeps_only_the_rules_name():
    assert Policy(reveal=True).reveal == "always" and Policy(reveal=False).reveal == "never"
    assert Policy(reveal=True) == Policy(reveal="always")
    with pytest.raises(ValueError, match="after_last_attempt"):
        Policy(reveal="sometimes")


DUE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BEFORE, AFTER = DUE - timedelta(minutes=1), DUE + timedelta(minutes=1)


# (rule, due date, now, attempts used, attempt limit) -> whether the feedback shows expected values.
REVEAL_CASES = [
    ("never", None, BEFORE, 3, 3, False),
    ("never", DUE, AFTER, 3, 3, False),
    ("always", None, BEFORE, 1, None, True),
    ("always", DUE, BEFORE, 1, 3, True),
    # after_due: only the due date counts.
    ("after_due", None, AFTER, 5, None, False),  # no due date: it never passes
    ("after_due", DUE, BEFORE, 1, 3, False),
    ("after_due", DUE, DUE, 1, 3, False),  # submissions are still taken at the due date itself
    ("after_due", DUE, AFTER, 1, 3, True),
    ("after_due", DUE, BEFORE, 3, 3, False),  # every attempt used, but the due date is still ahead
    # after_last_attempt: every attempt used, or the due date passed.
    ("after_last_attempt", None, AFTER, 100, None, False),  # unlimited and no due date: never
    ("after_last_attempt", None, BEFORE, 1, 2, False),
    ("after_last_attempt", None, BEFORE, 2, 2, True),
    ("after_last_attempt", None, BEFORE, 3, 2, True),  # the limit was lowered after the attempts
    ("after_last_attempt", DUE, BEFORE, 1, 3, False),
    ("after_last_attempt", DUE, BEFORE, 3, 3, True),
    ("after_last_attempt", DUE, AFTER, 1, 3, True),
    ("after_last_attempt", DUE, AFTER, 0, None, True),  # unlimited, but closed by the due date
    ("after_last_attempt", DUE, DUE, 1, None, False),
]


@pytest.mark.parametrize(("rule", "due_at", "now", "used", "limit", "shown"), REVEAL_CASES)
def test_reveals_follows_the_rule(rule, due_at, now, used, limit, shown):
    policy = Policy.from_mapping({"reveal": rule})
    assert policy.reveals(now=now, due_at=due_at, attempts_used=used, max_attempts=limit) is shown
