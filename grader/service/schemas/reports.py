"""The gradebook and the analytics of a set."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate


class GradebookQuerySchema(ma.Schema):
    format = ma.fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "csv for a spreadsheet (same as Accept: text/csv)"},
    )


class GradebookRowSchema(ma.Schema):
    student_id = ma.fields.String(required=True)
    attempts = ma.fields.Integer(required=True)
    score = ma.fields.Float(allow_none=True, required=True, metadata={"description": "Latest attempt's score"})
    best_score = ma.fields.Float(allow_none=True, required=True)
    max_score = ma.fields.Float(allow_none=True, required=True)
    submitted_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    policy_version = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "Policy version the latest attempt was graded under"}
    )
    copy_of = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "The student whose variant the latest attempt's values match rather than the "
            "student's own (a likely copy), or null; instructors only"
        },
    )
    verdicts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "Latest attempt: key -> verdict"},
    )


class GradebookSchema(ma.Schema):
    set_id = ma.fields.Integer(required=True)
    policy_version = ma.fields.Integer(required=True, metadata={"description": "The set's current policy version"})
    keys = ma.fields.List(ma.fields.String(), required=True)
    students = ma.fields.List(ma.fields.Nested(GradebookRowSchema), required=True)


class AnalyticsQuerySchema(ma.Schema):
    attempts = ma.fields.String(
        validate=validate.OneOf(["latest", "all"]),
        metadata={"description": "latest (default): each student's latest attempt once; all: every attempt"},
    )


class KeyStatsSchema(ma.Schema):
    key = ma.fields.String(required=True)
    counts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "verdict -> how many"},
    )
    misconceptions = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)


class TopMisconceptionSchema(ma.Schema):
    code = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)
    keys = ma.fields.List(ma.fields.String(), required=True)


class AnalyticsSchema(ma.Schema):
    set_id = ma.fields.Integer(required=True)
    attempts = ma.fields.String(required=True)
    submissions = ma.fields.Integer(required=True, metadata={"description": "Submissions counted"})
    keys = ma.fields.List(ma.fields.Nested(KeyStatsSchema), required=True)
    top_misconceptions = ma.fields.List(ma.fields.Nested(TopMisconceptionSchema), required=True)
