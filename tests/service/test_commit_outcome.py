"""When the database connection drops after COMMIT was sent, the outcome is unknown, and the API
and the student page say so, instead of "nothing was stored"; a retry with the same
Idempotency-Key (the student page sends one with every form) finds the stored submission and
replays it, so nothing is stored twice and no attempt is lost."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, func, select

from grader.service import create_app, schema
from grader.service.database import get_database
from grader.service.facade.keys import create_key
from grader.service.models import Submission
from tests.pages.helpers import answer_form, student_token
from tests.service.helpers import API, is_problem
from tests.service.servers import CommitCutter


@pytest.fixture
def cut_app(service_env, postgres_server):
    """The app on a fresh PostgreSQL database reached through a proxy that cuts the connection once,
    just after the COMMIT of the first submission has passed to the server."""
    name = f"cut_{uuid.uuid4().hex[:10]}"
    direct = postgres_server.create_database(name)
    engine = create_engine(direct)
    schema.upgrade(engine)
    with CommitCutter(postgres_server.port, b"INSERT INTO submissions") as cutter:
        app = create_app({"TESTING": True, "DATABASE_URL": cutter.url(name), "SECRET_KEY": "x" * 40})
        with get_database(app).sessions() as session:
            _key, secret = create_key(session, "alice", "instructor")
        yield app, engine, {"Authorization": f"Bearer {secret}"}, cutter
        get_database(app).dispose()
    engine.dispose()
    postgres_server.drop_database(name)


def stored(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count(Submission.id)))


def test_the_api_says_unknown_and_a_retry_with_the_key_replays_the_stored_submission(cut_app):
    app, engine, headers, cutter = cut_app
    client = app.test_client()
    created = client.post(f"{API}/exercise-sets", json={"template": "seed-classic", "seed": 1}, headers=headers)
    url = f"{API}/exercise-sets/{created.json['id']}/students/s1/submissions"
    keyed = {**headers, "Idempotency-Key": "lost-answer-1"}
    response = client.post(url, json={"answers": {"z3": 0.755}}, headers=keyed)
    doc = is_problem(response, 503, "outcome-unknown")
    assert cutter.cuts == 1
    assert "may or may not have been stored" in doc["detail"] and "Idempotency-Key" in doc["detail"]
    assert "nothing was stored" not in doc["detail"] and response.headers["Retry-After"] == "5"
    assert stored(engine) == 1  # it was stored: "unknown" was the truth
    again = client.post(url, json={"answers": {"z3": 0.755}}, headers=keyed)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["attempt"] == 1 and stored(engine) == 1  # no copy, no attempt spent


def test_the_student_page_says_unknown_and_its_resent_form_is_not_counted_twice(cut_app):
    app, engine, headers, cutter = cut_app
    client = app.test_client()
    set_id = client.post(f"{API}/exercise-sets", json={"template": "seed-classic", "seed": 1}, headers=headers).json[
        "id"
    ]
    token = student_token(app, set_id, "amy")
    opened = client.get(f"/student/{token}")
    assert opened.status_code == 200, opened.get_data(as_text=True)[:2000]
    page = opened.get_data(as_text=True)
    form = {
        **answer_form({"z3": "0.755"}),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', page).group(1),
    }
    lost = client.post(f"/student/{token}", data=form)
    assert lost.status_code == 503 and cutter.cuts == 1
    assert "cannot tell whether it was saved" in lost.get_data(as_text=True)
    assert stored(engine) == 1
    resent = client.post(f"/student/{token}", data=form)  # Back, then Submit: the same form again
    assert resent.status_code == 302 and "attempt=1" in resent.headers["Location"]
    assert stored(engine) == 1
