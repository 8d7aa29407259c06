"""The access rule of every endpoint in the OpenAPI document, for every kind of caller.

Callers: nobody, student s1's token (on s1's own paths), student s2's token (on s1's paths),
bob (an instructor who does not own the set), alice (who owns it) and an admin.  The table must
name every operation of the document, so a new endpoint cannot ship without its rule.
"""

from __future__ import annotations

import pytest

from tests.service.helpers import API

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CALLERS = ("nobody", "student", "other_student", "bob", "alice", "admin")
OPEN = dict.fromkeys(CALLERS, 200)
STAFF = {"nobody": 401, "student": 403, "other_student": 403, "bob": 200, "alice": 200, "admin": 200}
OWNER = {"nobody": 401, "student": 403, "other_student": 403, "bob": 404, "alice": 200, "admin": 200}
STUDENT_OWN = {"nobody": 401, "student": 200, "other_student": 403, "bob": 404, "alice": 200, "admin": 200}
CATALOGUE = {"nobody": 401, "student": 200, "other_student": 200, "bob": 200, "alice": 200, "admin": 200}

RULES = {
    ("get", "/health"): OPEN,
    ("get", "/ready"): OPEN,
    ("get", "/problems/{slug}"): OPEN,
    ("get", "/templates"): CATALOGUE,
    ("get", "/templates/{name}"): CATALOGUE,
    ("post", "/solve"): STAFF,
    ("post", "/exercise-sets"): STAFF | {"bob": 201, "alice": 201, "admin": 201},
    ("get", "/exercise-sets"): STAFF,
    ("get", "/exercise-sets/{set_id}"): OWNER,
    ("patch", "/exercise-sets/{set_id}"): OWNER,
    ("post", "/exercise-sets/{set_id}/regrade"): OWNER,
    ("get", "/exercise-sets/{set_id}/students"): OWNER,
    ("get", "/exercise-sets/{set_id}/gradebook"): OWNER,
    ("get", "/exercise-sets/{set_id}/analytics"): OWNER,
    ("get", "/exercise-sets/{set_id}/students/{student_id}/answer-key"): OWNER,
    ("post", "/exercise-sets/{set_id}/students/{student_id}/access-token"): OWNER | {"alice": 201, "admin": 201},
    ("delete", "/exercise-sets/{set_id}/students/{student_id}/access-token"): OWNER,
    ("get", "/exercise-sets/{set_id}/students/{student_id}/exercise"): STUDENT_OWN,
    ("post", "/exercise-sets/{set_id}/students/{student_id}/submissions"): STUDENT_OWN
    | {"student": 201, "alice": 201, "admin": 201},
    ("get", "/exercise-sets/{set_id}/students/{student_id}/submissions"): STUDENT_OWN,
    ("get", "/exercise-sets/{set_id}/students/{student_id}/submissions/{attempt}"): STUDENT_OWN,
}


def body(method: str, path: str, seed_exercise) -> dict | None:
    return {
        ("post", "/solve"): {"exercise": seed_exercise.to_mapping()},
        ("post", "/exercise-sets"): {"template": "seed-classic", "seed": 1},
        ("patch", "/exercise-sets/{set_id}"): {"max_attempts": 5},
        ("post", "/exercise-sets/{set_id}/students/{student_id}/submissions"): {"answers": {"z3": 0.755}},
    }.get((method, path))


def test_the_table_names_every_operation_of_the_document(client):
    spec = client.get(f"{API}/openapi.json").json
    documented = {
        (method, path.removeprefix(API))
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented == set(RULES)


@pytest.mark.parametrize(("method", "path"), sorted(RULES), ids=lambda v: v if isinstance(v, str) else None)
@pytest.mark.parametrize("caller", CALLERS)
def test_access_rule(client, auth, seed_set, submit, seed_exercise, method, path, caller):
    set_id = seed_set["id"]
    tokens = {}
    for student in ("s1", "s2"):
        response = client.post(f"{API}/exercise-sets/{set_id}/students/{student}/access-token", headers=auth("alice"))
        tokens[student] = response.json["token"]
    assert submit(set_id, "s1", {"z3": 0.7}).status_code == 201  # attempt 1 exists
    students = {
        "nobody": {},
        "student": {"Authorization": f"Bearer {tokens['s1']}"},
        "other_student": {"Authorization": f"Bearer {tokens['s2']}"},
    }
    headers = students[caller] if caller in students else auth(caller)
    url = API + (
        path.replace("{set_id}", str(set_id))
        .replace("{student_id}", "s1")
        .replace("{attempt}", "1")
        .replace("{name}", "seed-classic")
        .replace("{slug}", "forbidden")
    )
    response = client.open(url, method=method.upper(), json=body(method, path, seed_exercise), headers=headers)
    assert response.status_code == RULES[(method, path)][caller], response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
