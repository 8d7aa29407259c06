"""The problem+json document (RFC 9457), as documented in the OpenAPI description."""

from __future__ import annotations

import marshmallow as ma


class FieldErrorSchema(ma.Schema):
    pointer = ma.fields.String(metadata={"description": "JSON pointer (URI fragment form) into the request body"})
    parameter = ma.fields.String(metadata={"description": "Name of the bad path or query parameter"})
    header = ma.fields.String(metadata={"description": "Name of the bad request header"})
    detail = ma.fields.String(
        required=True,
        metadata={
            "description": "What is wrong with this field. From the engine's validation (with a `code`): in the "
            "request's language (Accept-Language: en or zh); otherwise English"
        },
    )
    code = ma.fields.String(
        metadata={
            "description": "Stable code of a problem found by the exercise, template or policy validation "
            "(e.g. `not_number`, `unknown_activation`), for clients that word it themselves"
        }
    )


class ProblemSchema(ma.Schema):
    type = ma.fields.String(
        required=True,
        metadata={
            "description": "URI of the problem type; GET it for a description. `about:blank` for plain HTTP errors"
        },
    )
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    instance = ma.fields.String(allow_none=True, metadata={"description": "The request path"})
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema), metadata={"description": "One entry per bad field"})
