"""Memory does not grow with the course: the CSV export of ten times the students, from the same
real gunicorn worker on PostgreSQL, reaches the same peak RSS (within 30 MiB).

Before the gradebook was built in SQL, every attempt's grade was loaded into the worker: 5,000
students with 10 attempts took it to 936 MiB.  The course here (2,000 students, 3 attempts each)
would have cost it on the order of 100 MiB.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import create_engine

from grader.service import schema
from grader.service.facade.keys import create_key
from tests.service.courses import build_course
from tests.service.servers import GunicornServer, only_worker, peak_rss_mib

SMALL, LARGE, ATTEMPTS = 200, 2000, 3
ALLOWED_GROWTH_MIB = 30


@pytest.fixture
def courses(postgres_server):
    name = f"flat_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create_database(name)
    engine = create_engine(url)
    schema.upgrade(engine)
    small = build_course(engine, SMALL, ATTEMPTS, template="seed-classic", processes=1, prefix="a", one_grade=True)
    large = build_course(engine, LARGE, ATTEMPTS, template="seed-classic", processes=1, prefix="b", one_grade=True)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        _key, secret = create_key(session, "exporter", "admin")
    yield url, small, large, secret
    engine.dispose()
    postgres_server.drop_database(name)


def test_ten_times_the_students_same_peak_memory(courses):
    url, small, large, secret = courses
    headers = {"Authorization": f"Bearer {secret}"}
    with GunicornServer(url, workers=1, threads=1) as server:
        worker = only_worker(server)

        def export(set_id: int) -> list[str]:
            response = requests.get(
                f"{server.url}/api/v1/exercise-sets/{set_id}/gradebook?format=csv", headers=headers, timeout=60
            )
            assert response.status_code == 200, response.text[:500]
            return response.text.splitlines()

        assert len(export(small)) == SMALL + 1  # warms the worker up: imports, caches, pool
        export(small)
        after_small = peak_rss_mib(worker)
        lines = export(large)
        after_large = peak_rss_mib(worker)
    assert len(lines) == LARGE + 1 and lines[1].startswith("b000000,3,")
    assert after_large - after_small < ALLOWED_GROWTH_MIB, (after_small, after_large)
