"""The durable job queue: work to do outside the request, written in the request's transaction.

A job is a kind (``lti.score``, and later e.g. a regrade chunk) and a JSON payload.  Jobs that
share a ``key`` are one stream: only the newest of a key is ever run, and never while an older
one of the same key is running, so a stream's effects arrive in order (for scores: never an
older score after a newer one).  ``state`` goes pending -> running -> done, or back to pending
with a later ``run_after`` after a failure that may pass, or to failed; superseded marks a job
that a newer one of its key made pointless.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grader.service.models.base import Base, utcnow


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'running', 'done', 'failed', 'superseded')",
            name="state",
        ),
        Index("ix_jobs_state_run_after", "state", "run_after"),
        Index("ix_jobs_key_id", "key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(12), default=JobState.PENDING)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"Job({self.id}, {self.kind}, {self.state}, tries={self.tries})"
