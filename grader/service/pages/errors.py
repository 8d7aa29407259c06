"""Error pages: every failure of a page is a styled page in the reader's language, never a traceback.

The facade's domain errors (``grader.service.facade.errors``) get their status and translated
text here, once (``explain``): a page either shows that text in a form or a flash message, or
lets the error through to the error page.  The JSON API answers problem+json
(``grader.service.api.errors``); these handlers are registered on the page blueprints only, so
the two never meet.
"""

from __future__ import annotations

import logging

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from grader.service.database import is_outage, outcome_unknown
from grader.service.facade.errors import (
    AttemptsExhausted,
    BadIdentifier,
    Conflict,
    DomainError,
    IdempotencyConflict,
    Invalid,
    InvalidExercise,
    NotAllowed,
    NotFound,
    PastDue,
    PolicyConflict,
    RequestInProgress,
)
from grader.service.pages import language
from grader.service.pages.formatting import problem_html

log = logging.getLogger(__name__)


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Too large"),
        422: _("Cannot be processed"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Service unavailable"),
    }


def _details() -> dict[int, str]:
    return {
        403: _("You are not allowed to see this page."),
        404: _("There is no such page, or it is not yours to see. Check the link you were given."),
        405: _("This page does not accept that kind of request."),
        413: _("What you sent is larger than the server accepts."),
        429: _("Too many attempts in a short time. Wait a minute, then try again."),
        500: _("An unexpected error occurred. It has been logged; please try again later."),
        503: _("The database cannot be reached just now. Nothing was saved; please try again in a moment."),
    }


def render_error(status: int, detail: str | None = None):
    """An error page with a status, a title and what the reader can do about it."""
    title = _titles().get(status, _("Error"))
    text = detail or _details().get(status, "")
    return render_template("error.html", status=status, title=title, detail=text), status


class PageError(Exception):
    """A failure a page reports to its reader: a 4xx status and a translated explanation."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail

    def __repr__(self) -> str:
        return f"PageError({self.status}, {self.detail!r})"


def _page_error(error: PageError):
    return render_error(error.status, error.detail)


def _domain_pages() -> dict[type[DomainError], tuple[int, str | None]]:
    # Domain error class -> (status, translated text); no text: the error's own detail (English),
    # which names the bad value, says more than a general sentence would.
    details = _details()
    return {
        NotFound: (404, details[404]),
        NotAllowed: (403, details[403]),
        Conflict: (409, None),
        AttemptsExhausted: (409, _("You have used all your attempts; this submission was not stored.")),
        PastDue: (409, _("The due date has passed; this submission was not stored.")),
        RequestInProgress: (409, _("Your answers are still being graded; reload the page in a moment.")),
        PolicyConflict: (
            409,
            _(
                "Someone else changed this policy while you were editing it, and their change is in force. "
                "The form still shows your values: check them, then save again to apply them."
            ),
        ),
        IdempotencyConflict: (422, None),
        Invalid: (422, None),
        BadIdentifier: (400, None),
    }


def _general() -> dict[type[DomainError], str]:
    # What a Chinese reader is told where the English page shows the error's own detail (English).
    return {
        Conflict: _("This could not be done just now: something else changed at the same time. Please try again."),
        IdempotencyConflict: _("This form was already sent with other contents. Reload the page and try again."),
        Invalid: _("What was sent cannot be used."),
        InvalidExercise: _(
            "No exercise could be made from this set's template for this student: its constraints could not be met."
        ),
        BadIdentifier: _("This identifier is not in a form the grader accepts."),
    }


def explain(error: DomainError) -> tuple[int, str]:
    """The status and the text in the reader's language for a domain error (its class's, or its
    nearest base class's).

    Without a text of its own, the error's detail is shown: in English it names the bad value.  A
    Chinese reader gets the class's general sentence instead, followed by each problem the engine
    named (these have Chinese of their own).
    """
    pages = _domain_pages()
    for cls in type(error).__mro__:
        if cls in pages:
            status, text = pages[cls]
            if text:
                return status, text
            if language.current_language() == "en":
                return status, error.detail
            return status, _in_words(error)
    return 500, _details()[500]


def _in_words(error: DomainError) -> str:
    texts = _general()
    general = next((texts[cls] for cls in type(error).__mro__ if cls in texts), _("Cannot be processed"))
    if isinstance(error, BadIdentifier) or not isinstance(error, Invalid):
        return general
    named = [
        Markup("<code>{}</code>：").format((p.pointer or "#").removeprefix("#") or "/") + problem_html(p.source)
        for p in error.problems
        if p.source is not None and p.source.code
    ]
    return escape(general) + Markup("；").join(named) + "。" if named else general


def _domain_error(error: DomainError):
    # A facade error that a page did not turn into a form or flash message.
    return render_error(*explain(error))


def _http_error(error: HTTPException):
    # werkzeug's descriptions are English only; the page shows our translated ones.
    return render_error(error.code or 500)


def _csrf_error(_error: CSRFError):
    return render_error(
        400, _("The form had expired or did not come from this site. Go back, reload the page and try again.")
    )


def _unexpected(error: Exception):
    if outcome_unknown(error):
        log.warning("database connection lost during COMMIT: %s", error.__class__.__name__)
        page, status = render_error(
            503,
            _(
                "The connection to the database was lost just as your work was being saved, so we cannot tell "
                "whether it was saved. Go back and send the form again: it is safe to resend, it will not be "
                "counted twice."
            ),
        )
        return page, status, {"Retry-After": "5"}
    if is_outage(error):
        log.warning("database unavailable: %s", error.__class__.__name__)
        page, status = render_error(503)
        return page, status, {"Retry-After": "5"}
    log.exception("unhandled error on a page")
    return render_error(500)


def page_for(error: Exception):
    """The error page for an error no page blueprint handled (``grader.service.problems`` asks)."""
    if isinstance(error, CSRFError):
        return _csrf_error(error)
    if isinstance(error, HTTPException):
        page, status = _http_error(error)
        kept = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
        return page, status, kept  # Allow on a 405, say
    if isinstance(error, DomainError):
        return _domain_error(error)
    return _unexpected(error)


def register(blueprint: Blueprint) -> None:
    """Install the error pages on a page blueprint."""
    blueprint.register_error_handler(PageError, _page_error)
    blueprint.register_error_handler(DomainError, _domain_error)
    blueprint.register_error_handler(CSRFError, _csrf_error)
    blueprint.register_error_handler(HTTPException, _http_error)
    blueprint.register_error_handler(Exception, _unexpected)
