"""Regrades started from the set page: queued as chunk jobs, worked off by a background worker.

A regrade of a large course takes longer than a request may, and is CPU work that would slow the
requests of the server process it ran in.  So the page puts the regrade in the job queue
(``regrading.enqueue``: one ``regrade.chunk`` job per chunk of submissions, in the database) and
starts a ``grader worker --until-idle --kind regrade.chunk`` child process, which grades the
chunks and exits when none is left.  The queue is what makes it safe:

- nothing is lost: a child that dies (a restart, a deploy, a crash) leaves its chunks in the
  queue, and the one it held comes back when its lease ends; any worker takes them: the next
  child, the thread of ``grader serve``, or the ``worker`` service of docker-compose;
- the work can be spread: ``grader worker`` processes on other machines take chunks too;
- every server process sees the same state: "running" is "chunks of this set are queued", read
  from the database, not "this process has a child".

Progress needs no channel either: it is in the database (submissions not yet graded under the
current policy), which every server process reads alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from grader.service.facade import regrading
from grader.service.models import ExerciseSet

_lock = threading.Lock()
_drainers: dict[str, subprocess.Popen] = {}

COMMAND = "from grader.cli import main; main()"


def running(session: Session, exercise_set: ExerciseSet) -> bool:
    """Whether chunks of the set's regrade (under its current policy) are waiting or being graded."""
    return regrading.queued(session, exercise_set) > 0


def start(
    session: Session, exercise_set: ExerciseSet, database_url: str, drain: bool = True, batch: int = regrading.BATCH
) -> int:
    """Queue the set's regrade (in chunks of ``batch`` submissions) unless it is queued already, and
    (``drain``) make sure a worker of this process's is working the queue off; returns how many
    chunks were queued now."""
    added = 0 if running(session, exercise_set) else regrading.enqueue(session, exercise_set, batch)
    if drain:
        _drain(database_url)
    return added


def start_for(session: Session, exercise_set: ExerciseSet, config: Mapping[str, Any]) -> int:
    """``start`` with an app's settings: its database, and whether it drains the queue itself
    (``REGRADE_DRAIN``, on unless set false: then other workers take the chunks)."""
    return start(session, exercise_set, config["DATABASE_URL"], drain=config.get("REGRADE_DRAIN", True))


def _drain(database_url: str) -> None:
    """Start a child ``grader worker`` that runs regrade chunks until none is due, unless one of
    this process's is still at it (one worker takes every set's chunks)."""
    with _lock:
        child = _drainers.get(database_url)
        if child is not None and child.poll() is None:
            return
        env = {**os.environ, "GRADER_DATABASE_URL": database_url}
        _drainers[database_url] = subprocess.Popen(
            [
                sys.executable,
                "-c",
                COMMAND,
                "worker",
                "--until-idle",
                "--kind",
                regrading.JOB_KIND,
                "--interval",
                "0.2",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
