"""The JSON API under ``/api/v1``: one blueprint per feature, documented by flask-smorest.

``Api`` documents every error as problem+json and installs the problem handlers; ``Blueprint``
parses bodies with the strict JSON parser.  The OpenAPI document is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import http

import flask_smorest
from flask import Flask
from flask_smorest.utils import prepare_response
from werkzeug.routing import BaseConverter

from grader import __version__
from grader.service import problems
from grader.service.api import errors as domain_errors
from grader.service.json_bodies import StrictParser
from grader.service.problems import PROBLEM_JSON
from grader.service.schemas.fields import STUDENT_ID, STUDENT_ID_RULE
from grader.service.schemas.problem import ProblemSchema

PREFIX = "/api/v1"

DESCRIPTION = """\
Grades students' hand calculations of back-propagation, step by step.

**Authentication.** Send `Authorization: Bearer <credential>`. Instructor and admin API keys
come from `grader keys create --role instructor --name NAME`; an LMS uses an instructor key,
server to server, on behalf of its students (`student_id` is the LMS's own user id:
1 to 128 characters from `A-Z a-z 0-9 . _ - @ : +` and inner spaces). A student access token (from
`POST .../access-token`) opens only that student's exercise and submissions.

**Errors** are `application/problem+json` (RFC 9457). `type` is a stable URI to branch on
(GET it for a description); `errors` lists each bad field with a JSON `pointer` into the
body, or the `parameter` or `header` it concerns.

**Retries.** `POST .../submissions` and `POST /exercise-sets` honour `Idempotency-Key`
(draft-ietf-httpapi-idempotency-key-header): a retry with the same key and body replays the
first response (with `Idempotent-Replayed: true`); the same key with another body is 422;
a retry while the first is still running is 409 with `Retry-After`. Keys are kept for 24 hours;
after that the same key starts a new request. A 503 `database-unavailable` means the database
was unreachable and nothing was stored: retry it. A 503 `outcome-unknown` means the connection
was lost while the change was being committed, so it may or may not be stored: retry with the
same `Idempotency-Key` (a stored request is replayed, not repeated), or read before resending.

**Contracts.** Step keys (`z3`, `delta5`, `grad_w5_3`, `it2.E`, ...), the exercise format, the
verdicts and the worked example are written out in the repository's `docs/` folder
(`docs/step-keys.md`, `docs/exercise-format.md`, `docs/verdicts.md`, `docs/seed-example.md`).

**Strings** may not contain NUL (`\\u0000`) or unpaired UTF-16 surrogates (400): no database can
store them. An integer may be written `3` or `3.0` (as JSON Schema's `integer`), not `3.5`.

**Numbers** are JSON numbers (float64). `NaN`, `Infinity` and numbers beyond float64 are
rejected. Answers may also be numeric strings, including a decimal comma (`"0,69"`).
"""


class StudentIdConverter(BaseConverter):
    """Any path segment, so that a malformed student id reaches the view and gets a 400 naming the rule."""

    regex = "[^/]{1,512}"


def _student_id_schema(_converter) -> dict:
    return {
        "type": "string",
        "pattern": STUDENT_ID.pattern,
        "minLength": 1,
        "maxLength": 128,
        "description": f"The LMS's id of the student: {STUDENT_ID_RULE}",
    }


def _json_schema_overrides(_converter, field, **_kwargs) -> dict:
    """A field's ``metadata["json_schema"]``, written into its schema last.

    For what apispec cannot say by itself: the keys a Dict field takes (``additionalProperties:
    false`` beside ``properties``, or ``propertyNames``), which the server enforces and the
    document must therefore state.
    """
    return dict(field.metadata.get("json_schema", {}))


class Blueprint(flask_smorest.Blueprint):
    """A feature's routes; bodies are parsed by the strict JSON parser, and every operation is
    documented with an ``operationId`` (its view's name) for client generators."""

    ARGUMENTS_PARSER = StrictParser()

    def route(self, rule, *, parameters=None, **options):
        register = super().route(rule, parameters=parameters, **options)

        def decorator(func):
            return register(self.doc(operationId=func.__name__)(func))

        return decorator

    def arguments(self, schema, *args, **kwargs):
        # One schema instance per operation: webargs would otherwise build one per request.
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


class Api(flask_smorest.Api):
    """flask-smorest's Api with problem+json errors, documented and handled."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        """flask-smorest's lazy responses for every status, with errors as problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not 100 <= status < 200 and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_error_handlers(self):
        problems.init_app(self._app)
        domain_errors.init_app(self._app)


def init_app(app: Flask) -> Api:
    """Create the Api, register every feature's blueprint, and return the Api."""
    app.config.setdefault("API_TITLE", "BP Grader API")
    app.config.setdefault("API_VERSION", __version__)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/", "description": "This server"}],
            "security": [{"bearerAuth": []}],
        },
    )
    app.url_map.converters["student_id"] = StudentIdConverter
    api = Api(app)
    api.register_converter(StudentIdConverter, _student_id_schema)
    api.ma_plugin.converter.add_attribute_function(_json_schema_overrides)
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "API key (bpg_...) or student token (bps_...)"},
    )
    from grader.service.api import (
        exercise_sets,
        health,
        problem_types,
        reports,
        solve,
        students,
        submissions,
        templates,
    )

    for module in (health, templates, solve, exercise_sets, students, submissions, reports, problem_types):
        api.register_blueprint(module.blp, url_prefix=PREFIX)
    return api
