"""gunicorn settings for production::

    gunicorn -c python:grader.service.gunicorn_config "grader.service:create_app()"

Every setting comes from an environment variable (``ENVIRONMENT`` below), so a container needs
no config file.  The app keeps no state in memory, so workers and servers can be added freely.
"""

from __future__ import annotations

import multiprocessing
import os

# Environment variable -> (default, description).  .env.example documents the same names.
ENVIRONMENT = {
    "GRADER_BIND": ("0.0.0.0:8000", "Address and port gunicorn listens on"),
    "WEB_CONCURRENCY": (str(2 * multiprocessing.cpu_count() + 1), "Worker processes (default 2 per core + 1)"),
    "GRADER_THREADS": ("1", "Threads per worker; more than 1 uses gthread workers"),
    "GRADER_TIMEOUT": ("60", "Seconds before a silent worker is restarted"),
    "GRADER_LOG_LEVEL": ("info", "gunicorn log level"),
    "FORWARDED_ALLOW_IPS": ("127.0.0.1", "Proxies whose X-Forwarded-* headers are trusted"),
}


def _setting(name: str) -> str:
    return os.environ.get(name) or ENVIRONMENT[name][0]


bind = _setting("GRADER_BIND")
# Under gunicorn the service runs in production unless GRADER_ENV says otherwise: the app then
# refuses a missing, short or placeholder GRADER_SECRET_KEY (grader.service.config.check).
raw_env = [] if os.environ.get("GRADER_ENV") else ["GRADER_ENV=production"]
workers = int(_setting("WEB_CONCURRENCY"))
threads = int(_setting("GRADER_THREADS"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(_setting("GRADER_TIMEOUT"))
graceful_timeout = 30
keepalive = 5
# Each worker builds its own app and connection pool after the fork: nothing is shared.
preload_app = False
accesslog = "-"
# Student tokens and API keys are cut to their prefix in the access log.
logger_class = "grader.service.access_log.Logger"
errorlog = "-"
loglevel = _setting("GRADER_LOG_LEVEL")
forwarded_allow_ips = _setting("FORWARDED_ALLOW_IPS")


def on_starting(server) -> None:
    """Refuse to start, with one line and exit status 1, on settings the service must not run
    with (a missing, short or placeholder secret in production; a bad database URL; ...)."""
    import sys

    from grader.service import create_app
    from grader.service.config import ConfigurationError

    try:
        create_app()
    except ConfigurationError as error:
        print(f"Error: {error}", file=sys.stderr)
        sys.exit(1)


def post_worker_init(worker) -> None:
    """Answer gunicorn's own errors (400, 414, 431) in problem+json; then move the loaded app out
    of the garbage collector's sight: every request allocates many small objects, and each
    collection would otherwise walk the whole app (modules, schemas, caches)."""
    import gc

    from grader.service import gunicorn_errors

    gunicorn_errors.install()
    gc.collect()
    gc.freeze()
