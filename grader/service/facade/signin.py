"""Signing in to the web pages with an API key: the key behind a session cookie.

The cookie holds the key's id, never the key; each request looks the key up again, so revoking
a key signs out every browser that signed in with it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.service.credentials import API_KEY_PREFIX, digest
from grader.service.models import ApiKey


def key_for_secret(session: Session, secret: str) -> ApiKey | None:
    """The active API key whose secret this is, with its account; None for anything else."""
    secret = secret.strip()
    if not secret.startswith(API_KEY_PREFIX):
        return None
    return session.execute(
        select(ApiKey).where(ApiKey.secret_hash == digest(secret), ApiKey.revoked_at.is_(None))
    ).scalar_one_or_none()


def active_key(session: Session, key_id: object) -> ApiKey | None:
    """The API key with this id while it is not revoked; None otherwise (or for a bad id)."""
    if not isinstance(key_id, int) or isinstance(key_id, bool):
        return None
    key = session.get(ApiKey, key_id)
    return key if key is not None and key.revoked_at is None else None
