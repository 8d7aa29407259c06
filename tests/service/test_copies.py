"""Copy detection: a submission that fits another student's variant is flagged, for instructors only."""

from __future__ import annotations

import csv
import io
import time

import numpy as np

from grader.engine import Exercise, solve
from grader.grading import Tolerance
from grader.service.facade.copies import VariantIndex, match
from tests.service.helpers import API


def variant_values(client, auth, set_id: int, student: str) -> dict[str, float]:
    """The student's variant (made on first access), solved: every asked key's value, rounded as typed."""
    view = client.get(f"{API}/exercise-sets/{set_id}/students/{student}/exercise", headers=auth("alice")).json
    trace = solve(Exercise.from_mapping(view["exercise"]))
    return {k: round(trace[k], 4) for k in trace.asked_keys()}


def test_a_classmates_solution_is_flagged_for_the_instructor_only(client, auth, submit):
    made = client.post(f"{API}/exercise-sets", json={"template": "sigmoid-221", "seed": 3}, headers=auth("alice"))
    set_id = made.json["id"]
    alpha = variant_values(client, auth, set_id, "s-alpha")
    variant_values(client, auth, set_id, "s-beta")
    variant_values(client, auth, set_id, "s-gamma")
    assert submit(set_id, "s-alpha", alpha).status_code == 201
    # s-beta hands in s-alpha's solution; s-gamma works honestly on their own numbers, with one slip.
    copied = submit(set_id, "s-beta", alpha)
    assert copied.status_code == 201 and "copy_of" not in copied.json and "s-alpha" not in copied.get_data(as_text=True)
    assert copied.json["score"] <= 0.2 * copied.json["max_score"]
    gamma = variant_values(client, auth, set_id, "s-gamma")
    submit(set_id, "s-gamma", {**gamma, "z3": gamma["z3"] * 1.3})

    book = client.get(f"{API}/exercise-sets/{set_id}/gradebook", headers=auth("alice")).json
    flags = {r["student_id"]: r["copy_of"] for r in book["students"]}
    assert flags == {"s-alpha": None, "s-beta": "s-alpha", "s-gamma": None}
    text = client.get(f"{API}/exercise-sets/{set_id}/gradebook", headers=auth("alice"), query_string={"format": "csv"})
    rows = {r["student_id"]: r["copy_of"] for r in csv.DictReader(io.StringIO(text.get_data(as_text=True)))}
    assert rows == {"s-alpha": "", "s-beta": "s-alpha", "s-gamma": ""}

    staff = client.get(f"{API}/exercise-sets/{set_id}/students/s-beta/submissions/1", headers=auth("alice")).json
    assert staff["copy_of"] == "s-alpha"
    token = client.post(f"{API}/exercise-sets/{set_id}/students/s-beta/access-token", headers=auth("alice")).json
    own = client.get(
        f"{API}/exercise-sets/{set_id}/students/s-beta/submissions/1",
        headers={"Authorization": f"Bearer {token['token']}"},
    )
    assert own.status_code == 200 and "copy_of" not in own.json and "s-alpha" not in own.get_data(as_text=True)


def test_a_fixed_template_set_says_copies_cannot_be_spotted(client, auth, seed_set, submit, seed_values):
    submit(seed_set["id"], "s1", seed_values)
    submit(seed_set["id"], "s2", seed_values)
    book = client.get(f"{API}/exercise-sets/{seed_set['id']}/gradebook", headers=auth("alice")).json
    assert {r["copy_of"] for r in book["students"]} == {None}


def test_matching_ten_thousand_variants_is_cheap():
    rng = np.random.default_rng(1)
    values = rng.uniform(-1, 1, size=(10_000, 29))
    half = np.vectorize(Tolerance().padded, otypes=[float])(values)
    keys = tuple(f"z{n}" for n in range(29))
    found = VariantIndex(keys, tuple(f"s{n}" for n in range(10_000)), tuple(range(10_000)), values, half)
    answers = dict(zip(keys, values[4321].tolist()))
    # CPU time of this thread, not wall time: what the match costs, whatever else the machine does.
    start = time.thread_time()
    fit = match(found, 17, answers)
    elapsed = time.thread_time() - start
    assert fit is not None and fit.student_id == "s4321" and fit.matched == 29 and fit.own == 0
    assert match(found, 4321, answers) is None  # the student's own variant
    assert elapsed < 0.5  # generous: a few milliseconds on a laptop
