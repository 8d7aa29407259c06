"""Loss functions of one sample's outputs, with dE/dy for each output node."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Loss:
    name: str
    formula: str
    gradient_formula: str
    value: Callable[[Sequence[float], Sequence[float]], float]
    gradient: Callable[[float, float, int], float]  # dE/dy_j from y_j, t_j and the output count
    scale: str  # written before the sum, as a student writes it
    term: str  # one output's term, in y and t

    def __repr__(self) -> str:
        return f"Loss({self.name}: E = {self.formula}, dE/dy = {self.gradient_formula})"


def _xlogy(x: float, y: float) -> float:
    """x ln y, with 0 ln 0 = 0 and ln 0 = -inf: a sigmoid output that rounds to exactly 0 or 1
    gives an infinite loss rather than a math domain error."""
    if x == 0.0:
        return 0.0
    return x * math.log(y) if y > 0.0 else -math.inf * x


def _bce(ys: Sequence[float], ts: Sequence[float]) -> float:
    return -sum(_xlogy(t, y) + _xlogy(1.0 - t, 1.0 - y) for y, t in zip(ys, ts))


def _squares(ys: Sequence[float], ts: Sequence[float]) -> float:
    # float ** raises OverflowError where numpy gives inf; the loss of such outputs is inf.
    try:
        return sum((y - t) ** 2 for y, t in zip(ys, ts))
    except OverflowError:
        return math.inf


HALF_SSE = Loss(
    name="half_sse",
    scale="1/2",
    term="(y - t)^2",
    formula="1/2 sum (y - t)^2",
    gradient_formula="y - t",
    value=lambda ys, ts: 0.5 * _squares(ys, ts),
    gradient=lambda y, t, n: y - t,
)

SSE = Loss(
    name="sse",
    scale="",
    term="(y - t)^2",
    formula="sum (y - t)^2",
    gradient_formula="2(y - t)",
    value=_squares,
    gradient=lambda y, t, n: 2.0 * (y - t),
)

MSE = Loss(
    name="mse",
    scale="1/n",
    term="(y - t)^2",
    formula="1/n sum (y - t)^2",
    gradient_formula="2(y - t)/n",
    value=lambda ys, ts: _squares(ys, ts) / len(ys),
    gradient=lambda y, t, n: 2.0 * (y - t) / n,
)

BINARY_CROSS_ENTROPY = Loss(
    name="binary_cross_entropy",
    scale="-",
    term="[t ln(y) + (1 - t) ln(1 - y)]",
    formula="-sum [t ln y + (1 - t) ln(1 - y)]",
    gradient_formula="(y - t) / (y(1 - y))",
    value=_bce,
    gradient=lambda y, t, n: (y - t) / (y * (1.0 - y)),
)

LOSSES: dict[str, Loss] = {loss.name: loss for loss in (HALF_SSE, SSE, MSE, BINARY_CROSS_ENTROPY)}
