"""Helpers of the service tests."""

from __future__ import annotations

API = "/api/v1"


def is_problem(response, status: int, slug: str | None = None) -> dict:
    """Assert a problem+json response of ``status`` (and type ``slug``); return its document."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    doc = response.json
    assert doc["status"] == status
    assert doc["title"] and "detail" in doc
    if slug is not None:
        assert doc["type"] == f"{API}/problems/{slug}"
    return doc
