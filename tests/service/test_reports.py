"""Gradebook (JSON and CSV) and analytics."""

from __future__ import annotations

import csv
import io

import pytest

from tests.service.helpers import API


@pytest.fixture
def graded(seed_set, submit, seed_values):
    """s1: all right; s2: first a slip at z3, then all right; s3: target - output sign flip; s4: no attempt."""
    right = {k: round(v, 6) for k, v in seed_values.items()}
    submit(seed_set["id"], "s1", right)
    submit(seed_set["id"], "s2", {**right, "z3": 0.9})
    submit(seed_set["id"], "s2", right)
    submit(seed_set["id"], "s3", {**right, "delta5": -right["delta5"]})
    return seed_set


def test_gradebook_json(client, auth, graded):
    book = client.get(f"{API}/exercise-sets/{graded['id']}/gradebook", headers=auth("alice")).json
    client_rows = {r["student_id"]: r for r in book["students"]}
    assert list(client_rows) == ["s1", "s2", "s3"]
    assert client_rows["s1"]["score"] == client_rows["s1"]["max_score"] == 29.0
    assert client_rows["s2"]["attempts"] == 2 and client_rows["s2"]["best_score"] == 29.0
    assert client_rows["s3"]["verdicts"]["delta5"] == "misconception"
    assert book["keys"][0] == "z3" and book["policy_version"] == 1


def test_gradebook_lists_students_without_attempts(client, auth, graded):
    client.get(f"{API}/exercise-sets/{graded['id']}/students/s4/exercise", headers=auth("alice"))
    rows = client.get(f"{API}/exercise-sets/{graded['id']}/gradebook", headers=auth("alice")).json["students"]
    assert rows[-1] == {
        "student_id": "s4",
        "attempts": 0,
        "attempt": None,
        "score": None,
        "best_score": None,
        "max_score": None,
        "submitted_at": None,
        "policy_version": None,
        "copy_of": None,
        "verdicts": {},
    }


@pytest.mark.parametrize("how", [{"query_string": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}])
def test_gradebook_csv(client, auth, graded, how):
    headers = {**auth("alice"), **how.get("headers", {})}
    response = client.get(
        f"{API}/exercise-sets/{graded['id']}/gradebook", headers=headers, query_string=how.get("query_string")
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["student_id"] for r in rows] == ["s1", "s2", "s3"]
    assert rows[1]["attempts"] == "2" and float(rows[0]["score"]) == 29.0
    assert rows[2]["delta5"] == "misconception" and rows[0]["z3"] == "correct"


def test_gradebook_json_is_the_default_and_bad_formats_are_refused(client, auth, graded):
    url = f"{API}/exercise-sets/{graded['id']}/gradebook"
    assert client.get(url, headers={**auth("alice"), "Accept": "*/*"}).mimetype == "application/json"
    assert client.get(url, query_string={"format": "xml"}, headers=auth("alice")).status_code == 400


def test_analytics_per_key(client, auth, graded):
    stats = client.get(f"{API}/exercise-sets/{graded['id']}/analytics", headers=auth("alice")).json
    by_key = {k["key"]: k for k in stats["keys"]}
    assert stats["submissions"] == 3
    assert by_key["z3"]["counts"]["correct"] == 3
    assert by_key["delta5"]["counts"]["misconception"] == 1
    assert by_key["delta5"]["misconceptions"] == {"target_minus_output": 1}
    assert stats["top_misconceptions"][0] == {"code": "target_minus_output", "count": 1, "keys": ["delta5"]}
    every = client.get(f"{API}/exercise-sets/{graded['id']}/analytics?attempts=all", headers=auth("alice")).json
    assert every["submissions"] == 4
    assert {k["key"]: k for k in every["keys"]}["z3"]["counts"]["incorrect"] == 1
