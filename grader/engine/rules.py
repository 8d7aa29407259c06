"""The local rule behind each step: how a key's value follows from the values of its inputs.

A rule is called with the input values in the order of the step's ``inputs`` and returns the
step's value.  ``explain`` gives the textbook formula with names and with numbers substituted,
for walk-throughs and answer keys.  The grader's follow-through calls the same rules on a
student's own values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from grader.engine.activations import Activation, Softmax
from grader.engine.losses import Loss


@runtime_checkable
class Rule(Protocol):
    """How a step's value follows from the values of its inputs, and how to explain it."""

    def __call__(self, *args: float) -> float: ...

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        """The formula with the input keys, and with their values substituted."""
        ...


def number(x: float) -> str:
    """A number as a textbook prints it: up to 6 significant figures, negatives in brackets."""
    text = f"{x:.6g}"
    return f"({text})" if x < 0 else text


def _products(pairs: Sequence[tuple[str, str]]) -> str:
    return " + ".join(f"{a}*{b}" for a, b in pairs)


@dataclass(frozen=True, slots=True)
class Given:
    def __call__(self, *args: float) -> float:
        raise TypeError("a given value has no rule to recompute it from")

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        return "given", ""


@dataclass(frozen=True, slots=True)
class NetInput:
    """z_j = sum_i w_ji y_i, plus b_j (bias) or minus b_j (threshold)."""

    fan_in: int
    bias_sign: int

    def __call__(self, *args: float) -> float:
        n = self.fan_in
        total = sum(w * y for w, y in zip(args[:n], args[n : 2 * n]))
        return total + self.bias_sign * args[2 * n] if self.bias_sign else total

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        n = self.fan_in
        names = _products(list(zip(inputs[:n], inputs[n : 2 * n])))
        nums = _products([(number(a), number(b)) for a, b in zip(args[:n], args[n : 2 * n])])
        if self.bias_sign:
            op = " + " if self.bias_sign > 0 else " - "
            names += op + inputs[2 * n]
            nums += op + number(args[2 * n])
        return names, nums


@dataclass(frozen=True, slots=True)
class Activate:
    activation: Activation

    def __call__(self, *args: float) -> float:
        return self.activation.scalar(args[0])

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        return f"{self.activation.name}({inputs[0]})", f"{self.activation.name}({number(args[0])})"


@dataclass(frozen=True, slots=True)
class SoftmaxShare:
    """y_k = e^{z_k} / sum_j e^{z_j}: the inputs are the net inputs of the whole output layer."""

    activation: Softmax
    position: int  # of node k among the layer's nodes

    def __call__(self, *zs: float) -> float:
        return self.activation.share(self.position, zs)

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        def share(zs: Sequence[str]) -> str:
            return f"e^{zs[self.position]} / ({' + '.join(f'e^{z}' for z in zs)})"

        return share(inputs), share([number(a) for a in args])


@dataclass(frozen=True, slots=True)
class LossValue:
    loss: Loss
    targets: tuple[float, ...]

    def __call__(self, *ys: float) -> float:
        return self.loss.value(ys, self.targets)

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        scale = self.loss.scale.replace("n", str(len(self.targets)))
        lead = f"{scale} " if scale == "-" else f"{scale} * " if scale else ""

        def total(ys: Sequence[str]) -> str:
            terms = [self.loss.term.replace("t", number(t)).replace("y", y) for y, t in zip(ys, self.targets)]
            body = " + ".join(terms)
            return f"{lead}({body})" if lead and len(terms) > 1 else f"{lead}{body}"

        return total(inputs), total([number(a) for a in args])


@dataclass(frozen=True, slots=True)
class OutputDelta:
    """delta_j = dE/dy_j * f'(y_j), negated under the g = -dE/dz convention."""

    loss: Loss
    activation: Activation
    target: float
    outputs: int
    sign: float

    def __call__(self, *args: float) -> float:
        y = args[0]
        dE_dy = self.loss.gradient(y, self.target, self.outputs)
        return self.sign * dE_dy * self.activation.derivative_scalar(y)

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        y, t = inputs[0], number(self.target)
        lead = "-" if self.sign < 0 else ""
        formula = self.loss.gradient_formula.replace("/n", f"/{self.outputs}")
        dE = formula.replace("t", t).replace("y", y)
        fprime = self.activation.derivative_formula.replace("y", y)
        yv = number(args[0])
        dEv = formula.replace("t", t).replace("y", yv)
        fv = self.activation.derivative_formula.replace("y", yv)
        return f"{lead}[{dE}] * [{fprime}]", f"{lead}[{dEv}] * [{fv}]"


@dataclass(frozen=True, slots=True)
class SoftmaxCrossEntropyDelta:
    """Softmax with cross-entropy: dE/dz_k = y_k - t_k (the Jacobian and -t/y cancel), negated
    under the g = -dE/dz convention."""

    target: float
    sign: float

    def __call__(self, *args: float) -> float:
        return self.sign * (args[0] - self.target)

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        lead = "-" if self.sign < 0 else ""
        t = number(self.target)
        return f"{lead}({inputs[0]} - {t})", f"{lead}({number(args[0])} - {t})"


@dataclass(frozen=True, slots=True)
class SoftmaxDelta:
    """Softmax with another loss, through the full Jacobian dy_j/dz_k = y_j (delta_jk - y_k):

    dE/dz_k = sum_j dE/dy_j * y_j (delta_jk - y_k) = y_k (dE/dy_k - sum_j dE/dy_j y_j).

    The inputs are every output's y; ``position`` is node k's place among them.
    """

    loss: Loss
    targets: tuple[float, ...]
    position: int
    sign: float

    def __call__(self, *ys: float) -> float:
        n = len(self.targets)
        slopes = [self.loss.gradient(y, t, n) for y, t in zip(ys, self.targets)]
        mean = sum(g * y for g, y in zip(slopes, ys))
        return self.sign * ys[self.position] * (slopes[self.position] - mean)

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        n = len(self.targets)
        formula = self.loss.gradient_formula.replace("/n", f"/{n}")
        lead = "-" if self.sign < 0 else ""

        def written(ys: Sequence[str]) -> str:
            slopes = [f"[{formula.replace('t', number(t)).replace('y', y)}]" for y, t in zip(ys, self.targets)]
            total = " + ".join(f"{g}*{y}" for g, y in zip(slopes, ys))
            return f"{lead}{ys[self.position]}*({slopes[self.position]} - ({total}))"

        return written(inputs), written([number(a) for a in args])


@dataclass(frozen=True, slots=True)
class HiddenDelta:
    """delta_j = f'(y_j) * sum_k w_kj delta_k over the nodes k that j feeds."""

    activation: Activation

    def __call__(self, *args: float) -> float:
        y, rest = args[0], args[1:]
        n = len(rest) // 2
        return self.activation.derivative_scalar(y) * sum(w * d for w, d in zip(rest[:n], rest[n:]))

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        n = (len(inputs) - 1) // 2
        fprime = self.activation.derivative_formula.replace("y", inputs[0])
        fv = self.activation.derivative_formula.replace("y", number(args[0]))
        names = _products(list(zip(inputs[1 : 1 + n], inputs[1 + n :])))
        nums = _products([(number(a), number(b)) for a, b in zip(args[1 : 1 + n], args[1 + n :])])
        return f"[{fprime}] * ({names})", f"[{fv}] * ({nums})"


@dataclass(frozen=True, slots=True)
class WeightGradient:
    """dE/dw_ji = dE/dz_j * y_i; ``sign`` turns the stored delta into dE/dz_j."""

    sign: float

    def __call__(self, *args: float) -> float:
        delta, y = args
        return self.sign * delta * y

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        lead = "-" if self.sign < 0 else ""
        return f"{lead}{inputs[0]}*{inputs[1]}", f"{lead}{number(args[0])}*{number(args[1])}"


@dataclass(frozen=True, slots=True)
class BiasGradient:
    """dE/db_j = dE/dz_j * dz_j/db_j, where dz/db is +1 for a bias and -1 for a threshold."""

    sign: float

    def __call__(self, *args: float) -> float:
        return self.sign * args[0]

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        lead = "-" if self.sign < 0 else ""
        return f"{lead}{inputs[0]}", f"{lead}{number(args[0])}"


@dataclass(frozen=True, slots=True)
class Reduce:
    """A batch quantity: the sum or the mean of the per-sample values."""

    mode: str

    def __call__(self, *values: float) -> float:
        total = sum(values)
        return total / len(values) if self.mode == "mean" else total

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        names = " + ".join(inputs)
        nums = " + ".join(number(a) for a in args)
        if self.mode == "mean":
            return f"({names}) / {len(inputs)}", f"({nums}) / {len(inputs)}"
        return names, nums


@dataclass(frozen=True, slots=True)
class Update:
    """Gradient descent: w_new = w - eta * dE/dw."""

    learning_rate: float

    def __call__(self, *args: float) -> float:
        old, gradient = args
        return old - self.learning_rate * gradient

    def explain(self, inputs: Sequence[str], args: Sequence[float]) -> tuple[str, str]:
        eta = number(self.learning_rate)
        return (
            f"{inputs[0]} - {eta}*{inputs[1]}",
            f"{number(args[0])} - {eta}*{number(args[1])}",
        )
