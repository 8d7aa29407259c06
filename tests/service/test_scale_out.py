"""Scale-out: two gunicorn servers on one PostgreSQL share no state in memory.  Concurrent
submissions go through both, and each idempotency key is sent to both at once: exactly one
submission is stored per key, every other request with that key is a replay or a 409."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from grader.service import schema
from grader.service.facade.exercise_sets import create_set
from grader.service.facade.keys import create_key
from grader.service.models import Submission
from tests.service.servers import GunicornServer

KEYS = 12
PLAIN = 24


@pytest.fixture
def shared_database(postgres_server):
    name = f"scale_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create_database(name)
    engine = create_engine(url)
    schema.upgrade(engine)
    yield url, engine
    engine.dispose()
    postgres_server.drop_database(name)


def seed_set(engine) -> tuple[str, int]:
    """An instructor key and a seed-example set, made through the facade."""
    with Session(engine) as session:
        key, secret = create_key(session, "lms", "instructor")
        created = create_set(session, key.account, {"template": "seed-classic", "seed": 1}, max_steps=20_000)
        session.commit()
        return secret, created.id


def test_two_servers_store_each_idempotent_submission_once(shared_database):
    url, engine = shared_database
    secret, set_id = seed_set(engine)
    headers = {"Authorization": f"Bearer {secret}"}
    with contextlib.ExitStack() as stack:
        pair = [GunicornServer(url), GunicornServer(url)]
        for server in pair:  # start both, then wait for both: they boot in parallel
            stack.callback(server.stop)
            server.start()
        servers = tuple(server.wait().url for server in pair)

        def post(server: str, student: str, value: float, key: str | None):
            extra = {"Idempotency-Key": key} if key else {}
            response = requests.post(
                f"{server}/api/v1/exercise-sets/{set_id}/students/{student}/submissions",
                json={"answers": {"z3": value}},
                headers={**headers, **extra},
                timeout=30,
            )
            return key, response.status_code, response.headers.get("Idempotent-Replayed"), response

        jobs = []
        barriers = {n: threading.Barrier(2) for n in range(KEYS)}

        def duplicate(n: int, server: str):
            barriers[n].wait()  # both servers get the same key at the same moment
            return post(server, f"s{n % 4}", 0.5 + n / 1000, f"key-{n}")

        with ThreadPoolExecutor(max_workers=16) as pool:
            for n in range(KEYS):
                jobs += [pool.submit(duplicate, n, servers[0]), pool.submit(duplicate, n, servers[1])]
            for n in range(PLAIN):
                jobs.append(pool.submit(post, servers[n % 2], f"p{n % 6}", 0.1 + n / 1000, None))
            results = [job.result() for job in jobs]

    assert all(status < 500 for _key, status, _replayed, _response in results)
    by_key = Counter()
    for key, status, replayed, response in results:
        if key:
            assert status in (201, 409), response.text
            if status == 409:
                assert response.json()["type"].endswith("idempotency-key-in-use")
            if status == 201 and replayed != "true":
                by_key[key] += 1
        else:
            assert status == 201, response.text
    with engine.connect() as connection:
        payloads = connection.execute(select(Submission.payload)).scalars().all()
    stored = Counter(p for p in payloads if '"z3": 0.5' in p)
    assert len(payloads) == KEYS + PLAIN
    assert len(stored) == KEYS and set(stored.values()) == {1}
    assert set(by_key.values()) <= {1}
