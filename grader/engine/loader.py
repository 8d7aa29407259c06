"""Read exercise files (YAML, or JSON, which YAML also reads) into validated Exercises."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

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


def parse_exercise(text: str, source: str = "<text>") -> Exercise:
    """Parse and validate exercise text; syntax errors are reported as ExerciseErrors too."""
    try:
        doc = json.loads(text) if source.endswith(".json") else yaml.load(text, Loader=_Loader)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ExerciseError([Problem("", f"{source} is not valid YAML/JSON: {error}")]) from None
    exercise = Exercise.from_mapping(doc)
    from grader.engine.trace import solve

    trace = solve(exercise)
    trace.asked_keys()
    # Finite numbers can still overflow (or saturate a sigmoid under cross-entropy); a trace with
    # inf or nan can be neither printed as JSON nor graded.
    bad = next(((k, v) for k, v in trace.values.items() if not math.isfinite(v)), None)
    if bad is not None:
        raise ExerciseError([Problem("", f"step {bad[0]} is {bad[1]}: the numbers overflow; "
                                         "use smaller weights, inputs or learning rate")])
    return exercise


def load_exercise(path: str | Path) -> Exercise:
    """Load and validate an exercise file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExerciseError([Problem("", f"cannot read {path}: {error}")]) from None
    return parse_exercise(text, str(path))
