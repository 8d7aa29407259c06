"""The clock of the generator's work budget: CPU time of this thread, garbage collection excepted.

The service bounds the CPU time one request may spend searching for a variant.  A full garbage
collection runs in whichever thread happens to allocate when it is due, and in a long-lived
process with a large heap it can take a few hundred milliseconds: that is the process's
housekeeping, not the search's work, and counted against a 0.5 s budget it refused a template
that needed two tries (seen in the test suite, ~1,600 tests into a run).  So the clock stops
while this thread collects: ``gc.callbacks`` run in the collecting thread, at its start and stop.
"""

from __future__ import annotations

import gc
import threading
import time

_LOCAL = threading.local()


def _collecting(phase: str, info: dict) -> None:
    if phase == "start":
        _LOCAL.began = time.thread_time()
        return
    began = getattr(_LOCAL, "began", None)
    if began is not None:
        _LOCAL.collected = getattr(_LOCAL, "collected", 0.0) + time.thread_time() - began
        _LOCAL.began = None


if _collecting not in gc.callbacks:
    gc.callbacks.append(_collecting)


def work_time() -> float:
    """CPU seconds this thread has spent, less its time in garbage collection (differences only)."""
    return time.thread_time() - getattr(_LOCAL, "collected", 0.0)
