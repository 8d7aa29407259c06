"""Rate limits (Flask-Limiter): what is limited, per whom, and how much.

Counters live in the service's database (``grader.service.rate_limit_storage``), so every limit
holds across all gunicorn workers and servers.  Two kinds of limit:

- **Failed credentials, per client address.**  Sign-in with a wrong key, an unknown API key or
  student token, an unknown student link.  Keys and tokens are 32 random bytes, so guessing is
  hopeless anyway; the limit stops a guesser from costing a database lookup per try, and a
  runaway client from filling the logs.  Only failures count: a class behind one school NAT
  address does not share a budget for its work.
- **Expensive calls, per caller** (API key, student token or signed-in account): inline
  exercises solved, sets created (variant generation), regrades, gradebook and analytics exports.

Every limit can be changed in the instance's ``config.py`` (``RATE_LIMITS = {...}``); the
defaults are ``DEFAULT_LIMITS``.  A refusal is 429 with ``Retry-After`` (problem+json on the
API, a translated page on the web pages).
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from limits import parse_many
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from grader.service.rate_limit_storage import SCHEME

DEFAULT_LIMITS = {
    # failures per client address
    "signin": "10/minute;100/hour",
    "credentials": "30/minute;300/hour",
    # calls per caller
    "solve": "60/minute",
    "create_set": "30/minute;300/hour",
    "regrade": "10/minute",
    "export": "60/minute",
}


def limit_for(name: str):
    """The limit ``name`` as the app is configured, read on each request (a callable for Flask-Limiter)."""
    return lambda: current_app.config["RATE_LIMITS"][name]


def client_address() -> str:
    """The client's address (after ``GRADER_PROXIES`` trusted proxies' X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def caller() -> str:
    """Who is calling, for per-caller limits: their credential (hashed), signed-in account or address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "credential:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    from flask import session

    if "sid" in session:
        return "session:" + hashlib.sha256(str(session["sid"]).encode()).hexdigest()[:32]
    return "address:" + client_address()


limiter = Limiter(
    key_func=client_address,
    storage_uri=f"{SCHEME}://",
    strategy="fixed-window",
    headers_enabled=True,
    key_prefix="bpg",
)


def _anonymous() -> bool:
    # No credential at all: the view answers 401 (or a sign-in page) before doing any work.
    from flask import session

    return "Authorization" not in request.headers and "sid" not in session


def expensive(name: str):
    """Decorator: limit a view to ``RATE_LIMITS[name]`` calls per caller (a call without any
    credential is not counted: it is refused before it costs anything)."""
    return limiter.limit(limit_for(name), key_func=caller, scope=name, exempt_when=_anonymous)


def count_failure(kind: str) -> None:
    """Count one failed credential check of ``kind`` for the client's address; 429 once over the limit.

    Called where a credential turns out unknown, before the 401/404 that would otherwise follow.
    """
    strategy = limiter.limiter
    address = client_address()
    retry_after = 0.0
    for item in parse_many(current_app.config["RATE_LIMITS"][kind]):
        if not strategy.hit(item, "failed", kind, address):
            reset = strategy.get_window_stats(item, "failed", kind, address).reset_time
            retry_after = max(retry_after, reset - time.time())
    if retry_after > 0:
        g.retry_after = max(1, math.ceil(retry_after))
        raise TooManyRequests(f"too many failed {kind} checks from this address; retry after {g.retry_after} s")


def _retry_after_header(response):
    """Put ``Retry-After`` on a 429 raised by ``count_failure`` (Flask-Limiter adds its own)."""
    if response.status_code == 429 and "retry_after" in g and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(g.retry_after)
    return response


def init_app(app: Flask) -> None:
    """Trust ``GRADER_PROXIES`` proxies' forwarded headers, and install the limiter."""
    proxies = app.config.get("PROXIES") or 0
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    limits = dict(DEFAULT_LIMITS)
    limits.update(app.config.get("RATE_LIMITS") or {})
    app.config["RATE_LIMITS"] = limits
    limiter.init_app(app)
    app.after_request(_retry_after_header)
