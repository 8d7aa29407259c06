"""The clock a generation budget is measured on: this thread's CPU time, less the garbage collector's.

A budget bounds the work a template asks for (so an instructor cannot buy seconds of CPU per request
with constraints that are never met). A full garbage collection that happens to start inside the
search is not that work: it pays for every object the process made before, and in a long-lived
process (a server after hours, the test suite after 1,900 tests) it has cost the whole 0.5 s budget
at the second try of a template that needs three. So the collector's pauses in this thread are
timed through ``gc.callbacks`` and left out.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any

_local = threading.local()


def _collector_time() -> float:
    """CPU seconds this thread has spent in the garbage collector since the module was imported."""
    return float(getattr(_local, "spent", 0.0))


def _on_collection(phase: str, info: dict[str, Any]) -> None:
    # The collector runs in the thread whose allocation triggered it, so thread_time() is that
    # thread's clock on both sides of the pause.
    if phase == "start":
        _local.began = time.thread_time()
    elif (began := getattr(_local, "began", None)) is not None:
        _local.spent = _collector_time() + time.thread_time() - began
        _local.began = None


gc.callbacks.append(_on_collection)


class WorkClock:
    """CPU seconds of work done in this thread since the clock was made, garbage collection excluded."""

    def __init__(self) -> None:
        self._began = time.thread_time() - _collector_time()

    def elapsed(self) -> float:
        """Seconds of this thread's CPU time since the clock was made, less collector pauses."""
        return time.thread_time() - _collector_time() - self._began
