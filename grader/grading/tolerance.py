"""How close a student's number must be to count as the same number.

Every mode is padded against float noise (a relative 1e-9 plus 1e-12 absolute), so that
46.0 passes against 45.8 with an absolute tolerance of 0.2 even though 46.0 - 45.8 is
0.20000000000000284 in binary floating point.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from enum import StrEnum


class ToleranceMode(StrEnum):
    """How the tolerance is measured; the values are the policy document's strings."""

    RELATIVE = "relative"  # max(atol, rtol |expected|)
    SIGFIGS = "sigfigs"  # half a unit in the last significant figure kept
    DECIMALS = "decimals"  # half a unit in the last decimal place kept


MODES: tuple[str, ...] = tuple(m.value for m in ToleranceMode)
NOISE_RELATIVE = 1e-9
NOISE_ABSOLUTE = 1e-12


@dataclass(frozen=True, slots=True)
class Tolerance:
    """``relative``: |a - e| <= max(atol, rtol |e|); ``sigfigs``/``decimals``: half a unit in the last place."""

    mode: ToleranceMode = ToleranceMode.RELATIVE
    rtol: float = 0.01
    atol: float = 1e-4
    sigfigs: int = 3
    decimals: int = 4

    def __repr__(self) -> str:
        if self.mode == "sigfigs":
            return f"Tolerance({self.sigfigs} significant figures)"
        if self.mode == "decimals":
            return f"Tolerance({self.decimals} decimal places)"
        return f"Tolerance(rtol={self.rtol:g}, atol={self.atol:g})"

    def half_width(self, expected: float) -> float:
        """The largest |submitted - expected| accepted, before the float-noise padding."""
        magnitude = abs(expected)
        if self.mode == "sigfigs":
            if magnitude == 0.0:
                return 0.5 * 10.0 ** (-self.sigfigs)
            exponent = math.floor(math.log10(magnitude)) - self.sigfigs + 1
            return 0.5 * 10.0**exponent
        if self.mode == "decimals":
            return 0.5 * 10.0 ** (-self.decimals)
        return max(self.atol, self.rtol * magnitude)

    def resolution(self, expected: float) -> float:
        """The coarsest rounding unit (a power of ten) a careful student may use near ``expected``.

        ``sigfigs`` and ``decimals`` name their unit.  ``relative`` accepts a value rounded to s
        significant figures when half a unit of the s-th figure is within ``rtol`` (3 for 1 %), and
        one rounded to d decimals when half a unit of the d-th is within ``atol`` (4 for 1e-4): a
        careful student may use either, so the coarser of the two is the policy's precision here.
        Two values that differ by at least this much look different on a careful student's page.
        """
        magnitude = abs(expected)
        if self.mode == "decimals":
            return 10.0 ** (-self.decimals)
        if self.mode == "sigfigs":
            figures = self.sigfigs
            floor = 10.0 ** (-12)
        else:
            figures = _places(self.rtol) + 1 if self.rtol > 0 else 0
            floor = 10.0 ** (-_places(self.atol)) if self.atol > 0 else 10.0 ** (-12)
        if figures == 0 or magnitude == 0.0 or not math.isfinite(magnitude):
            return floor  # an infinite value (ln 0 from a student's own outputs) has no figures to count
        return max(floor, 10.0 ** (math.floor(math.log10(magnitude)) - figures + 1))

    def padded(self, expected: float) -> float:
        """The half-width actually applied: ``half_width`` plus float-noise padding."""
        magnitude = abs(expected)
        if self.mode is ToleranceMode.RELATIVE:  # ``half_width`` of the usual mode, without the call
            width = max(self.atol, self.rtol * magnitude)
        else:
            width = self.half_width(expected)
        return width + NOISE_RELATIVE * max(width, magnitude) + NOISE_ABSOLUTE

    def close(self, submitted: float, expected: float) -> bool:
        """Whether ``submitted`` counts as ``expected``; never true for NaN."""
        return abs(submitted - expected) <= self.padded(expected)


@functools.lru_cache(maxsize=64)
def _places(half_width: float) -> int:
    """The fewest decimal places d with half a unit of the d-th place within ``half_width``: 4 for 1e-4."""
    # Rounded first, so that 0.005 (log10 of 0.01 is exactly -2) is not pushed up by float noise.
    return max(0, math.ceil(round(-math.log10(2.0 * half_width), 9)))
