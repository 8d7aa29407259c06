"""How long one full reference trace takes, against the same work done by PyTorch's autograd.

Run: ``.venv/bin/python benchmarks/engine.py [--repeat N]``.  Prints the median and 90th percentile
of one ``solve()`` (forward pass, loss, deltas, gradients, update, and the forward pass + loss after
the update) for the seed 2-2-1 network and a 4-8-8-3 sigmoid network, then the same arithmetic in
PyTorch on the CPU (forward, loss, ``backward()`` for every weight gradient, the update, and the
second forward pass + loss), and the ratio ours / torch.  torch is optional (``pip install
'.[bench]'``); without it the baseline is skipped.
"""

from __future__ import annotations

import argparse
import gc
import importlib.resources
import os
import statistics
import time
from collections.abc import Callable
from itertools import pairwise

import numpy as np

from grader.engine import Exercise, layout, load_exercise, solve
from grader.engine.trace import _shared_rules

TARGET_SEED_US = 100.0


def seed_exercise() -> Exercise:
    """The worked example, as shipped in the package."""
    with importlib.resources.as_file(importlib.resources.files("grader.exercises") / "seed-classic.yaml") as path:
        return load_exercise(path)


def wide_exercise() -> Exercise:
    """A 4-8-8-3 sigmoid network, one sample, one iteration, with fixed pseudo-random numbers."""
    rng = np.random.default_rng(20240601)
    layers = [4, 8, 8, 3]
    shell = Exercise(layers=tuple(layers), activations=("sigmoid",) * 3, weights={}, samples=())
    doc = {
        "title": "4-8-8-3 benchmark network",
        "layers": layers,
        "activation": "sigmoid",
        "learning_rate": 0.5,
        "weights": {name: round(float(rng.uniform(-1, 1)), 3) for name in shell.weight_names()},
        "samples": [
            {
                "inputs": [round(float(x), 2) for x in rng.uniform(0, 1, 4)],
                "targets": [round(float(t), 2) for t in rng.uniform(0.1, 0.9, 3)],
            }
        ],
    }
    return Exercise.from_mapping(doc)


def _summary(samples_ns: list[int]) -> tuple[float, float, float]:
    """Median, 90th and 10th percentile, in microseconds."""
    deciles = statistics.quantiles(samples_ns, n=10)
    return statistics.median(samples_ns) / 1000.0, deciles[-1] / 1000.0, deciles[0] / 1000.0


def timings_us(
    works: list[Callable[[], object]], repeat: int, before: Callable[[], object] | None = None, block: int = 50
):
    """(median, p90) in microseconds of ``repeat`` timed calls of each of ``works``.

    The works take turns in blocks of ``block`` calls, so that on a shared machine they all see
    the same load while each still runs warm; ``before`` runs untimed before each call.
    """
    for _ in range(max(50, repeat // 10)):
        for work in works:
            work()
    samples: list[list[int]] = [[] for _ in works]
    gc.disable()
    try:
        for _ in range(0, repeat, block):
            for work, times in zip(works, samples):
                for _ in range(block):
                    if before is not None:
                        before()
                    start = time.perf_counter_ns()
                    work()
                    times.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return [_summary(times) for times in samples]


def clear_caches() -> None:
    """Forget every step layout and shared rule list, as for an exercise of a shape not seen before."""
    layout.clear_caches()
    _shared_rules.cache_clear()


def torch_work(exercise: Exercise):
    """The same arithmetic as ``solve(exercise)`` for one sample, one iteration, in PyTorch (float64)."""
    import torch

    nodes = exercise.node_layers
    weights = [
        torch.tensor([[exercise.weights[f"w{j}_{i}"] for i in prev] for j in layer], dtype=torch.float64)
        for prev, layer in pairwise(nodes)
    ]
    x = torch.tensor(exercise.samples[0].inputs, dtype=torch.float64)
    t = torch.tensor(exercise.samples[0].targets, dtype=torch.float64)
    eta = exercise.learning_rate

    def forward(ws):
        y = x
        for w in ws:
            y = torch.sigmoid(w @ y)
        return 0.5 * torch.sum((y - t) ** 2)

    def work():
        leaves = [w.clone().requires_grad_(True) for w in weights]
        loss = forward(leaves)
        loss.backward()
        with torch.no_grad():
            updated = [w - eta * w.grad for w in leaves]
            after = forward(updated)
        return loss.item(), after.item(), [w.grad for w in leaves]

    return work


def check_torch_agrees(exercise: Exercise, work) -> None:
    """The baseline must compute the same numbers, or the comparison means nothing."""
    trace = solve(exercise)
    loss, after, grads = work()
    nodes = exercise.node_layers
    ours = [[[trace[f"grad_w{j}_{i}"] for i in prev] for j in layer] for prev, layer in pairwise(nodes)]
    assert np.isclose(loss, trace["E"], rtol=1e-12), (loss, trace["E"])
    assert np.isclose(after, trace["it2.E"], rtol=1e-12), (after, trace["it2.E"])
    for g, o in zip(grads, ours):
        assert np.allclose(g.numpy(), np.array(o), rtol=1e-10, atol=1e-15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5000, help="timed calls per figure (default 5000)")
    repeat = parser.parse_args().repeat
    cases = {"seed 2-2-1": seed_exercise(), "4-8-8-3": wide_exercise()}
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None

    print(f"solve(): one full trace; {repeat} timed calls per figure; microseconds: median, p90 (p10)")
    if torch is None:
        print("baseline skipped: torch is not installed (pip install '.[bench]')")
    else:
        print(f"baseline: torch {torch.__version__}, CPU, 1 thread, float64: forward, loss, backward(), update,")
        print("  forward + loss; timed in turns with ours (blocks of 50 calls) so both see the same machine load")
    print("'cold': the step layouts of the shape are not cached yet (the first exercise of its shape)")
    results = {}
    for name, exercise in cases.items():
        steps = len(solve(exercise).steps)
        works = [lambda ex=exercise: solve(ex)]
        if torch is not None:
            works.append(torch_work(exercise))
            check_torch_agrees(exercise, works[-1])
        timed = timings_us(works, repeat)
        (cold,) = timings_us(works[:1], max(200, repeat // 5), before=clear_caches)
        results[name] = timed[0]
        print(f"  {name} ({steps} steps)")
        print(f"    ours   {timed[0][0]:8.1f} {timed[0][1]:8.1f} ({timed[0][2]:.1f})")
        print(f"    cold   {cold[0]:8.1f} {cold[1]:8.1f} ({cold[2]:.1f})")
        if torch is not None:
            print(f"    torch  {timed[1][0]:8.1f} {timed[1][1]:8.1f} ({timed[1][2]:.1f})")
            print(f"    ours/torch (medians) {timed[0][0] / timed[1][0]:.2f}")
    seed_median = results["seed 2-2-1"][0]
    verdict = "met" if seed_median <= TARGET_SEED_US else "MISSED"
    print(f"target: seed trace <= {TARGET_SEED_US:.0f} us median: {verdict} ({seed_median:.1f} us)")
    print("load average while measuring: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
