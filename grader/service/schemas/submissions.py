"""Submissions and their grading, in the JSON shape of docs/verdicts.md."""

from __future__ import annotations

import math

import marshmallow as ma
from marshmallow import validate

from grader.grading import VERDICTS
from grader.grading.messages import REASONS

MAX_ANSWER_TEXT = 64
MAX_ANSWERS = 5000


ANSWER_VALUE = {"oneOf": [{"type": "number"}, {"type": "string", "maxLength": MAX_ANSWER_TEXT}]}


class Answers(ma.fields.Dict):
    """Step key -> a finite JSON number, or a numeric string as typed (``"0.69"``, ``"0,69"``).

    Checked in one loop rather than by a field per entry: this is on the path of every
    submission, and a marshmallow field per key costs more than grading it.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ma.ValidationError("must be an object mapping step keys to numbers")
        if len(value) > MAX_ANSWERS:
            raise ma.ValidationError(f"at most {MAX_ANSWERS} answers")
        errors = {}
        for key, answer in value.items():
            if not 1 <= len(key) <= 64:
                errors[key] = ["a step key has 1 to 64 characters"]
            elif isinstance(answer, str):
                if len(answer) > MAX_ANSWER_TEXT:
                    errors[key] = [f"a typed answer is at most {MAX_ANSWER_TEXT} characters"]
            elif isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
                errors[key] = ["must be a number or a numeric string"]
        if errors:
            raise ma.ValidationError(errors)
        return value


class SubmissionCreateSchema(ma.Schema):
    answers = Answers(
        required=True,
        metadata={
            "additionalProperties": ANSWER_VALUE,
            "json_schema": {"propertyNames": {"minLength": 1, "maxLength": 64}},
            "maxProperties": MAX_ANSWERS,
            "description": "Step key -> value. Any subset of the asked keys; the rest are graded missing. A key "
            "that is not asked is refused (422, listing the valid keys). Strings that are not "
            "numbers are graded invalid.",
            "example": {"z3": 0.755, "y3": "0.6803", "E": "0,018104"},
        },
    )


class KeyResultSchema(ma.Schema):
    verdict = ma.fields.String(required=True, validate=validate.OneOf(VERDICTS), metadata={"enum": list(VERDICTS)})
    credit = ma.fields.Float(required=True, metadata={"description": "0 to 1, times weight gives the points"})
    weight = ma.fields.Float(required=True)
    misconception = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "Code of the misconception recognised, or null"}
    )
    reason = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "Why an incorrect value is wrong, where that can be seen (unchanged, copied, "
            "misread_given, other_numbers, sign_flipped, power_of_ten, too_coarse, neighbour, other_iteration, "
            "other_sample), or null"
        },
    )
    message = ma.fields.String(required=True, metadata={"description": "Feedback, in the Accept-Language (en or zh)"})
    reason = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "For an incorrect value, why it is wrong where that can be seen (a stable code), else null",
            "enum": [*sorted(REASONS), None],
        },
    )
    phase = ma.fields.String(required=True)
    submitted = ma.fields.Raw(allow_none=True, required=True, metadata={"description": "The value as submitted"})
    expected = ma.fields.Float(metadata={"description": "Only when the policy's reveal rule shows expected values now"})


class PhaseScoreSchema(ma.Schema):
    score = ma.fields.Float(required=True)
    max_score = ma.fields.Float(required=True)


class SubmissionSchema(ma.Schema):
    set_id = ma.fields.Integer(required=True)
    student_id = ma.fields.String(required=True)
    attempt = ma.fields.Integer(required=True, metadata={"description": "1 for the first submission"})
    submitted_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    policy_version = ma.fields.Integer(required=True, metadata={"description": "Policy version of this grade"})
    score = ma.fields.Float(required=True)
    max_score = ma.fields.Float(required=True)
    phases = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(PhaseScoreSchema), required=True)
    counts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "How many keys got each verdict"},
    )
    results = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(KeyResultSchema), required=True)
    answers = ma.fields.Dict(required=True, metadata={"description": "The answers as submitted"})
    copy_of = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "Instructors only: the student whose variant these values match rather than the "
            "student's own (a likely copy), or null; never shown to students"
        },
    )


class SubmissionCreatedSchema(SubmissionSchema):
    attempts_left = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "Null when attempts are unlimited"}
    )
