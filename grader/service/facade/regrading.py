"""Regrading a set under its current policy version, in chunks that any process can run.

Every submission without a grade under the current version gets one; older grades are kept,
each naming the version it was graded under.  The work is cut into chunks, each a range of
submission ids (``Chunk``); a chunk reads its ungraded submissions, grades them and writes the
grades in one transaction, so a regrade can stop at any point (a time budget, a crash, an
outage) and the next one carries on where it stopped.  Two regrades running at once cannot
grade a submission twice: the unique (submission, policy) constraint holds, and the insert
skips what the other one wrote.

A chunk is a small JSON-able value naming nothing but ids, so it is also the unit to hand to
other processes: ``grader regrade`` runs chunks in a local process pool, each process with its
own connection, and a durable job queue (``grader worker``) can run the same ``run_chunk`` on
any machine.  On PostgreSQL a chunk's grades go in with one ``COPY`` straight into the grades
table, several times faster than inserting rows; when a concurrent regrade wrote one of them first,
the COPY fails on the unique constraint and the chunk's grades go through a temporary table and
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` instead.  SQLite takes multi-row inserts, in the
calling process.

Grading is most of a regrade's time.  A course has a variant per student, graded only as often
as the student submitted, so what grading needs per variant is worked out once per chunk (the
trace, from the exercise's stored text) and once per trace (``grade``'s plan, the evidence's
facts per shape of network), and the cycle collector is kept out of a chunk's grading.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from typing import Any

import orjson
import psycopg
from sqlalchemy import Connection, Engine, Text, bindparam, cast, create_engine, exists, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from grader.engine import ENGINE_VERSION
from grader.grading import Policy, grade
from grader.service import grade_records, json_codec, queue
from grader.service.facade.assignments import trace_for_text
from grader.service.lti import passback
from grader.service.models import (
    Assignment,
    ExerciseSet,
    Grade,
    Job,
    JobState,
    LtiEnrolment,
    PolicyVersion,
    Submission,
    utcnow,
)

BATCH = 5000


@dataclass(frozen=True)
class RegradeResult:
    policy_version: int
    regraded: int
    remaining: int
    total: int

    def to_dict(self) -> dict[str, int]:
        return {
            "policy_version": self.policy_version,
            "regraded": self.regraded,
            "remaining": self.remaining,
            "total": self.total,
        }


@dataclass(frozen=True)
class Chunk:
    """The ungraded submissions of a set with ids ``first`` to ``last``, to grade under one policy version."""

    set_id: int
    policy_id: int
    first: int
    last: int

    def to_payload(self) -> dict[str, int]:
        """The chunk as a job payload (JSON)."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Chunk:
        """The chunk a job payload names."""
        return cls(**{name: int(payload[name]) for name in ("set_id", "policy_id", "first", "last")})


def _ungraded(set_id: int, policy_id: int):
    return (
        select(Submission.id, Submission.assignment_id, Submission.payload)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.set_id == set_id)
        .where(~exists().where(Grade.submission_id == Submission.id, Grade.policy_id == policy_id))
    )


def counts(session: Session, exercise_set: ExerciseSet) -> tuple[int, int]:
    """(submissions in the set, those not yet graded under the current policy)."""
    total = session.scalar(
        select(func.count(Submission.id))
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.set_id == exercise_set.id)
    )
    ungraded = _ungraded(exercise_set.id, exercise_set.policy.id).with_only_columns(Submission.id).subquery()
    return total or 0, session.scalar(select(func.count()).select_from(ungraded)) or 0


def plan(connection: Connection, set_id: int, policy_id: int, size: int = BATCH) -> Iterator[Chunk]:
    """The chunks of up to ``size`` ungraded submissions that cover a set, in id order.

    Only ids are read, through a server-side cursor on PostgreSQL, so planning a million
    submissions holds one chunk's ids at a time.
    """
    query = _ungraded(set_id, policy_id).with_only_columns(Submission.id).order_by(Submission.id)
    result = connection.execution_options(stream_results=True, yield_per=size).execute(query)
    for ids in result.scalars().partitions(size):
        yield Chunk(set_id, policy_id, ids[0], ids[-1])


def grade_rows(policy: Policy, exercises: dict[int, str], rows: list[tuple]) -> list[tuple[int, dict, float, float]]:
    """(submission id, stored record, score, max score) for each (id, assignment id, payload) row;
    ``exercises`` maps assignment ids to their exercise documents as stored (JSON text)."""
    collecting = gc.isenabled()
    # Grading a chunk makes a few hundred thousand small objects and no reference cycle; left on,
    # the cycle collector would walk every cached trace again and again (a third of the time).
    gc.disable()
    try:
        traces = {a: trace_for_text(exercise) for a, exercise in exercises.items()}
        out = []
        for submission_id, assignment_id, payload in rows:
            answers = _loads(payload).get("answers", {})
            record = grade_records.to_record(grade(traces[assignment_id], answers, policy))
            out.append((submission_id, record, *grade_records.score(record)))
    finally:
        if collecting:
            gc.enable()
    return out


def _loads(payload: str) -> dict[str, Any]:
    # orjson is several times faster; it refuses integers beyond 64 bits, which json reads.
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return json.loads(payload)


def run_chunk(connection: Connection, chunk: Chunk) -> int:
    """Grade and store one chunk in ``connection``'s transaction (the caller commits); returns how many."""
    query = _ungraded(chunk.set_id, chunk.policy_id).where(Submission.id.between(chunk.first, chunk.last))
    rows = [tuple(r) for r in connection.execute(query)]
    if not rows:
        return 0
    document = connection.scalar(select(PolicyVersion.document).where(PolicyVersion.id == chunk.policy_id))
    # The exercises as stored text: the trace cache is keyed by it, so a document is not parsed,
    # written out again and parsed once more just to be looked up.
    exercises = dict(
        connection.execute(
            select(Assignment.id, cast(Assignment.exercise, Text)).where(Assignment.id.in_({r[1] for r in rows}))
        ).all()
    )
    policy = Policy.from_mapping(document)
    graded = grade_rows(policy, exercises, rows)
    _store(connection, chunk.policy_id, graded)
    # Changed scores of LTI learners go to the outbox in the transaction of their grades.
    if connection.scalar(_LTI_LEARNERS, {"set_id": chunk.set_id}):
        with Session(bind=connection) as outbox:
            passback.after_regrade(outbox, [row[0] for row in graded], policy)
            outbox.flush()
    return len(graded)


# Whether a set has any LTI learner: a regrade of a set without one has no score to send.
_LTI_LEARNERS = (
    exists().where(LtiEnrolment.assignment_id == Assignment.id, Assignment.set_id == bindparam("set_id")).select()
)


def _store(connection: Connection, policy_id: int, graded: list[tuple[int, dict, float, float]]) -> None:
    now = utcnow()
    if connection.dialect.name == "postgresql":
        _copy(connection, policy_id, graded, now)
        return
    rows = [
        {
            "submission_id": s,
            "policy_id": policy_id,
            "results": record,
            "score": score,
            "max_score": max_score,
            "engine_version": ENGINE_VERSION,
            "graded_at": now,
        }
        for s, record, score, max_score in graded
    ]
    connection.execute(_insert(connection), rows)


def _insert(connection: Connection):
    """An INSERT of grades that skips any a concurrent regrade already wrote."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[connection.dialect.name]
    return dialect.insert(Grade.__table__).on_conflict_do_nothing(index_elements=["submission_id", "policy_id"])


_COLUMNS = "submission_id, policy_id, results, score, max_score, engine_version, graded_at"
_STAGING = """
CREATE TEMPORARY TABLE IF NOT EXISTS regrade_staging
    (submission_id integer, results json, score float8, max_score float8) ON COMMIT DELETE ROWS
"""
_FROM_STAGING = f"""
INSERT INTO grades ({_COLUMNS})
SELECT submission_id, :policy_id, results, score, max_score, :engine_version, :now FROM regrade_staging
ON CONFLICT (submission_id, policy_id) DO NOTHING
"""


def _copy(connection: Connection, policy_id: int, graded: list[tuple], now) -> None:
    """COPY the grades into the grades table; if a concurrent regrade wrote one of them first, COPY
    them into a temporary table instead and insert only what is still missing."""
    dumps = json_codec.dumps
    rows = [(s, policy_id, dumps(record), score, maximum, ENGINE_VERSION, now) for s, record, score, maximum in graded]
    driver = connection.connection.driver_connection
    savepoint = connection.begin_nested()
    try:
        # Straight into the table: half the database's work of going through a temporary table.
        with driver.cursor() as cursor, cursor.copy(f"COPY grades ({_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.errors.UniqueViolation:
        savepoint.rollback()
    else:
        savepoint.commit()
        return
    connection.execute(text(_STAGING))
    with (
        driver.cursor() as cursor,
        cursor.copy("COPY regrade_staging (submission_id, results, score, max_score) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((row[0], row[2], row[3], row[4]))
    connection.execute(text(_FROM_STAGING), {"policy_id": policy_id, "engine_version": ENGINE_VERSION, "now": now})


JOB_KIND = "regrade.chunk"  # run by grader.service.worker on any machine


def job_key(chunk: Chunk) -> str:
    """The queue key of a chunk's job: the set, the policy version and where the chunk starts."""
    return f"{_prefix(chunk.set_id, chunk.policy_id)}{chunk.first}"


def _prefix(set_id: int, policy_id: int | None = None) -> str:
    """How the keys of a set's chunk jobs (under one policy version) begin."""
    # The trailing colons keep set 1's jobs apart from set 12's.
    return f"regrade:{set_id}:" if policy_id is None else f"regrade:{set_id}:{policy_id}:"


def enqueue(session: Session, exercise_set: ExerciseSet, batch: int = BATCH) -> int:
    """Queue the set's regrade as chunk jobs for ``grader worker`` processes and commit; returns how
    many chunks.  Chunks of the set still waiting under an older policy version are dropped (marked
    superseded): the grades they would write are stale already, and the new chunks cover their
    submissions."""
    current = f"{_prefix(exercise_set.id, exercise_set.policy.id)}%"
    session.execute(
        update(Job)
        .where(Job.key.like(f"{_prefix(exercise_set.id)}%"), ~Job.key.like(current))
        .where(Job.state == JobState.PENDING)
        .values(state=JobState.SUPERSEDED, finished_at=utcnow())
    )
    # Planned on a connection of its own: a server-side cursor's options stay with its connection.
    with session.get_bind().connect() as reader:
        chunks = list(plan(reader, exercise_set.id, exercise_set.policy.id, batch))
    for chunk in chunks:
        queue.enqueue(session, JOB_KIND, chunk.to_payload(), key=job_key(chunk))
    session.commit()
    return len(chunks)


def queued(session: Session, exercise_set: ExerciseSet) -> int:
    """How many chunk jobs of the set's regrade under its current policy are waiting or running."""
    waiting = (JobState.PENDING, JobState.RUNNING)
    return _chunk_jobs(session.connection(), exercise_set.id, exercise_set.policy.id, *waiting)


def _chunk_jobs(connection: Connection, set_id: int, policy_id: int, *states: JobState) -> int:
    query = select(func.count()).select_from(Job).where(Job.key.like(f"{_prefix(set_id, policy_id)}%"))
    return connection.scalar(query.where(Job.state.in_(states))) or 0


# A regrade that wrote at least this many grades refreshes the planner's statistics of the grades
# table when it ends.  It adds a policy version's worth of grades at once, and until autovacuum's
# next ANALYZE (a minute or more later) PostgreSQL believes the new version has no grade and plans
# the gradebook's reads for one row: nested loops over 100,000 grades at 10,000 students, 325 ms
# for a page instead of 200.  ANALYZE reads a sample: 150 ms at 300,000 grades.
ANALYZE_AFTER = 10_000


def refresh_statistics(connection: Connection) -> None:
    """Refresh the planner's statistics of the grades table (PostgreSQL; SQLite plans without them)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("ANALYZE grades"))


def run_chunk_job(connection: Connection, chunk: Chunk) -> int:
    """Run a queued chunk (``run_chunk``); the chunk that finds no other chunk of its regrade
    waiting or running (its own job is running) refreshes the statistics, as a regrade does when
    it ends.  Returns how many it graded."""
    graded = run_chunk(connection, chunk)
    if _chunk_jobs(connection, chunk.set_id, chunk.policy_id, JobState.PENDING, JobState.RUNNING) <= 1:
        refresh_statistics(connection)
    return graded


# One engine per worker process, made by the pool's initializer from the parent's URL.
_worker_engine: Engine | None = None


def _start_worker(url: str) -> None:
    global _worker_engine
    _worker_engine = create_engine(url, json_serializer=json_codec.dumps, pool_size=1)
    gc.freeze()  # what the process has loaded stays: the collector need not walk it again


def _run_in_worker(chunk: Chunk) -> int:
    assert _worker_engine is not None
    with _worker_engine.begin() as connection:
        return run_chunk(connection, chunk)


def regrade(
    session: Session,
    exercise_set: ExerciseSet,
    progress: Callable[[int], None] | None = None,
    budget: float | None = None,
    batch: int = BATCH,
    workers: int = 1,
) -> RegradeResult:
    """Grade every ungraded submission under the current policy, or as many as ``budget`` seconds
    allow (at least one chunk of ``batch``), in ``workers`` processes (PostgreSQL; SQLite has one
    writer, so it works in this process)."""
    version = exercise_set.policy
    set_id, policy_id, policy_number = exercise_set.id, version.id, version.version
    started = time.monotonic()
    done = 0

    def over_budget() -> bool:
        return budget is not None and time.monotonic() - started >= budget

    def finished(n: int) -> None:
        nonlocal done
        done += n
        if progress and n:
            progress(n)

    session.commit()  # what follows reads and writes in transactions of its own
    engine = session.get_bind()
    if workers <= 1 or engine.dialect.name != "postgresql":
        with engine.connect() as reader:
            chunks = list(plan(reader, set_id, policy_id, batch))
        for chunk in chunks:
            with engine.begin() as connection:
                finished(run_chunk(connection, chunk))
            if over_budget():
                break
    else:
        # forkserver, not fork: a forked child would share the parent's database sockets.
        context = multiprocessing.get_context("forkserver")
        # The server imports the grader once, and every process forked from it starts with it loaded.
        context.set_forkserver_preload([__name__])
        url = engine.url.render_as_string(hide_password=False)
        with (
            engine.connect() as reader,
            ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(url,)) as pool,
        ):
            pending: set[Future] = set()
            for chunk in plan(reader, set_id, policy_id, batch):
                pending.add(pool.submit(_run_in_worker, chunk))
                # Two chunks per process in flight keep every process busy and planning ahead short.
                while len(pending) >= 2 * workers:
                    complete, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in complete:
                        finished(future.result())
                if over_budget():
                    break
            for future in pending:
                finished(future.result())
    if done >= ANALYZE_AFTER:
        with engine.begin() as connection:
            refresh_statistics(connection)
    total, remaining = counts(session, exercise_set)
    return RegradeResult(policy_number, done, remaining, total)
