"""Fixtures of the LTI tests: the tool as a real HTTP server, a simulated LMS registered with it, a browser."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from grader.service import create_app
from grader.service.database import get_database
from grader.service.lti import ags, platform_keys
from grader.service.lti.registration import find_platform, link_signature, register
from grader.service.models import ExerciseSet, LtiPlatform
from grader.service.worker import run_once
from tests.service.lti.lms import SimulatedLms


@dataclass
class Tool:
    """The grading service on loopback, as the LMS and the browser reach it."""

    app: Flask
    url: str

    def sessions(self):
        return get_database(self.app).sessions()

    def send_scores(self) -> int:
        """Run due jobs until none is due (what the worker thread does); returns how many ran."""
        total = 0
        while ran := run_once(self.app):
            total += ran
        return total


@pytest.fixture
def tool(service_env, database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "lti-test-secret"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Tool(app, url)
    server.shutdown()
    server.server_close()
    get_database(app).dispose()
    # Per-process caches: each test has its own LMS and keys.
    platform_keys.forget()
    ags._TOKENS.clear()


@pytest.fixture
def lms(tool):
    """A simulated LMS, registered with the tool (one platform, one deployment)."""
    with SimulatedLms() as simulated:
        simulated.tool = tool.url
        with tool.sessions() as session:
            register(session, **simulated.registration, name="Simulated LMS")
        yield simulated


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


@pytest.fixture
def seed_set_id(tool, lms) -> int:
    """A seed-example set owned by an instructor with an API key."""
    from grader.service.facade.exercise_sets import create_set
    from grader.service.facade.keys import create_key

    with tool.sessions() as session:
        create_key(session, "alice", "instructor")
        from grader.service.models import Account

        alice = session.query(Account).filter_by(name="alice").one()
        exercise_set = create_set(session, alice, {"template": "seed-classic", "seed": 7}, 20_000)
        session.commit()
        return exercise_set.id


@pytest.fixture
def bound_custom(tool, lms, seed_set_id) -> dict[str, str]:
    """The custom parameters that bind a link to the seed set (as deep linking hands them out)."""
    with tool.sessions() as session:
        platform = find_platform(session, lms.issuer, lms.platform.client_id)
        return {"set_id": str(seed_set_id), "set_sig": link_signature(platform, seed_set_id)}


def platform_of(tool: Tool, lms: SimulatedLms) -> LtiPlatform:
    with tool.sessions() as session:
        return find_platform(session, lms.issuer, lms.platform.client_id)


def set_title(tool: Tool, set_id: int) -> str:
    with tool.sessions() as session:
        return session.get(ExerciseSet, set_id).title
