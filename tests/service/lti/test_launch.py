"""LTI 1.3 end to end against the simulated LMS: launches, the student page, scores back, deep linking."""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin

import jwt
import pytest
import requests

from grader.service.models import Assignment, LtiUser
from tests.service.lti.lms import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, parse_form


def location(response) -> str:
    """Where a redirect goes, as an absolute URL."""
    return urljoin(response.url, response.headers["Location"])


def submit_on_page(browser, page_url: str, answers: dict[str, str]):
    """Fill the student page's form as a person would: "Submit for grading", then "Submit now"."""
    page = browser.get(page_url)
    assert page.status_code == 200
    key = re.search(r'name="submission_key" value="([^"]+)"', page.text).group(1)
    form = {"submission_key": key, "action": "review", **{f"answer:{k}": v for k, v in answers.items()}}
    confirm = browser.post(page_url, data=form)
    assert confirm.status_code == 200 and 'value="submit"' in confirm.text, confirm.text[:500]
    action, fields = parse_form(confirm.text, field="submission_key")
    return browser.post(urljoin(confirm.url, action), data={**fields, "action": "submit"}, allow_redirects=True)


def test_learner_launch_submission_and_score_received(tool, lms, browser, bound_custom, seed_values):
    response = lms.launch(browser, "student-1", [LEARNER], custom=bound_custom, name="Ada Lovelace")
    assert response.status_code == 302, response.text[:500]
    student_page = location(response)
    assert "/student/bps_" in student_page
    page = browser.get(student_page)
    assert page.status_code == 200
    # The LMS may frame the page; nobody else.
    assert f"frame-ancestors {lms.url}" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers

    # Two values right, the rest left blank: 2 points of one per asked value (default weights).
    result = submit_on_page(browser, student_page, {"z3": f"{seed_values['z3']:.4f}", "y3": f"{seed_values['y3']:.4f}"})
    assert result.status_code == 200
    assert tool.send_scores() == 1
    assert len(lms.platform.lineitems) == 1  # the launch had none: the tool made one through lineitems
    lineitem = next(iter(lms.platform.lineitems))
    score = lms.current_score(lineitem, "student-1")
    assert score["scoreGiven"] == 2.0
    assert score["scoreMaximum"] == float(len(seed_values))
    assert score["gradingProgress"] == "FullyGraded"
    # The token was asked for once, with an assertion the LMS verified against /lti/jwks.
    assert lms.platform.token_requests == 1 and len(lms.platform.assertion_ids) == 1

    # A second attempt (all right) replaces the score: latest is the default policy.
    submit_on_page(browser, student_page, {k: f"{v:.6g}" for k, v in seed_values.items()})
    assert tool.send_scores() == 1
    assert lms.current_score(lineitem, "student-1")["scoreGiven"] == float(len(seed_values))
    assert lms.platform.token_requests == 1  # cached until it expires

    # The learner is keyed by issuer and sub; the instructor sees the name and e-mail.
    with tool.sessions() as session:
        user = session.query(LtiUser).one()
        assert (user.sub, user.name, user.email) == ("student-1", "Ada Lovelace", "student-1@example.edu")
        assert session.query(Assignment).one().student_id == user.student_id


def test_launch_with_a_line_item_sends_the_score_there(tool, lms, browser, bound_custom):
    lms.platform.lineitems[lms.lineitems_url + "/7"] = {"id": lms.lineitems_url + "/7", "scoreMaximum": 10}
    response = lms.launch(browser, "s2", [LEARNER], custom=bound_custom, lineitem=lms.lineitems_url + "/7")
    submit_on_page(browser, location(response), {"z3": "0.755"})
    tool.send_scores()
    assert lms.current_score(lms.lineitems_url + "/7", "s2")["scoreGiven"] == 1.0
    assert len(lms.platform.lineitems) == 1


def test_a_503_for_the_first_score_loses_nothing(tool, lms, browser, bound_custom):
    from grader.service.worker import start_in_background

    lms.platform.fail_scores = 1
    response = lms.launch(browser, "s3", [LEARNER], custom=bound_custom)
    submit_on_page(browser, location(response), {"z3": "0.755"})
    worker = start_in_background(tool.app, interval=0.2)
    try:
        # The first retry is due 2 s after the 503 (queue.FIRST_RETRY); a loaded machine may take longer.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not lms.platform.scores:
            time.sleep(0.1)
    finally:
        worker.stop()
    assert lms.platform.fail_scores == 0  # the 503 was answered
    assert [s.document["scoreGiven"] for s in lms.platform.scores] == [1.0]


def test_instructor_launch_binds_a_new_link_and_opens_the_set_without_an_api_key(tool, lms, browser, seed_values):
    response = lms.launch(browser, "teacher-1", [INSTRUCTOR], link="fresh-link")
    assert response.status_code == 302
    picker = browser.get(location(response))
    assert picker.status_code == 200 and "Choose an exercise set" in picker.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', picker.text).group(1)
    made = browser.post(
        picker.url, data={"csrf_token": csrf, "set_id": "new", "template": "seed-classic", "title": "Week 3"}
    )
    assert made.status_code == 200 and "Week 3" in made.text
    set_url = made.url
    assert re.search(r"/sets/\d+$", set_url)
    # A learner of the same link now gets a variant of that set.
    learner = lms.launch(browser_for_learner := requests.Session(), "st-9", [LEARNER], link="fresh-link")
    assert learner.status_code == 302 and "/student/" in learner.headers["Location"]
    browser_for_learner.close()
    # A teaching assistant of the course reaches the set page too, with no key of their own.
    with requests.Session() as ta:
        launched = lms.launch(ta, "ta-1", [TEACHING_ASSISTANT], link="fresh-link")
        assert launched.status_code == 302
        assert ta.get(location(launched)).status_code == 200


def test_deep_linking_round_trip(tool, lms, browser):
    response = lms.launch(browser, "teacher-2", [INSTRUCTOR], deep_linking=True)
    assert response.status_code == 302
    picker = browser.get(location(response))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', picker.text).group(1)
    answer = browser.post(
        picker.url, data={"csrf_token": csrf, "set_id": "new", "template": "seed-classic", "title": "Deep"}
    )
    assert answer.status_code == 200
    assert lms.url in answer.headers["Content-Security-Policy"]  # the form may post back to the LMS
    action, fields = parse_form(answer.text, field="JWT")
    assert action == lms.url + "/deep_link_return"
    returned = browser.post(action, data=fields)
    assert returned.status_code == 200, lms.platform.refused
    (claims,) = lms.platform.deep_link_responses
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/version"] == "1.3.0"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == lms.platform.deployment_id
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"].startswith("opaque-")
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == tool.url + "/lti/launch"
    assert item["lineItem"] == {"scoreMaximum": 100, "label": "Deep"}
    # The LMS makes the link with the item's custom parameters; its first launch is bound by them.
    learner = lms.launch(browser, "st-1", [LEARNER], link="from-deep-link", custom=item["custom"])
    assert learner.status_code == 302 and "/student/bps_" in learner.headers["Location"]


def test_custom_set_id_without_a_valid_signature_binds_nothing(tool, lms, browser, seed_set_id):
    response = lms.launch(browser, "st-1", [LEARNER], custom={"set_id": str(seed_set_id), "set_sig": "0" * 32})
    assert response.status_code == 409
    assert "not set up yet" in response.text


def test_jwks_publishes_the_key_and_keeps_a_rotated_one(tool):
    from grader.service.lti import keys

    first = requests.get(tool.url + "/lti/jwks").json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and first[0]["alg"] == "RS256"
    with tool.sessions() as session:
        new = keys.rotate(session)
        token = keys.sign(session, {"hello": "world"})
    after = {k["kid"]: k for k in requests.get(tool.url + "/lti/jwks").json()["keys"]}
    assert set(after) == {first[0]["kid"], new.kid}
    assert jwt.get_unverified_header(token)["kid"] == new.kid
    assert jwt.decode(token, jwt.algorithms.RSAAlgorithm.from_jwk(after[new.kid]), algorithms=["RS256"]) == {
        "hello": "world"
    }


def test_a_regrade_that_changes_a_score_sends_the_new_one(tool, lms, browser, bound_custom, seed_set_id):
    from grader.service.facade.exercise_sets import update_set
    from grader.service.facade.regrading import regrade
    from grader.service.models import ExerciseSet

    response = lms.launch(browser, "s5", [LEARNER], custom=bound_custom)
    submit_on_page(browser, location(response), {"z3": "0.755", "y3": "0.6803"})
    tool.send_scores()
    lineitem = next(iter(lms.platform.lineitems))
    assert lms.current_score(lineitem, "s5")["scoreGiven"] == 2.0
    with tool.sessions() as session:
        exercise_set = session.get(ExerciseSet, seed_set_id)
        weights = {"forward": 3, "loss": 1, "backward": 1, "gradients": 1, "updates": 1}
        update_set(session, exercise_set, {"policy": {"phase_weights": weights}})
        session.commit()
        regrade(session, session.get(ExerciseSet, seed_set_id))
    assert tool.send_scores() == 1
    assert lms.current_score(lineitem, "s5")["scoreGiven"] == 6.0
    # Nothing changed: a second regrade sends nothing.
    with tool.sessions() as session:
        regrade(session, session.get(ExerciseSet, seed_set_id))
    assert tool.send_scores() == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_submission_through_the_api_is_passed_back_too_and_best_keeps_the_best(tool, lms, browser, seed_set_id):
    from grader.service.facade.exercise_sets import update_set
    from grader.service.facade.keys import create_key
    from grader.service.lti.registration import find_platform, link_signature
    from grader.service.models import ExerciseSet

    with tool.sessions() as session:
        secret = create_key(session, "carol", "admin")[1]
        platform = find_platform(session, lms.issuer)
        custom = {"set_id": str(seed_set_id), "set_sig": link_signature(platform, seed_set_id)}
        update_set(session, session.get(ExerciseSet, seed_set_id), {"policy": {"passback": "best"}})
        session.commit()
    launched = lms.launch(browser, "s6", [LEARNER], custom=custom)
    submit_on_page(browser, location(launched), {"z3": "0.755", "y3": "0.6803", "z4": "0.68"})
    with tool.sessions() as session:
        student_id = session.query(LtiUser).one().student_id
    url = f"{tool.url}/api/v1/exercise-sets/{seed_set_id}/students/{student_id}/submissions"
    worse = requests.post(url, json={"answers": {"z3": 0.755}}, headers={"Authorization": f"Bearer {secret}"})
    assert worse.status_code == 201, worse.text
    assert tool.send_scores() == 1  # the first score was superseded before it was sent: only the newest goes
    lineitem = next(iter(lms.platform.lineitems))
    assert lms.current_score(lineitem, "s6")["scoreGiven"] == 3.0  # best of 3 and 1


def test_removing_a_student_or_deleting_the_set_takes_their_lti_rows_along(
    tool, lms, browser, bound_custom, seed_set_id
):
    from grader.service.facade.roster import delete_set, remove_student
    from grader.service.models import ExerciseSet, LtiEnrolment, LtiResourceLink, LtiSetGrant

    lms.launch(requests.Session(), "teacher", [INSTRUCTOR], custom=bound_custom)
    for user in ("a", "b"):
        launched = lms.launch(browser, user, [LEARNER], custom=bound_custom)
        submit_on_page(browser, location(launched), {"z3": "0.755"})
    with tool.sessions() as session:
        first = session.query(Assignment).order_by(Assignment.id).first()
        remove_student(session, first)
        assert session.query(LtiEnrolment).count() == 1
    assert tool.send_scores() == 2  # the removed student's queued score is dropped, not sent
    assert [s.document["userId"] for s in lms.platform.scores] == ["b"]
    with tool.sessions() as session:
        delete_set(session, session.get(ExerciseSet, seed_set_id))
        assert session.query(LtiEnrolment).count() == 0 and session.query(LtiSetGrant).count() == 0
        assert session.query(LtiResourceLink).one().set_id is None  # unbound: an instructor binds it again
