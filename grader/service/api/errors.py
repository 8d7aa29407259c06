"""The facade's domain errors as problem+json: the one place that gives each its status and type.

The facade says what went wrong (``grader.service.facade.errors``); the API says it in HTTP.
Each class maps to a status and a problem type slug; a class not listed takes its nearest
listed base class (``PolicyConflict`` is a ``Conflict``: 409 ``conflict``).  The problems an
``Invalid`` carries become ``errors``: a JSON ``pointer`` into the body, or the path
``parameter`` a value came from.
"""

from __future__ import annotations

from flask import Flask, Response

from grader.service.api.language import language
from grader.service.facade import idempotency
from grader.service.facade.errors import (
    AttemptsExhausted,
    BadIdentifier,
    Conflict,
    DomainError,
    ExerciseTooLarge,
    IdempotencyConflict,
    Invalid,
    InvalidExercise,
    InvalidPolicy,
    NotAllowed,
    NotFound,
    PastDue,
    PolicyConflict,
    RequestInProgress,
    UnknownAnswerKey,
)
from grader.service.problems import ProblemError

# Domain error class -> (HTTP status, problem type slug).  The slugs are part of the API.
PROBLEMS: dict[type[DomainError], tuple[int, str]] = {
    NotFound: (404, "not-found"),
    NotAllowed: (403, "forbidden"),
    Conflict: (409, "conflict"),
    AttemptsExhausted: (409, "attempts-exhausted"),
    PastDue: (409, "past-due"),
    PolicyConflict: (409, "policy-conflict"),
    RequestInProgress: (409, "idempotency-key-in-use"),
    IdempotencyConflict: (422, "idempotency-key-reused"),
    Invalid: (422, "validation-error"),
    BadIdentifier: (400, "malformed-request"),
    UnknownAnswerKey: (422, "unknown-answer-key"),
    InvalidExercise: (422, "invalid-exercise"),
    ExerciseTooLarge: (422, "exercise-too-large"),
    InvalidPolicy: (422, "invalid-policy"),
}


def status_and_type(error: DomainError) -> tuple[int, str]:
    """The status and problem type of a domain error: its own class's, or its nearest base's."""
    for cls in type(error).__mro__:
        if cls in PROBLEMS:
            return PROBLEMS[cls]
    return 500, "internal-error"


def problem_for(error: DomainError, language: str = "en") -> ProblemError:
    """The problem+json error that reports ``error`` to an API client.

    A bad field found by the engine's validation carries its ``code``, and its ``detail`` is in
    ``language`` (the request's Accept-Language); everything else is English.
    """
    status, slug = status_and_type(error)
    errors: list[dict[str, str]] = []
    headers: dict[str, str] = {}
    if isinstance(error, Invalid):
        for problem in error.problems:
            where = {"pointer": problem.pointer} if problem.pointer is not None else {"parameter": problem.field}
            coded = {"code": problem.code} if problem.code else {}
            errors.append({**where, "detail": problem.text(language), **coded})
    if isinstance(error, IdempotencyConflict):
        errors.append({"header": idempotency.HEADER, "detail": "already used with another body or endpoint"})
    if isinstance(error, RequestInProgress):
        headers["Retry-After"] = str(error.retry_after)
    return ProblemError(status, slug, error.detail, errors, headers)


def handle_domain_error(error: DomainError) -> Response:
    """Flask error handler: a domain error raised by a view, as its problem+json response."""
    return problem_for(error, language()).response()


def init_app(app: Flask) -> None:
    """Answer domain errors with problem+json (the page blueprints register their own pages first)."""
    app.register_error_handler(DomainError, handle_domain_error)
