"""API errors as ``application/problem+json`` (RFC 9457), each bad field named by a pointer.

Every error of the JSON API goes through here: our own ``ProblemError`` (the facade's domain
errors become one in ``grader.service.api.errors``), werkzeug's HTTP errors (404, 405, 413,
...), webargs' validation errors, database outages (503) and anything unexpected (500, logged).
``errors`` lists each bad field as ``{"pointer": "#/answers/z9"}`` for the request body,
``{"parameter": "student_id"}`` for path and query parameters and ``{"header": "Idempotency-Key"}``
for headers, each with its ``detail``.

Each problem ``type`` is a URI below ``/api/v1/problems/`` that serves its description, so a
client can branch on ``type`` and a person can look it up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from grader.service.database import is_outage, outcome_unknown
from grader.service.facade.errors import pointer

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "/api/v1/problems/"

# slug -> (title, description).  The slug is part of the API: never rename one.
TYPES: dict[str, tuple[str, str]] = {
    "malformed-request": (
        "Malformed request",
        "The request body is not a JSON object (not JSON, not UTF-8, or using NaN, Infinity or "
        "numbers too large for a double), or a path, query or header parameter has a bad format.",
    ),
    "validation-error": (
        "Validation error",
        "The body is JSON but some fields are wrong: missing, unknown, of the wrong type or out of "
        "range. Each is listed in `errors` with a JSON pointer.",
    ),
    "unknown-answer-key": (
        "Unknown answer key",
        "The answers name a step key that this student's exercise does not ask for. The detail lists the valid keys.",
    ),
    "invalid-exercise": ("Invalid exercise", "An inline exercise or template cannot be used; see `errors`."),
    "invalid-policy": ("Invalid grading policy", "The grading policy cannot be used; see `errors`."),
    "exercise-too-large": (
        "Exercise too large",
        "The exercise would take more steps than the server computes for one request (GRADER_MAX_TRACE_STEPS).",
    ),
    "unsupported-media-type": ("Unsupported media type", "Send the body as JSON with Content-Type: application/json."),
    "unauthorized": (
        "Unauthorized",
        "Send `Authorization: Bearer <key>` with an API key (from `grader keys create`) or a student access token.",
    ),
    "forbidden": ("Forbidden", "The credentials are valid but do not allow this action."),
    "not-found": ("Not found", "No such resource, or it is not visible to these credentials."),
    "attempts-exhausted": (
        "No attempts left",
        "The student has used every attempt the exercise set allows (max_attempts).",
    ),
    "past-due": ("Past due", "The exercise set's due date has passed; submissions are closed."),
    "idempotency-key-reused": (
        "Idempotency key reused",
        "This Idempotency-Key was already used for a different request body or endpoint. Use a new key "
        "for a new request.",
    ),
    "idempotency-key-in-use": (
        "Request in progress",
        "A request with this Idempotency-Key is still being processed. Retry after the Retry-After delay "
        "to get its response.",
    ),
    "conflict": ("Conflict", "The request conflicts with the current state of the resource."),
    "policy-conflict": (
        "Policy changed meanwhile",
        "The exercise set's policy was changed by someone else while this change was being made. "
        "Read the set again, check the policy, and send the change again.",
    ),
    "payload-too-large": ("Payload too large", "The request body is larger than the server accepts."),
    "too-many-requests": (
        "Too many requests",
        "This client has made too many requests of this kind (or too many with an unknown credential) "
        "in a short time. Retry after the Retry-After delay.",
    ),
    "database-unavailable": (
        "Service unavailable",
        "The database cannot be reached. Nothing was stored by this request; retry after the Retry-After delay.",
    ),
    "not-ready": (
        "Not ready",
        "The service cannot take requests yet: its database is unreachable, was never migrated, or is "
        "behind the code's migrations (run `grader db upgrade`). Retry after the Retry-After delay.",
    ),
    "outcome-unknown": (
        "Outcome unknown",
        "The connection to the database was lost while this change was being committed, so it may or may "
        "not have been stored. Retry with the same Idempotency-Key: if it was stored, the stored response "
        "is replayed and nothing is done twice. Without a key, read the resource first (for a submission: "
        "GET .../submissions) before sending the change again.",
    ),
    "internal-error": ("Internal server error", "An unexpected error. It has been logged."),
}

# Status codes of werkzeug's errors that have a type of their own.
STATUS_SLUGS = {
    400: "malformed-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    500: "internal-error",
    503: "database-unavailable",
}

log = logging.getLogger(__name__)


class ProblemError(Exception):
    """An error the API reports as problem+json: status, type slug, detail and bad fields."""

    def __init__(
        self,
        status: int,
        slug: str | None,
        detail: str,
        errors: Iterable[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ):
        if slug is not None and slug not in TYPES:
            raise ValueError(f"unknown problem type {slug!r}")
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"ProblemError({self.status}, {self.slug!r}, {self.detail!r})"

    def to_dict(self) -> dict[str, Any]:
        """The problem document; statuses with no type of their own are ``about:blank``."""
        doc: dict[str, Any] = {
            "type": TYPE_PREFIX + self.slug if self.slug else "about:blank",
            "title": TYPES[self.slug][0] if self.slug else HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
            "instance": request.path if request else None,
        }
        if self.errors:
            doc["errors"] = self.errors
        return doc

    def response(self) -> Response:
        """The problem+json response."""
        body = json.dumps(self.to_dict(), ensure_ascii=False)
        response = current_app.response_class(body, status=self.status, mimetype=PROBLEM_JSON)
        response.headers.update(self.headers)
        return response


def body_errors(problems: Iterable[Any], *prefix: Any, language: str = "en") -> list[dict[str, str]]:
    """Engine/grading ``Problem`` items as body errors under ``prefix``: each with its ``code``
    and its ``detail`` in ``language``."""
    base = pointer(*prefix) if prefix else "#"
    return [
        {"pointer": base + p.pointer, "detail": p.text(language), **({"code": p.code} if p.code else {})}
        for p in problems
    ]


def webargs_errors(messages: Mapping[str, Any]) -> list[dict[str, str]]:
    """webargs' nested ``{location: {field: [message]}}`` as a flat list of pointed errors."""
    out: list[dict[str, str]] = []
    for location, fields in messages.items():
        for path, message in _leaves(fields, ()):
            if location == "json":
                # marshmallow files whole-schema errors under "_schema", and a mapping's bad
                # entries under {name: {"key"|"value": [...]}}: point at the entry itself.
                path = tuple(p for p in path if p != "_schema")
                if path and path[-1] in ("key", "value"):
                    path = path[:-1]
                out.append({"pointer": pointer(*path), "detail": message})
            elif location == "headers":
                out.append({"header": ".".join(map(str, path)), "detail": message})
            else:
                out.append({"parameter": ".".join(map(str, path)) or location, "detail": message})
    return out


def _leaves(node: Any, path: tuple[Any, ...]) -> Iterable[tuple[tuple[Any, ...], str]]:
    if isinstance(node, Mapping):
        for key, child in node.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _leaves(item, path)
    else:
        yield path, str(node)


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def handle_problem(error: ProblemError) -> Response:
    return error.response()


def _page(error: Exception):
    """Outside the API, where no page blueprint caught the error (a URL that matches no page, a
    method a page does not take), the reader still gets the error page in their language."""
    from grader.service.pages.errors import page_for  # the pages build on this module: imported late

    return page_for(error)


def handle_http_exception(error: HTTPException):
    """werkzeug's and webargs' HTTP errors as problems (API paths), or as the translated error page."""
    if not _wants_problem():
        # Redirects (a missing trailing slash) are HTTP "errors" too: they stay what they are.
        return error if (error.code or 500) < 400 else _page(error)
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = webargs_errors(data["messages"]) if "messages" in data else []
    slug = STATUS_SLUGS.get(status)
    if status == 422 or (status == 400 and errors):
        # webargs: the body is JSON but does not validate, or a query parameter is bad
        slug = "validation-error" if any("pointer" in e for e in errors) else "malformed-request"
        status = 422 if slug == "validation-error" else 400
        detail = "; ".join(f"{_where(e)}: {e['detail']}" for e in errors) or error.description
    else:
        detail = error.description or ""
    headers = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
    headers.update(data.get("headers") or {})
    return ProblemError(status, slug, detail, errors, headers).response()


def _where(error: Mapping[str, str]) -> str:
    return error.get("pointer") or error.get("parameter") or error.get("header") or "body"


def handle_exception(error: Exception):
    """Database outages become 503; anything else unexpected is logged and becomes 500."""
    if not _wants_problem():
        return _page(error)
    if outcome_unknown(error):
        log.warning("database connection lost during COMMIT: %s", error.__class__.__name__)
        return ProblemError(
            503,
            "outcome-unknown",
            "the database connection was lost while this change was being committed: it may or may not have "
            "been stored; retry with the same Idempotency-Key to find out (a stored request is replayed, not "
            "repeated)",
            headers={"Retry-After": "5"},
        ).response()
    if is_outage(error):
        log.warning("database unavailable: %s", error.__class__.__name__)
        return ProblemError(
            503,
            "database-unavailable",
            "The database cannot be reached; nothing was stored.",
            headers={"Retry-After": "5"},
        ).response()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return ProblemError(500, "internal-error", "An unexpected error occurred; it has been logged.").response()


def init_app(app: Flask) -> None:
    """Register the problem handlers."""
    app.register_error_handler(ProblemError, handle_problem)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_exception)
