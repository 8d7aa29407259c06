"""The loss registry: each loss of one sample's outputs defined once, with its display data.

An entry carries E, dE/dy for each output node (for one number or for numpy arrays alike), the
terms the walk-through prints, and the rule in words in English and Chinese for worksheets, the
student page and the Moodle export.  ``tests/test_conformance.py`` runs every entry through every
consumer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from grader.engine.problems import Problem
from grader.engine.wording import Wording

Number = TypeVar("Number", float, np.ndarray)
TARGET_SUM_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Loss:
    """One loss.  ``outputs`` names the output activations it accepts (empty: any)."""

    name: str
    label: Wording
    formula: str
    gradient_formula: str
    value: Callable[[Sequence[float], Sequence[float]], float]
    derivative: Callable[..., Any]  # dE/dy_j from y_j, t_j and the output count; numbers or arrays
    scale: str  # written before the sum, as a student writes it
    term: str  # one output's term, in y and t
    rule: Wording
    outputs: tuple[str, ...] = ()
    distribution: bool = False  # each sample's targets must be a probability distribution

    def __repr__(self) -> str:
        return f"Loss({self.name}: E = {self.formula}, dE/dy = {self.gradient_formula})"

    def gradient(self, y: Number, t: Number, n: int) -> Number:
        """dE/dy of an output from its value y, its target t and the number n of outputs."""
        result: Number = self.derivative(y, t, n)
        return result

    def target_problem(self, targets: Sequence[float]) -> Problem | None:
        """Why one sample's targets do not suit this loss (the caller points it at them), or None."""
        if not self.distribution:
            return None
        if any(t < 0.0 or t > 1.0 for t in targets):
            return Problem.of("", "targets_range", loss=self.name, targets=list(targets))
        total = math.fsum(targets)
        if abs(total - 1.0) > TARGET_SUM_TOLERANCE:
            return Problem.of("", "targets_sum", loss=self.name, total=f"{total:g}")
        return None


def _xlogy(x: float, y: float) -> float:
    """x ln y, with 0 ln 0 = 0 and ln 0 = -inf: an output that rounds to exactly 0 or 1 gives an
    infinite loss rather than a math domain error."""
    if x == 0.0:
        return 0.0
    return x * math.log(y) if y > 0.0 else -math.inf * x


def _bce(ys: Sequence[float], ts: Sequence[float]) -> float:
    return -sum(_xlogy(t, y) + _xlogy(1.0 - t, 1.0 - y) for y, t in zip(ys, ts))


def _ce(ys: Sequence[float], ts: Sequence[float]) -> float:
    return -sum(_xlogy(t, y) for y, t in zip(ys, ts))


def _squares(ys: Sequence[float], ts: Sequence[float]) -> float:
    # float ** raises OverflowError where numpy gives inf; the loss of such outputs is inf.
    try:
        return sum((y - t) ** 2 for y, t in zip(ys, ts))
    except OverflowError:
        return math.inf


HALF_SSE = Loss(
    name="half_sse",
    label=Wording("half sum of squared errors", "误差平方和的一半"),
    scale="1/2",
    term="(y - t)^2",
    formula="1/2 sum (y - t)^2",
    gradient_formula="y - t",
    value=lambda ys, ts: 0.5 * _squares(ys, ts),
    derivative=lambda y, t, n: y - t,
    rule=Wording("E = ½ Σ (y − t)², ∂E/∂y = y − t", "E = ½ Σ (y − t)²，∂E/∂y = y − t"),
)

SSE = Loss(
    name="sse",
    label=Wording("sum of squared errors", "误差平方和"),
    scale="",
    term="(y - t)^2",
    formula="sum (y - t)^2",
    gradient_formula="2(y - t)",
    value=_squares,
    derivative=lambda y, t, n: 2.0 * (y - t),
    rule=Wording("E = Σ (y − t)², ∂E/∂y = 2(y − t)", "E = Σ (y − t)²，∂E/∂y = 2(y − t)"),
)

MSE = Loss(
    name="mse",
    label=Wording("mean squared error", "均方误差"),
    scale="1/n",
    term="(y - t)^2",
    formula="1/n sum (y - t)^2",
    gradient_formula="2(y - t)/n",
    value=lambda ys, ts: _squares(ys, ts) / len(ys),
    derivative=lambda y, t, n: 2.0 * (y - t) / n,
    rule=Wording(
        "E = (1/n) Σ (y − t)² over the n outputs, ∂E/∂y = 2(y − t)/n",
        "E = (1/n) Σ (y − t)²（n 为输出个数），∂E/∂y = 2(y − t)/n",
    ),
)

BINARY_CROSS_ENTROPY = Loss(
    name="binary_cross_entropy",
    label=Wording("binary cross-entropy", "二元交叉熵"),
    scale="-",
    term="[t ln(y) + (1 - t) ln(1 - y)]",
    formula="-sum [t ln y + (1 - t) ln(1 - y)]",
    gradient_formula="(y - t) / (y(1 - y))",
    value=_bce,
    derivative=lambda y, t, n: (y - t) / (y * (1.0 - y)),
    rule=Wording(
        "E = −Σ [t ln y + (1 − t) ln(1 − y)], ∂E/∂y = (y − t)/(y(1 − y)); with a sigmoid output δ = y − t",
        "E = −Σ [t ln y + (1 − t) ln(1 − y)]，∂E/∂y = (y − t)/(y(1 − y))；sigmoid 输出层 δ = y − t",
    ),
    outputs=("sigmoid",),
)

CROSS_ENTROPY = Loss(
    name="cross_entropy",
    label=Wording("cross-entropy", "交叉熵"),
    scale="-",
    term="t*ln(y)",
    formula="-sum t ln y",
    gradient_formula="-t/y",
    value=_ce,
    derivative=lambda y, t, n: -t / y,
    rule=Wording(
        "E = −Σ t ln y (targets one-hot or a distribution), ∂E/∂y = −t/y; with a softmax output δ = y − t",
        "E = −Σ t ln y（目标为独热向量或概率分布），∂E/∂y = −t/y；softmax 输出层 δ = y − t",
    ),
    outputs=("softmax", "sigmoid"),
    distribution=True,
)

LOSSES: dict[str, Loss] = {loss.name: loss for loss in (HALF_SSE, SSE, MSE, BINARY_CROSS_ENTROPY, CROSS_ENTROPY)}
