"""Read exercise files (YAML, or JSON, which YAML also reads) into validated Exercises."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from grader.engine.exercise import Exercise, ExerciseError
from grader.engine.problems import Param, Problem
from grader.engine.wording import Wording

# Why a file cannot be read, in Chinese, by the kind of error; the system's own English words
# are kept for an error not listed.
_UNREADABLE: tuple[tuple[type[Exception], str], ...] = (
    (FileNotFoundError, "文件不存在"),
    (IsADirectoryError, "这是一个目录，不是文件"),
    (PermissionError, "没有读取权限"),
    (UnicodeDecodeError, "不是 UTF-8 编码的文本"),
)


def why_unreadable(error: OSError | UnicodeDecodeError) -> Wording:
    """Why a file cannot be read, in each language (the system's words in English)."""
    return Wording(str(error), next((words for kind, words in _UNREADABLE if isinstance(error, kind)), str(error)))


def unreadable(path: str | Path, error: OSError | UnicodeDecodeError) -> Problem:
    """The problem of a file that cannot be read: its path and why, in each language."""
    return Problem.of("", "cannot_read", path=path, reason=why_unreadable(error))


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
    """A mapping (a YAML mapping or a JSON object) names one key twice (on ``lines``, when known)."""

    def __init__(self, key: Any, lines: tuple[int, int] | None = None):
        super().__init__(key, lines)
        self.key = key
        self.lines = lines

    def problem(self, source: Param) -> Problem:
        """The problem to report, for a document read from ``source``."""
        if self.lines is None:
            return Problem.of("", "duplicate_key_object", source=source, key=repr(self.key))
        first, second = self.lines
        return Problem.of("", "duplicate_key", source=source, key=repr(self.key), first=first, second=second)


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
            raise DuplicateKey(key, (first.start_mark.line + 1, key_node.start_mark.line + 1))
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def read_document(text: str, source: Param = "<text>") -> Any:
    """Parse YAML (with YAML 1.2 floats such as ``1e-3``) or, for a ``.json`` source, JSON;
    a syntax error, or a key written twice in one mapping, is reported as an ExerciseError.

    ``source`` names the text in problems: a file name, or words in each language (a Wording).
    """
    try:
        if isinstance(source, str) and source.endswith(".json"):
            return json.loads(text, object_pairs_hook=_unique_pairs)
        return yaml.load(text, Loader=_Loader)
    except DuplicateKey as error:
        raise ExerciseError([error.problem(source)]) from None
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ExerciseError([_syntax_problem(source, error)]) from None


def _syntax_problem(source: Param, error: json.JSONDecodeError | yaml.YAMLError) -> Problem:
    """A parser's complaint, with the line and column where it stopped when the parser says.

    The English text is the parser's whole message; the Chinese one says where, in its own
    words, and quotes only the parser's short description of the fault.
    """
    if isinstance(error, json.JSONDecodeError):
        return Problem.of(
            "", "syntax", source=source, error=error, line=error.lineno, column=error.colno, detail=error.msg
        )
    if isinstance(error, yaml.reader.ReaderError):
        return Problem.of(
            "", "bad_character", source=source, error=error, character=f"#x{error.character:04x}", at=error.position
        )
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return Problem.of("", "syntax_unplaced", source=source, error=error)
    detail = getattr(error, "problem", None) or getattr(error, "context", None) or ""
    return Problem.of(
        "", "syntax", source=source, error=error, line=mark.line + 1, column=mark.column + 1, detail=detail
    )


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
        raise ExerciseError([Problem.of("", "overflow", key=bad[0], value=bad[1])])
    return exercise


def load_exercise(path: str | Path) -> Exercise:
    """Load and validate an exercise file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExerciseError([unreadable(path, error)]) from None
    return parse_exercise(text, str(path))
