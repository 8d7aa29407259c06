"""The student's page: who may open it, the submit flow, closed sets, and what feedback shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from grader.service.database import get_database
from grader.service.models import Submission
from tests.conftest import SEED_AS_PRINTED
from tests.pages.helpers import answer_form, make_set, student_token

# The forward and backward figures of seed-example.md as printed (E from the rounded y5).
FIRST_STEPS = ("z3", "y3", "z4", "y4", "z5", "y5", "E", "delta5", "delta3", "delta4")
SEED_ROUNDED = {key: SEED_AS_PRINTED[key] for key in FIRST_STEPS}


def stored_submissions(app) -> int:
    with get_database(app).sessions() as session:
        return session.scalar(select(func.count(Submission.id)))


def verdicts(page: str) -> dict[str, str]:
    """key -> the verdict class beside its field on a rendered student page."""
    found = re.findall(r'<div class="answer is-(\w+)">\s*<div class="answer-head">\s*<label for="f-([^"]+)">', page)
    return {key: verdict for verdict, key in found}


def test_a_token_opens_its_own_students_page(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    student_token(app, seed_set, "ben")
    page = client.get(f"/student/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "amy" in text and "ben" not in text
    assert "Classic 2-2-1 sigmoid network" in text
    assert 'name="answer:z3"' in text and 'name="answer:it2.E"' in text
    assert "<svg" in text  # the network diagram, inline


def test_the_page_states_the_rules_the_worksheets_print_in_either_language(app, client, seed_set):
    from html import escape

    from grader.service.facade.assignments import find_assignment, trace_of
    from grader.service.models import ExerciseSet
    from grader.worksheets.conventions import conventions

    token = student_token(app, seed_set, "amy")
    with get_database(app).sessions() as session:
        exercise = trace_of(find_assignment(session, session.get(ExerciseSet, seed_set), "amy")).exercise
    for language in ("en", "zh"):
        page = client.get(f"/student/{token}?lang={language}").get_data(as_text=True)
        for topic, rule in conventions(exercise, language):
            assert escape(topic, quote=False) in page and escape(rule, quote=False) in page, (language, topic)


def test_unknown_revoked_and_wrong_kind_of_tokens_get_404(app, client, keys, seed_set):
    from grader.service.facade.assignments import find_assignment, revoke_tokens
    from grader.service.models import ExerciseSet

    token = student_token(app, seed_set, "amy")
    for bad in ("bps_not-a-token", keys["alice"], "x" * 5000, token + "x", "%00", "..%2F"):
        response = client.get(f"/student/{bad}")
        assert response.status_code == 404, bad
        assert "This link is not valid" in response.get_data(as_text=True)
        assert client.post(f"/student/{bad}", data=answer_form({"z3": "1"})).status_code == 404
    with get_database(app).sessions() as session:
        assignment = find_assignment(session, session.get(ExerciseSet, seed_set), "amy")
        revoke_tokens(session, assignment)
    assert client.get(f"/student/{token}").status_code == 404
    assert stored_submissions(app) == 0


def test_submitting_grades_stores_and_shows_a_verdict_beside_every_field(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    answers = dict(SEED_ROUNDED, z4="0.9", delta5="-0.040681")
    response = client.post(f"/student/{token}", data={**answer_form(answers), "submission_key": "k-1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/student/{token}?attempt=1#result")
    page = client.get(f"/student/{token}?attempt=1").get_data(as_text=True)
    shown = verdicts(page)
    assert len(shown) == 29  # every asked key, answered or not
    assert shown["z3"] == "correct" and shown["E"] == "correct" and shown["delta4"] == "correct"
    assert shown["z4"] == "incorrect"
    assert shown["delta5"] == "misconception"
    assert shown["new_w5_3"] == "missing"
    assert "The output δ has the wrong sign" in page
    assert 'value="0.755"' in page  # the typed values stay in their fields
    assert "Past attempts" in page and "Attempt 1" in page
    assert stored_submissions(app) == 1


def test_a_double_click_stores_one_attempt(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    form = {**answer_form({"z3": "0.755"}), "submission_key": "same-key"}
    first = client.post(f"/student/{token}", data=form)
    second = client.post(f"/student/{token}", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert stored_submissions(app) == 1


def test_an_empty_form_costs_no_attempt(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    response = client.post(f"/student/{token}", data=answer_form({"z3": "  ", "y3": ""}), follow_redirects=True)
    assert "The form was empty" in response.get_data(as_text=True)
    assert stored_submissions(app) == 0


def test_unreadable_entries_are_refused_at_the_field_and_cost_no_attempt(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    typed = {"z3": "0,755", "y3": "abc", "z4": "1/37", "y4": "=0.00817", "z5": "8.17e-3"}
    for action in ("review", "submit"):
        response = client.post(f"/student/{token}", data=answer_form(typed, action))
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        refused = set(re.findall(r'<p class="field-error" id="err-([^"]+)">', page))
        assert refused == {"y3", "z4", "y4"}  # a decimal comma and an exponent are numbers
        assert 'aria-invalid="true"' in page and 'value="1/37"' in page  # marked, and kept as typed
        assert "3 entries are not numbers that can be read" in page
    assert stored_submissions(app) == 0
    assert 'value="=0.00817"' in client.get(f"/student/{token}").get_data(as_text=True)  # kept in the draft


def test_an_identical_resubmission_costs_no_attempt(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    client.post(f"/student/{token}", data=answer_form({"z3": "0.755", "y3": "0.68"}))
    again = client.post(f"/student/{token}", data=answer_form({"z3": "0,755", "y3": " 0.680"}))
    assert again.status_code == 302 and again.headers["Location"].endswith("?attempt=1#result")
    assert "same as in attempt 1" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert stored_submissions(app) == 1
    client.post(f"/student/{token}", data=answer_form({"z3": "0.755", "y3": "0.6803"}))
    assert stored_submissions(app) == 2


def test_submitting_asks_to_confirm_with_the_empty_fields_and_attempts_left(app, client, keys):
    token = student_token(app, make_set(app, "alice", max_attempts=3), "amy")
    response = client.post(f"/student/{token}", data=answer_form({"z3": "0.755", "y3": "0.68"}, "review"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "27 fields are empty" in page and "After this submission you will have 2 attempts left." in page
    assert 'name="answer:z3" value="0.755"' in page and 'value="submit"' in page
    assert stored_submissions(app) == 0
    # A post without a button's action (a script, a stray Enter) is a review, never an attempt.
    assert client.post(f"/student/{token}", data={"answer:z3": "0.755"}).status_code == 200
    assert stored_submissions(app) == 0


def test_enter_saves_the_draft_and_a_draft_can_be_cleared(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    # Enter presses the form's first button, "Save draft".
    page = client.get(f"/student/{token}").get_data(as_text=True)
    first_button = re.search(r"<button[^>]*>", page[page.index('id="answers"') :]).group(0)
    assert 'value="save"' in first_button
    saved = client.post(f"/student/{token}", data=answer_form({"z3": "0.75"}, "save"), follow_redirects=True)
    assert "Draft saved" in saved.get_data(as_text=True) and 'value="0.75"' in saved.get_data(as_text=True)
    assert stored_submissions(app) == 0
    cleared = client.post(f"/student/{token}", data={"action": "clear"}, follow_redirects=True).get_data(as_text=True)
    assert "Your draft was cleared." in cleared and 'value="0.75"' not in cleared


def test_the_draft_endpoint_saves_what_the_script_sends(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    other = student_token(app, seed_set, "ben")
    response = client.post(f"/student/{token}/draft", json={"answers": {"z3": "0.7", "y3": "", "nope": "1", "z4": 5}})
    assert response.status_code == 200 and response.get_json()["saved"] is True
    page = client.get(f"/student/{token}?lang=zh").get_data(as_text=True)  # a language switch keeps it
    assert re.search(r'id="f-z3" name="answer:z3" data-key="z3"\s+value="0.7"', page)
    assert re.search(r'id="f-z4" name="answer:z4" data-key="z4"\s+value="5"', page)
    assert 'value="0.7"' not in client.get(f"/student/{other}").get_data(as_text=True)  # only amy's
    for bad in (b"not json", b"[1]", b'{"answers": 3}'):
        assert client.post(f"/student/{token}/draft", data=bad, content_type="application/json").status_code == 400
    assert client.post("/student/bps_nope/draft", json={"answers": {}}).status_code == 404
    client.post(f"/student/{token}", data=answer_form({"z3": "0.7"}))
    # The submitted attempt replaces the draft.
    from grader.service.models import Draft

    with get_database(app).sessions() as session:
        assert session.scalar(select(func.count(Draft.id))) == 0


def test_attempts_run_out(app, client, keys):
    set_id = make_set(app, "alice", max_attempts=1)
    token = student_token(app, set_id, "amy")
    client.post(f"/student/{token}", data=answer_form({"z3": "0.755"}))
    page = client.get(f"/student/{token}").get_data(as_text=True)
    assert "You have used all your attempts." in page
    assert "Submit for grading" not in page
    again = client.post(f"/student/{token}", data=answer_form({"z3": "0.8"}), follow_redirects=True)
    assert "this submission was not stored" in again.get_data(as_text=True)
    assert stored_submissions(app) == 1


def test_past_due_closes_the_form(app, client, keys):
    set_id = make_set(app, "alice", due_at=datetime.now(UTC) - timedelta(hours=1))
    token = student_token(app, set_id, "amy")
    page = client.get(f"/student/{token}").get_data(as_text=True)
    assert "The due date has passed" in page and "readonly" in page
    refused = client.post(f"/student/{token}", data=answer_form({"z3": "0.755"}), follow_redirects=True)
    assert "this submission was not stored" in refused.get_data(as_text=True)
    assert stored_submissions(app) == 0


def test_expected_values_stay_hidden_unless_the_policy_reveals_them(app, client, keys):
    hidden = student_token(app, make_set(app, "alice"), "amy")
    client.post(f"/student/{hidden}", data=answer_form({"z3": "0.9"}))
    page = client.get(f"/student/{hidden}").get_data(as_text=True)
    assert "Expected" not in page and "0.755" not in page

    shown = student_token(app, make_set(app, "alice", policy={"reveal": "always"}), "amy")
    client.post(f"/student/{shown}", data=answer_form({"z3": "0.9"}))
    assert "Expected 0.755" in client.get(f"/student/{shown}").get_data(as_text=True)


def test_expected_values_show_once_the_last_attempt_is_used(app, client, keys):
    token = student_token(app, make_set(app, "alice", max_attempts=2, policy={"reveal": "after_last_attempt"}), "amy")
    client.post(f"/student/{token}", data=answer_form({"z3": "0.9"}))
    page = client.get(f"/student/{token}").get_data(as_text=True)
    assert "Expected" not in page and "0.755" not in page
    client.post(f"/student/{token}", data=answer_form({"z3": "0.8"}))
    for attempt in (1, 2):  # the earlier attempt too: nothing is left to copy the answers into
        page = client.get(f"/student/{token}?attempt={attempt}").get_data(as_text=True)
        assert "Expected 0.755" in page
    chinese = client.get(f"/student/{token}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "正确答案为 0.755" in chinese


def test_expected_values_show_once_the_due_date_has_passed(app, client, keys):
    from grader.service.models import ExerciseSet

    set_id = make_set(
        app, "alice", due_at=datetime.now(UTC) + timedelta(hours=1), max_attempts=1, policy={"reveal": "after_due"}
    )
    token = student_token(app, set_id, "amy")
    client.post(f"/student/{token}", data=answer_form({"z3": "0.9"}))
    page = client.get(f"/student/{token}").get_data(as_text=True)
    assert "You have used all your attempts." in page  # the last attempt, but the due date is ahead
    assert "Expected" not in page and "0.755" not in page
    with get_database(app).sessions() as session:
        session.get(ExerciseSet, set_id).due_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    assert "Expected 0.755" in client.get(f"/student/{token}").get_data(as_text=True)


def test_an_attempt_that_does_not_exist_is_404(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    client.post(f"/student/{token}", data=answer_form({"z3": "0.755"}))
    assert client.get(f"/student/{token}?attempt=2").status_code == 404
    assert client.get(f"/student/{token}?attempt=abc").status_code == 200  # not a number: the latest


def test_feedback_comes_in_chinese(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    client.post(f"/student/{token}", data=answer_form({"delta5": "-0.040681"}))
    page = client.get(f"/student/{token}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "输出层误差项 δ 的符号反了" in page  # the grader's own message
    assert "典型错误" in page and "正向传播" in page and "反向传播" in page


def test_pages_send_protective_headers(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    response = client.get(f"/student/{token}")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"  # the token never leaves in a Referer
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_control_characters_are_stored_and_shown_safely(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    form = {**answer_form({"z3": "0.7\x0055", "y3": "\u202e0.68"}), "submission_key": "k\x00\n"}
    response = client.post(f"/student/{token}", data=form)
    assert response.status_code == 422  # neither reads as a number: refused, shown back escaped
    assert set(re.findall(r'id="err-([^"]+)"', response.get_data(as_text=True))) == {"z3", "y3"}
    assert stored_submissions(app) == 0
