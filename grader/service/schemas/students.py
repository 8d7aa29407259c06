"""A student's view of their exercise, their access token, the answer key, the roster."""

from __future__ import annotations

import marshmallow as ma


class AskedKeySchema(ma.Schema):
    key = ma.fields.String(required=True, metadata={"example": "z3"})
    phase = ma.fields.String(required=True, metadata={"example": "forward"})


class ExerciseViewSchema(ma.Schema):
    set_id = ma.fields.Integer(required=True)
    student_id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    objective = ma.fields.String(required=True)
    difficulty = ma.fields.String(required=True)
    exercise = ma.fields.Dict(required=True, metadata={"description": "The student's concrete exercise (givens only)"})
    given = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Float(),
        required=True,
        metadata={"description": "Given values: inputs y1.., weights, biases"},
    )
    asked = ma.fields.List(
        ma.fields.Nested(AskedKeySchema),
        required=True,
        metadata={"description": "The keys to compute, in working order"},
    )
    diagram_svg = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "Network diagram, weights on the edges (SVG)"}
    )
    attempts_used = ma.fields.Integer(required=True)
    max_attempts = ma.fields.Integer(allow_none=True, required=True)
    attempts_left = ma.fields.Integer(allow_none=True, required=True)
    due_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    template_hash = ma.fields.String(required=True)
    engine_version = ma.fields.String(required=True)
    generator_version = ma.fields.String(required=True)


class AccessTokenSchema(ma.Schema):
    set_id = ma.fields.Integer(required=True)
    student_id = ma.fields.String(required=True)
    token = ma.fields.String(required=True, metadata={"description": "Bearer token for this student only; shown once"})
    expires_at = ma.fields.AwareDateTime(
        allow_none=True, required=True, metadata={"description": "When the token stops working; null: until revoked"}
    )
    url = ma.fields.String(required=True, metadata={"description": "The student's page, with the token"})


class RevokedSchema(ma.Schema):
    revoked = ma.fields.Integer(required=True, metadata={"description": "How many tokens were revoked"})


class LineSchema(ma.Schema):
    key = ma.fields.String(required=True)
    formula = ma.fields.String(required=True)
    substituted = ma.fields.String(required=True)
    value = ma.fields.Float(required=True)


class SectionSchema(ma.Schema):
    title = ma.fields.String(required=True)
    lines = ma.fields.List(ma.fields.Nested(LineSchema), required=True)


class AnswerKeySchema(ma.Schema):
    set_id = ma.fields.Integer(required=True)
    student_id = ma.fields.String(required=True)
    values = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True)
    asked = ma.fields.List(ma.fields.String(), required=True)
    walkthrough = ma.fields.List(ma.fields.Nested(SectionSchema), required=True)


class StudentSchema(ma.Schema):
    student_id = ma.fields.String(required=True)
    attempts = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
