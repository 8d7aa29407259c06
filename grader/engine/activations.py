"""Activation functions, each with the derivative written the way students write it by hand.

Derivatives are expressed in terms of the node's *output* y, as in the textbook rules
sigmoid' = y(1 - y) and tanh' = 1 - y^2.  ReLU's derivative at z = 0 is taken as 0: the
output there is 0, and a node with zero output passes no gradient back.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Activation:
    name: str
    formula: str
    derivative_formula: str
    array: Callable[[np.ndarray], np.ndarray]
    scalar: Callable[[float], float]
    derivative_array: Callable[[np.ndarray], np.ndarray]
    derivative_scalar: Callable[[float], float]

    def __repr__(self) -> str:
        return f"Activation({self.name}: f(z) = {self.formula}, f' = {self.derivative_formula})"


def _sigmoid_scalar(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _sigmoid_array(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


SIGMOID = Activation(
    name="sigmoid",
    formula="1/(1+e^-z)",
    derivative_formula="y(1-y)",
    array=_sigmoid_array,
    scalar=_sigmoid_scalar,
    derivative_array=lambda y: y * (1.0 - y),
    derivative_scalar=lambda y: y * (1.0 - y),
)

TANH = Activation(
    name="tanh",
    formula="tanh(z)",
    derivative_formula="1-y^2",
    array=np.tanh,
    scalar=math.tanh,
    derivative_array=lambda y: 1.0 - y * y,
    derivative_scalar=lambda y: 1.0 - y * y,
)

RELU = Activation(
    name="relu",
    formula="max(0, z)",
    derivative_formula="1 if y > 0 else 0",
    array=lambda z: np.maximum(z, 0.0),
    scalar=lambda z: z if z > 0.0 else 0.0,
    derivative_array=lambda y: (y > 0.0).astype(float),
    derivative_scalar=lambda y: 1.0 if y > 0.0 else 0.0,
)

LINEAR = Activation(
    name="linear",
    formula="z",
    derivative_formula="1",
    array=lambda z: z,
    scalar=lambda z: z,
    derivative_array=np.ones_like,
    derivative_scalar=lambda y: 1.0,
)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (SIGMOID, TANH, RELU, LINEAR)}
