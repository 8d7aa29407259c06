"""Submissions, stored verbatim, and their grades, one per policy version.

The raw request body is the record of what the student sent; the answers are parsed from it
whenever they are needed, so there is no second copy to disagree with it.  A grade keeps the
per-key results.  Its score and maximum are kept beside them, written with the results and
never changed apart from them: the gradebook sorts, filters and aggregates 10,000 students'
scores in the database, which it could not do from inside a JSON document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.service.models.assignments import Assignment
from grader.service.models.base import Base, utcnow
from grader.service.models.exercise_sets import PolicyVersion


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("assignment_id", "attempt"),
        CheckConstraint("attempt >= 1", name="attempt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(40))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship()
    grades: Mapped[list[Grade]] = relationship(back_populates="submission", order_by="Grade.policy_id")

    def __repr__(self) -> str:
        return f"Submission({self.id}, assignment={self.assignment_id}, attempt {self.attempt})"


class Grade(Base):
    __tablename__ = "grades"
    __table_args__ = (
        UniqueConstraint("submission_id", "policy_id"),
        # The set summary counts a policy version's grades (how many are not stale yet) on every
        # view of the set page; every other query reaches grades through their submission.
        Index("ix_grades_policy_id_submission_id", "policy_id", "submission_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id", ondelete="CASCADE"))
    results: Mapped[dict[str, Any]]
    # Sums over ``results`` (grade_records.score), written with them.
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    engine_version: Mapped[str] = mapped_column(String(20))
    graded_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="grades")
    policy: Mapped[PolicyVersion] = relationship()

    def __repr__(self) -> str:
        return f"Grade({self.id}, submission={self.submission_id}, policy={self.policy_id})"
