"""Step keys: the one vocabulary shared by the engine, grader, API, database and worksheets.

``z3``, ``y3``, ``E``, ``delta5``, ``grad_w5_3``, ``grad_b5``, ``new_w5_3``, ``new_b5``;
later iterations are prefixed ``it2.``, samples ``s1.``, both together ``it2.s1.z3``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import pairwise

NAME = r"E|[zy]\d+|delta\d+|(?:grad_|new_)?w\d+_\d+|(?:grad_|new_)?b\d+"
KEY_PATTERN = re.compile(r"^(?:it(?P<iteration>[2-9]|[1-9]\d+)\.)?(?:s(?P<sample>[1-9]\d*)\.)?" + f"(?P<name>{NAME})$")
# A key inside a formula's text (worksheets print formulas in student notation): any iteration
# and sample prefix, not preceded or followed by another word character.
TOKEN_PATTERN = re.compile(r"(?<![\w.])((?:it\d+\.)?(?:s\d+\.)?" + f"(?:{NAME}))(?![\\w])")


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
    """A step key taken apart: ``it2.s1.new_w5_3`` is iteration 2, sample 1, name ``new_w5_3``."""

    iteration: int
    sample: int | None
    name: str

    @property
    def prefix(self) -> str:
        """The iteration and sample prefix, as written before the name."""
        return prefix(self.iteration, self.sample)

    @property
    def new(self) -> bool:
        """Whether the name is an updated parameter (``new_w5_3``, ``new_b5``)."""
        return self.name.startswith("new_")

    @property
    def gradient(self) -> bool:
        """Whether the name is a gradient (``grad_w5_3``, ``grad_b5``)."""
        return self.name.startswith("grad_")

    @property
    def symbol(self) -> str:
        """The quantity without grad_/new_: ``E``, ``z``, ``y``, ``delta``, ``w`` or ``b``."""
        bare = self.parameter or self.name
        return bare if bare == "E" else bare.rstrip("0123456789_")

    @property
    def parameter(self) -> str | None:
        """The weight or bias a grad_/new_/plain parameter name is about (``w5_3``, ``b5``), else None."""
        bare = self.name.removeprefix("new_").removeprefix("grad_")
        return bare if bare[0] in "wb" else None

    @property
    def nodes(self) -> tuple[int, ...]:
        """The node numbers in the name: (5,) for z5, y5, delta5, b5; (5, 3) for w5_3; () for E."""
        bare = self.parameter or self.name
        if bare == "E":
            return ()
        return tuple(int(n) for n in bare.lstrip("zydeltawb").split("_"))


@functools.lru_cache(maxsize=65536)
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


def split(key: str) -> ParsedKey:
    """``parse`` for a key known to be a step key (built by the engine); ValueError otherwise."""
    parsed = parse(key)
    if parsed is None:
        raise ValueError(f"not a step key: {key!r}")
    return parsed


def node(key: str) -> int:
    """The node number of a z, y, delta or b key: ``it2.delta5`` -> 5."""
    return split(key).nodes[0]


def sibling(key: str, name: str) -> str:
    """The key ``name`` with the same iteration and sample prefix as ``key``."""
    return split(key).prefix + name


def bare(key: str) -> str:
    """A key without its iteration and sample prefix: ``it2.s1.z3`` -> ``z3``."""
    return split(key).name
