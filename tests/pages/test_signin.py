"""Signing in and out with an API key; the session cookie; CSRF on every form post."""

from __future__ import annotations

import pytest

from grader.service.database import get_database
from grader.service.facade.keys import revoke_key
from tests.pages.helpers import csrf_token, sign_in


def test_signing_in_with_a_key_opens_the_sets(client, keys):
    response = sign_in(client, keys["alice"])
    assert response.status_code == 302 and response.headers["Location"] == "/sets"
    page = client.get("/sets").get_data(as_text=True)
    assert "Signed in as alice." in page
    cookie = client.get_cookie("bp_grader_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert keys["alice"] not in cookie.value  # the cookie holds a session secret, never the key


def test_a_wrong_key_is_refused_with_a_message(client, keys):
    for wrong in ("bpg_nope", "bps_student-token-shape", "", keys["alice"] + "x"):
        response = sign_in(client, wrong)
        assert response.status_code == 422
        assert client.get("/sets").status_code == 302  # still not signed in
    assert "This API key is unknown or has been revoked." in sign_in(client, "bpg_nope").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/sets", "/sets/new", "/sets/1", "/sets/1/gradebook.csv", "/sets/1/students/amy"])
def test_instructor_pages_need_a_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin?next=")


def test_after_sign_in_the_visitor_returns_to_the_page_asked_for(client, keys):
    location = client.get("/sets/new").headers["Location"]
    token = csrf_token(client, location)
    response = client.post("/signin", data={"key": keys["alice"], "csrf_token": token, "next": "/sets/new"})
    assert response.headers["Location"] == "/sets/new"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_sign_in_never_redirects_off_the_site(client, keys, target):
    token = csrf_token(client)
    response = client.post("/signin", data={"key": keys["alice"], "csrf_token": token, "next": target})
    assert response.headers["Location"] == "/sets"


def test_signing_out_ends_the_session(client, keys):
    sign_in(client, keys["alice"])
    token = csrf_token(client, "/sets")
    response = client.post("/signout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/sets").status_code == 302


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client, keys):
    sign_in(client, keys["alice"])
    copy = app.test_client()
    copy.set_cookie("bp_grader_session", client.get_cookie("bp_grader_session").value)
    assert copy.get("/sets").status_code == 200  # the copy works while the session is open
    client.post("/signout", data={"csrf_token": csrf_token(client, "/sets")})
    response = copy.get("/sets")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_revoking_the_key_signs_its_browsers_out(app, client, keys):
    sign_in(client, keys["alice"])
    assert client.get("/sets").status_code == 200
    with get_database(app).sessions() as session:
        revoke_key(session, keys["alice"][:12])
    assert client.get("/sets").status_code == 302


def age_sessions(app, **ago) -> None:
    """Move every page session's timestamps back, as if the clock had moved on."""
    from grader.service.models import PageSession

    with get_database(app).sessions() as session:
        for row in session.query(PageSession):
            for column, delta in ago.items():
                setattr(row, column, getattr(row, column) - delta)
        session.commit()


def test_a_session_ends_after_its_lifetime_and_when_left_idle(app, client, keys):
    from datetime import timedelta

    lifetime, idle = timedelta(hours=app.config["SESSION_HOURS"]), timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    sign_in(client, keys["alice"])
    age_sessions(app, created_at=lifetime - timedelta(minutes=5), last_seen_at=idle - timedelta(minutes=5))
    assert client.get("/sets").status_code == 200  # old, but inside both limits: open, and now just used
    age_sessions(app, last_seen_at=idle + timedelta(seconds=1))
    assert client.get("/sets").status_code == 302  # idle too long
    sign_in(client, keys["alice"])
    age_sessions(app, created_at=lifetime + timedelta(seconds=1))
    assert client.get("/sets").status_code == 302  # in use, but past its lifetime


def test_signing_in_again_ends_the_session_it_replaces(app, client, keys):
    sign_in(client, keys["alice"])
    copy = app.test_client()
    copy.set_cookie("bp_grader_session", client.get_cookie("bp_grader_session").value)
    sign_in(client, keys["bob"])
    assert client.get("/sets").status_code == 200
    assert copy.get("/sets").status_code == 302


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/signin", {"key": "bpg_x"}),
        ("/signout", {}),
        ("/sets/new", {"template": "seed-classic"}),
        ("/sets/1/regrade", {}),
        ("/sets/1/policy", {"rtol": "0.5"}),
        ("/sets/1/students", {"students": "mallory"}),
        ("/sets/1/students/amy/link", {}),
    ],
)
def test_a_form_post_without_the_csrf_token_is_rejected(signed_in, seed_set, path, data):
    client = signed_in("alice")
    for token in (None, "forged"):
        response = client.post(path, data=data if token is None else {**data, "csrf_token": token})
        assert response.status_code == 400
        assert "did not come from this site" in response.get_data(as_text=True)


def test_a_rejected_post_changes_nothing(app, signed_in, seed_set):
    client = signed_in("alice")
    client.post(f"/sets/{seed_set}/students", data={"students": "mallory"})
    client.post(f"/sets/{seed_set}/policy", data={"rtol": "0.5", "reveal": "always"})
    page = client.get(f"/sets/{seed_set}").get_data(as_text=True)
    assert "mallory" not in page
    assert "policy version 1" in page
