"""``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header), safe across processes.

1. ``claim`` inserts a *processing* record for (client, key) in its own short transaction.  The
   unique constraint lets exactly one request, in any process, win the key.
2. The winner does its work and calls ``complete`` inside the *same* transaction as the work,
   so the stored response exists if and only if the work was committed.
3. Everyone else finds the record: a different request fingerprint is ``IdempotencyConflict``
   (422 in the API); a completed record is replayed; a record still processing is
   ``RequestInProgress`` (409 with Retry-After).
4. A request that fails after claiming ``release``-s the key, so a corrected retry can use it.
   If even that fails (the database went away), the claim expires after ``LEASE``.
5. A key is kept for ``RETENTION`` (24 hours, as the API description publishes): a retry that
   late is a new request, and ``prune`` deletes what has expired (``grader db prune``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from grader.service import json_codec
from grader.service.facade.errors import IdempotencyConflict, RequestInProgress
from grader.service.models import IdempotencyRecord, utcnow

HEADER = "Idempotency-Key"
LEASE = timedelta(seconds=30)
RETENTION = timedelta(hours=24)
MAX_KEY = 255


@dataclass(frozen=True)
class StoredResponse:
    """A response kept for replay."""

    status: int
    body: Any
    location: str | None


def is_valid_key(key: str) -> bool:
    """Whether ``key`` can be an idempotency key: 1 to ``MAX_KEY`` printable ASCII characters."""
    return 1 <= len(key) <= MAX_KEY and all(" " <= c <= "~" for c in key)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What identifies a request: method, path and the exact body bytes."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def run(
    session: Session, scope: str, key: str | None, print_: str | None, work: Callable[[], StoredResponse]
) -> tuple[StoredResponse, bool]:
    """Do ``work`` at most once per (scope, key); returns (response, replayed).

    ``work`` makes its changes in ``session`` without committing and returns the response; the
    commit here stores the changes and the response together.  Without a key, ``work`` just runs.
    """
    if key is not None:
        stored = claim(session, scope, key, print_)
        if stored is not None:
            return stored, True
    try:
        response = work()
        if key is not None:
            complete(session, scope, key, response)
        session.commit()
        return response, False
    except BaseException:
        if key is not None:
            release(session, scope, key)
        raise


def claim(session: Session, scope: str, key: str, print_: str) -> StoredResponse | None:
    """Win the key (None: go ahead) or get the stored response to replay; ``IdempotencyConflict``
    when the key was used for another request, ``RequestInProgress`` while that one still runs."""
    session.add(IdempotencyRecord(scope=scope, key=key, fingerprint=print_, state="processing"))
    try:
        session.commit()
        return None
    except IntegrityError:
        session.rollback()
    record = session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
    ).scalar_one_or_none()
    if record is None:
        # Released between our insert and our read: the key is free again.
        return claim(session, scope, key, print_)
    if utcnow() - record.created_at > RETENTION:
        _forget(session, record)
        return claim(session, scope, key, print_)
    if record.fingerprint != print_:
        raise IdempotencyConflict(
            f"the {HEADER} {key!r} was already used for a different request; use a new key for a new request"
        )
    if record.state == "completed":
        return StoredResponse(record.status_code, json.loads(record.response), record.location)
    left = record.locked_at + LEASE - utcnow()
    if left.total_seconds() <= 0 and _take_over(session, record):
        return None
    # True: by then the first request has finished (and is replayed) or its lease has run out
    # (and the retry takes over); before then, only the first request can release the key.
    retry_after = max(1, math.ceil(left.total_seconds()))
    raise RequestInProgress(
        f"a request with {HEADER} {key!r} is still being processed; its response is stored when it ends, "
        f"and the key is free again at the latest {retry_after} s from now",
        retry_after=retry_after,
    )


def _take_over(session: Session, record: IdempotencyRecord) -> bool:
    """Take an abandoned claim; only one of several contenders succeeds (compare-and-set)."""
    result = session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record.id, IdempotencyRecord.locked_at == record.locked_at)
        .values(locked_at=utcnow())
    )
    session.commit()
    return result.rowcount == 1


def _forget(session: Session, record: IdempotencyRecord) -> None:
    """Delete an expired record (if a contender has not already replaced it)."""
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.id == record.id, IdempotencyRecord.created_at == record.created_at
        )
    )
    session.commit()


def prune(session: Session, now: datetime | None = None) -> int:
    """Delete every record older than ``RETENTION``; returns how many."""
    cutoff = (now or utcnow()) - RETENTION
    deleted = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount
    session.commit()
    return deleted


def complete(session: Session, scope: str, key: str, response: StoredResponse) -> None:
    """Record the response in the caller's transaction (committed with the work it describes)."""
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        .values(
            state="completed",
            status_code=response.status,
            location=response.location,
            response=json_codec.dumps(response.body),
        )
    )


def release(session: Session, scope: str, key: str) -> None:
    """Give the key back after a failed request; best effort (an outage leaves it to the lease)."""
    try:
        session.rollback()
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope,
                IdempotencyRecord.key == key,
                IdempotencyRecord.state == "processing",
            )
        )
        session.commit()
    except SQLAlchemyError:
        session.rollback()
