"""Strict marshmallow fields: a JSON number is a number, a boolean a boolean, nothing coerced.

marshmallow by default reads ``"0.5"`` as a float, ``1`` as ``True`` and ``true`` as the integer
1.  An API documented as taking a number must reject the string, so that what the OpenAPI
document says and what the server accepts are the same thing.
"""

from __future__ import annotations

import math

import marshmallow as ma

from grader.generation.student_ids import STUDENT_ID, STUDENT_ID_RULE, student_id_problem  # noqa: F401 (re-exported)

MAX_SEED = 2**63 - 1


class StrictInteger(ma.fields.Integer):
    """A JSON integer: not a string, fraction or boolean.

    As in JSON Schema (whose ``integer`` the OpenAPI document says), a number with a zero
    fractional part is an integer: ``3.0`` reads as 3, ``3.5`` is refused.
    """

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
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
