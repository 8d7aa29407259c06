"""LTI 1.3 Advantage: launches from any LMS, deep linking, and grades passed back (AGS).

Modules, one concept each: ``claims`` (the specs' names), ``registration`` (platforms and
deployments), ``keys`` (the tool's RSA keys and JWKS), ``platform_keys`` (the platforms' keys),
``launch`` (login and launch validation), ``people`` (users, links, grants), ``framing``
(cookies and frames in the LMS's iframe), ``deep_linking``, ``passback`` (the score outbox) and
``ags`` (tokens, line items, scores), and ``views`` (the endpoints).

JOSE work is done with PyJWT and cryptography; the spec's checks are ours, in ``launch``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the LTI endpoints, the iframe-friendly session cookie and the score sender."""
    from grader.service import worker
    from grader.service.lti import ags, framing, passback, views

    framing.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.resend_bp)
    worker.register(passback.KIND, ags.send_score)
