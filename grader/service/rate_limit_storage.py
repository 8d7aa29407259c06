"""A Flask-Limiter storage (``grader+sql://``) on the service's own database.

Rate limits must hold across every gunicorn worker and every server.  Flask-Limiter's in-memory
storage counts per process (five workers would allow five times the limit); its shared storages
(Redis, memcached, MongoDB) need a server the shipped deployment does not run.  The deployment
does run PostgreSQL, which every process already shares, so the counters live there: one row
per limit, client and window (``grader.service.models.RateLimitCounter``), incremented by one
atomic upsert.  Only limited requests touch it: sign-in, failed credentials and the expensive
endpoints, never a plain submission.

Each call uses the database of the app handling the request, so one Limiter serves every app.
"""

from __future__ import annotations

import time
from typing import ClassVar

from flask import current_app
from limits.storage import Storage
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from grader.service.models import RateLimitCounter

SCHEME = "grader+sql"
TABLE = RateLimitCounter.__table__


def _engine():
    from grader.service.database import get_database

    return get_database(current_app).engine


class SQLStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counters`` table."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to the counter, starting a new window of ``expiry`` s if the last one ended."""
        now = time.time()
        engine = _engine()
        insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
        fresh = insert(TABLE).values(key=key, hits=amount, expires_at=now + expiry)
        expired = TABLE.c.expires_at <= now

        statement = fresh.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "hits": case((expired, amount), else_=TABLE.c.hits + amount),
                "expires_at": case((expired, now + expiry), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.hits)
        with engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def get(self, key: str) -> int:
        """The counter of the current window (0 once it has ended)."""
        with _engine().connect() as connection:
            row = connection.execute(
                select(TABLE.c.hits).where(TABLE.c.key == key, TABLE.c.expires_at > time.time())
            ).scalar_one_or_none()
        return int(row or 0)

    def get_expiry(self, key: str) -> float:
        """When the current window ends (now, if there is none)."""
        now = time.time()
        with _engine().connect() as connection:
            row = connection.execute(
                select(TABLE.c.expires_at).where(TABLE.c.key == key, TABLE.c.expires_at > now)
            ).scalar_one_or_none()
        return float(row) if row is not None else now

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with _engine().connect() as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        """Delete every counter."""
        with _engine().begin() as connection:
            return connection.execute(delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        """Delete one counter."""
        with _engine().begin() as connection:
            connection.execute(delete(TABLE).where(TABLE.c.key == key))

    def decr(self, key: str, amount: int = 1) -> int:
        """Take ``amount`` back (not below 0)."""
        with _engine().begin() as connection:
            connection.execute(update(TABLE).where(TABLE.c.key == key).values(hits=TABLE.c.hits - amount))
        return self.get(key)


def prune(connection, now: float | None = None) -> int:
    """Delete the counters of windows that have ended; returns how many."""
    cutoff = time.time() if now is None else now
    return connection.execute(delete(TABLE).where(TABLE.c.expires_at <= cutoff)).rowcount
