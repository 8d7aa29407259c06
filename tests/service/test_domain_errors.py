"""The facade speaks the domain: it raises domain errors, never HTTP errors, and each domain error
has exactly one problem+json status and type (api/) and one translated page (pages/)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import grader.service.facade as facade_package
from grader.service.api.errors import problem_for, status_and_type
from grader.service.facade import errors as domain
from grader.service.pages.errors import explain
from grader.service.problems import TYPES

FACADE = Path(facade_package.__file__).parent
# HTTP belongs to api/ and pages/: none of these may be imported by the facade.
HTTP_MODULES = (
    "flask",
    "flask_smorest",
    "flask_babel",
    "werkzeug",
    "webargs",
    "grader.service.problems",
    "grader.service.auth",
    "grader.service.api",
    "grader.service.pages",
)
HTTP_NAMES = {"abort", "HTTPException", "ProblemError"}

DOMAIN_ERRORS = [
    cls
    for cls in vars(domain).values()
    if inspect.isclass(cls) and issubclass(cls, domain.DomainError) and cls is not domain.DomainError
]

# Today's API contract, written out by hand (the problem types the tests and OpenAPI document give).
API_CONTRACT = {
    domain.NotFound: (404, "not-found"),
    domain.NotAllowed: (403, "forbidden"),
    domain.Conflict: (409, "conflict"),
    domain.AttemptsExhausted: (409, "attempts-exhausted"),
    domain.PastDue: (409, "past-due"),
    domain.PolicyConflict: (409, "policy-conflict"),
    domain.RequestInProgress: (409, "idempotency-key-in-use"),
    domain.IdempotencyConflict: (422, "idempotency-key-reused"),
    domain.Invalid: (422, "validation-error"),
    domain.BadIdentifier: (400, "malformed-request"),
    domain.UnknownAnswerKey: (422, "unknown-answer-key"),
    domain.InvalidExercise: (422, "invalid-exercise"),
    domain.ExerciseTooLarge: (422, "exercise-too-large"),
    domain.InvalidPolicy: (422, "invalid-policy"),
}


@pytest.fixture
def app(service_env, tmp_path):
    """The service on an unused SQLite file: these tests render errors and touch no database."""
    from grader.service import create_app

    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}", "SECRET_KEY": "s"})


def _imports(path: Path) -> list[tuple[str, set[str]]]:
    """(module, names) of every import statement in a source file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.extend((alias.name, set()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            out.append((node.module or "", {alias.name for alias in node.names}))
    return out


@pytest.mark.parametrize("path", sorted(FACADE.glob("*.py")), ids=lambda p: p.name)
def test_the_facade_imports_no_http_errors(path):
    for module, names in _imports(path):
        assert not any(module == m or module.startswith(m + ".") for m in HTTP_MODULES), f"{path.name}: {module}"
        assert not names & HTTP_NAMES, f"{path.name} imports {names & HTTP_NAMES}"


def test_the_facade_raises_nothing_but_domain_errors_and_its_own():
    # Every `raise X(...)` in the facade names a domain error, or one of a few exceptions of the
    # facade's own that the CLI turns into messages.
    allowed = {cls.__name__ for cls in DOMAIN_ERRORS} | {"KeyRequestError", "GenerationError"}
    for path in FACADE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = getattr(node.exc.func, "id", None) or getattr(node.exc.func, "attr", None)
                assert name in allowed, f"{path.name}:{node.lineno} raises {name}"


def test_every_domain_error_is_in_the_contract():
    assert set(DOMAIN_ERRORS) == set(API_CONTRACT)


@pytest.mark.parametrize("cls", DOMAIN_ERRORS, ids=lambda c: c.__name__)
def test_each_domain_error_has_its_status_and_problem_type(app, cls):
    error = _example(cls)
    status, slug = API_CONTRACT[cls]
    assert status_and_type(error) == (status, slug)
    assert slug in TYPES
    with app.test_request_context("/api/v1/x"):
        problem = problem_for(error).to_dict()
    assert (problem["status"], problem["type"], problem["detail"]) == (status, f"/api/v1/problems/{slug}", error.detail)


@pytest.mark.parametrize("cls", DOMAIN_ERRORS, ids=lambda c: c.__name__)
def test_each_domain_error_has_a_page_in_both_languages(app, cls):
    error = _example(cls)
    for language in ("en", "zh"):
        with app.test_request_context("/sets", headers={"Accept-Language": language}):
            status, text = explain(error)
        assert status == API_CONTRACT[cls][0]
        assert text


def test_a_translated_page_says_it_in_chinese(app):
    with app.test_request_context("/student/x", headers={"Accept-Language": "zh"}):
        _status, text = explain(domain.AttemptsExhausted(3))
    assert text != "You have used all your attempts; this submission was not stored."
    assert any("\u4e00" <= c <= "\u9fff" for c in text)


def test_problems_become_pointed_errors_and_retry_after():
    invalid = domain.BadIdentifier("bad id", [domain.Problem("bad id", field="student_id")])
    assert problem_for(invalid).errors == [{"parameter": "student_id", "detail": "bad id"}]
    pointed = domain.InvalidPolicy("bad", [domain.Problem("must be positive", pointer="#/policy/rtol")])
    assert problem_for(pointed).errors == [{"pointer": "#/policy/rtol", "detail": "must be positive"}]
    assert problem_for(domain.RequestInProgress("busy", retry_after=2)).headers == {"Retry-After": "2"}
    reused = problem_for(domain.IdempotencyConflict("used"))
    assert reused.errors == [{"header": "Idempotency-Key", "detail": "already used with another body or endpoint"}]


def _example(cls: type[domain.DomainError]) -> domain.DomainError:
    return cls(3) if cls is domain.AttemptsExhausted else cls("what went wrong")
