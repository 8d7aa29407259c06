"""The generator's work per request is bounded: an inline template whose constraints can never be
met is refused quickly, with a message naming the constraint, and never costs every student's
first view the same search again."""

from __future__ import annotations

import gc
import time

import pytest
import yaml

from grader.generation import catalogue_template, generate_variant
from grader.generation.generator import GenerationError
from grader.generation.template import Template
from grader.generation.work_clock import WorkClock
from grader.grading.misconceptions import CATALOGUE
from grader.service.facade.limits import GENERATION_BUDGET
from tests.service.helpers import API, is_problem


def hopeless(iterations: int = 100) -> dict:
    """sigmoid-221 with thresholds of at most 0.001: z with +b and with -b can never be told apart
    ("threshold with the wrong sign"), so no draw is accepted; 100 iterations make each draw cost
    milliseconds."""
    doc = yaml.safe_load(catalogue_template("sigmoid-221").source)
    doc["bias"] = "threshold"
    doc["biases"] = {"uniform": [-0.001, 0.001], "decimals": 4, "exclude": [0]}
    doc["iterations"] = iterations
    doc["constraints"] = {"max_tries": 100, "loss_decreases": False, "min_error": 0, "min_slope": False,
                          "max_net_input": False, "min_gradient": False, "distinct_weights": False,
                          "min_abs_parameter": False, "short_numbers": False,
                          "visible_change": False}  # fmt: skip
    # Only the threshold's sign is to be told apart, so that it is what every refusal names.
    doc["constraints"]["distinguish"] = {m.code: m.code == "threshold_sign" for m in CATALOGUE}
    return doc


def test_the_search_stops_at_its_budget_and_says_why():
    template = Template.from_mapping(hopeless(), "hopeless")
    unbounded = WorkClock()
    with pytest.raises(GenerationError, match="in 100 tries"):
        generate_variant(template, 1, "amy")
    full = unbounded.elapsed()
    bounded = WorkClock()
    with pytest.raises(GenerationError, match=r"tries, the work of 0.05 s\. Unmet most often: threshold_sign"):
        generate_variant(template, 1, "amy", budget=0.05)
    # The search stops at the first check past its budget: one try too many (a few ms). Measured on
    # the budget's own clock, which leaves out garbage-collector pauses (tested below).
    assert bounded.elapsed() < min(full / 2, 0.05 + 0.1)


def test_the_budget_clock_leaves_out_garbage_collection():
    # A full collection over a million live containers takes far more than the 10 ms margin below
    # on any machine; the clock must not count it, while the thread's CPU clock does.
    clutter = [[i] for i in range(1_000_000)]
    clock = WorkClock()
    cpu = time.thread_time()
    gc.collect()
    collecting = time.thread_time() - cpu
    assert collecting > 0.02
    assert clock.elapsed() < 0.01
    del clutter
    # Work that is not collection is counted.
    clock = WorkClock()
    total = sum(i * i for i in range(300_000))
    assert total > 0 and clock.elapsed() > 0.005


def test_a_budget_never_changes_the_variant_found():
    template = catalogue_template("sigmoid-221")
    assert generate_variant(template, 7, "amy", budget=GENERATION_BUDGET) == generate_variant(template, 7, "amy")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_hopeless_inline_template_is_refused_fast_when_the_set_is_made(client, auth):
    # CPU time of this thread (the test client runs the app in it): what the request cost, whatever
    # else the machine is doing.
    started = time.thread_time()
    response = client.post(f"{API}/exercise-sets", json={"template_document": hopeless()}, headers=auth("alice"))
    elapsed = time.thread_time() - started
    doc = is_problem(response, 422, "invalid-exercise")
    assert "threshold_sign" in doc["detail"] and doc["errors"][0]["pointer"] == "#/template_document"
    assert elapsed < GENERATION_BUDGET + 1.0
    assert client.get(f"{API}/exercise-sets", headers=auth("alice")).json["items"] == []  # nothing stored
