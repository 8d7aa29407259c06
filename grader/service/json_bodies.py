"""Reading request bodies: strict JSON, so that nothing a database or a student could choke on
gets past the door.

Python's ``json`` accepts ``NaN``, ``Infinity``, ``1e999`` (which becomes infinity), integers
too large for any double (which break ``math.isfinite``), lone UTF-16 surrogates and NUL
characters.  None of those is JSON a client means to send, PostgreSQL cannot store the last two,
and a grade of infinity is nonsense, so each is a 400 with a clear message.
"""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar

import flask
import marshmallow as ma
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser

from grader.service.problems import ProblemError

MAX_DEPTH = 64


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; send finite numbers only")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for a double")
    return value


def _float64_int(text: str) -> int:
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise ValueError(f"the number {text[:40]}... is too large for a double") from None
    return value


def loads(data: bytes | str) -> Any:
    """Parse JSON strictly; raises ``ProblemError`` (400) naming what is wrong."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise _malformed(f"the body is not UTF-8: {error.reason} at byte {error.start}") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_float64_int)
    except json.JSONDecodeError as error:
        raise _malformed(
            f"the body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except (ValueError, RecursionError) as error:
        raise _malformed(f"the body is not acceptable JSON: {error}") from None
    problem = _check_strings(doc, "#", 0)
    if problem:
        raise _malformed(problem)
    return doc


def _malformed(detail: str) -> ProblemError:
    return ProblemError(400, "malformed-request", detail)


def _check_strings(node: Any, where: str, depth: int) -> str | None:
    """The first string (key or value) that no database can store, or nesting that is too deep."""
    if depth > MAX_DEPTH:
        return f"{where}: nested more than {MAX_DEPTH} levels deep"
    if isinstance(node, str):
        return _bad_string(node, where)
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}/{key}"
            problem = _bad_string(key, where) or _check_strings(value, here, depth + 1)
            if problem:
                return problem
    elif isinstance(node, list):
        for index, value in enumerate(node):
            problem = _check_strings(value, f"{where}/{index}", depth + 1)
            if problem:
                return problem
    return None


def _bad_string(text: str, where: str) -> str | None:
    if "\x00" in text:
        return f"{where}: strings may not contain NUL (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return f"{where}: strings may not contain unpaired UTF-16 surrogates"
    return None


class StrictParser(FlaskParser):
    """webargs' Flask parser: strict JSON, 415 for bodies that are not JSON, unknown fields refused."""

    DEFAULT_VALIDATION_STATUS = 422
    # Unknown body fields and query parameters are errors (a typo such as ?fromat=csv must not be
    # silently ignored); unknown headers are normal.
    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "json": ma.RAISE,
        "query": ma.RAISE,
    }

    def _raw_load_json(self, req: flask.Request) -> Any:
        data = req.get_data(cache=True)
        if not core.is_json(req.mimetype):
            if data:
                raise ProblemError(
                    415,
                    "unsupported-media-type",
                    f"the body must be JSON sent with Content-Type: application/json, got {req.mimetype or 'none'}",
                )
            raise ProblemError(400, "malformed-request", "a JSON body is required")
        if not data:
            raise ProblemError(400, "malformed-request", "a JSON body is required")
        return loads(data)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's own ``request.get_json`` parses as strictly as the API parser; output keeps key order."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)
