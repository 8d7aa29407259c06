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


def read_document(text: str, source: str = "<text>") -> Any:
    """Parse YAML (with YAML 1.2 floats such as ``1e-3``) or, for a ``.json`` source, JSON;
    a syntax error is reported as an ExerciseError."""
    try:
        return json.loads(text) if source.endswith(".json") else yaml.load(text, Loader=_Loader)
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
