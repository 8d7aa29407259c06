"""``/exercise-sets``: create from a catalogue or inline template, list, read, change the policy."""

from __future__ import annotations

from grader.generation import Template
from grader.service.database import get_database
from grader.service.models import ExerciseSet
from tests.service.helpers import API, is_problem

INLINE = {
    "title": "Inline 2-1",
    "layers": [2, 1],
    "activation": "sigmoid",
    "learning_rate": 0.5,
    "weights": {"w3_1": {"uniform": [-1, 1], "decimals": 1, "exclude": [0]}, "w3_2": 0.4},
    "samples": [{"inputs": [1.0, 0.5], "targets": [1.0]}],
    "constraints": {"max_tries": 50},
}


def test_create_from_the_catalogue(client, auth, seed_set):
    assert seed_set["template"] == "seed-classic" and seed_set["seed"] == 7
    assert seed_set["policy_version"] == 1 and seed_set["policy"]["follow_through"] is True
    assert seed_set["owner"] == "alice" and seed_set["max_attempts"] == 3 and seed_set["due_at"] is None
    assert seed_set["students"] == 0 and seed_set["stale_grades"] == 0
    response = client.get(f"{API}/exercise-sets/{seed_set['id']}", headers=auth("alice"))
    assert response.json == seed_set


def test_create_from_an_inline_template_keeps_its_content(app, client, auth):
    body = {
        "template_document": INLINE,
        "seed": 3,
        "policy": {"tolerance": "sigfigs", "sigfigs": 3},
        "due_at": "2031-05-01T12:00:00+02:00",
    }
    response = client.post(f"{API}/exercise-sets", json=body, headers=auth("bob"))
    assert response.status_code == 201, response.json
    created = response.json
    assert response.headers["Location"] == f"{API}/exercise-sets/{created['id']}"
    assert created["template"] is None and created["title"] == "Inline 2-1"
    assert created["due_at"] == "2031-05-01T10:00:00+00:00"
    assert created["policy"]["tolerance"] == "sigfigs"
    assert created["template_hash"] == Template.from_mapping(INLINE).content_hash
    with get_database(app).sessions() as session:
        assert session.get(ExerciseSet, created["id"]).template == INLINE


def test_a_seed_is_chosen_when_none_is_given(client, auth):
    response = client.post(f"{API}/exercise-sets", json={"template": "sigmoid-221"}, headers=auth("alice"))
    assert response.status_code == 201 and isinstance(response.json["seed"], int)


def test_bad_sets_are_refused_with_pointers(client, auth):
    cases = [
        ({"template": "nope"}, "#/template"),
        ({}, "#/template"),
        ({"template": "seed-classic", "template_document": INLINE}, "#/template"),
        ({"template_document": {**INLINE, "layers": [2, 0]}}, "#/template_document/layers"),
        ({"template": "seed-classic", "policy": {"rtol": 2}}, "#/policy/rtol"),
        ({"template": "seed-classic", "policy": {"phase_weights": {"thinking": 1}}}, "#/policy/phase_weights"),
        ({"template": "seed-classic", "policy": {"follow_through": "yes"}}, "#/policy/follow_through"),
        ({"template": "seed-classic", "policy": {"reveal": "sometimes"}}, "#/policy/reveal"),
        ({"template": "seed-classic", "policy": {"reveal": 1}}, "#/policy/reveal"),
        ({"template": "seed-classic", "due_at": "2030-01-01T00:00:00"}, "#/due_at"),
        ({"template": "seed-classic", "due_at": "0001-01-01T00:00:00+05:00"}, "#/due_at"),
        ({"template": "seed-classic", "seed": -1}, "#/seed"),
        ({"template": "seed-classic", "seed": 2**63}, "#/seed"),
        ({"template": "seed-classic", "title": ""}, "#/title"),
        (
            {"template_document": {**INLINE, "constraints": {"max_tries": 10**6}}},
            "#/template_document/constraints/max_tries",
        ),
    ]
    for body, pointer in cases:
        response = client.post(f"{API}/exercise-sets", json=body, headers=auth("alice"))
        doc = is_problem(response, 422)
        assert any(e["pointer"].startswith(pointer) for e in doc["errors"]), (body, doc)
    assert client.get(f"{API}/exercise-sets", headers=auth("alice")).json["total"] == 0


def test_patching_the_policy_makes_a_new_version(client, auth, seed_set):
    url = f"{API}/exercise-sets/{seed_set['id']}"
    response = client.patch(
        url, json={"policy": {"reveal": True, "phase_weights": {"updates": 2}}}, headers=auth("alice")
    )
    assert response.status_code == 200
    assert response.json["policy_version"] == 2 and response.json["policy_changed"] is True
    assert response.json["policy"]["reveal"] == "always"  # true is the old spelling of always
    assert response.json["policy"]["phase_weights"] == {
        "forward": 1.0,
        "loss": 1.0,
        "backward": 1.0,
        "gradients": 1.0,
        "updates": 2.0,
    }
    same = client.patch(url, json={"policy": {"reveal": True}, "title": "Renamed"}, headers=auth("alice"))
    # The policy already in force: a 200 that says it stored no new version.
    assert same.json["policy_version"] == 2 and same.json["title"] == "Renamed"
    assert same.json["policy_changed"] is False
    cleared = client.patch(url, json={"max_attempts": None, "due_at": None}, headers=auth("alice"))
    assert cleared.json["max_attempts"] is None and cleared.json["policy_changed"] is False
    assert client.get(url, headers=auth("alice")).json["policy_version"] == 2


def test_the_reveal_rule_is_answered_by_its_name(client, auth, seed_set):
    url = f"{API}/exercise-sets/{seed_set['id']}"
    assert seed_set["policy"]["reveal"] == "never"
    created = client.post(
        f"{API}/exercise-sets", json={"template": "seed-classic", "policy": {"reveal": True}}, headers=auth("alice")
    )
    assert created.json["policy"]["reveal"] == "always"
    changed = client.patch(url, json={"policy": {"reveal": "after_due"}}, headers=auth("alice")).json
    assert changed["policy"]["reveal"] == "after_due" and changed["policy_version"] == 2
    refused = client.patch(url, json={"policy": {"reveal": "when_asked"}}, headers=auth("alice"))
    doc = is_problem(refused, 422)
    [error] = doc["errors"]
    assert error["pointer"] == "#/policy/reveal"
    assert all(rule in error["detail"] for rule in ("never", "always", "after_due", "after_last_attempt"))
    assert client.get(url, headers=auth("alice")).json["policy"]["reveal"] == "after_due"


def test_a_policy_stored_with_the_old_boolean_keeps_its_meaning(app, client, auth, seed_set, submit):
    from grader.service.models import PolicyVersion

    # A policy version written before reveal was a rule says true, not "always".
    with get_database(app).sessions() as session:
        exercise_set = session.get(ExerciseSet, seed_set["id"])
        old_document = {**exercise_set.policy.document, "reveal": True}
        session.add(PolicyVersion(set_id=seed_set["id"], version=2, document=old_document))
        session.commit()
    url = f"{API}/exercise-sets/{seed_set['id']}"
    assert client.get(url, headers=auth("alice")).json["policy"]["reveal"] == "always"
    assert "expected" in submit(seed_set["id"], "s1", {"z3": 0.9}).json["results"]["z3"]
    # Saying the same rule by its name is no change: no new policy version, no regrade asked for.
    same = client.patch(url, json={"policy": {"reveal": "always"}}, headers=auth("alice")).json
    assert same["policy_version"] == 2 and same["stale_grades"] == 0 and same["policy_changed"] is False


def test_template_and_seed_cannot_change(client, auth, seed_set):
    response = client.patch(
        f"{API}/exercise-sets/{seed_set['id']}", json={"seed": 1, "template": "x"}, headers=auth("alice")
    )
    doc = is_problem(response, 422, "validation-error")
    assert {e["pointer"] for e in doc["errors"]} == {"#/seed", "#/template"}
    assert "cannot be changed" in doc["errors"][0]["detail"]


def test_listing_is_paged_newest_first(client, auth):
    for n in range(3):
        client.post(
            f"{API}/exercise-sets", json={"template": "seed-classic", "title": f"set {n}"}, headers=auth("alice")
        )
    page = client.get(f"{API}/exercise-sets?page=1&page_size=2", headers=auth("alice")).json
    assert page["total"] == 3 and page["page_size"] == 2
    assert [s["title"] for s in page["items"]] == ["set 2", "set 1"]
    assert [
        s["title"] for s in client.get(f"{API}/exercise-sets?page=2&page_size=2", headers=auth("alice")).json["items"]
    ] == ["set 0"]
    is_problem(client.get(f"{API}/exercise-sets?page=0", headers=auth("alice")), 400, "malformed-request")
    is_problem(client.get(f"{API}/exercise-sets?page_size=1000", headers=auth("alice")), 400)


def test_creating_a_set_is_idempotent_with_a_key(client, auth):
    headers = {**auth("alice"), "Idempotency-Key": "create-1"}
    first = client.post(f"{API}/exercise-sets", json={"template": "seed-classic", "seed": 1}, headers=headers)
    again = client.post(f"{API}/exercise-sets", json={"template": "seed-classic", "seed": 1}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert client.get(f"{API}/exercise-sets", headers=auth("alice")).json["total"] == 1
