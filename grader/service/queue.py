"""The durable job queue over the service's own database (the ``jobs`` table).

Why not a queue library: a job must be written in the same transaction as the grade it carries,
so that a crash can never keep one without the other.  That needs the queue inside our database
and our transaction, on SQLite (the embedded default) as on PostgreSQL; procrastinate runs on
PostgreSQL only, through its own connection.  The queue is small: ``enqueue`` in the caller's
transaction, ``claim`` with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (any number of workers on
any machine take disjoint jobs; SQLite serialises writers by itself), and ``finish`` / ``retry``
/ ``fail``.  A claimed job holds a lease: a worker that dies mid-job leaves it to be claimed
again when the lease runs out, so nothing is lost (a job may run twice, never out of order).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from grader.service.models import Job, JobState, utcnow

LEASE = timedelta(minutes=2)
# Retries: 2 s, 4 s, 8 s, ... capped at an hour; after MAX_TRIES the job is failed and waits
# for a person (the resend button, or ``grader worker --resend``).
FIRST_RETRY = 2.0
MAX_DELAY = 3600.0
MAX_TRIES = 15


class RetryLater(Exception):
    """A failure that may pass (a 5xx, a timeout, an unreachable host): try again later."""


class JobFailed(Exception):
    """A failure that will not pass by itself (the LMS refused the request): stop and show it."""


@dataclass(frozen=True)
class Claimed:
    """A job taken by a worker: what its handler needs."""

    id: int
    kind: str
    key: str | None
    payload: Mapping[str, Any]
    tries: int


def backoff(tries: int) -> float:
    """Seconds before the next try after ``tries`` failed ones (exponential, capped)."""
    return min(MAX_DELAY, FIRST_RETRY * 2 ** max(0, tries - 1))


def enqueue(session: Session, kind: str, payload: Mapping[str, Any], key: str | None = None) -> Job:
    """Add a job to the caller's transaction; older pending jobs of the same key are superseded."""
    if key is not None:
        session.execute(
            update(Job)
            .where(Job.key == key, Job.state == JobState.PENDING)
            .values(state=JobState.SUPERSEDED, finished_at=utcnow())
        )
    job = Job(kind=kind, key=key, payload=dict(payload), state=JobState.PENDING, tries=0, run_after=utcnow())
    session.add(job)
    return job


def _newer_of_same_key():
    later = aliased(Job)
    return exists().where(later.key == Job.key, later.id > Job.id)


def _running_of_same_key(now: datetime):
    other = aliased(Job)
    return exists().where(
        other.key == Job.key, other.id != Job.id, other.state == JobState.RUNNING, other.locked_until > now
    )


def claim(session: Session, limit: int = 10, kinds: tuple[str, ...] | None = None) -> list[Claimed]:
    """Take up to ``limit`` due jobs for this worker and commit; each is leased for ``LEASE``.

    A job is due when it is pending and its time has come, or running under a lease that ran out
    (its worker died).  Only the newest job of a key is taken, and none while another of its key
    is running; older ones of a key are marked superseded on the way.
    """
    now = utcnow()
    session.execute(
        update(Job)
        .where(Job.state == JobState.PENDING, Job.key.is_not(None), _newer_of_same_key())
        .values(state=JobState.SUPERSEDED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    due = or_(
        and_(Job.state == JobState.PENDING, Job.run_after <= now),
        and_(Job.state == JobState.RUNNING, Job.locked_until <= now),
    )
    query = (
        select(Job)
        .where(due)
        .where(or_(Job.key.is_(None), and_(~_newer_of_same_key(), ~_running_of_same_key(now))))
        .order_by(Job.run_after, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    jobs = list(session.execute(query).scalars())
    out = []
    for job in jobs:
        job.state = JobState.RUNNING
        job.tries += 1
        job.locked_until = now + LEASE
        out.append(Claimed(job.id, job.kind, job.key, dict(job.payload), job.tries))
    session.commit()
    return out


def finish(session: Session, job_id: int) -> None:
    """Mark a job done and commit."""
    session.execute(
        update(Job).where(Job.id == job_id).values(state=JobState.DONE, finished_at=utcnow(), locked_until=None)
    )
    session.commit()


def retry(session: Session, job_id: int, error: str) -> str:
    """After a failure that may pass: back to pending after the backoff, failed after MAX_TRIES,
    superseded when a newer job of its key is waiting.  Commits; returns the new state."""
    job = session.get(Job, job_id)
    if job is None:
        return "gone"
    now = utcnow()
    job.last_error = error[:2000]
    job.locked_until = None
    if job.key is not None and session.scalar(select(Job.id).where(Job.key == job.key, Job.id > job.id).limit(1)):
        job.state, job.finished_at = JobState.SUPERSEDED, now
    elif job.tries >= MAX_TRIES:
        job.state, job.finished_at = JobState.FAILED, now
    else:
        job.state = JobState.PENDING
        job.run_after = now + timedelta(seconds=backoff(job.tries))
    session.commit()
    return job.state


def fail(session: Session, job_id: int, error: str) -> None:
    """After a failure that will not pass: failed, for a person to look at.  Commits."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=JobState.FAILED, last_error=error[:2000], finished_at=utcnow(), locked_until=None)
    )
    session.commit()


def resend(session: Session, job_id: int) -> bool:
    """Put a failed job back in the queue at once (the caller commits); False if it is not failed
    or a newer job of its key exists (that one carries the newer value)."""
    job = session.get(Job, job_id)
    if job is None or job.state != JobState.FAILED:
        return False
    if job.key is not None and session.scalar(select(Job.id).where(Job.key == job.key, Job.id > job.id).limit(1)):
        return False
    job.state, job.tries, job.run_after, job.finished_at = JobState.PENDING, 0, utcnow(), None
    return True
