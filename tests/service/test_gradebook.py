"""The gradebook built in SQL: pages by cursor, sorts and filters, the attempt that counts
(latest or best, the policy's passback), the current grade after a regrade, the streamed CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tests.service.helpers import API

FULL = 29.0  # the seed example asks 29 values, one point each


@pytest.fixture
def course(seed_set, submit, seed_values, client, auth):
    """amy: all right; ben: a slip at z3 (28/29); cal: all right, then a slip (latest 28, best 29);
    dan: no z3 or y3, and the target - output sign flip at delta5; eve: never submitted."""
    right = {k: round(v, 6) for k, v in seed_values.items()}
    slip = {**right, "z3": 0.9}
    submit(seed_set["id"], "amy", right)
    submit(seed_set["id"], "ben", slip)
    submit(seed_set["id"], "cal", right)
    submit(seed_set["id"], "cal", slip)
    dan = {k: v for k, v in right.items() if k not in ("z3", "y3")}
    submit(seed_set["id"], "dan", {**dan, "delta5": -right["delta5"]})
    client.get(f"{API}/exercise-sets/{seed_set['id']}/students/eve/exercise", headers=auth("alice"))
    return seed_set


def book(client, auth, set_id, **query):
    response = client.get(f"{API}/exercise-sets/{set_id}/gradebook", query_string=query, headers=auth("alice"))
    assert response.status_code == 200, response.json
    return response


def test_pages_follow_the_cursor_to_the_end(client, auth, course):
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = book(client, auth, course["id"], **query)
        page = response.json
        seen += [r["student_id"] for r in page["students"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            assert "Link" not in response.headers
            break
        assert 'rel="next"' in response.headers["Link"] and f"cursor={cursor}" in response.headers["Link"]
    assert seen == ["amy", "ben", "cal", "dan", "eve"] and pages == 3


def test_latest_attempt_counts_by_default_and_best_when_the_policy_says(client, auth, course):
    rows = {r["student_id"]: r for r in book(client, auth, course["id"]).json["students"]}
    assert book(client, auth, course["id"]).json["passback"] == "latest"
    assert (rows["cal"]["attempts"], rows["cal"]["attempt"], rows["cal"]["score"]) == (2, 2, FULL - 1)
    assert rows["cal"]["best_score"] == FULL and rows["cal"]["verdicts"]["z3"] == "incorrect"
    client.patch(f"{API}/exercise-sets/{course['id']}", json={"policy": {"passback": "best"}}, headers=auth("alice"))
    client.post(f"{API}/exercise-sets/{course['id']}/regrade", headers=auth("alice"))
    best = book(client, auth, course["id"]).json
    rows = {r["student_id"]: r for r in best["students"]}
    assert best["passback"] == "best"
    assert (rows["cal"]["attempt"], rows["cal"]["score"], rows["cal"]["verdicts"]["z3"]) == (1, FULL, "correct")
    assert rows["cal"]["policy_version"] == 2


def test_the_best_attempt_sorted_by_score_before_during_and_after_a_regrade(client, auth, course, submit, seed_values):
    """Sorted by score, the best attempt is read from the one policy version that holds every
    current grade when there is one, and from each submission's newest grade when there is not."""

    def by_score():
        found = book(client, auth, course["id"], sort="-score").json["students"]
        return [(r["student_id"], r["attempt"], r["score"], r["policy_version"]) for r in found]

    url = f"{API}/exercise-sets/{course['id']}"
    client.patch(url, json={"policy": {"passback": "best"}}, headers=auth("alice"))
    dan = next(r["score"] for r in book(client, auth, course["id"]).json["students"] if r["student_id"] == "dan")
    # Version 2 has no grade yet: every current grade is under version 1.
    assert by_score() == [
        ("amy", 1, FULL, 1), ("cal", 1, FULL, 1), ("ben", 1, FULL - 1, 1), ("dan", 1, dan, 1), ("eve", None, None, None)
    ]  # fmt: skip
    # ben's second attempt is graded under version 2, the others not yet: no version holds them all.
    submit(course["id"], "ben", {k: round(v, 6) for k, v in seed_values.items()})
    assert by_score() == [
        ("amy", 1, FULL, 1), ("ben", 2, FULL, 2), ("cal", 1, FULL, 1), ("dan", 1, dan, 1), ("eve", None, None, None)
    ]  # fmt: skip
    assert [r["student_id"] for r in book(client, auth, course["id"], below=99.0).json["students"]] == ["dan"]
    client.post(f"{url}/regrade", headers=auth("alice"))
    assert by_score() == [
        ("amy", 1, FULL, 2), ("ben", 2, FULL, 2), ("cal", 1, FULL, 2), ("dan", 1, dan, 2), ("eve", None, None, None)
    ]  # fmt: skip


def test_sorted_by_score_both_ways_with_those_not_started_last(client, auth, course):
    ascending = [r["student_id"] for r in book(client, auth, course["id"], sort="score").json["students"]]
    descending = [r["student_id"] for r in book(client, auth, course["id"], sort="-score").json["students"]]
    # dan lost at least three values, ben and cal (latest attempt) one each; eve has no score.
    scores = {r["student_id"]: r["score"] for r in book(client, auth, course["id"]).json["students"]}
    assert scores["ben"] == scores["cal"] == FULL - 1 and scores["dan"] < FULL - 1 and scores["eve"] is None
    assert ascending == ["eve", "dan", "ben", "cal", "amy"]
    assert descending == ["amy", "ben", "cal", "dan", "eve"]  # ties by student id
    paged, cursor = [], None
    while True:
        page = book(client, auth, course["id"], sort="-score", limit=2, **({"cursor": cursor} if cursor else {})).json
        paged += [r["student_id"] for r in page["students"]]
        if not (cursor := page["next_cursor"]):
            break
    assert paged == descending


def test_filters(client, auth, course):
    def ids(**query):
        return [r["student_id"] for r in book(client, auth, course["id"], **query).json["students"]]

    assert ids(status="not_started") == ["eve"]
    assert ids(status="started") == ["amy", "ben", "cal", "dan"]
    assert ids(search="A") == ["amy", "cal", "dan"]
    assert ids(below=99.0) == ["ben", "cal", "dan"]  # under 99 % of 29: 28 and less
    assert ids(below=99.0, sort="-name") == ["dan", "cal", "ben"]


def test_a_cursor_of_another_sort_or_garbage_is_refused(client, auth, course):
    cursor = book(client, auth, course["id"], limit=2).json["next_cursor"]
    url = f"{API}/exercise-sets/{course['id']}/gradebook"
    for query in ({"cursor": cursor, "sort": "score"}, {"cursor": "not-a-cursor"}, {"cursor": "e30"}):
        response = client.get(url, query_string=query, headers=auth("alice"))
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert client.get(url, query_string={"limit": 0}, headers=auth("alice")).status_code == 400


def test_after_a_regrade_the_current_grade_counts(client, auth, seed_set, submit, seed_values):
    answers = {k: round(v, 6) for k, v in seed_values.items()}
    answers["new_w5_3"] = round(seed_values["new_w5_3"] * 1.02, 6)  # 2 % off: wrong under rtol 1 %, right at 5 %
    submit(seed_set["id"], "amy", answers)
    url = f"{API}/exercise-sets/{seed_set['id']}"
    assert book(client, auth, seed_set["id"]).json["students"][0]["score"] == FULL - 1
    client.patch(url, json={"policy": {"rtol": 0.05}}, headers=auth("alice"))
    stale = book(client, auth, seed_set["id"]).json["students"][0]
    assert (stale["score"], stale["policy_version"]) == (FULL - 1, 1)  # not regraded yet: the old grade stands
    client.post(f"{url}/regrade", headers=auth("alice"))
    row = book(client, auth, seed_set["id"]).json["students"][0]
    assert (row["score"], row["policy_version"], row["verdicts"]["new_w5_3"]) == (FULL, 2, "correct")
    stats = client.get(f"{url}/analytics", headers=auth("alice")).json
    assert stats["submissions"] == 1
    assert {k["key"]: k["counts"] for k in stats["keys"]}["new_w5_3"]["correct"] == 1


def test_the_csv_has_every_student_whatever_the_page_size(client, auth, course):
    response = book(client, auth, course["id"], format="csv", limit=2, sort="-score")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["student_id"] for r in rows] == ["amy", "ben", "cal", "dan", "eve"]
    assert rows[2]["attempts"] == "2" and float(rows[2]["score"]) == FULL - 1 and float(rows[2]["best_score"]) == FULL
    assert rows[4]["score"] == "" and rows[4]["z3"] == ""
    assert rows[3]["delta5"] == "misconception"


def test_the_flagged_filter_keeps_students_with_a_copy_flag(app, client, auth, course):
    from sqlalchemy import select

    from grader.service.database import get_database
    from grader.service.models import Assignment, CopyFlag, Submission

    with get_database(app).sessions() as session:
        first_of_ben = session.scalar(
            select(Submission.id)
            .join(Assignment, Assignment.id == Submission.assignment_id)
            .where(Assignment.student_id == "ben")
        )
        session.add(
            CopyFlag(submission_id=first_of_ben, matched_student_id="amy", matched_keys=9, own_keys=2, answered_keys=29)
        )
        session.commit()
    flagged = book(client, auth, course["id"], status="flagged").json["students"]
    assert [(r["student_id"], r["copy_of"]) for r in flagged] == [("ben", "amy")]


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_the_csv_in_name_order_comes_a_page_of_students_at_a_time(client, auth, course, monkeypatch, sort):
    from grader.service.facade import gradebook

    monkeypatch.setattr(gradebook, "STREAM_PAGE", 2)
    response = book(client, auth, course["id"], format="csv", sort=sort)
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    expected = ["amy", "ben", "cal", "dan", "eve"]
    assert [r["student_id"] for r in rows] == (expected if sort == "name" else expected[::-1])
