"""Housekeeping happens by itself: after a response, at most once per interval per process, the
service deletes expired Idempotency-Key records and ended rate-limit windows; no cron needed."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from grader.service import housekeeping
from grader.service.database import get_database
from grader.service.models import IdempotencyRecord, RateLimitCounter, utcnow
from tests.service.helpers import API


def seed_records(app) -> None:
    with get_database(app).sessions() as session:
        for key, age in {"fresh": timedelta(hours=23), "stale": timedelta(hours=25)}.items():
            record = IdempotencyRecord(scope="account:1", key=key, fingerprint="f", state="completed")
            record.created_at = record.locked_at = utcnow() - age
            session.add(record)
        session.add(RateLimitCounter(key="ended", hits=3, expires_at=time.time() - 1))
        session.add(RateLimitCounter(key="running", hits=3, expires_at=time.time() + 60))
        session.commit()


def left(app) -> tuple[list[str], list[str]]:
    with get_database(app).sessions() as session:
        return (
            session.scalars(select(IdempotencyRecord.key)).all(),
            session.scalars(select(RateLimitCounter.key)).all(),
        )


def test_a_request_prunes_what_has_expired_after_its_response(app, client):
    housekeeping._last_pruned.clear()
    seed_records(app)
    response = client.get(f"{API}/health")
    assert response.status_code == 200
    response.close()  # the server closes the response once it is sent; pruning runs then
    assert left(app) == (["fresh"], ["running"])


def test_at_most_once_per_interval(app, client):
    housekeeping._last_pruned.clear()
    client.get(f"{API}/health").close()  # prunes (nothing yet) and starts the interval
    seed_records(app)
    client.get(f"{API}/health").close()
    assert sorted(left(app)[0]) == ["fresh", "stale"]  # not yet: within PRUNE_INTERVAL
    app.config["PRUNE_INTERVAL"] = 0
    client.get(f"{API}/health").close()
    assert left(app) == (["fresh"], ["running"])


def test_ended_and_expired_page_sessions_are_pruned_and_open_ones_kept(app, keys):
    from grader.service.facade.signin import end_session, key_for_secret, start_session
    from grader.service.models import PageSession

    with get_database(app).sessions() as session:
        key = key_for_secret(session, keys["alice"])
        secrets = {name: start_session(session, key) for name in ("open", "ended", "idle", "old")}
        end_session(session, secrets["ended"])
        rows = {row.id: row for row in session.query(PageSession)}
        ids = dict(zip(secrets, sorted(rows), strict=True))
        rows[ids["idle"]].last_seen_at -= timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1)
        rows[ids["old"]].created_at -= timedelta(hours=app.config["SESSION_HOURS"], seconds=1)
        session.commit()
    assert housekeeping.prune(app)["page sessions"] == 3
    with get_database(app).sessions() as session:
        assert session.scalars(select(PageSession.id)).all() == [ids["open"]]
