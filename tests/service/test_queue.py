"""The durable job queue: one stream per key in order, retries with backoff, leases, SKIP LOCKED."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from grader.service import queue
from grader.service.database import get_database
from grader.service.models import Job, JobState, utcnow


@pytest.fixture
def sessions(app):
    return get_database(app).sessions


def add(sessions, key: str | None, n: int) -> int:
    with sessions() as session:
        job = queue.enqueue(session, "test", {"n": n}, key)
        session.commit()
        return job.id


def state(sessions, job_id: int) -> str:
    with sessions() as session:
        return session.get(Job, job_id).state


def test_only_the_newest_job_of_a_key_runs(sessions):
    first, second = add(sessions, "k", 1), add(sessions, "k", 2)
    other = add(sessions, None, 3)
    with sessions() as session:
        claimed = queue.claim(session)
    assert sorted(job.payload["n"] for job in claimed) == [2, 3]
    assert state(sessions, first) == JobState.SUPERSEDED
    assert {state(sessions, second), state(sessions, other)} == {JobState.RUNNING}


def test_a_newer_job_waits_while_an_older_one_of_its_key_runs(sessions):
    older = add(sessions, "k", 1)
    with sessions() as session:
        assert [job.id for job in queue.claim(session)] == [older]
    newer = add(sessions, "k", 2)
    with sessions() as session:
        assert queue.claim(session) == []  # never two of one stream at once: order is kept
        queue.finish(session, older)
    with sessions() as session:
        assert [job.id for job in queue.claim(session)] == [newer]


def test_a_failed_try_comes_back_after_a_backoff_that_starts_within_ten_seconds(sessions):
    job_id = add(sessions, "k", 1)
    with sessions() as session:
        queue.claim(session)
        before = utcnow()
        assert queue.retry(session, job_id, "503") == JobState.PENDING
        job = session.get(Job, job_id)
        delay = (job.run_after - before).total_seconds()
        assert 0 < delay <= 10 and job.last_error == "503"
        assert queue.claim(session) == []  # not yet due
    assert [queue.backoff(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert queue.backoff(40) == queue.MAX_DELAY


def test_after_max_tries_a_job_fails_and_can_be_resent(sessions):
    job_id = add(sessions, "k", 1)
    with sessions() as session:
        session.execute(update(Job).where(Job.id == job_id).values(tries=queue.MAX_TRIES))
        session.commit()
        assert queue.retry(session, job_id, "still down") == JobState.FAILED
        assert queue.resend(session, job_id)
        session.commit()
        (claimed,) = queue.claim(session)
        assert claimed.id == job_id and claimed.tries == 1


def test_a_retry_is_dropped_when_a_newer_value_is_waiting(sessions):
    older = add(sessions, "k", 1)
    with sessions() as session:
        queue.claim(session)
    newer = add(sessions, "k", 2)
    with sessions() as session:
        assert queue.retry(session, older, "timeout") == JobState.SUPERSEDED
        assert not queue.resend(session, older)
        assert [job.id for job in queue.claim(session)] == [newer]


def test_a_job_whose_worker_died_is_claimed_again_when_its_lease_ends(sessions):
    job_id = add(sessions, "k", 1)
    with sessions() as session:
        queue.claim(session)
        assert queue.claim(session) == []
        session.execute(update(Job).where(Job.id == job_id).values(locked_until=utcnow() - timedelta(seconds=1)))
        session.commit()
        (again,) = queue.claim(session)
        assert again.id == job_id and again.tries == 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_workers_skip_the_jobs_another_worker_holds(sessions):
    ids = [add(sessions, f"k{n}", n) for n in range(4)]
    with sessions() as holder, sessions() as other:
        # A worker in the middle of claiming holds row locks on the first two jobs.
        held = list(holder.execute(select(Job.id).where(Job.id.in_(ids[:2])).with_for_update()).scalars())
        claimed = queue.claim(other)
        assert sorted(job.id for job in claimed) == ids[2:]
        holder.rollback()
        assert held == ids[:2]


def test_a_regrade_chunk_runs_as_a_job(app, client, auth, seed_set, submit, sessions):
    from grader.service.facade.regrading import Chunk, counts
    from grader.service.models import ExerciseSet
    from grader.service.worker import run_once

    for student in ("s1", "s2", "s3"):
        assert submit(seed_set["id"], student, {"z3": 0.755}).status_code == 201
    changed = client.patch(
        f"/api/v1/exercise-sets/{seed_set['id']}", json={"policy": {"rtol": 0.02}}, headers=auth("alice")
    )
    assert changed.status_code == 200
    with sessions() as session:
        exercise_set = session.get(ExerciseSet, seed_set["id"])
        assert counts(session, exercise_set) == (3, 3)
        ids = sorted(session.scalars(select(Job.id)))  # none yet
        chunk = Chunk(exercise_set.id, exercise_set.policy.id, 1, 10**9)
        queue.enqueue(session, "regrade.chunk", chunk.to_payload())
        session.commit()
    assert ids == [] and run_once(app) == 1
    with sessions() as session:
        assert counts(session, session.get(ExerciseSet, seed_set["id"])) == (3, 0)
        assert session.scalar(select(Job.state).where(Job.kind == "regrade.chunk")) == JobState.DONE
