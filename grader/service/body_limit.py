"""The body-size limit for bodies sent without a Content-Length (``Transfer-Encoding: chunked``).

Flask checks ``MAX_CONTENT_LENGTH`` against the Content-Length header.  A chunked body has none:
werkzeug then reads it only up to the limit and stops there silently, so an oversized body
reached the JSON parser cut short and was answered "not valid JSON".  This WSGI middleware reads
such a body first, one byte past the limit: above the limit the request is answered 413 by the
app's own error handling (problem+json on the API); otherwise the app gets the body with a
Content-Length, like any other.
"""

from __future__ import annotations

import io

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

TOO_LARGE = "grader.body_too_large"


class BodyLimit:
    """``app.wsgi_app = BodyLimit(app.wsgi_app, app)``."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("CONTENT_LENGTH", "") == "" and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            limit = self.app.config.get("MAX_CONTENT_LENGTH")
            if limit is not None:
                body = environ["wsgi.input"].read(limit + 1)
                if len(body) > limit:
                    environ[TOO_LARGE] = True
                    body = b""
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
                environ.pop("HTTP_TRANSFER_ENCODING", None)
                environ.pop("wsgi.input_terminated", None)
        return self.wsgi_app(environ, start_response)


def refuse_oversized() -> None:
    """``before_request``: 413 for a chunked body that went past the limit."""
    if request.environ.get(TOO_LARGE):
        raise RequestEntityTooLarge(f"the request body is larger than {request.max_content_length} bytes")


def init_app(app: Flask) -> None:
    """Install the middleware and its check."""
    app.wsgi_app = BodyLimit(app.wsgi_app, app)
    app.before_request(refuse_oversized)
