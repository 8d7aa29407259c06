import pytest

from grader.grading import Policy, PolicyError, Tolerance


def test_defaults_fit_hand_calculation():
    policy = Policy()
    assert policy.tolerance == Tolerance(mode="relative", rtol=0.01, atol=1e-4)
    assert policy.follow_through and policy.carried_credit == 1.0
    assert policy.reveal is False


def test_round_trip():
    policy = Policy.from_mapping(
        {
            "tolerance": "sigfigs",
            "sigfigs": 4,
            "follow_through": False,
            "carried_credit": 0.5,
            "phase_weights": {"updates": 2},
            "reveal": True,
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
