"""Races on real gunicorn processes and PostgreSQL: simultaneous policy changes of one set, and a
locked Idempotency-Key's Retry-After."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from grader.service.models import PolicyVersion
from tests.service.servers import GunicornServer, seeded_database

WRITERS = 10
ROUNDS = 5


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
    server, engine, headers, set_id = served_set
    url = f"{server.url}/api/v1/exercise-sets/{set_id}"
    results = []
    for round_ in range(ROUNDS):
        barrier = threading.Barrier(WRITERS)

        def change(n: int, round_=round_, barrier=barrier):
            rtol = round(0.02 + 0.001 * (1 + round_ * WRITERS + n), 6)  # never the default 0.01
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
        versions = session.execute(
            select(PolicyVersion.version, PolicyVersion.document).where(PolicyVersion.set_id == set_id)
        ).all()
    numbers = sorted(v for v, _ in versions)
    assert numbers == list(range(1, len(numbers) + 1))  # no gaps, no duplicates
    assert len(numbers) == 1 + statuses[200]  # every success is one version ...
    stored = {document["rtol"] for _, document in versions}
    assert {rtol for rtol, r in results if r.status_code == 200} <= stored  # ... holding the change it asked for
