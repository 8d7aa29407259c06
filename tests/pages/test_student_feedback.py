"""What the student page explains: the policy in words, points per field, regrade notices, the
worked solution once revealed, and due dates in the set's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from grader.service.database import get_database
from grader.service.facade import regrading
from grader.service.facade.exercise_sets import update_set
from grader.service.models import ExerciseSet
from tests.pages.helpers import answer_form, make_set, student_token
from tests.pages.test_browser import answers_after_a_slip
from tests.service.helpers import API, is_problem


def page_of(client, token: str, **query) -> str:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return client.get(f"/student/{token}{suffix}").get_data(as_text=True)


def test_the_policy_is_said_in_words(app, client, keys):
    relative = page_of(client, student_token(app, make_set(app, "alice"), "amy"))
    assert "An answer is right when it is within 1 % (or 0.0001) of the right value." in relative
    assert "answers within 1 % (or 0.0001) of the value from your own earlier numbers earn 100 %" in relative
    assert "Round as you like" in relative
    assert "The right values are not shown to students." in relative

    policy = {"tolerance": "sigfigs", "sigfigs": 3, "carried_credit": 0.5, "misconception_credit": 0.25}
    sigfigs = page_of(client, student_token(app, make_set(app, "alice", policy=policy), "amy"))
    assert "agrees with the right value to 3 significant figures" in sigfigs
    assert "earn 50 % of their points" in sigfigs
    assert "A value that matches a known classic mistake earns 25 % of its points." in sigfigs
    assert "Give every value to at least 3 significant figures." in sigfigs
    assert "Round as you like" not in sigfigs

    off = page_of(client, student_token(app, make_set(app, "alice", policy={"follow_through": False}), "amy"))
    assert "No follow-through: each value is compared with the right value only." in off

    chinese = page_of(client, student_token(app, make_set(app, "alice", policy=policy), "cai"), lang="zh")
    assert "3 位有效数字" in chinese


def test_each_field_shows_its_points(app, client, keys):
    token = student_token(app, make_set(app, "alice", policy={"phase_weights": {"updates": 2, "loss": 0.5}}), "amy")
    page = page_of(client, token)
    points = dict(re.findall(r'<span class="points" id="pt-([^"]+)">([^<]+)</span>', page))
    assert points["z3"] == "1 point" and points["new_w5_3"] == "2 points" and points["E"] == "0.5 points"
    client.post(f"/student/{token}", data=answer_form({"z3": "0.755", "new_w5_3": "0.1"}))
    graded = dict(re.findall(r'<span class="points" id="pt-([^"]+)">([^<]+)</span>', page_of(client, token)))
    assert graded["z3"] == "1 of 1 point" and graded["new_w5_3"] == "0 of 2 points"


def test_a_regrade_tells_the_student_the_score_changed_and_why(app, client, keys):
    set_id = make_set(app, "alice")
    token = student_token(app, set_id, "amy")
    client.post(f"/student/{token}", data=answer_form(answers_after_a_slip(1.755)))
    assert "Regraded" not in page_of(client, token)
    with get_database(app).sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        update_set(session, exercise_set, {"policy": {"follow_through": False}})
        regrading.regrade(session, exercise_set)
    page = page_of(client, token)
    assert (
        "Regraded: this attempt's score changed from 28 / 29 to 14 / 29 when your instructor changed the grading "
        "policy (version 1 to 2): the credit for follow-through changed." in page
    )
    assert "Regraded: was 28, now 14 (the credit for follow-through changed)" in page
    assert "分数从 28 / 29 变为 14 / 29" in page_of(client, token, lang="zh")


def test_the_worked_solution_follows_the_reveal_rule(app, client, keys):
    set_id = make_set(app, "alice", due_at=datetime.now(UTC) + timedelta(hours=1), policy={"reveal": "after_due"})
    token = student_token(app, set_id, "amy")
    client.post(f"/student/{token}", data=answer_form({"z3": "1.755", "y3": "0.852582"}))
    before = page_of(client, token)
    assert 'id="solution"' not in before and "0.755" not in before
    with get_database(app).sessions() as session:
        session.get(ExerciseSet, set_id).due_at = datetime.now(UTC) - timedelta(seconds=1)
        session.commit()
    after = page_of(client, token)
    assert 'id="solution"' in after
    assert "z₃ = w₃₁·y₁ + w₃₂·y₂ = 0.1·0.35 + 0.8·0.9 = <strong>0.755</strong>" in after
    assert "yours: 1.755" in after
    assert "from your own numbers: y₃ = sigmoid(1.755) = 0.852582" in after  # carried: the student's own z3
    assert "One step of back-propagation lowers the error E." in after and "<svg" in after
    # Unlimited attempts, but the due date has passed: the page says none are left.
    assert "none: the due date has passed" in after and "unlimited" not in after.split("Attempts left")[1][:200]
    assert "Worked solution" in page_of(client, token) and "解题过程" in page_of(client, token, lang="zh")


def test_due_dates_are_shown_in_the_sets_time_zone(app, client, keys, auth):
    created = client.post(
        f"{API}/exercise-sets",
        json={"template": "seed-classic", "due_at": "2030-12-01T15:59:00Z", "time_zone": "Asia/Shanghai"},
        headers=auth("alice"),
    )
    assert created.status_code == 201 and created.json["time_zone"] == "Asia/Shanghai"
    page = page_of(client, student_token(app, created.json["id"], "amy"))
    assert re.search(r"Dec 1, 2030, 11:59:00\W+PM \(Asia/Shanghai\)", page)
    assert 'datetime="2030-12-01T15:59:00+00:00"' in page  # the script adds the reader's local time

    default = client.post(f"{API}/exercise-sets", json={"template": "seed-classic"}, headers=auth("alice"))
    assert default.json["time_zone"] == "UTC"
    bad = client.post(
        f"{API}/exercise-sets", json={"template": "seed-classic", "time_zone": "Mars/Olympus"}, headers=auth("alice")
    )
    assert "time_zone" in str(is_problem(bad, 422))
    changed = client.patch(
        f"{API}/exercise-sets/{created.json['id']}", json={"time_zone": "Europe/Berlin"}, headers=auth("alice")
    )
    assert changed.status_code == 200 and changed.json["time_zone"] == "Europe/Berlin"


def test_every_new_state_of_the_student_page_reads_in_chinese(app, client, keys):
    from tests.english_runs import english_runs

    set_id = make_set(
        app,
        "alice",
        due_at=datetime.now(UTC) + timedelta(hours=1),
        time_zone="Asia/Shanghai",
        max_attempts=3,
        policy={"reveal": "after_due", "tolerance": "sigfigs", "misconception_credit": 0.5},
    )
    token = student_token(app, set_id, "amy")
    client.get("/?lang=zh")
    pages = {
        "confirm": client.post(f"/student/{token}", data=answer_form({"z3": "0.755"}, "review")),
        "refused": client.post(f"/student/{token}", data=answer_form({"z3": "abc"}, "review")),
    }
    client.post(f"/student/{token}", data=answer_form(answers_after_a_slip(1.755)))
    client.post(f"/student/{token}/draft", json={"answers": {"z3": "0.7"}})  # an edited value: faded feedback
    with get_database(app).sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        update_set(session, exercise_set, {"policy": {"follow_through": False}})
        regrading.regrade(session, exercise_set)
        exercise_set.due_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    pages["solution"] = client.get(f"/student/{token}")
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        assert english_runs(page, {"amy"}) == [], name
    solution = pages["solution"].get_data(as_text=True)
    assert "解题过程" in solution and "已重新评分" in solution and "中国（上海）时间" in solution
