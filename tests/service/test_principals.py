"""One rule for which sets a caller sees, in SQL: checked against the access rule written out by
hand, for a known principal (bound parameters) and for a caller found from its credential in
the same query (the credential's columns), on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grader.service.database import get_database
from grader.service.facade.principals import (
    SEES_SET,
    Principal,
    key_holder_sees_set,
    resolve,
    token_holder_sees_set,
)
from grader.service.models import AccessToken, Account, Assignment, ExerciseSet
from tests.service.helpers import API


@pytest.fixture
def two_sets(client, auth) -> dict[str, int]:
    """Set ids by owner: one of alice's, one of bob's; s1 has an assignment in alice's."""
    ids = {}
    for owner in ("alice", "bob"):
        response = client.post(f"{API}/exercise-sets", json={"template": "seed-classic"}, headers=auth(owner))
        assert response.status_code == 201, response.json
        ids[owner] = response.json["id"]
    return ids


@pytest.fixture
def callers(client, auth, keys, two_sets) -> dict[str, str]:
    """Credentials by caller: the three API keys and the token of s1 in alice's set."""
    path = f"{API}/exercise-sets/{two_sets['alice']}/students/s1/access-token"
    token = client.post(path, headers=auth("alice")).json["token"]
    return {**keys, "student of alice's set": token}


# The access rule, written out by hand: who sees which set.
EXPECTED = {
    "admin": {"alice", "bob"},
    "alice": {"alice"},
    "bob": {"bob"},
    "student of alice's set": {"alice"},
}


def test_a_known_principal_sees_the_sets_the_rule_says(app, two_sets, callers):
    with get_database(app).sessions() as session:
        for name, secret in callers.items():
            principal = resolve(session, secret)
            seen = set(session.scalars(select(ExerciseSet.id).where(SEES_SET), principal.visibility()))
            assert seen == {two_sets[owner] for owner in EXPECTED[name]}, name


def test_the_credential_joined_forms_agree_with_the_rule(app, two_sets, callers):
    with get_database(app).sessions() as session:
        by_key = session.execute(
            select(Account.name, ExerciseSet.id).join(ExerciseSet, key_holder_sees_set(ExerciseSet, Account))
        ).all()
        by_token = session.execute(
            select(Assignment.student_id, ExerciseSet.id)
            .join(AccessToken, AccessToken.assignment_id == Assignment.id)
            .join(ExerciseSet, token_holder_sees_set(ExerciseSet, Assignment))
        ).all()
    seen: dict[str, set[int]] = {}
    for name, set_id in by_key:
        seen.setdefault(name, set()).add(set_id)
    for student, set_id in by_token:
        seen.setdefault("student of alice's set" if student == "s1" else student, set()).add(set_id)
    assert seen == {name: {two_sets[owner] for owner in owners} for name, owners in EXPECTED.items()}


def test_a_principal_without_an_account_or_assignment_sees_nothing(app, two_sets):
    with get_database(app).sessions() as session:
        assert session.scalars(select(ExerciseSet.id).where(SEES_SET), Principal().visibility()).all() == []
