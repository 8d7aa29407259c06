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


def test_ready_when_migrated_to_the_codes_head(client):
    from grader.service import schema

    response = client.get(f"{API}/ready")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "revision": schema.code_head()}


def test_not_ready_while_the_database_is_unreachable(service_env):
    app = create_app(
        {"DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none", "DB_CONNECT_TIMEOUT": 1}
    )
    doc = is_problem(app.test_client().get(f"{API}/ready"), 503, "not-ready")
    assert "cannot be reached" in doc["detail"]


def test_not_ready_on_a_database_never_migrated_or_behind(service_env, tmp_path):
    """An empty database, and one a revision behind (a stand-in revision id: the code knows only its head)."""
    from sqlalchemy import create_engine, text

    from grader.service import schema

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    client = create_app({"DATABASE_URL": url}).test_client()
    response = client.get(f"{API}/ready")
    doc = is_problem(response, 503, "not-ready")
    assert "never migrated" in doc["detail"] and "grader db upgrade" in doc["detail"]
    assert response.headers["Retry-After"] == "5"
    # /health stays a liveness check: the process is up and the database answers.
    assert client.get(f"{API}/health").status_code == 200
    engine = create_engine(url)
    schema.upgrade(engine)
    assert client.get(f"{API}/ready").status_code == 200
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    doc = is_problem(client.get(f"{API}/ready"), 503, "not-ready")
    assert f"at revision older, the code needs {schema.code_head()}" in doc["detail"]
    engine.dispose()
