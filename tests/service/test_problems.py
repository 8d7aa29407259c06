"""Every API error is problem+json (RFC 9457) with a type, a title, a status and field pointers."""

from __future__ import annotations

import pytest
from flask import Blueprint

from tests.service.helpers import API, is_problem

# Request handling does not depend on the database: SQLite is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_unknown_path_is_404_problem(client):
    doc = is_problem(client.get(f"{API}/no-such-thing"), 404, "not-found")
    assert doc["instance"] == f"{API}/no-such-thing"


def test_wrong_method_is_405_problem_with_allow_header(client):
    response = client.delete(f"{API}/health")
    doc = is_problem(response, 405)
    assert doc["type"] == "about:blank" and doc["title"] == "Method Not Allowed"
    assert "GET" in response.headers["Allow"]


def test_huge_body_is_413_problem(client, auth, app):
    body = b'{"exercise": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    response = client.post(f"{API}/solve", data=body, content_type="application/json", headers=auth("alice"))
    is_problem(response, 413, "payload-too-large")


def test_unexpected_error_is_500_problem_without_internals(app):
    broken = Blueprint("broken_for_test", __name__)

    @broken.route("/api/v1/broken-for-test")
    def explode():
        raise RuntimeError("secret internals")

    app.register_blueprint(broken)
    response = app.test_client().get("/api/v1/broken-for-test")
    doc = is_problem(response, 500, "internal-error")
    assert "secret" not in response.get_data(as_text=True)
    assert doc["detail"]


def test_unauthenticated_is_401_with_challenge(client):
    response = client.get(f"{API}/templates")
    is_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_validation_errors_point_at_each_field(client, auth):
    response = client.post(
        f"{API}/exercise-sets",
        json={"template": "seed-classic", "seed": "seven", "max_attempts": 0, "colour": "red"},
        headers=auth("alice"),
    )
    doc = is_problem(response, 422, "validation-error")
    pointers = {e["pointer"] for e in doc["errors"]}
    assert pointers == {"#/seed", "#/max_attempts", "#/colour"}


@pytest.mark.parametrize("slug", ["past-due", "idempotency-key-in-use", "validation-error"])
def test_problem_types_are_described_at_their_uri(client, slug):
    response = client.get(f"{API}/problems/{slug}")
    assert response.status_code == 200
    assert response.json["type"] == f"{API}/problems/{slug}" and response.json["description"]


def test_unknown_problem_type_is_404(client):
    is_problem(client.get(f"{API}/problems/nope"), 404, "not-found")
