"""Settings of the grading service, read from the environment.

Every setting has a ``GRADER_`` environment variable; ``.env.example`` lists them all and the
tests check that list against ``ENVIRONMENT`` below, so the two cannot drift apart.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any


def boolean(text: str) -> bool:
    """A yes/no setting: true/false, yes/no, on/off or 1/0."""
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def positive(text: str) -> int:
    """A whole number above 0."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def time_zone(text: str) -> str:
    """An IANA time zone name this machine knows (zoneinfo): "Asia/Shanghai", "UTC"."""
    from grader.service.time_zones import is_zone

    name = text.strip()
    if not is_zone(name):
        raise ValueError(text)
    return name


# Environment variable -> (config key, type, default, description).  The single source of truth.
ENVIRONMENT: dict[str, tuple[str, Any, Any, str]] = {
    "GRADER_ENV": (
        "ENVIRONMENT",
        str,
        "development",
        "production or development; gunicorn (grader.service.gunicorn_config) sets production, which "
        "refuses a missing, short or placeholder GRADER_SECRET_KEY",
    ),
    "GRADER_DATABASE_URL": (
        "DATABASE_URL",
        str,
        None,
        "SQLAlchemy URL; default an SQLite file grader.sqlite3 in the instance folder. "
        "PostgreSQL: postgresql+psycopg://USER:PASSWORD@HOST:5432/DB",
    ),
    "GRADER_INSTANCE_PATH": (
        "INSTANCE_PATH",
        str,
        None,
        "Folder for the default SQLite database, config.py and the generated secret key",
    ),
    "GRADER_SECRET_KEY": (
        "SECRET_KEY",
        str,
        None,
        "Signs session cookies: at least 32 random characters, the same in every process; in development "
        "a random key kept in the instance folder is made when it is not set",
    ),
    "GRADER_SECURE_COOKIES": (
        "SESSION_COOKIE_SECURE",
        boolean,
        None,
        "Send the session cookie over HTTPS only (true/false); default true when GRADER_PUBLIC_URL is https://",
    ),
    "GRADER_SESSION_HOURS": (
        "SESSION_HOURS",
        positive,
        8,
        "Hours a signed-in page session lasts (API-key sign-in and LTI staff launch alike); then sign in again",
    ),
    "GRADER_SESSION_IDLE_MINUTES": (
        "SESSION_IDLE_MINUTES",
        positive,
        120,
        "Minutes without a request after which a signed-in page session ends",
    ),
    "GRADER_PUBLIC_URL": (
        "PUBLIC_URL",
        str,
        None,
        "Base URL students reach the service at, used in access links; default the request's own URL",
    ),
    "GRADER_MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int, 256 * 1024, "Largest request body in bytes (413 above)"),
    "GRADER_MAX_TRACE_STEPS": (
        "MAX_TRACE_STEPS",
        int,
        20_000,
        "Largest exercise accepted, in computed steps, so no request can run for long",
    ),
    "GRADER_DB_POOL_SIZE": (
        "DB_POOL_SIZE",
        int,
        5,
        "Connections kept per server process (PostgreSQL); raised to GRADER_THREADS when that is larger",
    ),
    "GRADER_DB_CONNECT_TIMEOUT": ("DB_CONNECT_TIMEOUT", int, 3, "Seconds to wait for a database connection"),
    "GRADER_TIME_ZONE": (
        "TIME_ZONE",
        time_zone,
        "UTC",
        "Time zone of a new set's due date when the instructor's browser does not tell (IANA name, e.g. Asia/Shanghai)",
    ),
    "GRADER_PROXIES": (
        "PROXIES",
        int,
        0,
        "Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed "
        "(docker-compose: 1, its nginx); client addresses for rate limits come from them",
    ),
}


class ConfigurationError(RuntimeError):
    """A setting the service cannot start with; the message names the setting and the fix, in one line."""


def from_environment(environ: os._Environ | dict[str, str] | None = None) -> dict[str, Any]:
    """The config keys set by ``GRADER_*`` variables; a bad number stops the start with a clear error."""
    environ = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for variable, (key, kind, _default, _doc) in ENVIRONMENT.items():
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        try:
            out[key] = kind(raw)
        except ValueError:
            what = {
                int: "a whole number",
                positive: "a whole number above 0",
                boolean: "true or false",
                time_zone: "an IANA time zone name such as Asia/Shanghai",
            }.get(kind, kind.__name__)
            raise ConfigurationError(f"{variable} must be {what}, got {raw!r}") from None
    return out


def defaults(instance_path: str) -> dict[str, Any]:
    """Settings used when neither the environment nor the caller sets them."""
    out = {key: default for key, _kind, default, _doc in ENVIRONMENT.values()}
    out["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "grader.sqlite3")
    return out


def instance_secret_key(instance_path: str) -> str:
    """A secret key kept in the instance folder, made on first use.

    Every worker process of one installation must sign with the same key, and restarts must not
    log everyone out, so a key that is not set in the environment is generated once and kept.
    """
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and linked into place, so that when two workers start at once the second
    # reads the first one's complete key, never a half-written file.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()


MIN_SECRET_LENGTH = 32
PLACEHOLDERS = ("change-me", "changeme", "change_me", "secret", "password", "example", "replace", "xxxx")
SECRET_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def secret_problem(secret: str | None) -> str | None:
    """Why ``secret`` cannot sign production sessions, or None when it can."""
    if not secret:
        return f"GRADER_SECRET_KEY is not set; production needs one, the same in every process: {SECRET_HINT}"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"GRADER_SECRET_KEY is too short ({len(secret)} characters, at least {MIN_SECRET_LENGTH}): {SECRET_HINT}"
    lowered = secret.lower()
    if any(word in lowered for word in PLACEHOLDERS) or len(set(secret)) < 12:
        return f"GRADER_SECRET_KEY looks like a placeholder, not a random secret: {SECRET_HINT}"
    return None


def check(settings: dict[str, Any]) -> None:
    """Refuse settings the service must not run with (``ConfigurationError``, one line).

    In production (``GRADER_ENV=production``, the default under gunicorn) the secret key must be
    set explicitly, long and random: a generated per-instance key would differ between servers,
    and a placeholder copied from .env.example is public.
    """
    environment = settings.get("ENVIRONMENT") or "development"
    if environment not in ("production", "development"):
        raise ConfigurationError(f"GRADER_ENV must be production or development, got {environment!r}")
    if environment == "production":
        problem = secret_problem(settings.get("SECRET_KEY"))
        if problem:
            raise ConfigurationError(problem)
