"""Outage: PostgreSQL stops under load.  The API answers 503 problem+json (never 500) while it is
down, recovers by itself once it is back, and every submission acknowledged with a 201 is stored.

The server gets a PostgreSQL cluster of its own here, so stopping it disturbs no other test.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from grader.service import schema
from grader.service.facade.exercise_sets import create_set
from grader.service.facade.keys import create_key
from grader.service.models import Submission
from tests.conftest import running_postgres
from tests.service.servers import GunicornServer

CLIENTS = 6


@pytest.fixture
def own_postgres():
    """A server of this test's own, since the test stops and restarts it."""
    yield from running_postgres()


def test_outage_is_503_then_recovers_and_loses_nothing_acknowledged(own_postgres):
    url = own_postgres.create_database("outage")
    engine = create_engine(url)
    schema.upgrade(engine)
    with Session(engine) as session:
        key, secret = create_key(session, "lms", "instructor")
        set_id = create_set(session, key.account, {"template": "seed-classic"}, max_steps=20_000).id
        session.commit()
    engine.dispose()

    acknowledged: list[float] = []
    statuses: Counter = Counter()
    bad: list[str] = []
    phase = {"name": "before"}
    after_restart: Counter = Counter()
    stop = threading.Event()

    with GunicornServer(url) as server:

        def client(n: int):
            sent = 0
            while not stop.is_set():
                value = round(n + sent / 100_000, 6)
                sent += 1
                try:
                    response = requests.post(
                        f"{server.url}/api/v1/exercise-sets/{set_id}/students/c{n}/submissions",
                        json={"answers": {"z3": value}},
                        headers={"Authorization": f"Bearer {secret}"},
                        timeout=20,
                    )
                except requests.RequestException as error:
                    bad.append(f"no response: {error}")
                    continue
                statuses[response.status_code] += 1
                if phase["name"] == "after":
                    after_restart[response.status_code] += 1
                if response.status_code == 201:
                    acknowledged.append(value)
                elif response.status_code == 503:
                    if response.headers["Content-Type"] != "application/problem+json" or "Retry-After" not in (
                        response.headers
                    ):
                        bad.append(f"503 without problem+json or Retry-After: {response.headers}")
                else:
                    bad.append(f"{response.status_code}: {response.text[:200]}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        own_postgres.stop("immediate")
        phase["name"] = "down"
        time.sleep(2.0)
        own_postgres.start()
        phase["name"] = "after"
        deadline = time.monotonic() + 60  # ends as soon as 10 got through; a loaded machine is slow
        while after_restart[201] < 10 and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join()

    assert not bad, bad[:5]
    assert statuses[500] == 0 and statuses[503] > 0
    assert after_restart[201] >= 10, f"did not recover: {after_restart}"
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = {float(p.split(":")[-1].strip(" }")) for p in connection.execute(select(Submission.payload)).scalars()}
    engine.dispose()
    missing = [v for v in acknowledged if v not in stored]
    assert not missing, f"{len(missing)} acknowledged submissions lost"
