"""An assignment: one student's variant of an exercise set, and the tokens that let them in.

The variant's exercise is stored whole, with what rebuilds it (the template's content hash, the
engine and generator versions, the number of resamples), so the student's numbers never change
under them.  Student ids are the LMS's external ids; one assignment per set and student.  For a
random template no two students of a set share a variant: ``variant_id`` (the exercise's
fingerprint) is unique per set; a fixed template leaves it NULL, which never collides.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.service.models.base import Base, utcnow
from grader.service.models.exercise_sets import ExerciseSet


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("set_id", "student_id"), UniqueConstraint("set_id", "variant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("exercise_sets.id", ondelete="CASCADE"))
    student_id: Mapped[str] = mapped_column(String(128))
    exercise: Mapped[dict[str, Any]]
    template_hash: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(20))
    generator_version: Mapped[str] = mapped_column(String(20))
    resamples: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    exercise_set: Mapped[ExerciseSet] = relationship()

    def __repr__(self) -> str:
        return f"Assignment({self.id}, set={self.set_id}, student={self.student_id!r})"


class AccessToken(Base):
    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # Set from the set's token lifetime when the token is issued; None: valid until revoked.
    expires_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship()

    def __repr__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"AccessToken({self.id}, assignment={self.assignment_id}, {state})"
