"""Read exercise files (YAML, or JSON, which YAML also reads) into validated Exercises."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from grader.engine.exercise import Exercise, ExerciseError, Problem


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading floats as YAML 1.2 does.

    PyYAML follows YAML 1.1, where ``1e-3`` and ``1.0e300`` are strings (1.1 wants a dot and a
    signed exponent); an instructor who writes ``learning_rate: 1e-3`` means a number.
    """


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


class DuplicateKey(ValueError):
    """A mapping (a YAML mapping or a JSON object) names one key twice."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    """A mapping in which every key is written once: PyYAML would keep the last of two silently."""
    seen: dict[Any, yaml.Node] = {}
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *base" may be overridden, by design
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node)
        except TypeError:  # an unhashable key; PyYAML reports it itself
            continue
        if first is not key_node:
            raise DuplicateKey(
                f"key {key!r} is written twice, on line {first.start_mark.line + 1} "
                f"and on line {key_node.start_mark.line + 1}"
            )
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(f"key {key!r} is written twice in one object")
        out[key] = value
    return out


def read_document(text: str, source: str = "<text>") -> Any:
    """Parse YAML (with YAML 1.2 floats such as ``1e-3``) or, for a ``.json`` source, JSON;
    a syntax error, or a key written twice in one mapping, is reported as an ExerciseError."""
    try:
        if source.endswith(".json"):
            return json.loads(text, object_pairs_hook=_unique_pairs)
        return yaml.load(text, Loader=_Loader)
    except DuplicateKey as error:
        raise ExerciseError([Problem("", f"{source}: {error}; keep one")]) from None
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ExerciseError([Problem("", f"{source} is not valid YAML/JSON: {error}")]) from None


def parse_exercise(text: str, source: str = "<text>") -> Exercise:
    """Parse and validate exercise text; syntax errors are reported as ExerciseErrors too."""
    exercise = Exercise.from_mapping(read_document(text, source))
    from grader.engine.trace import solve

    # Finite numbers can still overflow (or saturate a sigmoid under cross-entropy); a trace with
    # inf or nan can be neither printed as JSON nor graded, so it is reported, not warned about.
    with np.errstate(all="ignore"):
        trace = solve(exercise)
    trace.asked_keys()
    bad = next(((k, v) for k, v in trace.values.items() if not math.isfinite(v)), None)
    if bad is not None:
        message = f"step {bad[0]} is {bad[1]}: the numbers overflow or saturate; use smaller weights or inputs"
        raise ExerciseError([Problem("", message)])
    return exercise


def load_exercise(path: str | Path) -> Exercise:
    """Load and validate an exercise file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExerciseError([Problem("", f"cannot read {path}: {error}")]) from None
    return parse_exercise(text, str(path))
