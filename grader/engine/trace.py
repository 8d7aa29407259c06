"""The reference solution: every step key with its value, phase, inputs and local rule.

``solve`` runs the network with numpy (vectorised over samples in batch mode) and records one
``Step`` per key, in the order a student computes them.  Each step keeps the rule that
recomputes it from its inputs, so any value can be recomputed from any other upstream values:
that is what the grader's follow-through is built on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.engine import keys
from grader.engine.activations import ACTIVATIONS
from grader.engine.exercise import PHASES, Exercise, ExerciseError, Problem
from grader.engine.losses import LOSSES
from grader.engine.rules import (
    Activate,
    BiasGradient,
    Given,
    HiddenDelta,
    LossValue,
    NetInput,
    OutputDelta,
    Reduce,
    Update,
    WeightGradient,
)

BIAS_SIGN = {"none": 0, "bias": 1, "threshold": -1}


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    phase: str
    kind: str
    inputs: tuple[str, ...]
    rule: Any
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
        ask = self.exercise.ask
        phases = {a for a in ask if a in PHASES}
        explicit = [a for a in ask if a not in PHASES]
        unknown = [(n, k) for n, k in enumerate(ask) if k in explicit and k not in self.steps]
        if unknown:
            valid = ", ".join(self.values)
            raise ExerciseError(
                [Problem(f"/ask/{n}", f"no step {k!r} in this exercise; valid keys: {valid}") for n, k in unknown]
            )
        wanted = set(explicit)
        return [k for k, s in self.steps.items() if s.phase in phases or k in wanted]


def solve(exercise: Exercise) -> Trace:
    """Compute the reference trace of an exercise."""
    return _Solver(exercise).run()


class _Solver:
    def __init__(self, ex: Exercise):
        self.ex = ex
        self.steps: dict[str, Step] = {}
        self.nodes = ex.node_layers
        self.acts = [ACTIVATIONS[a] for a in ex.activations]
        self.loss = LOSSES[ex.loss]
        self.bias_sign = BIAS_SIGN[ex.bias]
        self.conv = 1.0 if ex.delta_convention == "dE/dz" else -1.0
        self.multi = len(ex.samples) > 1
        self.X = np.array([s.inputs for s in ex.samples], dtype=float)
        self.T = np.array([s.targets for s in ex.samples], dtype=float)
        pairs = list(zip(self.nodes, self.nodes[1:]))
        self.W = [np.array([[ex.weights[keys.weight(j, i)] for i in prev] for j in layer]) for prev, layer in pairs]
        self.Wkeys = [[[keys.weight(j, i) for i in prev] for j in layer] for prev, layer in pairs]
        if self.bias_sign:
            self.b = [np.array([ex.biases[keys.bias(j)] for j in layer]) for layer in self.nodes[1:]]
            self.bkeys = [[keys.bias(j) for j in layer] for layer in self.nodes[1:]]
        else:
            self.b = [np.zeros(len(layer)) for layer in self.nodes[1:]]
            self.bkeys = [[] for _ in self.nodes[1:]]
        self.net_rules = [NetInput(len(prev), self.bias_sign) for prev in self.nodes[:-1]]
        self.act_rules = [Activate(a) for a in self.acts]
        self.hidden_rules = [HiddenDelta(a) for a in self.acts]
        self.wgrad_rule = WeightGradient(self.conv)
        self.bgrad_rule = BiasGradient(self.conv * self.bias_sign)
        self.update_rule = Update(ex.learning_rate)
        self.reduce_rule = Reduce(ex.batch_reduction)

    def emit(self, key: str, phase: str, kind: str, inputs: tuple[str, ...], rule: Any, value: float) -> None:
        self.steps[key] = Step(key, phase, kind, inputs, rule, value)

    def label(self, m: int) -> int | None:
        return m + 1 if self.multi else None

    def run(self) -> Trace:
        given = Given()
        for m, sample in enumerate(self.ex.samples):
            for i, x in zip(self.nodes[0], sample.inputs):
                self.emit(f"{keys.prefix(1, self.label(m))}y{i}", "given", "input", (), given, x)
        for name, value in (*self.ex.weights.items(), *self.ex.biases.items()):
            self.emit(name, "given", "weight" if name[0] == "w" else "bias", (), given, value)
        everyone = list(range(len(self.ex.samples)))
        for it in range(1, self.ex.iterations + 1):
            if self.ex.update == "batch" and self.multi:
                grads = self.propagate(it, everyone, train=True)
                self.reduce(it, everyone, grads)
            else:
                for m in everyone:
                    self.update(it, m, self.propagate(it, [m], train=True))
        self.propagate(self.ex.iterations + 1, everyone, train=False)
        return Trace(self.ex, self.steps)

    def propagate(self, it: int, group: list[int], train: bool):
        """Forward (and, when training, backward) pass for samples ``group`` at once."""
        Ys = [self.X[group]]
        for W, b, act in zip(self.W, self.b, self.acts):
            Ys.append(act.array(Ys[-1] @ W.T + self.bias_sign * b))
        Zs = [Y_prev @ W.T + self.bias_sign * b for Y_prev, W, b in zip(Ys, self.W, self.b)]
        T = self.T[group]
        grads = None
        if train:
            D = [self.conv * self.loss.gradient(Ys[-1], T, T.shape[1]) * self.acts[-1].derivative_array(Ys[-1])]
            for W, act, Y in zip(self.W[:0:-1], self.acts[-2::-1], Ys[-2:0:-1]):
                D.insert(0, (D[0] @ W) * act.derivative_array(Y))
            grads = [self.conv * d[:, :, None] * y[:, None, :] for d, y in zip(D, Ys)]
            bgrads = [self.conv * self.bias_sign * d for d in D]
            grads = (grads, bgrads)
        for r, m in enumerate(group):
            self.emit_sample(it, m, [Z[r].tolist() for Z in Zs], [Y[r].tolist() for Y in Ys],
                             [d[r].tolist() for d in D] if train else None,
                             [[g[r].tolist() for g in grads[0]], [g[r].tolist() for g in grads[1]]] if train else None)
        return grads

    def emit_sample(self, it, m, Z, Y, D, G):
        pre = keys.prefix(it, self.label(m))
        ykeys = [[f"{keys.prefix(1, self.label(m))}y{i}" for i in self.nodes[0]]]
        for layer, nodes in enumerate(self.nodes[1:]):
            ykeys.append([f"{pre}y{j}" for j in nodes])
            for jj, j in enumerate(nodes):
                z = f"{pre}z{j}"
                inputs = (*self.Wkeys[layer][jj], *ykeys[layer], *self.bkeys[layer][jj : jj + 1])
                self.emit(z, "forward", "z", inputs, self.net_rules[layer], Z[layer][jj])
                self.emit(ykeys[-1][jj], "forward", "y", (z,), self.act_rules[layer], Y[layer + 1][jj])
        target = self.ex.samples[m].targets
        self.emit(f"{pre}E", "loss", "E", tuple(ykeys[-1]), LossValue(self.loss, target), self.loss.value(Y[-1], target))
        if D is None:
            return
        dkeys = [[f"{pre}delta{j}" for j in nodes] for nodes in self.nodes[1:]]
        for jj in range(len(self.nodes[-1])):
            rule = OutputDelta(self.loss, self.acts[-1], target[jj], len(target), self.conv)
            self.emit(dkeys[-1][jj], "backward", "delta", (ykeys[-1][jj],), rule, D[-1][jj])
        for layer in range(len(self.nodes) - 3, -1, -1):
            for jj in range(len(self.nodes[layer + 1])):
                outgoing = tuple(row[jj] for row in self.Wkeys[layer + 1])
                inputs = (ykeys[layer + 1][jj], *outgoing, *dkeys[layer + 1])
                self.emit(dkeys[layer][jj], "backward", "delta", inputs, self.hidden_rules[layer], D[layer][jj])
        for layer in range(len(self.nodes) - 2, -1, -1):
            for jj, j in enumerate(self.nodes[layer + 1]):
                for ii, i in enumerate(self.nodes[layer]):
                    self.emit(f"{pre}grad_{keys.weight(j, i)}", "gradients", "grad_w",
                              (dkeys[layer][jj], ykeys[layer][ii]), self.wgrad_rule, G[0][layer][jj][ii])
                if self.bias_sign:
                    self.emit(f"{pre}grad_{keys.bias(j)}", "gradients", "grad_b",
                              (dkeys[layer][jj],), self.bgrad_rule, G[1][layer][jj])

    def parameter_keys(self):
        """(layer, row, column or None, key) for every weight and bias, output layer first."""
        for layer in range(len(self.W) - 1, -1, -1):
            for jj, row in enumerate(self.Wkeys[layer]):
                for ii, key in enumerate(row):
                    yield layer, jj, ii, key
                if self.bias_sign:
                    yield layer, jj, None, self.bkeys[layer][jj]

    def reduce(self, it: int, group: list[int], grads) -> None:
        pre = keys.prefix(it, None)
        per_sample = [f"{keys.prefix(it, self.label(m))}E" for m in group]
        energies = [self.steps[k].value for k in per_sample]
        self.emit(f"{pre}E", "loss", "E_batch", tuple(per_sample), self.reduce_rule, self.reduce_rule(*energies))
        weight_grads, bias_grads = grads
        reducer = np.mean if self.ex.batch_reduction == "mean" else np.sum
        total = ([reducer(g, axis=0) for g in weight_grads], [reducer(g, axis=0) for g in bias_grads])
        for layer, jj, ii, key in self.parameter_keys():
            bare = "grad_" + key.split(".")[-1].removeprefix("new_")
            parts = tuple(f"{keys.prefix(it, self.label(m))}{bare}" for m in group)
            value = total[0][layer][jj, ii] if ii is not None else total[1][layer][jj]
            self.emit(f"{pre}{bare}", "gradients", "grad_batch", parts, self.reduce_rule, float(value))
        self.apply(it, None, total)

    def update(self, it: int, m: int, grads) -> None:
        weight_grads, bias_grads = grads
        self.apply(it, self.label(m), ([g[0] for g in weight_grads], [g[0] for g in bias_grads]))

    def apply(self, it: int, sample: int | None, grads) -> None:
        """Gradient-descent update of every weight and bias, emitting new_* keys."""
        pre = keys.prefix(it, sample)
        weight_grads, bias_grads = grads
        new_W = [W - self.ex.learning_rate * g for W, g in zip(self.W, weight_grads)]
        new_b = [b - self.ex.learning_rate * g for b, g in zip(self.b, bias_grads)]
        for layer, jj, ii, key in self.parameter_keys():
            bare = key.split(".")[-1].removeprefix("new_")
            new_key = f"{pre}new_{bare}"
            value = new_W[layer][jj, ii] if ii is not None else new_b[layer][jj]
            self.emit(new_key, "updates", "new_w" if ii is not None else "new_b",
                      (key, f"{pre}grad_{bare}"), self.update_rule, float(value))
            if ii is None:
                self.bkeys[layer][jj] = new_key
            else:
                self.Wkeys[layer][jj][ii] = new_key
        self.W, self.b = new_W, new_b
