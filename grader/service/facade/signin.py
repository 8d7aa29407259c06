"""Signing in to the web pages: a server-side session behind the cookie, for API keys and LTI staff.

The cookie holds a random session secret, never a key; the server keeps its hash with who signed
in (``PageSession``): an API key, or an LTI staff member (instructor, teaching assistant,
administrator) and the deployment their launch came through.  Each request looks the session up
again (``signed_in``), so:

- signing out ends the session on the server, and a copied cookie stops working;
- revoking a key signs out every browser that signed in with it;
- removing an LTI platform or deployment (``grader lti remove``) deletes its sessions;
- every session ends ``lifetime`` after it was opened and after ``idle`` without a request, the
  same for both kinds.  An LTI staff member has no key to revoke: their access lasts as long as a
  session, and a new one needs a new launch, which the LMS gives only to whom it still calls staff.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from grader.service.credentials import API_KEY_PREFIX, digest
from grader.service.models import Account, ApiKey, LtiDeployment, LtiUser, PageSession, utcnow

# How often an open session's last_seen_at moves: one write a minute, not one per request.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLimits:
    """When a page session ends by itself: ``lifetime`` after it opened, or ``idle`` after its last request."""

    lifetime: timedelta = timedelta(hours=8)
    idle: timedelta = timedelta(hours=2)

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> SessionLimits:
        """The limits an app's config sets (``SESSION_HOURS``, ``SESSION_IDLE_MINUTES``)."""
        return cls(
            lifetime=timedelta(hours=config["SESSION_HOURS"]), idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"])
        )


@dataclass(frozen=True)
class SignedIn:
    """An open page session: the account it signs in, and whether an LTI launch opened it."""

    account: Account
    through_lti: bool


def key_for_secret(session: Session, secret: str) -> ApiKey | None:
    """The active API key whose secret this is, with its account; None for anything else."""
    secret = secret.strip()
    if not secret.startswith(API_KEY_PREFIX):
        return None
    return session.execute(
        select(ApiKey).where(ApiKey.secret_hash == digest(secret), ApiKey.revoked_at.is_(None))
    ).scalar_one_or_none()


def _open(session: Session, row: PageSession) -> str:
    secret = secrets.token_urlsafe(32)
    row.secret_hash = digest(secret)
    session.add(row)
    session.commit()
    return secret


def start_session(session: Session, key: ApiKey) -> str:
    """Open a page session for ``key`` and commit it; returns the secret the cookie carries."""
    return _open(session, PageSession(key_id=key.id))


def start_lti_session(session: Session, user: LtiUser, deployment: LtiDeployment) -> str:
    """Open a page session for an LTI staff member launched through ``deployment``, and commit it;
    returns the secret the cookie carries.  It signs in ``user.account_id``, so give the user an
    account first (``lti.people.staff_account``): without one the session opens no page."""
    return _open(session, PageSession(lti_user_id=user.id, lti_deployment_id=deployment.id))


# Whether a session may still open a page: not ended, and within its limits (``_limits_at``).
# Sign-in reads it and pruning deletes what fails it, so the two cannot disagree.
_LIVE = and_(
    PageSession.ended_at.is_(None),
    PageSession.created_at > bindparam("opened_after"),
    PageSession.last_seen_at > bindparam("seen_after"),
)


def _limits_at(limits: SessionLimits, now: datetime) -> dict[str, datetime]:
    """The bounds ``_LIVE`` compares with at ``now``."""
    return {"opened_after": now - limits.lifetime, "seen_after": now - limits.idle}


# The session and its account, whichever kind opened it; ended, expired, revoked and orphaned
# sessions find nothing.  Built once: every page request runs it.
_OPEN = (
    select(PageSession, Account)
    .outerjoin(ApiKey, and_(ApiKey.id == PageSession.key_id, ApiKey.revoked_at.is_(None)))
    .outerjoin(LtiUser, LtiUser.id == PageSession.lti_user_id)
    .join(Account, Account.id == func.coalesce(ApiKey.account_id, LtiUser.account_id))
    .where(
        PageSession.secret_hash == bindparam("digest"),
        _LIVE,
        or_(PageSession.key_id.is_(None), ApiKey.id.is_not(None)),
    )
)


def signed_in(session: Session, secret: object, limits: SessionLimits, now: datetime | None = None) -> SignedIn | None:
    """Who an open page session signs in, or None (unknown, ended, expired, or its key revoked).

    Marks the session as used (at most once per ``TOUCH_EVERY``) and then commits, so call it
    before a request changes anything (``pages.signin.protect`` does).
    """
    if not isinstance(secret, str) or not secret:
        return None
    now = now or utcnow()
    row = session.execute(_OPEN, {"digest": digest(secret), **_limits_at(limits, now)}).one_or_none()
    if row is None:
        return None
    page_session, account = row
    if now - page_session.last_seen_at >= TOUCH_EVERY:
        page_session.last_seen_at = now
        session.commit()
    return SignedIn(account=account, through_lti=page_session.through_lti)


def end_session(session: Session, secret: object) -> None:
    """End a page session on the server (nothing happens for an unknown or ended one); commits."""
    if isinstance(secret, str) and secret:
        session.execute(
            update(PageSession)
            .where(PageSession.secret_hash == digest(secret), PageSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        session.commit()


def prune(session: Session, limits: SessionLimits, now: datetime | None = None) -> int:
    """Delete sessions that have ended or expired (they can never open a page again); commits.
    Returns how many."""
    result = session.execute(
        delete(PageSession).where(~_LIVE).execution_options(synchronize_session=False),
        _limits_at(limits, now or utcnow()),
    )
    session.commit()
    return result.rowcount or 0
