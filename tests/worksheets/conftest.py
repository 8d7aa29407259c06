"""Shared fixtures for the worksheet tests: a few generated variants."""

from __future__ import annotations

import pytest

from grader.generation import catalogue_template, default_students, generate_set


def simple_tolerance(value: float) -> float:
    """The default policy's rule, written out: max(1e-4, 1% of |v|)."""
    return max(1e-4, 0.01 * abs(value))


@pytest.fixture(
    params=[
        "seed-classic",
        "bias-221",
        "batch-two-samples",
        "two-iterations",
        "deep-2321",
        "textbook-convention",
        "two-outputs-mse",
    ]
)
def variants(request):
    """Three variants of one catalogue template (one, for the fixed seed template)."""
    template = catalogue_template(request.param)
    return generate_set(template, 11, default_students(1 if not template.random else 3))


@pytest.fixture
def tolerance():
    return simple_tolerance
