"""The layout of a trace: each step's key, phase, kind and input keys, in the order a student works.

None of this depends on a number in the exercise, only on the layer widths, whether nodes have
biases and the prefixes of the pass (its iteration and sample, and the update the current weights
come from).  So each run of steps is laid out once per network shape and shared by every
exercise of that shape; ``solve`` only fills in rules and values.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from grader.engine import keys
from grader.engine.keys import node_layers
from grader.engine.phases import Phase

CACHE_SIZE = 512  # runs of large, many-iteration exercises are big: keep the cache bounded


class Run(NamedTuple):
    """A run of consecutive steps as parallel columns."""

    keys: tuple[str, ...]
    phases: tuple[Phase, ...]
    kinds: tuple[str, ...]
    inputs: tuple[tuple[str, ...], ...]

    def __repr__(self) -> str:
        return f"Run({len(self.keys)} steps: {', '.join(self.keys[:4])}{', ...' if len(self.keys) > 4 else ''})"


Row = tuple[str, Phase, str, tuple[str, ...]]  # key, phase, kind, input keys


def _run(rows: list[Row]) -> Run:
    return Run(*map(tuple, zip(*rows)))


def _current(source: str | None) -> str:
    """What prefixes the key of a parameter's current value: nothing for the given value, or
    ``{source}new_`` after the update ``source``."""
    return "" if source is None else f"{source}new_"


@lru_cache(maxsize=CACHE_SIZE)
def weight_names(layers: tuple[int, ...]) -> tuple[str, ...]:
    """Every weight of the network, layer by layer, each node's incoming weights together."""
    return tuple(keys.weight_names(layers))


@lru_cache(maxsize=CACHE_SIZE)
def parameters(layers: tuple[int, ...], biased: bool) -> tuple[str, ...]:
    """Weights and biases in the order of gradients and updates: the output layer first, and
    within a layer each node's incoming weights followed by its bias."""
    nodes = node_layers(layers)
    out: list[str] = []
    for prev, layer in reversed(list(pairwise(nodes))):
        for j in layer:
            out.extend(f"w{j}_{i}" for i in prev)
            if biased:
                out.append(f"b{j}")
    return tuple(out)


@lru_cache(maxsize=CACHE_SIZE)
def given(width: int, sample_prefixes: tuple[str, ...], weights: tuple[str, ...], biases: tuple[str, ...]) -> Run:
    """The given values: every sample's inputs, sample by sample, then the weights and biases."""
    inputs = tuple(f"{pre}y{i}" for pre in sample_prefixes for i in range(1, width + 1))
    count = len(inputs) + len(weights) + len(biases)
    kinds = ("input",) * len(inputs) + ("weight",) * len(weights) + ("bias",) * len(biases)
    return Run((*inputs, *weights, *biases), (Phase.GIVEN,) * count, kinds, ((),) * count)


class _Names(NamedTuple):
    """The unprefixed names of a network: nodes per layer, and each node's incoming and outgoing weights."""

    nodes: list[list[int]]
    incoming: dict[int, list[str]]
    outgoing: dict[int, list[str]]


@lru_cache(maxsize=CACHE_SIZE)
def _names(layers: tuple[int, ...]) -> _Names:
    nodes = node_layers(layers)
    incoming = {j: [f"w{j}_{i}" for i in prev] for prev, layer in pairwise(nodes) for j in layer}
    outgoing = {j: [f"w{k}_{j}" for k in after] for layer, after in pairwise(nodes) for j in layer}
    return _Names(nodes, incoming, outgoing)


@lru_cache(maxsize=CACHE_SIZE)
def forward(
    layers: tuple[int, ...], biased: bool, pre: str, given: str, source: str | None, coupled: bool = False
) -> Run:
    """z and y of every node, layer by layer, then E, for one sample.

    ``pre`` prefixes the pass's keys, ``given`` the sample's input keys; ``source`` is the prefix of
    the update that set the current weights (None for the given weights).  With ``coupled`` (a
    softmax output layer) each output y is computed from every z of the output layer.
    """
    nodes, incoming, _ = _names(layers)
    current = _current(source)
    rows: list[Row] = []
    ys = [f"{given}y{i}" for i in nodes[0]]
    for depth, layer in enumerate(nodes[1:], start=1):
        shared = coupled and depth == len(nodes) - 1
        zs = tuple(f"{pre}z{j}" for j in layer)
        for j in layer:
            inputs = [current + w for w in incoming[j]] + ys + ([f"{current}b{j}"] if biased else [])
            z = f"{pre}z{j}"
            rows.append((z, Phase.FORWARD, "z", tuple(inputs)))
            if not shared:
                rows.append((f"{pre}y{j}", Phase.FORWARD, "y", (z,)))
        if shared:  # every z of the layer comes before any y
            rows += [(f"{pre}y{j}", Phase.FORWARD, "y", zs) for j in layer]
        ys = [f"{pre}y{j}" for j in layer]
    rows.append((f"{pre}E", Phase.LOSS, "E", tuple(ys)))
    return _run(rows)


@lru_cache(maxsize=CACHE_SIZE)
def backward(
    layers: tuple[int, ...], biased: bool, pre: str, given: str, source: str | None, coupled: bool = False
) -> Run:
    """The deltas (output layer first, then the hidden layers backwards) and the gradients, in
    ``parameters`` order, for one sample.  With ``coupled`` (softmax with a loss other than
    cross-entropy: the full Jacobian) each output delta is computed from every output y."""
    nodes, incoming, outgoing = _names(layers)
    current = _current(source)
    outputs = tuple(f"{pre}y{j}" for j in nodes[-1])
    rows: list[Row] = [
        (f"{pre}delta{j}", Phase.BACKWARD, "delta", outputs if coupled else (f"{pre}y{j}",)) for j in nodes[-1]
    ]
    for layer, after in reversed(list(pairwise(nodes[1:]))):
        deltas = [f"{pre}delta{k}" for k in after]
        for j in layer:
            inputs = [f"{pre}y{j}"] + [current + w for w in outgoing[j]] + deltas
            rows.append((f"{pre}delta{j}", Phase.BACKWARD, "delta", tuple(inputs)))
    grad = f"{pre}grad_"
    for depth, (prev, layer) in reversed(list(enumerate(pairwise(nodes)))):
        ys = [f"{given if depth == 0 else pre}y{i}" for i in prev]
        for j in layer:
            delta = f"{pre}delta{j}"
            rows += [(grad + w, Phase.GRADIENTS, "grad_w", (delta, y)) for w, y in zip(incoming[j], ys)]
            if biased:
                rows.append((f"{grad}b{j}", Phase.GRADIENTS, "grad_b", (delta,)))
    return _run(rows)


@lru_cache(maxsize=CACHE_SIZE)
def update(layers: tuple[int, ...], biased: bool, pre: str, source: str | None) -> Run:
    """new_w and new_b of every parameter, in ``parameters`` order."""
    current = _current(source)
    return _run(
        [
            (f"{pre}new_{name}", Phase.UPDATES, f"new_{name[0]}", (f"{current}{name}", f"{pre}grad_{name}"))
            for name in parameters(layers, biased)
        ]
    )


@lru_cache(maxsize=CACHE_SIZE)
def batch_loss(pre: str, sample_prefixes: tuple[str, ...]) -> Run:
    """The batch E: the sum or mean of the samples' E."""
    return _run([(f"{pre}E", Phase.LOSS, "E_batch", tuple(f"{s}E" for s in sample_prefixes))])


@lru_cache(maxsize=CACHE_SIZE)
def batch_gradients(layers: tuple[int, ...], biased: bool, pre: str, sample_prefixes: tuple[str, ...]) -> Run:
    """The batch gradients: each the sum or mean of the samples' gradients."""
    return _run(
        [
            (f"{pre}grad_{name}", Phase.GRADIENTS, "grad_batch", tuple(f"{s}grad_{name}" for s in sample_prefixes))
            for name in parameters(layers, biased)
        ]
    )


def clear_caches() -> None:
    """Forget every cached layout (for measurements of a first solve; never needed for correctness)."""
    for cached in (_names, weight_names, parameters, given, forward, backward, update, batch_loss, batch_gradients):
        cached.cache_clear()
