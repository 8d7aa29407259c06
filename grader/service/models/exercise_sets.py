"""An exercise set: one template and seed handed out as a distinct variant per student.

The template's content is kept, not only its name, so that a set never changes when the
catalogue does.  The grading policy is versioned: each change adds a ``PolicyVersion`` and every
grade names the version it was graded under; the current policy is the latest version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, and_, exists
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from grader.service.models.accounts import Account
from grader.service.models.base import Base, utcnow


class ExerciseSet(Base):
    __tablename__ = "exercise_sets"
    __table_args__ = (
        CheckConstraint("max_attempts IS NULL OR max_attempts >= 1", name="max_attempts"),
        CheckConstraint("seed >= 0", name="seed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    template_name: Mapped[str | None] = mapped_column(String(100))
    # Deferred: only making a new variant or showing the set needs the template document, and
    # every submission loads the set.
    template: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    template_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime | None]
    # The IANA zone the due date is entered and shown in (stored in UTC all the same).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # An archived set is kept whole (gradebook, printables) but closed to submissions and listed apart.
    archived_at: Mapped[datetime | None]
    # Days a student access token of this set works after it is issued; None: until revoked.
    token_lifetime_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[Account] = relationship()
    policies: Mapped[list[PolicyVersion]] = relationship(
        back_populates="exercise_set", order_by="PolicyVersion.version"
    )
    # The latest version, loaded in the same query as the set (a join), since nearly every
    # request needs it; read-only: a new version is added to ``policies``.
    current_policy: Mapped[PolicyVersion] = relationship(
        primaryjoin=lambda: _latest_version_join(),
        viewonly=True,
        uselist=False,
        lazy="joined",
    )

    def __repr__(self) -> str:
        return f"ExerciseSet({self.id}, {self.title!r}, seed={self.seed}, owner={self.owner_id})"

    @property
    def policy(self) -> PolicyVersion:
        """The current policy: the latest version."""
        return self.current_policy


def _latest_version_join():
    later = aliased(PolicyVersion)
    return and_(
        PolicyVersion.set_id == ExerciseSet.id,
        ~exists().where(later.set_id == PolicyVersion.set_id, later.version > PolicyVersion.version),
    )


class PolicyVersion(Base):
    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("set_id", "version"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("exercise_sets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    exercise_set: Mapped[ExerciseSet] = relationship(back_populates="policies")

    def __repr__(self) -> str:
        return f"PolicyVersion(set={self.set_id}, v{self.version})"
