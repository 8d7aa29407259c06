"""Signing in and out of the instructor pages, and the home page.

The session cookie (signed by Flask) carries a random secret of a session kept on the server
(``grader.service.facade.signin``), opened by a sign-in with an API key or by an LTI staff launch
(``grader.service.lti.views``); ``current_account`` looks it up on every request, so signing out,
revoking the key or removing the LTI platform ends it at once, even for a copy of the cookie.
Signing in (or launching) starts a fresh session, so a session planted before is worth nothing
after it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from grader.service.database import get_session
from grader.service.facade.principals import Principal
from grader.service.facade.signin import SessionLimits, SignedIn, end_session, key_for_secret, signed_in, start_session
from grader.service.models import Account
from grader.service.pages import csrf, errors
from grader.service.pages.errors import PageError
from grader.service.pages.forms import SignInForm
from grader.service.rate_limits import limit_for, limiter

bp = Blueprint("signin", __name__)
errors.register(bp)

SESSION_KEY = "sid"


def limits() -> SessionLimits:
    """How long page sessions last here (``GRADER_SESSION_HOURS``, ``GRADER_SESSION_IDLE_MINUTES``)."""
    return SessionLimits.of(current_app.config)


def current_sign_in() -> SignedIn | None:
    """The open page session of this request (an API-key sign-in or an LTI staff launch), or None.

    Looked up once per request, before the request changes anything (``protect`` asks first).
    """
    if "page_sign_in" not in g:
        found = signed_in(get_session(), session.get(SESSION_KEY), limits()) if SESSION_KEY in session else None
        if found is None and SESSION_KEY in session:
            session.pop(SESSION_KEY)
        g.page_sign_in = found
    return g.page_sign_in


def current_account() -> Account | None:
    """The account signed in on this request (with an API key, or by an LTI staff launch), or None."""
    found = current_sign_in()
    return found.account if found else None


def fresh_browser_session() -> None:
    """End the page session this browser had, on the server too, and forget the rest but the language."""
    if SESSION_KEY in session:
        end_session(get_session(), session.get(SESSION_KEY))
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    g.pop("page_sign_in", None)


def remember_sign_in(secret: str) -> None:
    """Put a page session's secret in this browser's cookie (after ``fresh_browser_session``)."""
    session[SESSION_KEY] = secret
    g.pop("page_sign_in", None)


def require_csrf() -> None:
    """Reject a form post without this session's CSRF token (400); for blueprints' before_request."""
    csrf.protect()


def current_principal() -> Principal:
    """The signed-in account as the facade's caller (call only behind ``protect``)."""
    return Principal(account=current_account())


def protect(blueprint: Blueprint) -> None:
    """Make every route of a blueprint need a signed-in instructor and, for posts, the CSRF token."""

    @blueprint.before_request
    def _signed_in_with_csrf():
        require_csrf()
        if current_account() is None:
            if request.method != "GET":
                raise PageError(403, _("Your session has ended. Sign in again, then repeat what you did."))
            return redirect(url_for("signin.signin", next=request.full_path.rstrip("?")))
        return None


def _safe_next(target: str | None) -> str | None:
    """A local path to return to after sign-in; anything pointing off the site is dropped."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.before_request
def _check_csrf() -> None:
    require_csrf()


@bp.route("/")
def home():
    """The front page: instructors go to their sets; anyone else reads how to get in."""
    if current_account() is not None:
        return redirect(url_for("instructor.sets"))
    return render_template("home.html", form=SignInForm())


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(
    limit_for("signin"), methods=["POST"], scope="signin", deduct_when=lambda response: response.status_code == 422
)
def signin():
    """Sign in with an API key."""
    form = SignInForm()
    if request.method == "GET":
        form.next.data = _safe_next(request.args.get("next")) or ""
        return render_template("signin.html", form=form)
    if form.validate_on_submit():
        key = key_for_secret(get_session(), form.key.data)
        if key is not None:
            fresh_browser_session()
            remember_sign_in(start_session(get_session(), key))
            flash(_("Signed in as %(name)s.", name=key.account.name), "success")
            return redirect(_safe_next(form.next.data) or url_for("instructor.sets"))
        form.key.errors.append(_("This API key is unknown or has been revoked."))
    return render_template("signin.html", form=form), 422


@bp.route("/signout", methods=["POST"])
def signout():
    """Sign out: end the session on the server, forget it in the browser, keep the language."""
    fresh_browser_session()
    flash(_("Signed out."), "info")
    return redirect(url_for("signin.home"))
