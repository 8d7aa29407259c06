"""The OpenAPI document is enough to integrate from: every operation named, described, secured
and with its problem+json errors documented."""

from __future__ import annotations

import pytest

from tests.service.helpers import API

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {"/api/v1/health", "/api/v1/ready", "/api/v1/problems/{slug}"}


@pytest.fixture
def spec(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json


def operations(spec):
    return [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items() if method in METHODS
    ]


def test_document_basics(spec):
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "API key (bpg_...) or student token (bps_...)",
    }
    assert spec["security"] == [{"bearerAuth": []}]
    assert "problem+json" in spec["info"]["description"] and "Idempotency-Key" in spec["info"]["description"]
    assert all(tag.get("description") for tag in spec["tags"])


def test_every_issue_endpoint_is_there(spec):
    wanted = {
        ("get", "/health"),
        ("get", "/templates"),
        ("post", "/solve"),
        ("post", "/exercise-sets"),
        ("get", "/exercise-sets"),
        ("get", "/exercise-sets/{set_id}"),
        ("patch", "/exercise-sets/{set_id}"),
        ("get", "/exercise-sets/{set_id}/students/{student_id}/exercise"),
        ("post", "/exercise-sets/{set_id}/students/{student_id}/access-token"),
        ("post", "/exercise-sets/{set_id}/students/{student_id}/submissions"),
        ("get", "/exercise-sets/{set_id}/students/{student_id}/submissions"),
        ("get", "/exercise-sets/{set_id}/students/{student_id}/answer-key"),
        ("get", "/exercise-sets/{set_id}/gradebook"),
        ("get", "/exercise-sets/{set_id}/analytics"),
        ("post", "/exercise-sets/{set_id}/regrade"),
    }
    have = {(method, path.removeprefix(API)) for path, method, _op in operations(spec)}
    assert wanted <= have, wanted - have


def test_every_operation_is_named_described_and_documents_its_errors(spec):
    ids = [op["operationId"] for _path, _method, op in operations(spec)]
    assert len(ids) == len(set(ids))
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]
    for path, method, op in operations(spec):
        assert op.get("summary"), (method, path)
        assert "default" in op["responses"] and "400" in op["responses"] and "503" in op["responses"]
        if path in PUBLIC:
            assert op["security"] == [], path
        else:
            assert "401" in op["responses"], (method, path)


def test_student_ids_and_idempotency_keys_are_documented(spec):
    submit = spec["paths"][f"{API}/exercise-sets/{{set_id}}/students/{{student_id}}/submissions"]["post"]
    parameters = {p["name"]: p for p in submit["parameters"]}
    assert parameters["Idempotency-Key"]["in"] == "header"
    student = next(
        p
        for p in spec["paths"][f"{API}/exercise-sets/{{set_id}}/students/{{student_id}}/exercise"]["parameters"]
        if p["name"] == "student_id"
    )
    assert student["schema"]["maxLength"] == 128 and student["schema"]["pattern"].startswith("^[A-Za-z0-9]")
    assert "Location" in submit["responses"]["201"]["headers"]
