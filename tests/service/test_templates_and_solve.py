"""``GET /templates`` and ``POST /solve``."""

from __future__ import annotations

import pytest

from grader.generation import template_names
from tests.service.helpers import API, is_problem

# Request handling does not depend on the database: SQLite is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SEED = {
    "layers": [2, 2, 1],
    "weights": {"w3_1": 0.1, "w3_2": 0.8, "w4_1": 0.4, "w4_2": 0.6, "w5_3": 0.3, "w5_4": 0.9},
    "samples": [{"inputs": [0.35, 0.9], "targets": [0.5]}],
}


def test_templates_list_the_catalogue(client, auth):
    response = client.get(f"{API}/templates", headers=auth("alice"))
    assert response.status_code == 200
    names = [t["name"] for t in response.json]
    assert names == template_names() and "seed-classic" in names
    seed = next(t for t in response.json if t["name"] == "seed-classic")
    assert seed["layers"] == [2, 2, 1] and seed["random"] is False and len(seed["content_hash"]) == 64


def test_one_template_has_its_document(client, auth):
    response = client.get(f"{API}/templates/seed-classic", headers=auth("alice"))
    assert response.json["document"]["weights"]["w5_3"] == 0.3
    is_problem(client.get(f"{API}/templates/nope", headers=auth("alice")), 404, "not-found")


def test_solve_gives_every_step_of_the_seed_example(client, auth):
    response = client.post(f"{API}/solve", json={"exercise": SEED}, headers=auth("alice"))
    assert response.status_code == 200
    doc = response.json
    assert doc["values"]["z3"] == pytest.approx(0.755)
    assert doc["values"]["delta5"] == pytest.approx(0.040681, rel=1e-4)
    assert doc["values"]["it2.E"] == pytest.approx(0.016565, rel=1e-4)
    z3 = next(s for s in doc["steps"] if s["key"] == "z3")
    assert z3["phase"] == "forward" and z3["inputs"] == ["w3_1", "w3_2", "y1", "y2"]
    assert "0.35" in z3["substituted"]
    assert doc["asked"][0] == "z3"


def test_solve_reports_each_bad_field(client, auth):
    bad = {**SEED, "weights": {"w3_1": "x"}, "activation": "softmax"}
    doc = is_problem(
        client.post(f"{API}/solve", json={"exercise": bad}, headers=auth("alice")), 422, "invalid-exercise"
    )
    pointers = {e["pointer"] for e in doc["errors"]}
    assert {"#/exercise/weights/w3_1", "#/exercise/activation", "#/exercise/weights/w5_3"} <= pointers


def test_solve_refuses_exercises_too_large_to_compute_quickly(client, auth):
    big = {"layers": [16] * 6, "iterations": 1000, "samples": [{"inputs": [0] * 16, "targets": [0] * 16}] * 16}
    is_problem(client.post(f"{API}/solve", json={"exercise": big}, headers=auth("alice")), 422, "exercise-too-large")


def test_solve_is_for_instructors(client):
    is_problem(client.post(f"{API}/solve", json={"exercise": SEED}), 401)
