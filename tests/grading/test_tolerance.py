import math

import pytest

from grader.grading import Tolerance


def test_padding_absorbs_float_noise():
    assert 46.0 - 45.8 > 0.2
    assert Tolerance(rtol=0.0, atol=0.2).close(46.0, 45.8)
    assert not Tolerance(rtol=0.0, atol=0.2).close(46.01, 45.8)


def test_relative_mode_takes_the_larger_of_rtol_and_atol():
    tolerance = Tolerance(rtol=0.01, atol=1e-4)
    assert tolerance.close(0.6803, 0.680267)
    assert tolerance.close(101.0, 100.0)
    assert not tolerance.close(101.2, 100.0)
    assert tolerance.close(0.00009, 0.0)
    assert not tolerance.close(0.0002, 0.0)


@pytest.mark.parametrize(
    ("submitted", "expected", "ok"),
    [
        (0.680, 0.680267, True),
        (0.6805, 0.680267, True),
        (0.6797, 0.680267, False),
        (45.8, 45.83, True),
        (45.9, 45.83, False),
        (0.000929, 0.00092907, True),
        (0.00094, 0.00092907, False),
    ],
)
def test_significant_figures_mode_allows_half_a_unit_in_the_last_figure(submitted, expected, ok):
    assert Tolerance(mode="sigfigs", sigfigs=3).close(submitted, expected) is ok


def test_decimal_places_mode():
    tolerance = Tolerance(mode="decimals", decimals=2)
    assert tolerance.close(0.69, 0.690283)
    assert tolerance.close(45.8, 45.805)
    assert not tolerance.close(0.68, 0.690283)


def test_nan_is_never_close():
    assert not Tolerance().close(math.nan, 0.5)
    assert not Tolerance().close(0.5, math.nan)


def test_an_infinite_value_has_the_coarsest_resolution():
    # A student's own outputs can give ln 0 = -inf under cross-entropy; grading must not crash on it.
    assert Tolerance().resolution(math.inf) == Tolerance().resolution(0.0)
    assert Tolerance(mode="sigfigs").resolution(-math.inf) == Tolerance(mode="sigfigs").resolution(0.0)
