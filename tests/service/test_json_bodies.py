"""Request bodies are strict JSON: NaN, Infinity, 1e999, lone surrogates, NUL and non-JSON are refused."""

from __future__ import annotations

import pytest

from tests.service.helpers import API, is_problem

# Request handling does not depend on the database: SQLite is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize(
    "body",
    [
        b'{"answers": {"z3": NaN}}',
        b'{"answers": {"z3": Infinity}}',
        b'{"answers": {"z3": -Infinity}}',
        b'{"answers": {"z3": 1e999}}',
        b'{"answers": {"z3": 1' + b"0" * 400 + b"}}",
        b'{"answers": {"z3": 0.7',
        b'{"answers": {"z3": "\\ud800"}}',
        b'{"answers": {"z\\u0000": 1}}',
        b"\xff\xfe{}",
        b"[" * 100 + b"]" * 100,
        b'{"answers": {"z3": ' + b"9" * 5000 + b"}}",
        b"",
    ],
)
def test_malformed_bodies_are_400_and_change_nothing(client, auth, seed_set, body):
    url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
    response = client.post(url, data=body, content_type="application/json", headers=auth("alice"))
    is_problem(response, 400, "malformed-request")
    assert client.get(url, headers=auth("alice")).json["total"] == 0


def test_a_body_that_is_not_json_is_415(client, auth, seed_set):
    url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
    response = client.post(
        url, data="answers=1", content_type="application/x-www-form-urlencoded", headers=auth("alice")
    )
    is_problem(response, 415, "unsupported-media-type")


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"answers": {"z3": True}}, "#/answers/z3"),
        ({"answers": {"z3": [0.7]}}, "#/answers/z3"),
        ({"answers": {"z3": None}}, "#/answers/z3"),
        ({"answers": {"z3": "x" * 65}}, "#/answers/z3"),
        ({"answers": [1, 2]}, "#/answers"),
        ({"answers": {}, "extra": 1}, "#/extra"),
        ({}, "#/answers"),
    ],
)
def test_wrong_types_are_422_with_a_pointer(client, auth, seed_set, body, pointer):
    url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
    doc = is_problem(client.post(url, json=body, headers=auth("alice")), 422, "validation-error")
    assert pointer in {e["pointer"] for e in doc["errors"]}
    assert client.get(url, headers=auth("alice")).json["total"] == 0


def test_a_json_array_body_is_422(client, auth):
    doc = is_problem(client.post(f"{API}/solve", json=[1, 2], headers=auth("alice")), 422)
    assert doc["errors"][0]["pointer"] == "#"
