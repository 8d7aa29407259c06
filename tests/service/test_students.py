"""A student's exercise (made on first access, never showing expected values), roster, answer key."""

from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from grader.engine import ENGINE_VERSION
from grader.service.database import get_database
from grader.service.models import Assignment
from tests.service.helpers import API, is_problem


def test_the_exercise_shows_givens_and_asked_keys_but_no_expected_value(client, auth, seed_set, seed_values):
    response = client.get(f"{API}/exercise-sets/{seed_set['id']}/students/s1/exercise", headers=auth("alice"))
    assert response.status_code == 200
    view = response.json
    assert view["given"] == {
        "y1": 0.35,
        "y2": 0.9,
        "w3_1": 0.1,
        "w3_2": 0.8,
        "w4_1": 0.4,
        "w4_2": 0.6,
        "w5_3": 0.3,
        "w5_4": 0.9,
    }
    assert [a["key"] for a in view["asked"]] == list(seed_values)
    assert view["asked"][0] == {"key": "z3", "phase": "forward"}
    assert view["attempts_used"] == 0 and view["attempts_left"] == 3 and view["max_attempts"] == 3
    assert view["engine_version"] == ENGINE_VERSION and len(view["template_hash"]) == 64
    assert view["diagram_svg"].lstrip().startswith("<svg") and "0.3" in view["diagram_svg"]
    text = json.dumps(view)
    for key in ("z3", "delta5", "new_w5_3", "it2.E"):
        assert repr(seed_values[key]) not in text
        assert f"{seed_values[key]:.4f}" not in text


def test_the_assignment_is_made_once_on_first_access(app, client, auth, seed_set):
    url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/exercise"
    first = client.get(url, headers=auth("alice")).json
    assert client.get(url, headers=auth("admin")).json == first
    with get_database(app).sessions() as session:
        assert session.scalar(select(func.count(Assignment.id))) == 1


def test_concurrent_first_accesses_make_one_assignment(app, auth, seed_set):
    url = f"{API}/exercise-sets/{seed_set['id']}/students/racer/exercise"
    statuses = []

    def fetch():
        statuses.append(app.test_client().get(url, headers=auth("alice")).status_code)

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 6
    with get_database(app).sessions() as session:
        assert session.scalar(select(func.count(Assignment.id))) == 1


def test_students_of_a_random_template_get_different_reproducible_variants(client, auth):
    created = client.post(
        f"{API}/exercise-sets", json={"template": "sigmoid-221", "seed": 11}, headers=auth("alice")
    ).json
    views = [
        client.get(f"{API}/exercise-sets/{created['id']}/students/s{n}/exercise", headers=auth("alice")).json
        for n in range(1, 6)
    ]
    weights = [json.dumps(v["exercise"]["weights"], sort_keys=True) for v in views]
    assert len(set(weights)) == 5
    again = client.post(f"{API}/exercise-sets", json={"template": "sigmoid-221", "seed": 11}, headers=auth("bob")).json
    view = client.get(f"{API}/exercise-sets/{again['id']}/students/s3/exercise", headers=auth("bob")).json
    assert view["exercise"] == views[2]["exercise"]


def test_roster_lists_students_with_attempts(client, auth, seed_set, submit):
    submit(seed_set["id"], "s2", {"z3": 0.755})
    client.get(f"{API}/exercise-sets/{seed_set['id']}/students/s1/exercise", headers=auth("alice"))
    roster = client.get(f"{API}/exercise-sets/{seed_set['id']}/students", headers=auth("alice")).json
    assert [(s["student_id"], s["attempts"]) for s in roster["items"]] == [("s1", 0), ("s2", 1)]


def test_answer_key_is_the_walkthrough_for_instructors(client, auth, seed_set, seed_values):
    response = client.get(f"{API}/exercise-sets/{seed_set['id']}/students/s1/answer-key", headers=auth("alice"))
    assert response.status_code == 200
    key = response.json
    assert key["values"]["delta5"] == seed_values["delta5"]
    assert key["asked"] == list(seed_values)
    lines = [line for section in key["walkthrough"] for line in section["lines"]]
    z3 = next(line for line in lines if line["key"] == "z3")
    assert z3["formula"] and "0.1" in z3["substituted"]


def test_access_token_revocation_needs_an_assignment(client, auth, seed_set):
    response = client.delete(f"{API}/exercise-sets/{seed_set['id']}/students/ghost/access-token", headers=auth("alice"))
    is_problem(response, 404, "not-found")
