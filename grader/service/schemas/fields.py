"""Strict marshmallow fields: a JSON number is a number, a boolean a boolean, nothing coerced.

marshmallow by default reads ``"0.5"`` as a float, ``1`` as ``True`` and ``true`` as the integer
1.  An API documented as taking a number must reject the string, so that what the OpenAPI
document says and what the server accepts are the same thing.
"""

from __future__ import annotations

import math
import re

import marshmallow as ma

# Spaces inside an id are allowed ("Li Ming", as rosters exported by name have them), not around it.
STUDENT_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._@:+ -]{0,126}[A-Za-z0-9._@:+-])?$")
STUDENT_ID_RULE = (
    "1 to 128 characters from A-Z a-z 0-9 . _ - @ : + and spaces, starting with a letter or digit "
    "and not ending with a space"
)
MAX_SEED = 2**63 - 1


class StrictInteger(ma.fields.Integer):
    """A JSON integer: not a string, float or boolean."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictNumber(ma.fields.Float):
    """A finite JSON number: not a string or boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        if not math.isfinite(value):
            raise self.make_error("special")
        return float(value)


class StrictBoolean(ma.fields.Boolean):
    """A JSON ``true`` or ``false``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def student_id_problem(student_id: str) -> str | None:
    """Why an external student id is not acceptable, or None when it is."""
    if STUDENT_ID.match(student_id):
        return None
    return f"student_id must be {STUDENT_ID_RULE}"
