"""The work budget's clock stops while the thread collects garbage (``grader.generation.work``)."""

from __future__ import annotations

import gc
import time

from grader.generation.work import work_time


def test_a_garbage_collection_is_not_counted_as_work():
    # A heap of a million small lists makes one full collection take tens of milliseconds of this
    # thread's CPU; the clock leaves all of it out (what remains is the callbacks' own).
    heap = [[n] for n in range(1_000_000)]
    work, cpu = work_time(), time.thread_time()
    gc.collect()
    collecting = time.thread_time() - cpu
    counted = work_time() - work
    del heap
    assert collecting > 0.005 and counted < collecting / 10, (counted, collecting)


def test_work_is_counted_otherwise():
    work, cpu = work_time(), time.thread_time()
    total = sum(n * n for n in range(300_000))
    counted, spent = work_time() - work, time.thread_time() - cpu
    # The two clocks are read a few microseconds apart; nothing here allocates enough to collect.
    assert total > 0 and counted > 0.001 and abs(counted - spent) < 0.002
