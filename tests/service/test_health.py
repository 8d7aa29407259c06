"""``GET /health`` reports database connectivity; an unreachable database is 503, never 500."""

from __future__ import annotations

from grader.engine import ENGINE_VERSION
from grader.service import create_app
from grader.service.throwaway_postgres import free_port
from tests.service.helpers import API, is_problem


def test_health_needs_no_credentials(client):
    response = client.get(f"{API}/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert response.json["engine_version"] == ENGINE_VERSION


def test_unreachable_postgresql_is_503(service_env):
    app = create_app(
        {"DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none", "DB_CONNECT_TIMEOUT": 1}
    )
    client = app.test_client()
    response = client.get(f"{API}/health")
    is_problem(response, 503, "database-unavailable")
    assert response.headers["Retry-After"]
    response = client.get(f"{API}/templates", headers={"Authorization": "Bearer bpg_whatever"})
    is_problem(response, 503, "database-unavailable")


def test_unopenable_sqlite_is_503(service_env, tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    is_problem(app.test_client().get(f"{API}/health"), 503, "database-unavailable")
