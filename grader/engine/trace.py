"""The reference solution: every step key with its value, phase, inputs and local rule.

``solve`` runs the network with numpy (vectorised over samples in batch mode) and records one
``Step`` per key, in the order a student computes them.  Each step keeps the rule that
recomputes it from its inputs, so any value can be recomputed from any other upstream values:
that is what the grader's follow-through is built on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import chain, pairwise, repeat
from typing import Any, NamedTuple

import numpy as np

from grader.engine import keys, layout
from grader.engine.activations import Activation, Softmax
from grader.engine.exercise import PHASES, Exercise, ExerciseError, Problem
from grader.engine.losses import CROSS_ENTROPY
from grader.engine.modes import BIAS_SIGN
from grader.engine.phases import Phase
from grader.engine.rules import (
    Activate,
    BiasGradient,
    Given,
    HiddenDelta,
    LossValue,
    NetInput,
    OutputDelta,
    Reduce,
    Rule,
    SoftmaxCrossEntropyDelta,
    SoftmaxDelta,
    SoftmaxShare,
    Update,
    WeightGradient,
)

# Per layer: each sample's dE/dw (samples x nodes x inputs) and dE/db (samples x nodes).
Gradients = tuple[list[np.ndarray], list[np.ndarray]]


class Step(NamedTuple):
    """One step: its key, phase, kind, the keys it is computed from, the rule that does it, its value.

    A named tuple, not a dataclass, because a trace holds hundreds of them and a tuple is built
    several times faster; it is just as immutable.
    """

    key: str
    phase: Phase
    kind: str
    inputs: tuple[str, ...]
    rule: Rule
    value: float

    def __repr__(self) -> str:
        source = f" <- {', '.join(self.inputs)}" if self.inputs else ""
        return f"Step({self.key} = {self.value:.6g} [{self.phase}/{self.kind}]{source})"

    def recompute(self, values: Mapping[str, float]) -> float:
        """This step's value computed by its rule from the given values of its inputs."""
        return self.rule(*[values[k] for k in self.inputs])


class Trace:
    """Every step of an exercise's solution, keyed and ordered as a student works."""

    def __init__(self, exercise: Exercise, steps: dict[str, Step]):
        self.exercise = exercise
        self.steps = steps
        self._asked: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        asked = sum(1 for s in self.steps.values() if s.phase != "given")
        return f"Trace({self.exercise.title!r}, {asked} steps)"

    def __getitem__(self, key: str) -> float:
        return self.steps[key].value

    def __contains__(self, key: str) -> bool:
        return key in self.steps

    @property
    def values(self) -> dict[str, float]:
        """Every computed step (givens excluded), in order."""
        return {k: s.value for k, s in self.steps.items() if s.phase != "given"}

    def recompute(self, key: str, given: Mapping[str, float] | None = None) -> float:
        """Recompute ``key`` from ``given`` values of its inputs, the reference where none is given."""
        step = self.steps[key]
        given = given or {}
        return step.rule(*[given[k] if k in given else self.steps[k].value for k in step.inputs])

    def asked_keys(self) -> list[str]:
        """The keys the exercise asks for, in trace order; explicit keys are checked to exist."""
        # Worked out once per trace: a cached trace is asked this on every submission it grades.
        if self._asked is None:
            self._asked = tuple(self._resolve_ask())
        return list(self._asked)

    def _resolve_ask(self) -> list[str]:
        ask = self.exercise.ask
        phases = {a for a in ask if a in PHASES}
        explicit = [a for a in ask if a not in PHASES]
        unknown = [(n, k) for n, k in enumerate(ask) if k in explicit and k not in self.steps]
        if unknown:
            valid = ", ".join(self.values)
            raise ExerciseError([Problem.of(f"/ask/{n}", "unknown_step", key=repr(k), keys=valid) for n, k in unknown])
        wanted = set(explicit)
        return [k for k, s in self.steps.items() if s.phase in phases or k in wanted]


def solve(exercise: Exercise) -> Trace:
    """Compute the reference trace of an exercise."""
    return _Solver(exercise).run()


def _in_parameter_order(weights: list[Any], biases: list[Any] | None) -> list[float]:
    """Per-layer nested lists [layer][j][i] and [layer][j] as one list in ``layout.parameters`` order."""
    out: list[float] = []
    for layer in range(len(weights) - 1, -1, -1):
        if biases is None:
            out.extend(chain.from_iterable(weights[layer]))
        else:
            for row, bias in zip(weights[layer], biases[layer]):
                out.extend(row)
                out.append(bias)
    return out


@lru_cache(maxsize=256)
def _shared_rules(
    shape: tuple[int, ...], acts: tuple[Activation, ...], biased: bool, sign: int, conv: float
) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """The rules of a pass that hold no number of the exercise, in layout order: the forward pass
    without the loss, and the hidden deltas and the gradients.  Rules are immutable, so every
    exercise of the same kind shares them."""
    nodes = keys.node_layers(shape)
    forward: list[Rule] = []
    for prev, layer, act in zip(nodes, nodes[1:], acts):
        if isinstance(act, Softmax):  # every z of the layer, then every y
            forward += [NetInput(len(prev), sign)] * len(layer)
            forward += [SoftmaxShare(act, k) for k in range(len(layer))]
        else:
            forward += [NetInput(len(prev), sign), Activate(act)] * len(layer)
    hidden = [HiddenDelta(a) for a in acts]
    backward: list[Rule] = [hidden[depth] for depth in range(len(nodes) - 3, -1, -1) for _ in nodes[depth + 1]]
    weight_rule, bias_rule = WeightGradient(conv), BiasGradient(conv * sign)
    for prev, layer in reversed(list(pairwise(nodes))):
        for _ in layer:
            backward += [weight_rule] * len(prev)
            if biased:
                backward.append(bias_rule)
    return tuple(forward), tuple(backward)


class _Solver:
    """One run of an exercise: numpy does the arithmetic, ``layout`` supplies every step's key and
    inputs, and the steps are built in bulk."""

    def __init__(self, ex: Exercise):
        self.ex = ex
        self.steps: dict[str, Step] = {}
        self.shape = tuple(ex.layers)
        self.biased = ex.bias != "none"
        nodes = ex.node_layers
        self.acts = list(ex.activation_functions)
        self.loss = ex.loss_function
        softmax = isinstance(self.acts[-1], Softmax)
        # Softmax couples the outputs: their y come from every z, and (but with cross-entropy, where
        # the Jacobian cancels to y - t) their deltas from every y.
        self.coupled = softmax
        self.cancelled = softmax and self.loss is CROSS_ENTROPY
        self.jacobian = softmax and not self.cancelled
        self.bias_sign = sign = BIAS_SIGN[ex.bias]
        self.negate = ex.delta_convention != "dE/dz"
        conv = -1.0 if self.negate else 1.0
        self.bias_gradient_sign = conv * sign  # dE/db = dE/dz * dz/db, and dz/db is the bias sign
        self.multi = len(ex.samples) > 1
        self.X = np.array([s.inputs for s in ex.samples], dtype=float)
        self.T = np.array([s.targets for s in ex.samples], dtype=float)
        pairs = list(pairwise(nodes))
        weights = list(ex.weights.values())
        if tuple(ex.weights) != layout.weight_names(self.shape):  # not in the usual order: look each one up
            weights = [ex.weights[name] for name in layout.weight_names(self.shape)]
        self.W, start = [], 0
        for prev, layer in pairs:
            end = start + len(prev) * len(layer)
            self.W.append(np.array(weights[start:end]).reshape(len(layer), len(prev)))
            start = end
        if self.biased:
            self.b = [np.array([ex.biases[f"b{j}"] for j in layer]) for layer in nodes[1:]]
            self.shift = [sign * b for b in self.b]
        else:
            # Adding 0.0, as adding 0 * b would, turns -0.0 into 0.0.
            self.shift = [np.zeros(len(layer)) for layer in nodes[1:]]
        forward, backward = _shared_rules(self.shape, tuple(self.acts), self.biased, sign, conv)
        # The loss and the output deltas hold a sample's targets: one rule list per sample.
        self.forward_rules: list[list[Rule]] = [[*forward, LossValue(self.loss, s.targets)] for s in ex.samples]
        self.backward_rules: list[list[Rule]] = [[*self.output_rules(s.targets, conv), *backward] for s in ex.samples]
        count = len(layout.parameters(self.shape, self.biased))
        self.update_rules = [Update(ex.learning_rate)] * count
        self.reduce_rule = Reduce(ex.batch_reduction)
        self.batch_rules = [self.reduce_rule] * count

    def output_rules(self, targets: tuple[float, ...], conv: float) -> list[Rule]:
        """The output deltas' rules of a sample with these targets."""
        if self.cancelled:
            return [SoftmaxCrossEntropyDelta(t, conv) for t in targets]
        if self.jacobian:
            return [SoftmaxDelta(self.loss, targets, k, conv) for k in range(len(targets))]
        return [OutputDelta(self.loss, self.acts[-1], t, len(targets), conv) for t in targets]

    def output_delta(self, Y: np.ndarray, T: np.ndarray) -> np.ndarray:
        """dE/dz of the output layer, one row per sample."""
        if self.cancelled:
            return Y - T
        G = self.loss.gradient(Y, T, T.shape[1])
        if self.jacobian:
            return Y * (G - (G * Y).sum(axis=1, keepdims=True))
        return G * self.acts[-1].derivative_array(Y)

    def add(self, run: layout.Run, rules: Sequence[Rule], values: list[float]) -> None:
        """Append a run of steps; ``rules`` and ``values`` are in the run's order."""
        columns = zip(run.keys, run.phases, run.kinds, run.inputs, rules, values, strict=True)
        self.steps.update(zip(run.keys, map(tuple.__new__, repeat(Step), columns)))

    def label(self, m: int) -> int | None:
        return m + 1 if self.multi else None

    def run(self) -> Trace:
        ex = self.ex
        everyone = list(range(len(ex.samples)))
        given_prefixes = tuple(keys.prefix(1, self.label(m)) for m in everyone)
        given = layout.given(self.shape[0], given_prefixes, tuple(ex.weights), tuple(ex.biases))
        values = [*chain.from_iterable(s.inputs for s in ex.samples), *ex.weights.values(), *ex.biases.values()]
        self.add(given, [Given()] * len(values), values)
        source = None
        for it in range(1, ex.iterations + 1):
            if ex.update == "batch" and self.multi:
                grads = self.propagate(it, everyone, source, train=True)
                assert grads is not None  # a training pass has gradients
                source = self.reduce(it, everyone, grads, source)
            else:
                for m in everyone:
                    found = self.propagate(it, [m], source, train=True)
                    assert found is not None  # a training pass has gradients
                    weight_grads, bias_grads = found
                    pre = keys.prefix(it, self.label(m))
                    self.apply(pre, source, [g[0] for g in weight_grads], [g[0] for g in bias_grads])
                    source = pre
        self.propagate(ex.iterations + 1, everyone, source, train=False)
        if ex.update == "batch" and self.multi:
            self.batch_loss(ex.iterations + 1, everyone)
        return Trace(ex, self.steps)

    def propagate(self, it: int, group: list[int], source: str | None, train: bool) -> Gradients | None:
        """Forward (and, when training, backward) pass for samples ``group`` at once; emits their steps."""
        rows = self.X[group[0] : group[0] + 1] if len(group) == 1 else self.X[group]
        Ys, Zs = [rows], []
        for W, shift, act in zip(self.W, self.shift, self.acts):
            Zs.append(Ys[-1] @ W.T + shift)
            Ys.append(act.array(Zs[-1]))
        z_rows = [Z.tolist() for Z in Zs]
        y_rows = [Y.tolist() for Y in Ys[1:]]
        if train:
            T = self.T[group[0] : group[0] + 1] if len(group) == 1 else self.T[group]
            # delta = dE/dy * f'(y) at the output, then back through the weights; the stored delta
            # is negated under the -dE/dz convention, and the gradients use dE/dz = the sign * delta.
            out = self.output_delta(Ys[-1], T)
            D = [-out if self.negate else out]
            for W, act, Y in zip(self.W[:0:-1], self.acts[-2::-1], Ys[-2:0:-1]):
                D.insert(0, (D[0] @ W) * act.derivative_array(Y))
            dEdz = [-d for d in D] if self.negate else D
            weight_grads = [d[:, :, None] * y[:, None, :] for d, y in zip(dEdz, Ys)]
            bias_grads = [self.bias_gradient_sign * d for d in D] if self.biased else []
            d_rows = [d.tolist() for d in D]
            gw_rows = [g.tolist() for g in weight_grads]
            gb_rows = [g.tolist() for g in bias_grads] if self.biased else None
        for r, m in enumerate(group):
            pre, given = keys.prefix(it, self.label(m)), keys.prefix(1, self.label(m))
            # z and y node by node; a softmax output layer has all its z before its y.
            paired = len(z_rows) - 1 if self.coupled else len(z_rows)
            pairs = (zip(z_rows[d][r], y_rows[d][r]) for d in range(paired))
            values = list(chain.from_iterable(chain.from_iterable(pairs)))
            if self.coupled:
                values += z_rows[-1][r] + y_rows[-1][r]
            values.append(self.loss.value(y_rows[-1][r], self.ex.samples[m].targets))
            run = layout.forward(self.shape, self.biased, pre, given, source, self.coupled)
            self.add(run, self.forward_rules[m], values)
            if not train:
                continue
            values = list(chain.from_iterable(d[r] for d in reversed(d_rows)))
            values += _in_parameter_order([g[r] for g in gw_rows], gb_rows and [g[r] for g in gb_rows])
            run = layout.backward(self.shape, self.biased, pre, given, source, self.jacobian)
            self.add(run, self.backward_rules[m], values)
        return (weight_grads, bias_grads) if train else None

    def batch_loss(self, it: int, group: list[int]) -> tuple[str, ...]:
        """The batch E of iteration ``it`` (sum or mean of the samples'); returns the samples' prefixes."""
        prefixes = tuple(keys.prefix(it, self.label(m)) for m in group)
        energies = [self.steps[f"{p}E"].value for p in prefixes]
        self.add(layout.batch_loss(keys.prefix(it, None), prefixes), [self.reduce_rule], [self.reduce_rule(*energies)])
        return prefixes

    def reduce(self, it: int, group: list[int], grads: Gradients, source: str | None) -> str:
        """Batch E and batch gradients (sum or mean of the samples'), then the update; returns its prefix."""
        pre = keys.prefix(it, None)
        prefixes = self.batch_loss(it, group)
        reducer = np.mean if self.ex.batch_reduction == "mean" else np.sum
        weight_grads = [reducer(g, axis=0) for g in grads[0]]
        bias_grads = [reducer(g, axis=0) for g in grads[1]]
        values = _in_parameter_order(
            [g.tolist() for g in weight_grads], [g.tolist() for g in bias_grads] if self.biased else None
        )
        self.add(layout.batch_gradients(self.shape, self.biased, pre, prefixes), self.batch_rules, values)
        self.apply(pre, source, weight_grads, bias_grads)
        return pre

    def apply(self, pre: str, source: str | None, weight_grads: Sequence[Any], bias_grads: Sequence[Any]) -> None:
        """Gradient-descent update of every weight and bias, emitting new_* keys."""
        eta = self.ex.learning_rate
        self.W = [W - eta * g for W, g in zip(self.W, weight_grads)]
        if self.biased:
            self.b = [b - eta * g for b, g in zip(self.b, bias_grads)]
            self.shift = [self.bias_sign * b for b in self.b]
        values = _in_parameter_order(
            [W.tolist() for W in self.W], [b.tolist() for b in self.b] if self.biased else None
        )
        self.add(layout.update(self.shape, self.biased, pre, source), self.update_rules, values)
