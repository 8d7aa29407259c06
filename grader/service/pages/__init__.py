"""The web pages: the student's exercise page and the instructor's pages, in English and Chinese.

Server-rendered with Jinja; every form works without JavaScript.  The pages are a thin shell
like the JSON API: they translate requests into calls on the service facade and render what
comes back.  Instructors sign in with their API key and get a session cookie; every form they
post carries a CSRF token (Flask-WTF).  Students need no sign-in: the token in their access
link is their credential.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_wtf.csrf import CSRFProtect

from grader.service.pages import language

csrf = CSRFProtect()

# Sent with every page: pages hold private data (no caching), are never framed, and student
# links carry their token in the path, so the Referer never leaves the site with it.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Inline style attributes are allowed: the diagrams are SVG with inline styles, made by us.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _is_page() -> bool:
    return not request.path.startswith("/api/")


def _before_page() -> None:
    if _is_page():
        language.remember_choice()


def _after_page(response):
    if _is_page() and response.mimetype == "text/html":
        headers = dict(SECURITY_HEADERS)
        # An LTI page is framed by its LMS (grader.service.lti.framing says which origins), and
        # the deep linking answer posts back to the LMS; nothing else changes.
        framers = g.get("frame_ancestors")
        if framers:
            del headers["X-Frame-Options"]
            headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
                "frame-ancestors 'none'", "frame-ancestors " + " ".join(framers)
            )
        if g.get("form_action"):
            headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
                "form-action 'self'", f"form-action 'self' {g.form_action}"
            )
        for name, value in headers.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Set up languages, CSRF protection and the session cookie, and register the page blueprints."""
    # CSRF is checked by the page blueprints themselves (see signin.require_csrf), not app-wide:
    # the JSON API authenticates with bearer credentials, which a browser never sends by itself.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # A form left open for an hour must still post: the token lives as long as the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    # Flask presets these two; keep any value an installation chose over Flask's defaults.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config.get("SESSION_COOKIE_NAME") == "session":
        app.config["SESSION_COOKIE_NAME"] = "bp_grader_session"
    csrf.init_app(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    language.init_app(app)

    from grader.service.pages import editor, formatting, instructor, roster, set_page, signin, student, students

    formatting.init_app(app)
    app.before_request(_before_page)
    app.after_request(_after_page)
    for blueprint in (signin.bp, student.bp, instructor.bp, set_page.bp, students.bp, roster.bp, editor.bp):
        app.register_blueprint(blueprint)
