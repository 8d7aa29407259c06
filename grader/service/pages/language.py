"""The page language: English or Simplified Chinese, from ``?lang=``, the session or Accept-Language.

A ``?lang=zh`` on any page stores the choice in the session cookie, so it sticks across pages
and visits; without one, the browser's Accept-Language decides.  The grader's own feedback
messages come in the same two languages (``grader.grading.messages``), so one code serves both.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale

# Language code -> its own name, as the switch shows it.
LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
# The HTML lang attribute of each language (BCP 47): Chinese pages are Simplified, mainland.
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def _chosen(value: str | None) -> str | None:
    """A language code from a query or session value; None when it is not one we speak."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def remember_choice() -> None:
    """Store an explicit ``?lang=`` in the session (before each page request)."""
    choice = _chosen(request.args.get("lang"))
    if choice and session.get("lang") != choice:
        session["lang"] = choice


def select_locale() -> str:
    """Flask-Babel's locale selector: the query, then the session, then Accept-Language."""
    explicit = _chosen(request.args.get("lang")) or _chosen(session.get("lang"))
    if explicit:
        return explicit
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT


def current_language() -> str:
    """The language code of this request: ``en`` or ``zh``."""
    return _chosen(str(get_locale())) or DEFAULT


def init_app(app: Flask) -> Babel:
    """Set up Flask-Babel with our selector; translations live in grader/service/translations."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    return Babel(app, locale_selector=select_locale)
