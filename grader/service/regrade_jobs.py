"""Regrades started from the set page, run in the background by a ``grader regrade`` process.

A regrade of a large course takes longer than a request may, and is CPU work that would slow the
requests of the server process it ran in; so the page starts the command line's regrade as a
child process and returns at once.  Progress needs no channel to that process: it is in the
database (submissions not yet graded under the current policy), which every server process
reads alike.  The regrade is resumable, so a child that dies (a restart, a deploy) loses nothing:
pressing Regrade again carries on.

Seam for a durable queue (``grader worker``): ``regrading.plan`` cuts a regrade into ``Chunk``
payloads and ``regrading.run_chunk`` runs one in any process; enqueueing those chunks instead of
starting a child here is the whole change.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

_lock = threading.Lock()
_children: dict[tuple[str, int], subprocess.Popen] = {}

COMMAND = "from grader.cli import main; main()"


def running(database_url: str, set_id: int) -> bool:
    """Whether this process has a regrade of the set under way (and reaps one that has ended)."""
    with _lock:
        child = _children.get((database_url, set_id))
        if child is None:
            return False
        if child.poll() is None:
            return True
        del _children[(database_url, set_id)]
        return False


def start(database_url: str, set_id: int) -> bool:
    """Start a background regrade of the set; False when this process already runs one."""
    if running(database_url, set_id):
        return False
    env = {**os.environ, "GRADER_DATABASE_URL": database_url}
    child = subprocess.Popen(
        [sys.executable, "-c", COMMAND, "regrade", str(set_id), "--workers", "1"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with _lock:
        _children[(database_url, set_id)] = child
    return True
