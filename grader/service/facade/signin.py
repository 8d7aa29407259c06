"""Signing in to the web pages with an API key: a server-side session behind the cookie.

The cookie holds a random session secret, never the key; the server keeps its hash with the key
that signed in (``PageSession``).  Each request looks the session and its key up again, so
signing out ends the session on the server (a copied cookie stops working) and revoking a key
signs out every browser that signed in with it.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grader.service.credentials import API_KEY_PREFIX, digest
from grader.service.models import ApiKey, PageSession, utcnow


def key_for_secret(session: Session, secret: str) -> ApiKey | None:
    """The active API key whose secret this is, with its account; None for anything else."""
    secret = secret.strip()
    if not secret.startswith(API_KEY_PREFIX):
        return None
    return session.execute(
        select(ApiKey).where(ApiKey.secret_hash == digest(secret), ApiKey.revoked_at.is_(None))
    ).scalar_one_or_none()


def start_session(session: Session, key: ApiKey) -> str:
    """Open a page session for ``key`` and commit it; returns the secret the cookie carries."""
    secret = secrets.token_urlsafe(32)
    session.add(PageSession(secret_hash=digest(secret), key_id=key.id))
    session.commit()
    return secret


_ACTIVE = (
    select(ApiKey)
    .join(PageSession, PageSession.key_id == ApiKey.id)
    .where(PageSession.ended_at.is_(None), ApiKey.revoked_at.is_(None))
)


def session_key(session: Session, secret: object) -> ApiKey | None:
    """The key behind a page session while the session is open and the key not revoked; else None."""
    if not isinstance(secret, str) or not secret:
        return None
    return session.execute(_ACTIVE.where(PageSession.secret_hash == digest(secret))).scalar_one_or_none()


def end_session(session: Session, secret: object) -> None:
    """End a page session on the server (nothing happens for an unknown or ended one); commits."""
    if isinstance(secret, str) and secret:
        session.execute(
            update(PageSession)
            .where(PageSession.secret_hash == digest(secret), PageSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        session.commit()
