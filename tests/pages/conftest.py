"""Fixtures of the web-page tests.

The service's own fixtures (``app``, ``client``, ``keys``: an app on a fresh SQLite or PostgreSQL
database, and API keys for ``admin``, ``alice`` and ``bob``) come from tests/conftest.py.
"""

from __future__ import annotations

import pytest

from tests.pages.helpers import make_set, sign_in


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
