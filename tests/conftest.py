"""Shared fixtures: the seed exercise and the figures of seed-example.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine import Exercise, load_exercise

REPO = Path(__file__).resolve().parent.parent

# Every figure of seed-example.md, as printed there (strings, so the printed precision is kept).
# y5 is printed rounded to 0.69 and E from that rounded y5 as 0.01805; the unrounded E is 0.018104.
# delta4 is 0.00817164506...: the document prints 0.0081717, rounding twice (via 0.00817165); rounded
# once to its 5 significant figures it is 0.0081716, which is what is held here (see SEED_MISPRINTS).
SEED_FIGURES = {
    "z3": "0.755",
    "y3": "0.6803",
    "z4": "0.68",
    "y4": "0.6637",
    "z5": "0.8014",
    "y5": "0.69",
    "E": "0.018104",
    "delta5": "0.040681",
    "delta3": "0.0026545",
    "delta4": "0.0081716",
    "grad_w5_3": "0.027674",
    "grad_w5_4": "0.027002",
    "grad_w3_1": "0.00092907",
    "grad_w3_2": "0.0023890",
    "grad_w4_1": "0.0028601",
    "grad_w4_2": "0.0073545",
    "new_w5_3": "0.272326",
    "new_w5_4": "0.872998",
    "new_w3_1": "0.099071",
    "new_w3_2": "0.797611",
    "new_w4_1": "0.397140",
    "new_w4_2": "0.592646",
    "it2.y5": "0.682019",
    "it2.E": "0.016565",
}

# Figures the document prints one unit off in the last place: key -> (as printed, correctly rounded).
SEED_MISPRINTS = {"delta4": ("0.0081717", "0.0081716")}

# After 100 updates (iterations: 100) the final forward pass is iteration 101.
SEED_FIGURES_100 = {"it101.y5": "0.50076"}


@pytest.fixture
def seed_path() -> Path:
    """The worked example's exercise file."""
    return REPO / "exercises" / "seed-classic.yaml"


@pytest.fixture
def seed_exercise(seed_path: Path) -> Exercise:
    """The worked example, loaded and validated."""
    return load_exercise(seed_path)


@pytest.fixture
def seed_figures() -> dict[str, str]:
    """Key -> figure as printed in seed-example.md."""
    return dict(SEED_FIGURES)


@pytest.fixture
def seed_misprints() -> dict[str, tuple[str, str]]:
    """Key -> (figure as printed in seed-example.md, the same figure correctly rounded)."""
    return dict(SEED_MISPRINTS)


@pytest.fixture
def seed_figures_100() -> dict[str, str]:
    """Key -> figure as printed in seed-example.md for the run of 100 updates."""
    return dict(SEED_FIGURES_100)


def _as_printed(figure: str):
    """A pytest.approx matching exactly the numbers that round to ``figure`` at its printed precision."""
    decimals = len(figure.partition(".")[2])
    return pytest.approx(float(figure), rel=0, abs=0.5 * 10.0**-decimals)


@pytest.fixture
def as_printed():
    """``as_printed("0.6803") == 0.68027`` holds: the value rounds to the printed figure."""
    return _as_printed
