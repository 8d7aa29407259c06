"""A trace arranged by pass: for each (iteration, sample), the values of every node.

The constraint checks ask questions such as "is any sigmoid node saturated in any forward pass?";
this view answers them without parsing step keys again and again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.engine import Trace, keys


@dataclass
class Pass:
    """One forward (and, when training, backward) pass of one sample, or a batch total (sample None)."""

    iteration: int
    sample: int | None
    z: dict[int, float] = field(default_factory=dict)
    y: dict[int, float] = field(default_factory=dict)
    delta: dict[int, float] = field(default_factory=dict)
    grad: dict[str, float] = field(default_factory=dict)  # "w5_3" / "b5" -> dE/d(parameter)
    new: dict[str, float] = field(default_factory=dict)  # "w5_3" / "b5" -> value after the update
    E: float | None = None

    def __repr__(self) -> str:
        return f"Pass(iteration {self.iteration}, sample {self.sample}, {len(self.z)} nodes, E={self.E})"

    @property
    def training(self) -> bool:
        return bool(self.delta)


def passes(trace: Trace) -> dict[tuple[int, int | None], Pass]:
    """Every pass of the trace, keyed (iteration, sample), in the order a student works."""
    out: dict[tuple[int, int | None], Pass] = {}
    for key, step in trace.steps.items():
        if step.phase == "given":
            continue
        parsed = keys.split(key)  # cached: the same keys come back in every trace of a template
        where = (parsed.iteration, parsed.sample)
        record = out.get(where)
        if record is None:
            record = out[where] = Pass(*where)
        kind, value = step.kind, step.value
        if kind == "z":
            record.z[parsed.nodes[0]] = value
        elif kind == "y":
            record.y[parsed.nodes[0]] = value
        elif kind == "delta":
            record.delta[parsed.nodes[0]] = value
        elif kind in ("grad_w", "grad_b", "grad_batch", "new_w", "new_b"):
            target = record.new if parsed.new else record.grad
            target[str(parsed.parameter)] = value
        elif kind in ("E", "E_batch"):
            record.E = value
    return out


def parameters_before(trace: Trace, where: tuple[int, int | None]) -> dict[str, float]:
    """The weights and biases in force at the start of pass ``where`` (a pass that updates)."""
    current = {k: s.value for k, s in trace.steps.items() if s.phase == "given" and s.kind in ("weight", "bias")}
    for record in passes(trace).values():
        if (record.iteration, record.sample) == where:
            break
        current.update(record.new)
    return current
