"""What can go wrong in the facade, in the domain's words: one exception class per kind of failure.

The facade raises these and nothing else; it never decides an HTTP status or renders a page.
The JSON API maps each class to its problem+json status and type once
(``grader.service.api.errors``), and the web pages map it to a translated page once
(``grader.service.pages.errors``).  A new failure is a new class here plus one line in each map;
a class missing from either map is caught by ``tests/service/test_domain_errors.py``.

    DomainError
    ├── NotFound                 no such thing, or not visible to this caller
    ├── NotAllowed               the caller is known but may not do this
    ├── Conflict                 the current state forbids it; retrying later may succeed
    │   ├── AttemptsExhausted    every attempt the set allows is used
    │   ├── PastDue              the set's due date has passed
    │   ├── PolicyConflict       the set's policy changed meanwhile
    │   └── RequestInProgress    the same idempotency key is still being processed
    ├── IdempotencyConflict      an idempotency key reused for a different request
    └── Invalid                  the input is wrong; ``problems`` names each bad part
        ├── BadIdentifier        an identifier (a student id, say) of the wrong form
        ├── UnknownAnswerKey     answers name a step the exercise does not ask for
        ├── InvalidExercise      an exercise or template cannot be used
        ├── ExerciseTooLarge     an exercise would take more steps than the server computes
        └── InvalidPolicy        a grading policy cannot be used
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from grader.engine.problems import Problem as EngineProblem
from grader.engine.problems import define

# The service's own checks of what an instructor or an LMS sends, beside the engine's (texts of the
# codes in grader/engine/problems.py): a Problem's ``source`` gives them in each language.
define(
    {
        "editor_not_mapping": (
            "a template must be a mapping of fields, e.g. layers: [2, 2, 1]",
            "模板必须是由字段组成的映射，例如 `layers: [2, 2, 1]`",
        ),
        "plain_data": ("only numbers, text, lists and mappings can be used", "只能使用数、文本、列表和映射"),
        "server_steps": (
            "this exercise would compute about {steps} steps; at most {most} are allowed",
            "这个练习约需计算 {steps} 步；最多允许 {most} 步",
        ),
        "max_tries": ("a template may resample at most {most} times", "模板最多只能重新抽取 {most} 次"),
        "unknown_template": ("unknown template; known: {names}", "未知的模板；现有：{names}"),
        "server_steps_short": ("about {steps} steps, more than {most}", "约 {steps} 步，超过上限 {most} 步"),
        "text_too_long": ("the text is longer than {most} characters", "文本超过 {most} 个字符"),
    }
)


@dataclass(frozen=True)
class Problem:
    """One bad part of an input: where it is and what is wrong with it.

    ``pointer`` is a JSON pointer in URI-fragment form into the document the facade was given
    (``#/answers/z9``, ``#/policy/rtol``); ``field`` names a single value given on its own (the
    ``student_id``).  Exactly one of the two is set.  ``source`` is the engine's or grader's
    problem it reports, when there is one: its code, and its text in each language.
    """

    detail: str
    pointer: str | None = None
    field: str | None = None
    source: EngineProblem | None = None

    @property
    def code(self) -> str | None:
        """The stable code of the validation problem reported, when it has one."""
        return self.source.code if self.source is not None and self.source.code else None

    def text(self, language: str = "en") -> str:
        """What is wrong, in a language: ``detail`` in English, else the source's text (if any)."""
        return self.detail if language == "en" or self.source is None else self.source.text(language)


class DomainError(Exception):
    """A failure of a facade operation; ``detail`` says what went wrong, in English."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r})"


class NotFound(DomainError):
    """No such set, student, attempt or template, or one the caller may not see (so ids reveal nothing)."""


class NotAllowed(DomainError):
    """The caller is known but may not do this (a student token asking for the answer key, say)."""


class Conflict(DomainError):
    """The current state forbids the operation; the same request may succeed later (a lost race)."""


class AttemptsExhausted(Conflict):
    """The student has used every attempt the set allows."""

    def __init__(self, limit: int):
        super().__init__(f"all {limit} attempts have been used")
        self.limit = limit


class PastDue(Conflict):
    """The set's due date has passed: submissions are closed."""


class PolicyConflict(Conflict):
    """The set's policy was changed by someone else since the caller read it."""


class RequestInProgress(Conflict):
    """A request with the same idempotency key is still being processed; ask again after ``retry_after`` s."""

    def __init__(self, detail: str, retry_after: int = 1):
        super().__init__(detail)
        self.retry_after = retry_after


class IdempotencyConflict(DomainError):
    """An idempotency key already used for a different request: a new request needs a new key."""


class Invalid(DomainError):
    """The input cannot be used; ``problems`` lists each bad part (possibly none beyond ``detail``)."""

    def __init__(self, detail: str, problems: Iterable[Problem] = ()):
        super().__init__(detail)
        self.problems = tuple(problems)


class BadIdentifier(Invalid):
    """An identifier given on its own (a student id) does not have the required form."""


class UnknownAnswerKey(Invalid):
    """The answers name a step key that the student's exercise does not ask for."""


class InvalidExercise(Invalid):
    """An exercise or template cannot be used (or no variant could be made from it)."""


class ExerciseTooLarge(Invalid):
    """The exercise would take more steps than the server computes for one request."""


class InvalidPolicy(Invalid):
    """The grading policy cannot be used."""


def problems_under(items: Iterable[EngineProblem], *prefix: object) -> list[Problem]:
    """The engine's and grader's ``Problem(pointer, message)`` items, as problems under ``prefix``."""
    base = pointer(*prefix) if prefix else "#"
    return [Problem(item.message, pointer=base + item.pointer, source=item) for item in items]


def coded(where: str, code: str, /, **params: object) -> Problem:
    """The problem ``code`` (one of the table's) at the JSON pointer ``where``, English as its detail."""
    source = EngineProblem.of("", code, **params)
    return Problem(source.message, pointer=where, source=source)


def pointer(*parts: object) -> str:
    """A JSON pointer in URI-fragment form, ``#/answers/z3``, escaping ``~`` and ``/``."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#" + "".join("/" + p for p in escaped)
