"""Running queued jobs: ``grader worker`` processes in production, a thread inside ``grader serve``.

Handlers are registered by kind (``register``); each takes the app and the job's payload, and
raises ``RetryLater`` or ``JobFailed`` (from ``grader.service.queue``) when it did not succeed.
Anything else it raises counts as ``RetryLater``: a bug or an outage must not lose a job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from grader.service import queue
from grader.service.database import get_database, is_outage

log = logging.getLogger(__name__)

Handler = Callable[[Flask, Mapping[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    """Run ``handler`` for jobs of ``kind``."""
    HANDLERS[kind] = handler


def _regrade_chunk(app: Flask, payload: Mapping[str, Any]) -> None:
    """A chunk of a regrade (``grader.service.facade.regrading.Chunk``), in its own transaction."""
    from grader.service.facade.regrading import Chunk, run_chunk_job

    with get_database(app).engine.begin() as connection:
        run_chunk_job(connection, Chunk.from_payload(dict(payload)))


register("regrade.chunk", _regrade_chunk)


def run_once(app: Flask, limit: int = 10, kinds: tuple[str, ...] | None = None) -> int:
    """Claim and run the jobs that are due now (of ``kinds``, or of every kind with a handler);
    returns how many were run."""
    database = get_database(app)
    with database.sessions() as session:
        jobs = queue.claim(session, limit, kinds or tuple(HANDLERS))
    for job in jobs:
        with database.sessions() as session:
            try:
                with app.app_context():
                    HANDLERS[job.kind](app, job.payload)
            except queue.JobFailed as error:
                session.rollback()
                queue.fail(session, job.id, str(error))
                log.warning("job %s (%s) failed: %s", job.id, job.kind, error)
            except Exception as error:  # any failure leaves the job to be tried again
                session.rollback()
                if not isinstance(error, queue.RetryLater):
                    log.exception("job %s (%s) raised", job.id, job.kind)
                state = queue.retry(session, job.id, f"{error.__class__.__name__}: {error}")
                log.info("job %s (%s) try %d: %s; now %s", job.id, job.kind, job.tries, error, state)
            else:
                queue.finish(session, job.id)
    return len(jobs)


class Worker:
    """Runs due jobs (of ``kinds``, or of every kind) until stopped, polling every ``interval``
    seconds when there is nothing to do."""

    def __init__(self, app: Flask, interval: float = 1.0, kinds: tuple[str, ...] | None = None):
        self.app = app
        self.interval = interval
        self.kinds = kinds
        self.stopping = threading.Event()

    def __repr__(self) -> str:
        return f"Worker(every {self.interval:g} s, {', '.join(self.kinds) if self.kinds else 'every kind'})"

    def run(self, until_idle: bool = False) -> None:
        """Work until ``stop`` (or, with ``until_idle``, until no job is due)."""
        while not self.stopping.is_set():
            try:
                ran = run_once(self.app, kinds=self.kinds)
            except Exception as error:  # the database may be down; try again later
                if not is_outage(error):
                    log.exception("the job queue could not be read")
                ran = 0
            if ran == 0:
                if until_idle:
                    return
                self.stopping.wait(self.interval)

    def stop(self) -> None:
        """Ask the loop to end after the job in hand."""
        self.stopping.set()


def start_in_background(app: Flask, interval: float = 1.0) -> Worker:
    """A daemon thread running a Worker: how the embedded server sends scores by itself."""
    worker = Worker(app, interval)
    threading.Thread(target=worker.run, name="grader-worker", daemon=True).start()
    return worker
