"""The phases of a trace, in the order a student works: what ``ask`` names and scores are grouped by."""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """A step's phase.  The values are the strings of the JSON contract (``"forward"``, ...)."""

    GIVEN = "given"  # inputs, weights and biases: never asked
    FORWARD = "forward"
    LOSS = "loss"
    BACKWARD = "backward"
    GRADIENTS = "gradients"
    UPDATES = "updates"


# The phases an exercise can ask for, in order, as plain strings (for schemas and documents).
PHASES: tuple[str, ...] = tuple(p.value for p in Phase if p is not Phase.GIVEN)
