"""Working inside the LMS's iframe: cookies that cross sites, and who may frame our pages.

An LMS shows the tool in an iframe, so the login's state cookie and the session cookie travel
on cross-site requests: they must be ``SameSite=None; Secure``, which browsers accept only over
HTTPS.  Behind a TLS proxy, set ``GRADER_PROXIES`` so that the app sees the original
scheme (``X-Forwarded-Proto``); over plain HTTP (development) the cookies stay ``SameSite=Lax``.
Pages are never framed by anyone except the platform an LTI session came from (CSP
``frame-ancestors``), for an LTI session's pages and for the student pages of LTI learners.

The cookie's LTI mark (``mark_framed``) says only which platform may frame the pages; it signs
nobody in.  Staff are signed in by a server-side page session (``grader.service.facade.signin``),
like a sign-in with an API key.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, g, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from grader.service.credentials import STUDENT_TOKEN_PREFIX, digest
from grader.service.database import get_session
from grader.service.models import AccessToken, LtiEnrolment, LtiPlatform, LtiResourceLink

STATE_COOKIE = "bp_lti_state"
STATE_MAX_AGE = 600
LTI_KEY = "lti"


def _cross_site() -> bool:
    return request.is_secure


class FramedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, sent ``SameSite=None; Secure`` for LTI sessions over HTTPS."""

    def get_cookie_samesite(self, app: Flask) -> str | None:
        if LTI_KEY in session and _cross_site():
            return "None"
        return super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return True if LTI_KEY in session and _cross_site() else super().get_cookie_secure(app)


def set_state_cookie(response, state: str) -> None:
    """The login's state, for the launch to check that it comes back to the same browser."""
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=STATE_MAX_AGE,
        path="/lti/",
        httponly=True,
        secure=_cross_site(),
        samesite="None" if _cross_site() else "Lax",
    )


def platform_origins(platform: LtiPlatform) -> list[str]:
    """The origins an LMS frames us from: its issuer's and its login URL's."""
    out = []
    for url in (platform.issuer, platform.auth_login_url):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in out:
                out.append(origin)
    return out


def mark_framed(platform: LtiPlatform) -> None:
    """Mark the browser's session as an LTI one: this platform may frame its pages, and its cookie
    crosses sites (over HTTPS).  Call after ``pages.signin.fresh_browser_session``."""
    session[LTI_KEY] = {"platform": platform.id, "origins": platform_origins(platform)}


_FRAMERS_OF_TOKEN = (
    select(LtiPlatform)
    .join(LtiResourceLink, LtiResourceLink.platform_id == LtiPlatform.id)
    .join(LtiEnrolment, LtiEnrolment.link_id == LtiResourceLink.id)
    .join(AccessToken, AccessToken.assignment_id == LtiEnrolment.assignment_id)
    .distinct()
)


def _frame_ancestors() -> None:
    origins: list[str] = []
    lti = session.get(LTI_KEY)
    if isinstance(lti, dict):
        origins += [o for o in lti.get("origins", []) if isinstance(o, str)]
    token = request.path.removeprefix("/student/").partition("/")[0] if request.path.startswith("/student/") else ""
    if token.startswith(STUDENT_TOKEN_PREFIX) and len(token) <= 200:
        platforms = get_session().execute(_FRAMERS_OF_TOKEN.where(AccessToken.secret_hash == digest(token))).scalars()
        for platform in platforms:
            origins += [o for o in platform_origins(platform) if o not in origins]
    if origins:
        g.frame_ancestors = origins


def init_app(app: Flask) -> None:
    """Install the session interface and the hook that lets the LMS frame LTI pages."""
    app.session_interface = FramedSessionInterface()
    app.before_request(_frame_ancestors)
