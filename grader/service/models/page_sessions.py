"""Signed-in sessions of the web pages, kept on the server.

The browser's cookie carries a random session secret; only its SHA-256 is stored here, with the
API key that signed in.  Signing out ends the row, so a copied cookie stops working at once, as
does every session of a key that is revoked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.service.models.accounts import ApiKey
from grader.service.models.base import Base, utcnow


class PageSession(Base):
    __tablename__ = "page_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    key: Mapped[ApiKey] = relationship()

    def __repr__(self) -> str:
        return f"PageSession({self.id}, key={self.key_id}, {'ended' if self.ended_at else 'active'})"
