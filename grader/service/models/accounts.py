"""Who may call the API: accounts with a role, and the API keys that act for them.

An account is a name with a role.  Keys belong to accounts, so a key can be rotated (create a
new one under the same name, revoke the old) without the account losing its exercise sets.
Only the SHA-256 of a key is stored; the key itself is shown once, when it is created.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.service.models.base import Base, utcnow

ROLES = ("admin", "instructor")


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("role IN ('admin', 'instructor')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    keys: Mapped[list[ApiKey]] = relationship(back_populates="account", order_by="ApiKey.id")

    def __repr__(self) -> str:
        return f"Account({self.id}, {self.name!r}, {self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship(back_populates="keys")

    def __repr__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"ApiKey({self.id}, {self.prefix}..., account={self.account_id}, {state})"
