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


def test_the_secure_setting_marks_lti_and_api_key_session_cookies_alike(tool, lms, database_url):
    """``GRADER_SECURE_COOKIES=true`` (or an https public URL): both kinds of session cookie are
    ``Secure``, even over plain HTTP (the proxy terminating TLS does not forward the scheme)."""
    from grader.service.facade.keys import create_key
    from tests.pages.helpers import sign_in

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "lti-test-secret",
            "PUBLIC_URL": tool.url,
            "SESSION_COOKIE_SECURE": True,
        }
    )
    try:
        client = app.test_client()
        hint = lms.message("teacher", [INSTRUCTOR])
        login = client.post("/lti/login", data={"iss": lms.issuer, "login_hint": "teacher", "lti_message_hint": hint})
        _action, fields = parse_form(requests.get(login.headers["Location"]).text)
        launched = client.post("/lti/launch", data=fields)
        assert launched.status_code == 302, launched.get_data(as_text=True)[:500]
        lti_cookie = cookie_header(launched, "bp_grader_session")
        with get_database(app).sessions() as session:
            secret = create_key(session, "alice", "instructor")[1]
        signed_in = sign_in(app.test_client(), secret)
        assert signed_in.status_code == 302
        key_cookie = cookie_header(signed_in, "bp_grader_session")
        for header in (lti_cookie, key_cookie):
            assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    finally:
        get_database(app).dispose()
