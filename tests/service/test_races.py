"""Races on real gunicorn processes and PostgreSQL: simultaneous policy changes of one set."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from grader.grading import Policy
from grader.service.models import PolicyVersion
from tests.service.servers import GunicornServer, seeded_database

WRITERS = 10
ROUNDS = 5
DEFAULT_RTOL = Policy().tolerance.rtol  # the policy in force when the set is made


@pytest.fixture
def served_set(postgres_server):
    """gunicorn (two workers, as many threads) on a fresh PostgreSQL database with one set."""
    name = f"races_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create_database(name)
    secret, set_id = seeded_database(url)
    engine = create_engine(url)
    try:
        with GunicornServer(url, workers=2, threads=4) as server:
            yield server, engine, {"Authorization": f"Bearer {secret}"}, set_id
    finally:
        engine.dispose()
        postgres_server.drop_database(name)


def test_ten_simultaneous_policy_changes_each_succeed_or_get_an_explained_409(served_set):
    """Every 200 names the policy version holding its change, or says it stored none because the
    policy asked for was already in force; every 409 explains itself; versions have no gaps.

    One writer of the first round asks for the policy already in force (the default rtol): if it
    goes first it stores nothing, otherwise it stores a version like anyone else (which one wins
    depends on scheduling, so the test holds for either order, as it must on a loaded machine)."""
    server, engine, headers, set_id = served_set
    url = f"{server.url}/api/v1/exercise-sets/{set_id}"
    results = []
    for round_ in range(ROUNDS):
        barrier = threading.Barrier(WRITERS)

        def change(n: int, round_=round_, barrier=barrier):
            rtol = DEFAULT_RTOL if round_ == n == 0 else round(0.02 + 0.001 * (round_ * WRITERS + n), 6)
            barrier.wait()
            return rtol, requests.patch(url, json={"policy": {"rtol": rtol}}, headers=headers, timeout=60)

        with ThreadPoolExecutor(WRITERS) as pool:
            results += list(pool.map(change, range(WRITERS)))
    statuses = Counter(response.status_code for _rtol, response in results)
    print(f"policy race: {WRITERS} writers x {ROUNDS} rounds: {dict(statuses)}")
    assert set(statuses) <= {200, 409}, [r.text for _, r in results if r.status_code not in (200, 409)][:2]
    for _rtol, response in results:
        if response.status_code == 409:
            doc = response.json()
            assert doc["type"] == "/api/v1/problems/policy-conflict" and "changed" in doc["detail"]
    with Session(engine) as session:
        versions = dict(
            session.execute(
                select(PolicyVersion.version, PolicyVersion.document).where(PolicyVersion.set_id == set_id)
            ).all()
        )
    assert sorted(versions) == list(range(1, len(versions) + 1))  # no gaps, no duplicates
    assert versions[1]["rtol"] == DEFAULT_RTOL
    answers = [(rtol, response.json()) for rtol, response in results if response.status_code == 200]
    for rtol, body in answers:
        # Each 200 shows the version holding the change it asked for: its own, or (stored
        # nothing) the one already in force, which only the writer asking for the default can meet.
        assert body["policy"]["rtol"] == rtol == versions[body["policy_version"]]["rtol"], body
        assert body["policy_changed"] or (rtol == DEFAULT_RTOL and body["policy_version"] == 1), body
    stored = [body["policy_version"] for _, body in answers if body["policy_changed"]]
    assert sorted(stored) == list(range(2, len(versions) + 1))  # every new version is one success's
