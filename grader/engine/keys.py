"""Step keys: the one vocabulary shared by the engine, grader, API, database and worksheets.

``z3``, ``y3``, ``E``, ``delta5``, ``grad_w5_3``, ``grad_b5``, ``new_w5_3``, ``new_b5``;
later iterations are prefixed ``it2.``, samples ``s1.``, both together ``it2.s1.z3``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

KEY_PATTERN = re.compile(
    r"^(?:it(?P<iteration>[2-9]|[1-9]\d+)\.)?(?:s(?P<sample>[1-9]\d*)\.)?"
    r"(?P<name>E|[zy]\d+|delta\d+|(?:grad_|new_)?w\d+_\d+|(?:grad_|new_)?b\d+)$"
)


def prefix(iteration: int, sample: int | None) -> str:
    """The prefix of a key: ``it{k}.`` for iteration k >= 2, then ``s{m}.`` when samples are numbered."""
    head = f"it{iteration}." if iteration > 1 else ""
    return head + (f"s{sample}." if sample is not None else "")


def node_layers(layers: list[int] | tuple[int, ...]) -> list[list[int]]:
    """Node numbers per layer, numbered from 1 with the inputs first: [2, 2, 1] -> [[1, 2], [3, 4], [5]]."""
    out, start = [], 1
    for width in layers:
        out.append(list(range(start, start + width)))
        start += width
    return out


def weight_names(layers: list[int] | tuple[int, ...]) -> list[str]:
    """Every weight key of a network, layer by layer, each node's incoming weights together."""
    nodes = node_layers(layers)
    return [weight(j, i) for prev, layer in pairwise(nodes) for j in layer for i in prev]


def weight(j: int, i: int) -> str:
    return f"w{j}_{i}"


def bias(j: int) -> str:
    return f"b{j}"


@dataclass(frozen=True, slots=True)
class ParsedKey:
    iteration: int
    sample: int | None
    name: str


def parse(key: str) -> ParsedKey | None:
    """Split a key into its iteration, sample and bare name; None if it is not a step key."""
    match = KEY_PATTERN.match(key)
    if match is None:
        return None
    sample = match["sample"]
    return ParsedKey(
        iteration=int(match["iteration"] or 1),
        sample=int(sample) if sample else None,
        name=match["name"],
    )
