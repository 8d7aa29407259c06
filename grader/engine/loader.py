"""Read exercise files (YAML, or JSON, which YAML also reads) into validated Exercises."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from grader.engine.exercise import Exercise, ExerciseError, Problem


def parse_exercise(text: str, source: str = "<text>") -> Exercise:
    """Parse and validate exercise text; syntax errors are reported as ExerciseErrors too."""
    try:
        doc = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ExerciseError([Problem("", f"{source} is not valid YAML/JSON: {error}")]) from None
    exercise = Exercise.from_mapping(doc)
    from grader.engine.trace import solve

    solve(exercise).asked_keys()
    return exercise


def load_exercise(path: str | Path) -> Exercise:
    """Load and validate an exercise file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExerciseError([Problem("", f"cannot read {path}: {error}")]) from None
    return parse_exercise(text, str(path))
