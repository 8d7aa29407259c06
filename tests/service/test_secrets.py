"""Sessions and secrets in production: the secret key is refused when missing, short or a
placeholder; the session cookie is Secure over HTTPS; access logs keep no credentials."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

import pytest
import requests
from sqlalchemy import create_engine

from grader.service import create_app, schema
from grader.service.config import ConfigurationError
from tests.service.servers import CONFIG, GunicornServer

STRONG = secrets.token_urlsafe(32)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [(None, "is not set"), ("", "is not set"), ("short-but-random-K8x", "too short"),
     ("change-me-too", "too short"), ("change-me-too-change-me-too-change-me-too", "placeholder"),
     ("a" * 40, "placeholder"), ("my-super-secret-key-for-production-use-1", "placeholder")],
)  # fmt: skip
def test_production_refuses_a_missing_short_or_placeholder_secret(service_env, secret, reason):
    settings = {"ENVIRONMENT": "production", "DATABASE_URL": "sqlite://"}
    if secret is not None:
        settings["SECRET_KEY"] = secret
    with pytest.raises(ConfigurationError, match=reason) as refused:
        create_app(settings)
    assert "\n" not in str(refused.value) and "GRADER_SECRET_KEY" in str(refused.value)


def test_production_takes_a_long_random_secret_and_development_makes_one(service_env):
    assert create_app({"ENVIRONMENT": "production", "SECRET_KEY": STRONG}).config["SECRET_KEY"] == STRONG
    assert len(create_app().config["SECRET_KEY"]) >= 40  # development: generated, kept in the instance folder


def test_gunicorn_refuses_to_start_with_the_env_example_placeholder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(GRADER_SECRET_KEY="change-me-too", GRADER_DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
               GRADER_BIND="127.0.0.1:0", GRADER_INSTANCE_PATH=str(tmp_path))  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", CONFIG, "grader.service:create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and time.monotonic() - started < 30
    assert "Error: GRADER_SECRET_KEY is too short" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("settings", "secure"),
    [({"PUBLIC_URL": "https://grader.example.edu"}, True), ({"PUBLIC_URL": "http://localhost:8000"}, False),
     ({}, False), ({"PUBLIC_URL": "http://localhost", "SESSION_COOKIE_SECURE": True}, True),
     ({"PUBLIC_URL": "https://grader.example.edu", "SESSION_COOKIE_SECURE": False}, False)],
)  # fmt: skip
def test_the_session_cookie_is_secure_when_the_public_url_is_https_or_by_setting(service_env, settings, secure):
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": STRONG, **settings})
    client = app.test_client()
    client.get("/signin")
    cookie = client.get_cookie("bp_grader_session")
    assert cookie is not None and cookie.secure is secure and cookie.http_only


def test_the_secure_cookie_setting_reads_from_the_environment(service_env):
    service_env.setenv("GRADER_SECURE_COOKIES", "yes")
    assert create_app({"DATABASE_URL": "sqlite://"}).config["SESSION_COOKIE_SECURE"] is True
    service_env.setenv("GRADER_SECURE_COOKIES", "maybe")
    with pytest.raises(ConfigurationError, match="GRADER_SECURE_COOKIES must be true or false"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_access_logs_keep_no_student_token_or_api_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    schema.upgrade(create_engine(url))
    log = tmp_path / "access.log"
    token = "bps_" + secrets.token_urlsafe(32)
    key = "bpg_" + secrets.token_urlsafe(32)
    with GunicornServer(url, workers=1, access_log=log) as server:
        requests.get(f"{server.url}/student/{token}", timeout=10)
        referer = {"Referer": f"{server.url}/student/{token}"}
        requests.get(f"{server.url}/static/grader.css", headers=referer, timeout=10)
        requests.get(f"{server.url}/api/v1/exercise-sets?token={key}", timeout=10)
        server.stop()
    text = log.read_text()
    assert text.count("/student/bps_[hidden]") == 2 and "token=bpg_[hidden]" in text
    assert token[4:] not in text and key[4:] not in text
