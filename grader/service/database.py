"""The database connection of one app: engine, sessions, and what an outage looks like.

No state lives in process memory beyond the connection pool, so any number of server
processes can share one PostgreSQL database.  A lost connection is not an error of the
request: ``is_outage`` tells the error handlers to answer 503 (nothing was committed, unless
``outcome_unknown`` says the connection was lost while a COMMIT was on its way), and
SQLAlchemy, on seeing a disconnect, discards every pooled connection, so the pool reconnects by
itself once the database is back.  No ``pool_pre_ping``: it would cost a round trip on every
request to save one 503 per process after an outage.
"""

from __future__ import annotations

import contextlib
import os
import re
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, exc, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from grader.service import json_codec
from grader.service.config import ConfigurationError

BACKENDS = ("postgresql", "sqlite")
URL_FORMS = "postgresql+psycopg://USER:PASSWORD@HOST:5432/DB or sqlite:////absolute/path.sqlite3"


class DatabaseURLError(ConfigurationError):
    """``GRADER_DATABASE_URL`` cannot be used: not a URL, an unsupported database, or no driver."""


def _masked(url: str) -> str:
    """A URL as typed, with any password replaced, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def database_url(url: str):
    """Parse and check a database URL; ``postgres://`` (as some hosts write it) reads as PostgreSQL."""
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError):
        raise DatabaseURLError(f"GRADER_DATABASE_URL {_masked(url)!r} is not a database URL; use {URL_FORMS}") from None
    if parsed.drivername == "postgres":
        parsed = parsed.set(drivername="postgresql")
    if parsed.get_backend_name() not in BACKENDS:
        raise DatabaseURLError(
            f"GRADER_DATABASE_URL {_masked(url)!r}: {parsed.get_backend_name()} databases are not supported; "
            f"use {URL_FORMS}"
        )
    return parsed


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str, pool_size: int = 5, connect_timeout: int = 3):
        self.url = database_url(url)
        try:
            self.engine: Engine = create_engine(
                self.url, json_serializer=json_codec.dumps, **_engine_options(self.url, pool_size, connect_timeout)
            )
        except (exc.NoSuchModuleError, ImportError) as error:
            raise DatabaseURLError(
                f"GRADER_DATABASE_URL {self}: the driver {self.url.drivername!r} cannot be loaded ({error}); "
                f"use {URL_FORMS}"
            ) from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _configure_sqlite)
        event.listen(self.engine, "begin", _transaction_begins)
        event.listen(self.engine, "commit", _commit_sent)
        event.listen(self.engine, "handle_error", _mark_commit_failure)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({self})"

    def __str__(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def ping(self) -> None:
        """Run one trivial query; raises the driver's error when the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _engine_options(url, pool_size: int, connect_timeout: int) -> dict[str, Any]:
    if url.get_backend_name() == "sqlite":
        # Waiting for the write lock is how SQLite serialises writers; 15 s is far beyond any
        # transaction of ours, so a wait that long means something is stuck.
        return {"connect_args": {"timeout": 15, "check_same_thread": False}}
    return {
        "pool_size": pool_size,
        "max_overflow": pool_size,
        "pool_timeout": connect_timeout,
        "connect_args": {"connect_timeout": connect_timeout},
    }


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Whether a COMMIT has been sent on a connection in its current transaction.  A connection lost
# after that point may have committed or not: the server's answer never arrived.
COMMIT_SENT = "grader.commit_sent"
OUTCOME_UNKNOWN = "grader_outcome_unknown"


def _transaction_begins(connection) -> None:
    connection.info[COMMIT_SENT] = False


def _commit_sent(connection) -> None:
    connection.info[COMMIT_SENT] = True


def _mark_commit_failure(context) -> None:
    """Mark a database error raised while a COMMIT was under way (see ``outcome_unknown``)."""
    connection = context.connection
    if connection is not None and connection.info.get(COMMIT_SENT) and context.sqlalchemy_exception is not None:
        setattr(context.sqlalchemy_exception, OUTCOME_UNKNOWN, True)


def outcome_unknown(error: BaseException) -> bool:
    """Whether ``error`` is an outage that struck during COMMIT: the change may or may not be stored."""
    return is_outage(error) and bool(getattr(error, OUTCOME_UNKNOWN, False))


def is_outage(error: BaseException) -> bool:
    """Whether a database error means the database is unreachable or busy, not that we erred."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError))


def explain_failure(error: BaseException) -> str | None:
    """One line saying why the database could not be used, for an error that means so; else None."""
    if not isinstance(error, exc.DBAPIError) and not is_outage(error):
        return None
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def threads_per_process() -> int:
    """How many requests one server process serves at once: gunicorn's threads per worker
    (``GRADER_THREADS``, read by grader/service/gunicorn_config.py too); 1 when unset or unclear."""
    try:
        return max(1, int(os.environ.get("GRADER_THREADS") or 1))
    except ValueError:
        return 1


def pool_size(configured: int) -> int:
    """The pool size for this process: at least one connection per thread.

    A thread that finds the pool empty waits ``pool_timeout`` and then fails as if the database
    were down; with fewer connections than threads, that happens whenever every connection is
    busy in a slow query, while PostgreSQL is fine.
    """
    return max(configured, threads_per_process())


def init_app(app: Flask) -> None:
    """Attach a Database to the app and close each request's session when the request ends."""
    app.extensions["grader.database"] = Database(
        app.config["DATABASE_URL"],
        pool_size=pool_size(app.config["DB_POOL_SIZE"]),
        connect_timeout=app.config["DB_CONNECT_TIMEOUT"],
    )
    app.teardown_appcontext(_close_session)


def get_database(app: Flask | None = None) -> Database:
    """The app's Database."""
    return (app or current_app).extensions["grader.database"]


def get_session() -> Session:
    """The session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = get_database().sessions()
    return g.db_session


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        # After an outage the connection is already gone; the pool discards it.
        with contextlib.suppress(exc.SQLAlchemyError):
            session.close()
