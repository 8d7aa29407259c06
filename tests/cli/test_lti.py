"""``grader lti`` and ``grader worker``: registering platforms and the URLs an LMS administrator needs."""

from __future__ import annotations

import json

import pytest

from grader.cli import main

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

REGISTRATION = [
    "--issuer", "https://moodle.example.edu",
    "--client-id", "abc123",
    "--deployment-id", "1",
    "--auth-login-url", "https://moodle.example.edu/mod/lti/auth.php",
    "--auth-token-url", "https://moodle.example.edu/mod/lti/token.php",
    "--keyset-url", "https://moodle.example.edu/mod/lti/certs.php",
]  # fmt: skip
URL = ["--url", "https://grader.example.edu"]


def test_register_prints_the_urls_an_administrator_needs(runner):
    result = runner.invoke(main, ["lti", "register", *REGISTRATION, "--name", "Moodle", *URL])
    assert result.exit_code == 0, result.output
    for line in (
        "Login (OIDC initiation) URL: https://grader.example.edu/lti/login",
        "Launch (target link) URL:    https://grader.example.edu/lti/launch",
        "Redirect URI:                https://grader.example.edu/lti/launch",
        "Deep linking URL:            https://grader.example.edu/lti/launch",
        "Public keyset (JWKS) URL:    https://grader.example.edu/lti/jwks",
    ):
        assert line in result.output
    again = runner.invoke(main, ["lti", "register", *REGISTRATION[:4], "--deployment-id", "2", *REGISTRATION[6:], *URL])
    assert "deployment '2': registered" in again.output
    listed = runner.invoke(main, ["lti", "list"])
    assert "Moodle: issuer https://moodle.example.edu, client id abc123" in listed.output
    assert "deployment 1" in listed.output and "deployment 2" in listed.output
    removed = runner.invoke(main, ["lti", "remove", "--issuer", "https://moodle.example.edu", "--deployment-id", "2"])
    assert removed.exit_code == 0 and "deployment '2'" in removed.output
    assert "deployment 2" not in runner.invoke(main, ["lti", "list"]).output
    gone = runner.invoke(main, ["lti", "remove", "--issuer", "https://moodle.example.edu"])
    assert gone.exit_code == 0
    assert "No platforms registered" in runner.invoke(main, ["lti", "list"]).output


def test_bad_input_is_a_clear_error_not_a_traceback(runner):
    bad = [*REGISTRATION[:9], "ftp://nowhere", *REGISTRATION[10:]]
    result = runner.invoke(main, ["lti", "register", *bad, *URL])
    assert result.exit_code == 2 and "--auth-token-url must be an http(s) URL" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(main, ["lti", "register", *REGISTRATION])
    assert missing.exit_code == 2 and "--url" in missing.output
    unknown = runner.invoke(main, ["lti", "remove", "--issuer", "https://nobody.example"])
    assert unknown.exit_code == 2 and "no platform" in unknown.output


def test_rotate_key_keeps_the_old_key_published(runner):
    runner.invoke(main, ["lti", "register", *REGISTRATION, *URL])
    result = runner.invoke(main, ["lti", "rotate-key"])
    assert result.exit_code == 0 and "New signing key" in result.output
    from grader.service import create_app
    from grader.service.database import get_database
    from grader.service.lti import keys

    app = create_app()
    with get_database(app).sessions() as session:
        assert len(keys.jwks(session)["keys"]) == 2
    get_database(app).dispose()


def test_canvas_config_is_the_json_a_developer_key_takes(runner):
    result = runner.invoke(main, ["lti", "canvas-config", *URL])
    assert result.exit_code == 0
    config = json.loads(result.output)
    assert config["oidc_initiation_url"] == "https://grader.example.edu/lti/login"
    assert config["target_link_uri"] == "https://grader.example.edu/lti/launch"
    assert config["public_jwk_url"] == "https://grader.example.edu/lti/jwks"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes"]
    placements = config["extensions"][0]["settings"]["placements"]
    assert {p["message_type"] for p in placements} == {"LtiDeepLinkingRequest"}


def test_worker_until_idle(runner):
    result = runner.invoke(main, ["worker", "--until-idle"])
    assert result.exit_code == 0, result.output
    assert "Worker stopped." in result.output
