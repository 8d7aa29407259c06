"""Fixtures of the service tests: a seed-example set, its answers, and a way to submit."""

from __future__ import annotations

import pytest

from grader.engine import load_exercise, solve
from tests.service.helpers import API


@pytest.fixture(scope="session")
def seed_values(request) -> dict[str, float]:
    """Every asked key of the seed example with its exact value."""
    trace = solve(load_exercise(request.config.rootpath / "exercises" / "seed-classic.yaml"))
    return {k: trace.values[k] for k in trace.asked_keys()}


@pytest.fixture
def seed_set(client, auth) -> dict:
    """A set of the seed example owned by alice, at most 3 attempts."""
    response = client.post(
        f"{API}/exercise-sets", json={"template": "seed-classic", "seed": 7, "max_attempts": 3}, headers=auth("alice")
    )
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def submit(client, auth):
    """``submit(set_id, student, answers, as_="alice", **headers)`` -> the response."""

    def post(set_id: int, student: str, answers: dict, as_: str = "alice", headers: dict | None = None):
        return client.post(
            f"{API}/exercise-sets/{set_id}/students/{student}/submissions",
            json={"answers": answers},
            headers={**auth(as_), **(headers or {})},
        )

    return post


@pytest.fixture
def student_token(client, auth, seed_set) -> str:
    """The access token of student s1 of ``seed_set``."""
    response = client.post(f"{API}/exercise-sets/{seed_set['id']}/students/s1/access-token", headers=auth("alice"))
    assert response.status_code == 201
    assert response.json["token"] in response.json["url"]
    return response.json["token"]
