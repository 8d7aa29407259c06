"""The activation registry: each activation function defined once, with everything every consumer reads.

An entry carries the arithmetic (the function on one node or a whole layer, and its derivative
written in the node's *output* y, as students write sigmoid' = y(1 - y) and tanh' = 1 - y^2) and
its display data: the label, and the rule as printed on worksheets, answer keys, the student page
and the Moodle export, in English and Chinese.  Registering a new activation means adding one
entry to ``ACTIVATIONS``; ``tests/test_conformance.py`` runs every entry through every consumer.

ReLU's derivative at z = 0 is taken as 0 (the output there is 0, and a node with zero output
passes no gradient back); leaky ReLU's derivative at 0 is its slope.  Softmax couples the nodes of
its layer, so it is allowed on the output layer only and its derivative is not elementwise: the
engine builds its output deltas from the full Jacobian (``grader.engine.rules.SoftmaxDelta``), or
as y - t with cross-entropy.  Its ``derivative_scalar`` is the Jacobian's diagonal y(1 - y).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from grader.engine.wording import Wording

DEFAULT_LEAKY_SLOPE = 0.01


@dataclass(frozen=True, slots=True)
class Activation:
    """One activation function.  Subclasses define the arithmetic; the fields are what is shown.

    ``formula`` (in z) and ``derivative_formula`` (in y) are the plain text the walk-through
    substitutes numbers into; ``rule`` is the rule in words for people, per language.
    """

    name: str
    label: Wording
    formula: str
    derivative_formula: str
    rule: Wording
    output_only: bool = False  # couples the nodes of its layer (softmax)
    # What the generator's hand-computability constraints need to know:
    peak_slope: float | None = None  # a saturating function's largest f' (min_slope is a share of it)
    kink: bool = False  # f' jumps at z = 0 (relu_margin keeps net inputs away from it)
    dies: bool = False  # f' = 0 for z <= 0: an inactive node passes no gradient back (relu_active)

    def __repr__(self) -> str:
        return f"Activation({self.name}: f(z) = {self.formula}, f' = {self.derivative_formula})"

    def array(self, z: np.ndarray) -> np.ndarray:
        """f of a layer's net inputs, one row per sample."""
        raise NotImplementedError

    def scalar(self, z: float) -> float:
        """f of one net input (not defined for a layer-wide function such as softmax)."""
        raise NotImplementedError

    def derivative_array(self, y: np.ndarray) -> np.ndarray:
        """f' of each node, from its output y."""
        raise NotImplementedError

    def derivative_scalar(self, y: float) -> float:
        """f' of one node, from its output y."""
        raise NotImplementedError

    def configured(self, leaky_slope: float) -> Activation:
        """This activation with an exercise's settings applied (only leaky ReLU has one)."""
        return self


@dataclass(frozen=True, slots=True, repr=False)
class Sigmoid(Activation):
    def array(self, z: np.ndarray) -> np.ndarray:
        return 0.5 * (1.0 + np.tanh(0.5 * z))

    def scalar(self, z: float) -> float:
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def derivative_array(self, y: np.ndarray) -> np.ndarray:
        return y * (1.0 - y)

    def derivative_scalar(self, y: float) -> float:
        return y * (1.0 - y)


@dataclass(frozen=True, slots=True, repr=False)
class Tanh(Activation):
    def array(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def scalar(self, z: float) -> float:
        return math.tanh(z)

    def derivative_array(self, y: np.ndarray) -> np.ndarray:
        return 1.0 - y * y

    def derivative_scalar(self, y: float) -> float:
        return 1.0 - y * y


@dataclass(frozen=True, slots=True, repr=False)
class ReLU(Activation):
    def array(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0)

    def scalar(self, z: float) -> float:
        return z if z > 0.0 else 0.0

    def derivative_array(self, y: np.ndarray) -> np.ndarray:
        return (y > 0.0).astype(float)

    def derivative_scalar(self, y: float) -> float:
        return 1.0 if y > 0.0 else 0.0


@dataclass(frozen=True, slots=True, repr=False)
class LeakyReLU(Activation):
    """z for z > 0, otherwise slope * z.  y has the sign of z, so f' is read from y too."""

    slope: float = DEFAULT_LEAKY_SLOPE

    def __repr__(self) -> str:
        return f"Activation({self.name}: slope {self.slope:g})"

    def array(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0.0, z, self.slope * z)

    def scalar(self, z: float) -> float:
        return z if z > 0.0 else self.slope * z

    def derivative_array(self, y: np.ndarray) -> np.ndarray:
        return np.where(y > 0.0, 1.0, self.slope)

    def derivative_scalar(self, y: float) -> float:
        return 1.0 if y > 0.0 else self.slope

    def configured(self, leaky_slope: float) -> Activation:
        return _leaky(leaky_slope)


@dataclass(frozen=True, slots=True, repr=False)
class Linear(Activation):
    def array(self, z: np.ndarray) -> np.ndarray:
        return z

    def scalar(self, z: float) -> float:
        return z

    def derivative_array(self, y: np.ndarray) -> np.ndarray:
        return np.ones_like(y)

    def derivative_scalar(self, y: float) -> float:
        return 1.0


@dataclass(frozen=True, slots=True, repr=False)
class Softmax(Activation):
    """y_k = e^{z_k} / sum_j e^{z_j} over the output layer."""

    def array(self, z: np.ndarray) -> np.ndarray:
        # Shifting by the row's maximum changes nothing mathematically and keeps e^z finite.
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def share(self, position: int, zs: tuple[float, ...]) -> float:
        """y of the node at ``position`` of a layer with net inputs ``zs``."""
        top = max(zs)
        exps = [math.exp(z - top) for z in zs]
        return exps[position] / sum(exps)

    def derivative_array(self, y: np.ndarray) -> np.ndarray:
        return y * (1.0 - y)  # the Jacobian's diagonal only: see SoftmaxDelta for the whole

    def derivative_scalar(self, y: float) -> float:
        return y * (1.0 - y)


SIGMOID = Sigmoid(
    name="sigmoid",
    label=Wording("sigmoid", "sigmoid"),
    formula="1/(1+e^-z)",
    derivative_formula="y(1-y)",
    rule=Wording("f(z) = 1/(1 + e⁻ᶻ), f′ = y(1 − y)", "f(z) = 1/(1 + e⁻ᶻ)，f′ = y(1 − y)"),
    peak_slope=0.25,
)

TANH = Tanh(
    name="tanh",
    label=Wording("tanh", "tanh"),
    formula="tanh(z)",
    derivative_formula="1-y^2",
    rule=Wording("f(z) = tanh z, f′ = 1 − y²", "f(z) = tanh z，f′ = 1 − y²"),
    peak_slope=1.0,
)

RELU = ReLU(
    name="relu",
    label=Wording("ReLU", "ReLU"),
    formula="max(0, z)",
    derivative_formula="1 if y > 0 else 0",
    rule=Wording(
        "f(z) = max(0, z), f′ = 1 if z > 0, else 0 (also at z = 0)",
        "f(z) = max(0, z)，z > 0 时 f′ = 1，否则 f′ = 0（z = 0 时也取 0）",
    ),
    kink=True,
    dies=True,
)


def _leaky(slope: float) -> LeakyReLU:
    s = f"{slope:g}"
    return LeakyReLU(
        name="leaky_relu",
        label=Wording("leaky ReLU", "Leaky ReLU"),
        formula=f"z if z > 0 else {s}z",
        derivative_formula=f"1 if y > 0 else {s}",
        rule=Wording(
            f"f(z) = z if z > 0, else {s}·z; f′ = 1 if z > 0, else {s} (also at z = 0)",
            f"z > 0 时 f(z) = z，否则 f(z) = {s}·z；z > 0 时 f′ = 1，否则 f′ = {s}（z = 0 时也取 {s}）",
        ),
        kink=True,
        slope=slope,
    )


LEAKY_RELU = _leaky(DEFAULT_LEAKY_SLOPE)

LINEAR = Linear(
    name="linear",
    label=Wording("linear", "线性"),
    formula="z",
    derivative_formula="1",
    rule=Wording("f(z) = z, f′ = 1", "f(z) = z，f′ = 1"),
)

SOFTMAX = Softmax(
    name="softmax",
    label=Wording("softmax", "softmax"),
    formula="e^z_k / sum_j e^z_j",
    derivative_formula="y(1-y)",
    rule=Wording(
        "yₖ = e^zₖ / Σⱼ e^zⱼ over the output layer; ∂yⱼ/∂zₖ = yⱼ(δⱼₖ − yₖ); with cross-entropy the output δₖ = yₖ − tₖ",
        "yₖ = e^zₖ / Σⱼ e^zⱼ（对整个输出层）；∂yⱼ/∂zₖ = yⱼ(δⱼₖ − yₖ)；与交叉熵一起用时输出层 δₖ = yₖ − tₖ",
    ),
    output_only=True,
)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (SIGMOID, TANH, RELU, LEAKY_RELU, LINEAR, SOFTMAX)}
