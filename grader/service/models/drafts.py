"""Drafts: what a student has typed but not yet submitted, kept on the server.

One row per assignment, overwritten as the student types (the page saves it a moment after the
last keystroke), so the draft follows the student to another device and survives a reload or a
language switch.  A draft is never graded; it is deleted when its answers are submitted or the
student clears it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from grader.service.models.base import Base, utcnow


class Draft(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), unique=True)
    # {step key: text as typed}; only asked keys, only non-empty entries.
    answers: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"Draft(assignment={self.assignment_id}, {len(self.answers)} answers)"
