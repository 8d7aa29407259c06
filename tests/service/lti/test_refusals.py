"""Refused launches: each gets an error page saying what was wrong, and leaves no session behind."""

from __future__ import annotations

import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from grader.service.models import LtiUser
from tests.service.lti.lms import INSTRUCTOR, LEARNER

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SESSION_COOKIE = "bp_grader_session"


def authenticated(lms, browser, user="teacher", roles=(INSTRUCTOR,), **options):
    """Login and authentication done; the form the LMS would post to the tool, not yet posted."""
    hint = lms.message(user, list(roles), **options)
    return lms.authenticate(browser, lms.login_request(browser, user, hint))


def assert_refused(tool, browser, response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text[:800]
    assert response.headers["Content-Type"].startswith("text/html")
    for word in words:
        assert word in response.text, response.text[:2000]
    assert SESSION_COOKIE not in browser.cookies
    with tool.sessions() as session:
        assert session.query(LtiUser).count() == 0
    # Nothing was signed in: the instructor pages send the browser to sign in.
    assert browser.get(tool.url + "/sets", allow_redirects=False).status_code == 302


def test_a_good_launch_passes_the_same_checks(tool, lms, browser):
    action, fields = authenticated(lms, browser)
    assert browser.post(action, data=fields, allow_redirects=False).status_code == 302


def test_forged_signature(tool, lms, browser):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    action, fields = authenticated(lms, browser, sign_with=forger)
    assert_refused(tool, browser, browser.post(action, data=fields), 400, "signature does not verify")


def test_expired_token(tool, lms, browser):
    now = int(time.time())
    action, fields = authenticated(lms, browser, tamper={"iat": now - 4000, "exp": now - 3600})
    assert_refused(tool, browser, browser.post(action, data=fields), 400, "has expired")


def test_wrong_audience(tool, lms, browser):
    action, fields = authenticated(lms, browser, tamper={"aud": "another-tool"})
    assert_refused(tool, browser, browser.post(action, data=fields), 400, "not addressed to this tool")


def test_several_audiences_without_our_azp(tool, lms, browser):
    action, fields = authenticated(lms, browser, tamper={"aud": [lms.platform.client_id, "other"], "azp": "other"})
    assert_refused(tool, browser, browser.post(action, data=fields), 400, "azp")


def test_unknown_deployment(tool, lms, browser):
    deployment = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    action, fields = authenticated(lms, browser, tamper={deployment: "not-registered"})
    assert_refused(tool, browser, browser.post(action, data=fields), 403, "deployment not-registered is not registered")


def test_replayed_nonce(tool, lms, browser):
    action, first = authenticated(lms, browser)
    assert browser.post(action, data=first, allow_redirects=False).status_code == 302
    browser.cookies.clear()
    # The same id_token again, with a fresh login's state: the nonce has been used.
    action, fresh = authenticated(lms, browser)
    with tool.sessions() as session:
        users = session.query(LtiUser).count()
    response = browser.post(action, data={"id_token": first["id_token"], "state": fresh["state"]})
    assert response.status_code == 400 and "nonce has been used already" in response.text
    assert SESSION_COOKIE not in browser.cookies
    with tool.sessions() as session:
        assert session.query(LtiUser).count() == users


def test_missing_state(tool, lms, browser):
    action, fields = authenticated(lms, browser)
    del fields["state"]
    assert_refused(tool, browser, browser.post(action, data=fields), 400, "has no state")


def test_state_of_another_browser(tool, lms, browser):
    # Login CSRF: an attacker's own launch posted from the victim's browser.
    with requests.Session() as attacker:
        action, theirs = authenticated(lms, attacker, user="mallory", roles=(LEARNER,))
    authenticated(lms, browser)  # the victim's browser holds a state cookie of its own
    response = browser.post(action, data=theirs)
    assert_refused(tool, browser, response, 400, "does not match the login started in this browser")


def test_no_state_cookie(tool, lms, browser):
    action, fields = authenticated(lms, browser)
    browser.cookies.clear()
    assert_refused(tool, browser, browser.post(action, data=fields), 400, "did not send back")


def test_a_state_is_used_once(tool, lms, browser):
    action, fields = authenticated(lms, browser)
    assert browser.post(action, data=fields, allow_redirects=False).status_code == 302
    browser.cookies.set("bp_lti_state", fields["state"], path="/lti/")
    again = browser.post(action, data=fields)
    assert again.status_code == 400 and "unknown or has expired" in again.text


def test_wrong_lti_version(tool, lms, browser):
    version = "https://purl.imsglobal.org/spec/lti/claim/version"
    action, fields = authenticated(lms, browser, tamper={version: "1.1"})
    assert_refused(tool, browser, browser.post(action, data=fields), 400, "Only LTI version 1.3.0")


def test_unknown_message_type(tool, lms, browser):
    kind = "https://purl.imsglobal.org/spec/lti/claim/message_type"
    action, fields = authenticated(lms, browser, tamper={kind: "LtiSubmissionReviewRequest"})
    assert_refused(tool, browser, browser.post(action, data=fields), 400, "not supported")


def test_login_from_an_unknown_platform(tool, lms, browser):
    response = browser.post(tool.url + "/lti/login", data={"iss": "https://evil.example", "login_hint": "x"})
    assert response.status_code == 403 and "is not registered" in response.text
    assert "bp_lti_state" not in browser.cookies


def test_a_learner_cannot_deep_link(tool, lms, browser):
    action, fields = authenticated(lms, browser, user="st", roles=(LEARNER,), deep_linking=True)
    response = browser.post(action, data=fields)
    assert response.status_code == 403 and "Only instructors" in response.text
