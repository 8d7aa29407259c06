"""Inside the LMS's iframe, behind a TLS proxy: cookies that cross sites are SameSite=None; Secure."""

from __future__ import annotations

import pytest
import requests

from grader.service import create_app
from grader.service.database import get_database
from tests.service.lti.lms import INSTRUCTOR, parse_form

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HTTPS = {"X-Forwarded-Proto": "https"}


def cookie_header(response, name: str) -> str:
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    return header


@pytest.fixture
def behind_proxy(tool, database_url):
    """The same service as ``tool`` (same database), as it runs behind one TLS-terminating proxy."""
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "lti-test-secret", "PUBLIC_URL": tool.url, "PROXIES": 1}
    )
    yield app
    get_database(app).dispose()


def test_behind_a_tls_proxy_the_cookies_cross_sites(behind_proxy, lms):
    client = behind_proxy.test_client()
    hint = lms.message("teacher", [INSTRUCTOR])
    login = client.post(
        "/lti/login", data={"iss": lms.issuer, "login_hint": "teacher", "lti_message_hint": hint}, headers=HTTPS
    )
    assert login.status_code == 302
    state = cookie_header(login, "bp_lti_state")
    assert "Secure" in state and "SameSite=None" in state and "HttpOnly" in state
    answer = requests.get(login.headers["Location"])
    _action, fields = parse_form(answer.text)
    launched = client.post("/lti/launch", data=fields, headers=HTTPS)
    assert launched.status_code == 302, launched.get_data(as_text=True)[:500]
    session = cookie_header(launched, "bp_grader_session")
    assert "Secure" in session and "SameSite=None" in session
    # The set page it opens may be framed by the LMS, and by nobody else.
    page = client.get(launched.headers["Location"], headers=HTTPS)
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {lms.url}" in csp and "X-Frame-Options" not in page.headers


def test_over_plain_http_and_outside_lti_cookies_stay_lax(tool, lms):
    client = tool.app.test_client()
    login = client.post("/lti/login", data={"iss": lms.issuer, "login_hint": "x", "lti_message_hint": "h"})
    state = cookie_header(login, "bp_lti_state")
    assert "SameSite=Lax" in state and "Secure" not in state
    # An ordinary page is never framed.
    home = client.get("/")
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]
    assert home.headers["X-Frame-Options"] == "DENY"


def test_an_lti_staff_session_ends_after_a_working_day(tool, lms, monkeypatch):
    import time as clock

    from grader.service.lti import framing
    from tests.service.lti.test_launch import location

    with requests.Session() as browser:
        launched = lms.launch(browser, "teacher", [INSTRUCTOR])
        picker = location(launched)
        assert browser.get(picker).status_code == 200
        later = clock.time() + framing.LTI_SESSION_LIFETIME + 1
        monkeypatch.setattr(framing, "_now", lambda: later)
        assert browser.get(picker).status_code == 403  # "open this page from your course"
