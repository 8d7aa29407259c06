"""Access: API keys with roles, stored hashed and revocable; instructors see their own sets; student
tokens open one assignment only."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from grader.service.database import get_database
from grader.service.facade.keys import KeyRequestError, create_key, revoke_key
from grader.service.models import AccessToken, ApiKey
from tests.service.helpers import API, is_problem


def test_keys_are_stored_as_sha256_only(app, keys):
    with get_database(app).sessions() as session:
        stored = session.execute(select(ApiKey)).scalars().all()
    hashes = {k.secret_hash for k in stored}
    for secret in keys.values():
        assert secret.startswith("bpg_") and len(secret) > 40
        assert hashlib.sha256(secret.encode()).hexdigest() in hashes
        assert all(secret not in (k.secret_hash, k.prefix) for k in stored)


def test_a_revoked_key_is_refused(app, client, keys, auth):
    assert client.get(f"{API}/templates", headers=auth("alice")).status_code == 200
    with get_database(app).sessions() as session:
        revoke_key(session, keys["alice"][:12])
    response = client.get(f"{API}/templates", headers=auth("alice"))
    is_problem(response, 401, "unauthorized")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_new_key_under_the_same_name_keeps_the_account_and_its_sets(app, client, keys, auth, seed_set):
    with get_database(app).sessions() as session:
        _key, rotated = create_key(session, "alice", "instructor")
        revoke_key(session, keys["alice"][:12])
    response = client.get(f"{API}/exercise-sets/{seed_set['id']}", headers={"Authorization": f"Bearer {rotated}"})
    assert response.status_code == 200


def test_an_account_keeps_its_role(app, keys):
    with get_database(app).sessions() as session, pytest.raises(KeyRequestError, match="role"):
        create_key(session, "alice", "admin")


@pytest.mark.parametrize("header", ["", "Basic abc", "Bearer ", "Bearer bpg_nope", "Bearer bps_nope", "Bearer x"])
def test_bad_credentials_are_401(client, header):
    headers = {"Authorization": header} if header else {}
    is_problem(client.get(f"{API}/templates", headers=headers), 401, "unauthorized")


def test_instructors_see_only_their_own_sets(client, auth, seed_set):
    set_id = seed_set["id"]
    assert client.get(f"{API}/exercise-sets/{set_id}", headers=auth("alice")).status_code == 200
    assert client.get(f"{API}/exercise-sets/{set_id}", headers=auth("admin")).status_code == 200
    is_problem(client.get(f"{API}/exercise-sets/{set_id}", headers=auth("bob")), 404, "not-found")
    assert client.get(f"{API}/exercise-sets", headers=auth("bob")).json["total"] == 0
    assert client.get(f"{API}/exercise-sets", headers=auth("admin")).json["total"] == 1
    for path in ("gradebook", "analytics", "students", "students/s1/exercise", "students/s1/answer-key"):
        is_problem(client.get(f"{API}/exercise-sets/{set_id}/{path}", headers=auth("bob")), 404)
    is_problem(client.patch(f"{API}/exercise-sets/{set_id}", json={"title": "x"}, headers=auth("bob")), 404)
    is_problem(client.post(f"{API}/exercise-sets/{set_id}/regrade", headers=auth("bob")), 404)


def test_token_is_stored_hashed(app, student_token):
    with get_database(app).sessions() as session:
        stored = session.execute(select(AccessToken)).scalar_one()
    assert stored.secret_hash == hashlib.sha256(student_token.encode()).hexdigest()


def test_a_student_token_opens_its_own_exercise_and_submissions_only(client, seed_set, student_token, seed_values):
    own = f"{API}/exercise-sets/{seed_set['id']}/students/s1"
    mine = {"Authorization": f"Bearer {student_token}"}
    assert client.get(f"{own}/exercise", headers=mine).status_code == 200
    assert client.post(f"{own}/submissions", json={"answers": {"z3": 0.755}}, headers=mine).status_code == 201
    assert client.get(f"{own}/submissions", headers=mine).json["total"] == 1
    assert client.get(f"{own}/submissions/1", headers=mine).status_code == 200
    other = f"{API}/exercise-sets/{seed_set['id']}/students/s2"
    is_problem(client.get(f"{other}/exercise", headers=mine), 403, "forbidden")
    is_problem(client.post(f"{other}/submissions", json={"answers": {}}, headers=mine), 403)
    is_problem(client.get(f"{API}/exercise-sets/999/students/s1/exercise", headers=mine), 403)
    for staff_only in (
        f"{own}/answer-key",
        f"{API}/exercise-sets/{seed_set['id']}/gradebook",
        f"{API}/exercise-sets/{seed_set['id']}",
        f"{API}/exercise-sets",
    ):
        is_problem(client.get(staff_only, headers=mine), 403, "forbidden")
    is_problem(client.post(f"{own}/access-token", headers=mine), 403)
    is_problem(client.post(f"{API}/solve", json={"exercise": {}}, headers=mine), 403)


def test_revoked_student_tokens_are_refused(client, auth, seed_set, student_token):
    own = f"{API}/exercise-sets/{seed_set['id']}/students/s1"
    response = client.delete(f"{own}/access-token", headers=auth("alice"))
    assert response.json == {"revoked": 1}
    is_problem(client.get(f"{own}/exercise", headers={"Authorization": f"Bearer {student_token}"}), 401)


@pytest.mark.parametrize("student", ["", "-lead", "a" * 129, "a ", "a%2Fb", "é", "a;b", "a'--"])
def test_bad_student_ids_are_400(client, auth, seed_set, student):
    response = client.get(f"{API}/exercise-sets/{seed_set['id']}/students/{student}/exercise", headers=auth("alice"))
    if student in ("", "a%2Fb"):  # no student segment, or one that decodes to two segments
        is_problem(response, 404)
        return
    doc = is_problem(response, 400, "malformed-request")
    assert doc["errors"][0]["parameter"] == "student_id"


@pytest.mark.parametrize("student", ["s001", "alice@example.edu", "lti:123+abc", "A.b_c-9", "x" * 128, "Li Ming"])
def test_lms_student_ids_are_accepted(client, auth, seed_set, student):
    response = client.get(f"{API}/exercise-sets/{seed_set['id']}/students/{student}/exercise", headers=auth("alice"))
    assert response.status_code == 200
    assert response.json["student_id"] == student


@pytest.mark.parametrize("set_id", ["0", "abc", "-1", "99999999999999999999", "2147483648"])
def test_bad_set_ids_are_404(client, auth, set_id):
    is_problem(client.get(f"{API}/exercise-sets/{set_id}", headers=auth("alice")), 404)
