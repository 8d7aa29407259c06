"""The submission path's one-query lookup: it answers exactly when the general path would let the
caller submit to an existing assignment, and then with the same target."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grader.service.database import get_database
from grader.service.facade.assignments import locate
from grader.service.facade.keys import revoke_key
from grader.service.facade.principals import resolve
from grader.service.facade.targets import Target, find_target
from grader.service.models import Assignment
from tests.service.helpers import API


@pytest.fixture
def assigned(client, auth, seed_set) -> int:
    """Student s1 of ``seed_set`` has an assignment (made by reading the exercise)."""
    response = client.get(f"{API}/exercise-sets/{seed_set['id']}/students/s1/exercise", headers=auth("alice"))
    assert response.status_code == 200
    return seed_set["id"]


def general_target(session, secret: str, set_id: int, student_id: str) -> Target:
    principal = resolve(session, secret)
    exercise_set, assignment = locate(session, principal, set_id, student_id)
    return Target.of(principal, exercise_set, assignment)


def same(fast: Target, general: Target) -> None:
    for field in Target.__dataclass_fields__:
        if field not in ("trace", "lti_enrolled"):
            assert getattr(fast, field) == getattr(general, field), field
    # The lean query also knows whether the student came through LTI (none of these did); the
    # general path leaves that to the submission to look up.
    assert fast.lti_enrolled is False and general.lti_enrolled is None
    assert fast.trace.values == general.trace.values
    assert fast.trace.asked_keys() == general.trace.asked_keys()


@pytest.mark.parametrize("who", ["alice", "admin"])
def test_staff_get_the_same_target_as_the_general_path(app, keys, assigned, who):
    with get_database(app).sessions() as session:
        fast = find_target(session, keys[who], assigned, "s1")
        same(fast, general_target(session, keys[who], assigned, "s1"))
        assignment_id = session.scalar(select(Assignment.id).where(Assignment.student_id == "s1"))
    assert fast.scope.startswith("account:")
    assert (fast.set_id, fast.student_id, fast.assignment_id) == (assigned, "s1", assignment_id)
    assert (fast.policy_version, fast.max_attempts, fast.due_at) == (1, 3, None)


def test_a_student_token_gets_its_own_target(app, student_token, seed_set):
    with get_database(app).sessions() as session:
        fast = find_target(session, student_token, seed_set["id"], "s1")
        same(fast, general_target(session, student_token, seed_set["id"], "s1"))
    assert fast.scope == f"student:{fast.assignment_id}"


def test_the_current_policy_is_the_latest_version(app, client, auth, keys, assigned):
    changes = {"policy": {"rtol": 0.05, "follow_through": False}, "due_at": "2099-01-01T00:00:00Z"}
    response = client.patch(f"{API}/exercise-sets/{assigned}", json=changes, headers=auth("alice"))
    assert response.status_code == 200, response.json
    with get_database(app).sessions() as session:
        fast = find_target(session, keys["alice"], assigned, "s1")
        same(fast, general_target(session, keys["alice"], assigned, "s1"))
    assert fast.policy_version == 2
    assert fast.policy.tolerance.rtol == 0.05 and not fast.policy.follow_through
    assert fast.due_at.year == 2099 and fast.due_at.utcoffset().total_seconds() == 0


def test_anything_but_a_caller_with_an_assignment_goes_the_general_way(app, client, auth, keys, assigned):
    other = client.post(f"{API}/exercise-sets/{assigned}/students/s1/access-token", headers=auth("alice")).json
    with get_database(app).sessions() as session:
        assert find_target(session, keys["bob"], assigned, "s1") is None  # another instructor's set
        assert find_target(session, keys["alice"], assigned, "s2") is None  # no assignment yet
        assert find_target(session, keys["alice"], assigned + 1, "s1") is None  # no such set
        assert find_target(session, other["token"], assigned, "s2") is None  # another student
        assert find_target(session, "bpg_" + "0" * 40, assigned, "s1") is None  # unknown key
        assert find_target(session, "Basic x", assigned, "s1") is None  # not a credential
        revoke_key(session, keys["alice"][:12])
        assert find_target(session, keys["alice"], assigned, "s1") is None
        assert find_target(session, keys["admin"], assigned, "s1") is not None


def test_a_revoked_student_token_finds_nothing(app, client, auth, student_token, seed_set):
    path = f"{API}/exercise-sets/{seed_set['id']}/students/s1/access-token"
    assert client.delete(path, headers=auth("alice")).status_code in (200, 204)
    with get_database(app).sessions() as session:
        assert find_target(session, student_token, seed_set["id"], "s1") is None


def test_both_paths_store_and_answer_alike(app, client, auth, seed_set, submit, seed_values):
    first = submit(seed_set["id"], "s9", seed_values)  # makes the assignment: the general path
    second = submit(seed_set["id"], "s9", seed_values)  # the one-query path
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.headers["Location"].endswith("/students/s9/submissions/1")
    assert second.headers["Location"].endswith("/students/s9/submissions/2")
    assert (first.json["attempts_left"], second.json["attempts_left"]) == (2, 1)
    drop = ("attempt", "submitted_at", "attempts_left")
    assert {k: v for k, v in first.json.items() if k not in drop} == {
        k: v for k, v in second.json.items() if k not in drop
    }
    history = client.get(f"{API}/exercise-sets/{seed_set['id']}/students/s9/submissions", headers=auth("alice"))
    assert [s["score"] for s in history.json["items"]] == [first.json["score"], second.json["score"]]


def test_a_submission_to_an_existing_assignment_takes_one_query_and_one_write(app, seed_set, submit, seed_values):
    from sqlalchemy import event

    assert submit(seed_set["id"], "s1", seed_values).status_code == 201  # makes the assignment
    engine = get_database(app).engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert submit(seed_set["id"], "s1", seed_values).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # PostgreSQL stores the submission and its grade in one statement; SQLite takes two.
    expected = ["SELECT", "WITH"] if engine.dialect.name == "postgresql" else ["SELECT", "INSERT", "INSERT"]
    assert statements == expected
