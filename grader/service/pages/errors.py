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
from werkzeug.exceptions import HTTPException

from grader.service.database import is_outage, outcome_unknown
from grader.service.facade.errors import (
    AttemptsExhausted,
    BadIdentifier,
    Conflict,
    DomainError,
    IdempotencyConflict,
    Invalid,
    NotAllowed,
    NotFound,
    PastDue,
    PolicyConflict,
    RequestInProgress,
)

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


def explain(error: DomainError) -> tuple[int, str]:
    """The status and the text in the reader's language for a domain error (its class's, or its
    nearest base class's)."""
    pages = _domain_pages()
    for cls in type(error).__mro__:
        if cls in pages:
            status, text = pages[cls]
            return status, text or error.detail
    return 500, _details()[500]


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


def register(blueprint: Blueprint) -> None:
    """Install the error pages on a page blueprint."""
    blueprint.register_error_handler(PageError, _page_error)
    blueprint.register_error_handler(DomainError, _domain_error)
    blueprint.register_error_handler(CSRFError, _csrf_error)
    blueprint.register_error_handler(HTTPException, _http_error)
    blueprint.register_error_handler(Exception, _unexpected)
