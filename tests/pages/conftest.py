"""Fixtures of the web-page tests.

The service's own fixtures (``app``, ``client``, ``keys``: an app on a fresh SQLite or PostgreSQL
database, and API keys for ``admin``, ``alice`` and ``bob``) come from tests/conftest.py.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.pages.helpers import make_set, sign_in

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Debian's; Playwright downloads nothing)."""
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required in CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live(app):
    """The app served over HTTP on a free loopback port, in a thread; its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def new_page(browser):
    """``new_page(**context_options)``: a page in a fresh browser context, closed after the test."""
    contexts = []

    def make(java_script_enabled: bool = False, **options):
        context = browser.new_context(java_script_enabled=java_script_enabled, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in(app, keys):
    """``signed_in("alice")`` -> a test client signed in with that account's key."""

    def make(name: str):
        client = app.test_client()
        response = sign_in(client, keys[name])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def seed_set(app, keys) -> int:
    """The id of a set of alice's made from the worked example (``seed-classic``)."""
    return make_set(app, "alice")
