"""Submissions: graded at once, stored verbatim with the grade, attempts and due date, idempotency."""

from __future__ import annotations

import json
import math
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from grader.service.database import get_database
from grader.service.facade.idempotency import LEASE
from grader.service.models import Grade, IdempotencyRecord, Submission, utcnow
from tests.service.helpers import API, is_problem


def count(app, model) -> int:
    with get_database(app).sessions() as session:
        return session.scalar(select(func.count(model.id)))


def test_full_marks_for_the_worked_example(client, seed_set, submit, seed_figures, seed_values):
    answers = {**{k: round(v, 6) for k, v in seed_values.items()}, **seed_figures}
    response = submit(seed_set["id"], "s1", answers)
    assert response.status_code == 201, response.json
    doc = response.json
    assert doc["score"] == doc["max_score"] == 29.0
    assert doc["attempt"] == 1 and doc["attempts_left"] == 2 and doc["policy_version"] == 1
    assert response.headers["Location"] == f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions/1"
    assert list(doc["results"]) == list(seed_values)
    assert doc["counts"]["correct"] == 29
    assert "expected" not in doc["results"]["z3"]


def test_a_slip_is_incorrect_and_what_follows_is_carried(seed_set, submit, seed_values):
    answers = {k: round(v, 6) for k, v in seed_values.items()}
    answers["z3"] = 0.95
    answers["y3"] = round(1 / (1 + 2.718281828459045**-0.95), 6)
    doc = submit(seed_set["id"], "s1", answers).json
    assert doc["results"]["z3"]["verdict"] == "incorrect"
    assert doc["results"]["y3"]["verdict"] == "carried"


def test_the_raw_body_is_stored_verbatim_with_its_grade(app, client, auth, seed_set):
    raw = b'{ "answers" : {"z3": 0.7550, "y3": "0,6803"} }'
    url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
    response = client.post(url, data=raw, content_type="application/json", headers=auth("alice"))
    assert response.status_code == 201
    with get_database(app).sessions() as session:
        stored = session.execute(select(Submission)).scalar_one()
        assert stored.payload.encode() == raw
        grade = session.execute(select(Grade)).scalar_one()
        assert grade.submission_id == stored.id and grade.results["y3"][0] == "correct"


def test_history_and_one_attempt(client, auth, seed_set, submit):
    submit(seed_set["id"], "s1", {"z3": 0.7})
    submit(seed_set["id"], "s1", {"z3": 0.755})
    url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
    history = client.get(url, headers=auth("alice")).json
    assert [s["attempt"] for s in history["items"]] == [1, 2] and history["total"] == 2
    assert [s["results"]["z3"]["verdict"] for s in history["items"]] == ["incorrect", "correct"]
    assert history["items"][1]["answers"] == {"z3": 0.755}
    one = client.get(f"{url}/2", headers=auth("alice")).json
    assert one == history["items"][1]
    is_problem(client.get(f"{url}/3", headers=auth("alice")), 404)


def test_feedback_comes_in_the_accept_language(seed_set, submit):
    response = submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.json["results"]["z3"]["message"] == "正确。"
    assert response.headers["Content-Language"] == "zh"


def test_unknown_answer_keys_are_refused_naming_the_valid_ones(app, seed_set, submit):
    doc = is_problem(submit(seed_set["id"], "s1", {"z3": 0.755, "z6": 1}), 422, "unknown-answer-key")
    detail = doc["errors"][0]["detail"]
    assert doc["errors"] == [{"pointer": "#/answers/z6", "detail": detail, "code": "unknown_answer_key"}]
    assert "z3" in doc["errors"][0]["detail"] and "it2.E" in doc["errors"][0]["detail"]
    assert count(app, Submission) == 0


def test_max_attempts_are_enforced(app, seed_set, submit):
    for _ in range(3):
        assert submit(seed_set["id"], "s1", {"z3": 1}).status_code == 201
    doc = is_problem(submit(seed_set["id"], "s1", {"z3": 1}), 409, "attempts-exhausted")
    assert "3" in doc["detail"]
    assert count(app, Submission) == 3


def test_concurrent_submissions_never_exceed_max_attempts(app, auth, seed_set):
    url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
    statuses = []

    def post(n):
        response = app.test_client().post(url, json={"answers": {"z3": n}}, headers=auth("alice"))
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == 3 and set(statuses) <= {201, 409}
    with get_database(app).sessions() as session:
        assert sorted(session.execute(select(Submission.attempt)).scalars()) == [1, 2, 3]


def test_the_due_date_is_enforced(app, client, auth, seed_set, submit):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    client.patch(f"{API}/exercise-sets/{seed_set['id']}", json={"due_at": past}, headers=auth("alice"))
    is_problem(submit(seed_set["id"], "s1", {"z3": 0.755}), 409, "past-due")
    assert count(app, Submission) == 0


class TestIdempotencyKey:
    def test_a_retry_replays_the_first_response(self, app, seed_set, submit):
        first = submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Idempotency-Key": "abc-1"})
        again = submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Idempotency-Key": '"abc-1"'})
        assert first.status_code == again.status_code == 201
        assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
        assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
        assert count(app, Submission) == 1

    def test_the_same_key_with_another_body_is_422(self, app, seed_set, submit):
        submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Idempotency-Key": "abc-2"})
        doc = is_problem(
            submit(seed_set["id"], "s1", {"z3": 0.7}, headers={"Idempotency-Key": "abc-2"}),
            422,
            "idempotency-key-reused",
        )
        assert doc["errors"][0]["header"] == "Idempotency-Key"
        is_problem(submit(seed_set["id"], "s2", {"z3": 0.755}, headers={"Idempotency-Key": "abc-2"}), 422)
        assert count(app, Submission) == 1

    def test_keys_belong_to_their_client(self, app, client, auth, seed_set, submit):
        submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Idempotency-Key": "shared"})
        client.patch(f"{API}/exercise-sets/{seed_set['id']}", json={}, headers=auth("alice"))
        assert (
            submit(seed_set["id"], "s1", {"z3": 0.755}, as_="admin", headers={"Idempotency-Key": "shared"}).status_code
            == 201
        )
        assert count(app, Submission) == 2

    def test_a_duplicate_while_the_first_is_processing_is_409(self, app, seed_set, submit, client, auth):
        url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
        body = b'{"answers": {"z3": 0.755}}'
        from grader.service.facade.idempotency import fingerprint

        claimed = utcnow()
        with get_database(app).sessions() as session:
            session.add(
                IdempotencyRecord(
                    scope="account:2",
                    key="busy",
                    state="processing",
                    locked_at=claimed,
                    fingerprint=fingerprint("POST", url, body),
                )
            )
            session.commit()
        response = client.post(
            url, data=body, content_type="application/json", headers={**auth("alice"), "Idempotency-Key": "busy"}
        )
        answered = utcnow()
        is_problem(response, 409, "idempotency-key-in-use")
        # The truth: the claim was just made, so the key is locked for the rest of the whole lease
        # (30 s, not 1 s), less however long this loaded machine took to get the request there.
        least = math.ceil((LEASE - (answered - claimed)).total_seconds())
        assert least <= int(response.headers["Retry-After"]) <= int(LEASE.total_seconds())
        assert count(app, Submission) == 0

    def test_retry_after_is_true_a_retry_then_gets_through(self, app, seed_set, client, auth, monkeypatch):
        """A claim 1.5 s from the end of its lease: Retry-After says 2, a retry sooner is still
        refused, and a retry that waits that long succeeds.  On the idempotency clock, which the
        test moves itself, so that a slow machine cannot let the lease run out early."""
        from grader.service.facade import idempotency
        from grader.service.facade.idempotency import fingerprint

        now = utcnow()
        monkeypatch.setattr(idempotency, "utcnow", lambda: now)
        url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
        body = b'{"answers": {"z3": 0.755}}'
        with get_database(app).sessions() as session:
            session.add(
                IdempotencyRecord(
                    scope="account:2",
                    key="ending",
                    state="processing",
                    locked_at=now - LEASE + timedelta(seconds=1.5),
                    fingerprint=fingerprint("POST", url, body),
                )
            )
            session.commit()
        headers = {**auth("alice"), "Idempotency-Key": "ending"}
        response = client.post(url, data=body, content_type="application/json", headers=headers)
        is_problem(response, 409, "idempotency-key-in-use")
        wait = int(response.headers["Retry-After"])
        assert wait == 2
        now += timedelta(seconds=1.4)
        sooner = client.post(url, data=body, content_type="application/json", headers=headers)
        assert is_problem(sooner, 409, "idempotency-key-in-use") and sooner.headers["Retry-After"] == "1"
        now += timedelta(seconds=wait - 1.4)
        later = client.post(url, data=body, content_type="application/json", headers=headers)
        assert later.status_code == 201 and count(app, Submission) == 1

    def test_an_abandoned_claim_is_taken_over_after_its_lease(self, app, seed_set, client, auth):
        url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
        body = b'{"answers": {"z3": 0.755}}'
        from grader.service.facade.idempotency import fingerprint

        with get_database(app).sessions() as session:
            stale = utcnow() - timedelta(minutes=5)
            session.add(
                IdempotencyRecord(
                    scope="account:2",
                    key="stale",
                    state="processing",
                    locked_at=stale,
                    fingerprint=fingerprint("POST", url, body),
                )
            )
            session.commit()
        response = client.post(
            url, data=body, content_type="application/json", headers={**auth("alice"), "Idempotency-Key": "stale"}
        )
        assert response.status_code == 201
        assert count(app, Submission) == 1

    def test_a_key_expires_after_24_hours(self, app, seed_set, submit):
        first = submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Idempotency-Key": "old"})
        with get_database(app).sessions() as session:
            record = session.execute(select(IdempotencyRecord)).scalar_one()
            record.created_at = utcnow() - timedelta(hours=24, minutes=1)
            session.commit()
        later = submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Idempotency-Key": "old"})
        assert (first.status_code, later.status_code) == (201, 201)
        assert "Idempotent-Replayed" not in later.headers
        assert (first.json["attempt"], later.json["attempt"]) == (1, 2)
        # The key is fresh again: a retry now replays the second request.
        again = submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Idempotency-Key": "old"})
        assert again.headers["Idempotent-Replayed"] == "true" and again.json["attempt"] == 2
        assert count(app, Submission) == 2 and count(app, IdempotencyRecord) == 1

    def test_an_expired_key_may_come_with_another_body(self, app, seed_set, submit):
        submit(seed_set["id"], "s1", {"z3": 0.755}, headers={"Idempotency-Key": "reused"})
        with get_database(app).sessions() as session:
            record = session.execute(select(IdempotencyRecord)).scalar_one()
            record.created_at = utcnow() - timedelta(days=3)
            session.commit()
        assert submit(seed_set["id"], "s1", {"z3": 0.7}, headers={"Idempotency-Key": "reused"}).status_code == 201
        assert count(app, Submission) == 2

    def test_a_refused_request_gives_its_key_back(self, app, seed_set, submit):
        is_problem(submit(seed_set["id"], "s1", {"z9": 1}, headers={"Idempotency-Key": "k"}), 422)
        assert count(app, IdempotencyRecord) == 0
        assert submit(seed_set["id"], "s1", {"z3": 1}, headers={"Idempotency-Key": "k"}).status_code == 201

    @pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9"])
    def test_malformed_keys_are_400(self, seed_set, submit, key):
        response = submit(seed_set["id"], "s1", {"z3": 1}, headers={"Idempotency-Key": key})
        assert response.status_code == 400
        assert response.json["errors"][0]["header"] == "Idempotency-Key"

    def test_concurrent_duplicates_store_exactly_one(self, app, auth, seed_set):
        url = f"{API}/exercise-sets/{seed_set['id']}/students/s1/submissions"
        statuses = []

        def post():
            response = app.test_client().post(
                url, json={"answers": {"z3": 0.755}}, headers={**auth("alice"), "Idempotency-Key": "race"}
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=post) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert set(statuses) <= {201, 409} and 201 in statuses
        assert count(app, Submission) == 1


# --- What the feedback shows: the policy's reveal rule, with the set's due date and the attempts used. ---


def new_set(client, auth, **fields) -> int:
    """A set of the seed example owned by alice, with ``fields`` (policy, max_attempts, due_at)."""
    response = client.post(
        f"{API}/exercise-sets", json={"template": "seed-classic", "seed": 7, **fields}, headers=auth("alice")
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def shows_expected(view: dict) -> bool:
    """Whether a graded view shows expected values; the field and the sentence in the message go together."""
    results = view["results"].values()
    fields = [("expected" in result) for result in results]
    sentences = [("Expected" in result["message"]) for result in results if result["verdict"] != "correct"]
    assert len(set(fields)) == 1 and set(sentences) <= set(fields), view
    if not fields[0]:
        assert "0.755" not in json.dumps(view["results"])  # z3's value, in no field and no message
    return fields[0]


def history_of(client, headers, set_id: int, student: str = "s1") -> list[dict]:
    return client.get(f"{API}/exercise-sets/{set_id}/students/{student}/submissions", headers=headers).json["items"]


def test_after_last_attempt_reveals_with_the_last_attempt(client, auth, submit):
    set_id = new_set(client, auth, max_attempts=2, policy={"reveal": "after_last_attempt"})
    first = submit(set_id, "s1", {"z3": 0.9})
    assert first.status_code == 201 and first.json["attempts_left"] == 1
    assert not shows_expected(first.json)
    assert not shows_expected(history_of(client, auth("alice"), set_id)[0])
    last = submit(set_id, "s1", {"z3": 0.8})
    assert last.status_code == 201 and last.json["attempts_left"] == 0
    assert shows_expected(last.json) and last.json["results"]["z3"]["expected"] == pytest.approx(0.755)
    assert "Expected 0.755" in last.json["results"]["z3"]["message"]
    assert [shows_expected(view) for view in history_of(client, auth("alice"), set_id)] == [True, True]
    one = client.get(f"{API}/exercise-sets/{set_id}/students/s1/submissions/1", headers=auth("alice")).json
    assert shows_expected(one)
    # Another student of the set still has attempts left: nothing is shown to them.
    assert not shows_expected(submit(set_id, "s2", {"z3": 0.9}).json)


def test_after_due_reveals_once_the_due_date_has_passed(client, auth, submit):
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    set_id = new_set(client, auth, max_attempts=1, due_at=soon, policy={"reveal": "after_due"})
    token = client.post(f"{API}/exercise-sets/{set_id}/students/s1/access-token", headers=auth("alice")).json["token"]
    student = {"Authorization": f"Bearer {token}"}
    # Even the last attempt shows nothing while the due date is ahead.
    created = client.post(
        f"{API}/exercise-sets/{set_id}/students/s1/submissions", json={"answers": {"z3": 0.9}}, headers=student
    )
    assert created.status_code == 201 and created.json["attempts_left"] == 0
    assert not shows_expected(created.json)
    assert not shows_expected(history_of(client, student, set_id)[0])
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    client.patch(f"{API}/exercise-sets/{set_id}", json={"due_at": past}, headers=auth("alice"))
    assert shows_expected(history_of(client, student, set_id)[0])
    assert shows_expected(history_of(client, auth("alice"), set_id)[0])


@pytest.mark.parametrize(("rule", "shown"), [("never", False), ("always", True), (False, False), (True, True)])
def test_never_and_always_ignore_the_due_date_and_attempts(client, auth, submit, rule, shown):
    set_id = new_set(client, auth, max_attempts=1, policy={"reveal": rule})
    assert shows_expected(submit(set_id, "s1", {"z3": 0.9}).json) is shown
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    client.patch(f"{API}/exercise-sets/{set_id}", json={"due_at": past}, headers=auth("alice"))
    assert shows_expected(history_of(client, auth("alice"), set_id)[0]) is shown
