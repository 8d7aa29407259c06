"""Rate limits (grader.service.rate_limits): failed credentials per client address, expensive calls
per caller; 429 with a true Retry-After; counted in the database, so they hold across processes."""

from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from grader.service import schema
from grader.service.rate_limits import DEFAULT_LIMITS
from tests.pages.helpers import csrf_token
from tests.service.helpers import API, is_problem
from tests.service.servers import GunicornServer

CREDENTIAL_LIMIT = int(DEFAULT_LIMITS["credentials"].split("/")[0])
SIGNIN_LIMIT = int(DEFAULT_LIMITS["signin"].split("/")[0])


def test_unknown_api_keys_are_refused_429_after_the_limit_but_a_good_key_still_works(client, auth):
    bad = {"Authorization": "Bearer bpg_" + "x" * 43}
    for _ in range(CREDENTIAL_LIMIT):
        is_problem(client.get(f"{API}/exercise-sets", headers=bad), 401, "unauthorized")
    response = client.get(f"{API}/exercise-sets", headers=bad)
    doc = is_problem(response, 429, "too-many-requests")
    assert "failed credentials" in doc["detail"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # Only failures count: the same address with a valid key is served.
    assert client.get(f"{API}/exercise-sets", headers=auth("alice")).status_code == 200


def test_unknown_student_links_are_refused_429_after_the_limit(client):
    for n in range(CREDENTIAL_LIMIT):
        assert client.get(f"/student/bps_unknown{n}").status_code == 404
    page = client.get("/student/bps_unknown-again")
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)


def test_failed_sign_ins_are_refused_429_after_the_limit(client, keys):
    for _ in range(SIGNIN_LIMIT):
        assert client.post("/signin", data={"key": "bpg_wrong", "csrf_token": csrf_token(client)}).status_code == 422
    response = client.post("/signin", data={"key": keys["alice"], "csrf_token": csrf_token(client)})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_expensive_calls_are_limited_per_caller(app, client, auth, seed_exercise):
    app.config["RATE_LIMITS"]["solve"] = "3/minute"
    body = {"exercise": seed_exercise.to_mapping()}
    for _ in range(3):
        assert client.post(f"{API}/solve", json=body, headers=auth("alice")).status_code == 200
    response = client.post(f"{API}/solve", json=body, headers=auth("alice"))
    is_problem(response, 429, "too-many-requests")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Limit"] == "3"
    # Another caller has its own budget.
    assert client.post(f"{API}/solve", json=body, headers=auth("bob")).status_code == 200


def test_the_limit_holds_across_processes(postgres_server):
    """Two gunicorn servers (two workers each) on one database share the failure count."""
    name = f"limits_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create_database(name)
    engine = create_engine(url)
    schema.upgrade(engine)
    bad = {"Authorization": "Bearer bpg_" + "y" * 43}
    try:
        with GunicornServer(url) as first, GunicornServer(url) as second:
            statuses = [
                requests.get(f"{server.url}{API}/exercise-sets", headers=bad, timeout=30).status_code
                for _ in range(CREDENTIAL_LIMIT // 2 + 1)
                for server in (first, second)
            ]
    finally:
        with Session(engine) as session:
            from grader.service.models import RateLimitCounter

            counters = session.query(RateLimitCounter).count()
        engine.dispose()
        postgres_server.drop_database(name)
    assert statuses[:CREDENTIAL_LIMIT] == [401] * CREDENTIAL_LIMIT
    assert statuses[CREDENTIAL_LIMIT:] == [429] * (len(statuses) - CREDENTIAL_LIMIT)
    assert counters == 2  # one per window of "30/minute;300/hour", for this address
