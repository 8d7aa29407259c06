"""The connection pool fits the threads: a 16-thread gunicorn worker never waits for a pooled
connection, so 32 simultaneous exports do not hear "database unavailable" while PostgreSQL is
fine, even when every export has to wait in PostgreSQL (here: behind a table lock)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import create_engine, text

from grader.service import create_app
from grader.service.database import get_database
from tests.service.servers import GunicornServer, seeded_database

THREADS = 16
EXPORTS = 32
LOCKED = 3.0  # longer than the server's pool timeout (GRADER_DB_CONNECT_TIMEOUT=2)


def test_the_pool_holds_a_connection_for_every_thread(service_env, postgres_server):
    service_env.setenv("GRADER_THREADS", str(THREADS))
    app = create_app({"DATABASE_URL": postgres_server.url("postgres"), "DB_POOL_SIZE": 5})
    pool = get_database(app).engine.pool
    assert pool.size() >= THREADS


def test_32_simultaneous_exports_on_16_threads_wait_for_postgresql_not_for_the_pool(postgres_server):
    name = f"pool_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create_database(name)
    secret, set_id = seeded_database(url)
    engine = create_engine(url)
    headers = {"Authorization": f"Bearer {secret}"}
    try:
        with GunicornServer(url, workers=1, threads=THREADS) as server:
            export = f"{server.url}/api/v1/exercise-sets/{set_id}/gradebook?format=csv"
            assert requests.get(export, headers=headers, timeout=60).status_code == 200
            locked = threading.Event()

            def hold_the_lock():
                # Another transaction (a long regrade, a migration) holds the export's tables.
                with engine.begin() as connection:
                    connection.execute(text("LOCK TABLE assignments IN ACCESS EXCLUSIVE MODE"))
                    locked.set()
                    time.sleep(LOCKED)

            holder = threading.Thread(target=hold_the_lock)
            holder.start()
            locked.wait(10)
            with ThreadPoolExecutor(EXPORTS) as pool:
                statuses = list(pool.map(lambda _: requests.get(export, headers=headers, timeout=60), range(EXPORTS)))
            holder.join()
    finally:
        engine.dispose()
        postgres_server.drop_database(name)
    failed = [r.text for r in statuses if r.status_code != 200]
    assert Counter(r.status_code for r in statuses) == {200: EXPORTS}, failed[:2]
