"""Copy flags: a submission whose values match another student's variant rather than its own.

One row per flagged submission (most have none), written in the submission's own transaction by
``grader.service.facade.copies``.  The flag does not depend on the grading policy, so a regrade
keeps it.  Only instructors ever see it: it names the student whose variant matched.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grader.service.models.base import Base, utcnow


class CopyFlag(Base):
    __tablename__ = "copy_flags"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    matched_student_id: Mapped[str] = mapped_column(String(128))
    matched_keys: Mapped[int] = mapped_column(Integer)  # answered keys within tolerance of that variant
    own_keys: Mapped[int] = mapped_column(Integer)  # ... and of the student's own variant
    answered_keys: Mapped[int] = mapped_column(Integer)
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"CopyFlag(submission {self.submission_id} matches {self.matched_student_id!r})"
