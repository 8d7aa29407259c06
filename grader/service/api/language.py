"""The language of an API answer: ``en`` or ``zh``, from the request's Accept-Language.

Feedback messages and the engine's validation problems (``errors[].detail`` of problem+json)
come in it; everything else the API says is English.
"""

from __future__ import annotations

from flask import request

LANGUAGES = ["en", "zh"]


def language() -> str:
    """``en`` or ``zh``, from Accept-Language (English without one)."""
    if "Accept-Language" not in request.headers:
        return "en"
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"
