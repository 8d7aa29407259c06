"""The gradebook and the analytics of a set."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from grader.service.facade.gradebook import DEFAULT_LIMIT, MAX_LIMIT, Sort, Status


class GradebookQuerySchema(ma.Schema):
    format = ma.fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "csv for a spreadsheet (same as Accept: text/csv): every student, streamed"},
    )
    sort = ma.fields.String(
        validate=validate.OneOf([str(s) for s in Sort]),
        metadata={"description": "name (default) or score; a leading - sorts descending"},
    )
    status = ma.fields.String(
        validate=validate.OneOf([str(s) for s in Status]),
        metadata={
            "description": "all (default), started, not_started (no attempt yet), "
            "or flagged (an attempt matches another student's variant)"
        },
    )
    search = ma.fields.String(
        validate=validate.Length(max=128), metadata={"description": "Only student ids containing this"}
    )
    below = ma.fields.Float(
        validate=validate.Range(0, 100),
        metadata={"description": "Only students whose counted attempt scored under this percentage"},
    )
    limit = ma.fields.Integer(
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": f"Students per page of JSON (default {DEFAULT_LIMIT}); the CSV has every student"},
    )
    cursor = ma.fields.String(
        validate=validate.Length(max=1000),
        metadata={"description": "next_cursor of the previous page"},
    )


class GradebookRowSchema(ma.Schema):
    student_id = ma.fields.String(required=True)
    attempts = ma.fields.Integer(required=True)
    attempt = ma.fields.Integer(
        allow_none=True, metadata={"description": "The attempt that counts: the latest, or the best (policy passback)"}
    )
    score = ma.fields.Float(
        allow_none=True, required=True, metadata={"description": "Score of the attempt that counts (latest or best)"}
    )
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
        metadata={"description": "The attempt that counts: key -> verdict"},
    )


class GradebookSchema(ma.Schema):
    set_id = ma.fields.Integer(required=True)
    policy_version = ma.fields.Integer(required=True, metadata={"description": "The set's current policy version"})
    passback = ma.fields.String(
        metadata={"description": "Which attempt counts for each student: latest or best (the policy's passback)"}
    )
    keys = ma.fields.List(ma.fields.String(), required=True)
    students = ma.fields.List(ma.fields.Nested(GradebookRowSchema), required=True)
    next_cursor = ma.fields.String(
        allow_none=True,
        metadata={"description": "?cursor= of the next page (same sort and filters); null after the last page"},
    )


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
