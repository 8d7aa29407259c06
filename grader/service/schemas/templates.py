"""Templates of the catalogue, and the reference solution of an inline exercise."""

from __future__ import annotations

import marshmallow as ma


class TemplateSchema(ma.Schema):
    name = ma.fields.String(required=True, metadata={"example": "seed-classic"})
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    objective = ma.fields.String(required=True)
    difficulty = ma.fields.String(required=True, metadata={"enum": ["introductory", "intermediate", "advanced"]})
    layers = ma.fields.List(ma.fields.Integer(), required=True)
    ask = ma.fields.List(ma.fields.String(), required=True)
    random = ma.fields.Boolean(required=True, metadata={"description": "Whether numbers differ per student"})
    content_hash = ma.fields.String(required=True)


class TemplateDetailSchema(TemplateSchema):
    document = ma.fields.Dict(required=True, metadata={"description": "The template document"})


class SolveRequestSchema(ma.Schema):
    exercise = ma.fields.Dict(
        required=True,
        metadata={
            "description": "A concrete exercise in the format of docs/exercise-format.md "
            "(layers, activation, weights, samples, ...)",
            "example": {
                "layers": [2, 2, 1],
                "activation": "sigmoid",
                "learning_rate": 1.0,
                "weights": {"w3_1": 0.1, "w3_2": 0.8, "w4_1": 0.4, "w4_2": 0.6, "w5_3": 0.3, "w5_4": 0.9},
                "samples": [{"inputs": [0.35, 0.9], "targets": [0.5]}],
            },
        },
    )


class StepSchema(ma.Schema):
    key = ma.fields.String(required=True)
    phase = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    inputs = ma.fields.List(ma.fields.String(), required=True)
    value = ma.fields.Float(required=True)
    formula = ma.fields.String(required=True)
    substituted = ma.fields.String(required=True)


class SolveSchema(ma.Schema):
    exercise = ma.fields.Dict(required=True, metadata={"description": "The exercise, normalised"})
    values = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Float(),
        required=True,
        metadata={"description": "Every computed step key -> value, in working order"},
    )
    asked = ma.fields.List(ma.fields.String(), required=True)
    steps = ma.fields.List(ma.fields.Nested(StepSchema), required=True)
    engine_version = ma.fields.String(required=True)
