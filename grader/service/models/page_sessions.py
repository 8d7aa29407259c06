"""Signed-in sessions of the web pages, kept on the server.

The browser's cookie carries a random session secret; only its SHA-256 is stored here, with who
signed in: an API key (sign-in with a key), or an LTI staff member (an instructor, teaching
assistant or administrator launch) with the deployment the launch came through.  Exactly one of
the two is set.  Signing out ends the row, so a copied cookie stops working at once; revoking the
key ends every session it opened, and removing an LTI platform or deployment deletes the sessions
its launches opened (the foreign keys cascade).  A session also ends by itself after a lifetime
and after a time without use (``grader.service.facade.signin``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.service.models.accounts import ApiKey
from grader.service.models.base import Base, utcnow


class PageSession(Base):
    __tablename__ = "page_sessions"
    __table_args__ = (CheckConstraint("(key_id IS NULL) <> (lti_user_id IS NULL)", name="one_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), index=True)
    lti_user_id: Mapped[int | None] = mapped_column(ForeignKey("lti_users.id", ondelete="CASCADE"), index=True)
    lti_deployment_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_deployments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Moved forward at most once a minute (not on every request), for the idle expiry.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    key: Mapped[ApiKey | None] = relationship()

    @property
    def through_lti(self) -> bool:
        """True for a session opened by an LTI staff launch, false for a sign-in with an API key."""
        return self.lti_user_id is not None

    def __repr__(self) -> str:
        who = f"lti user={self.lti_user_id}" if self.through_lti else f"key={self.key_id}"
        return f"PageSession({self.id}, {who}, {'ended' if self.ended_at else 'active'})"
