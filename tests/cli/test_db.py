"""``grader db upgrade|current|check|downgrade`` on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect

from grader.cli import main


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path, service_env):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"cli_{uuid.uuid4().hex[:12]}"
    yield server.create_database(name)
    server.drop_database(name)


def test_upgrade_current_check_downgrade(empty_url, service_env):
    from click.testing import CliRunner

    service_env.setenv("GRADER_DATABASE_URL", empty_url)
    runner = CliRunner()
    assert "current: none" in runner.invoke(main, ["db", "current"]).output
    upgraded = runner.invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0 and "is at revision" in upgraded.output
    assert "submissions" in inspect(create_engine(empty_url)).get_table_names()
    check = runner.invoke(main, ["db", "check"])
    assert check.exit_code == 0 and "agree" in check.output
    down = runner.invoke(main, ["db", "downgrade", "base"])
    assert down.exit_code == 0 and "base" in down.output


def test_prune_deletes_only_expired_idempotency_records(runner, database_url):
    from datetime import timedelta

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from grader.service.models import IdempotencyRecord, utcnow

    engine = create_engine(database_url)
    with Session(engine) as session:
        ages = {"fresh": timedelta(hours=23), "stale": timedelta(hours=25), "ancient": timedelta(days=9)}
        for key, age in ages.items():
            created = utcnow() - age
            record = IdempotencyRecord(scope="account:1", key=key, fingerprint="f", state="completed")
            record.created_at = record.locked_at = created
            session.add(record)
        session.commit()
    result = runner.invoke(main, ["db", "prune"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 idempotency record(s)" in result.output
    with Session(engine) as session:
        assert session.scalars(select(IdempotencyRecord.key)).all() == ["fresh"]
    engine.dispose()


def test_three_simultaneous_upgrades_of_an_empty_postgresql_database_all_succeed(postgres_server):
    """Three instances starting at once (docker compose scale, a rolling deploy) each run
    ``grader db upgrade``: none fails, and the schema is built once."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from grader.service import schema

    name = f"race_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["GRADER_DATABASE_URL"] = url
    grader = str(Path(sys.executable).with_name("grader"))
    try:
        runs = [
            subprocess.Popen([grader, "db", "upgrade"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(3)
        ]
        outputs = [(run.wait(timeout=120), run.stdout.read().decode()) for run in runs]
        assert [code for code, _ in outputs] == [0, 0, 0], outputs
        engine = create_engine(url)
        assert schema.current(engine) == schema.head(engine)
        assert schema.differences(engine) == []
        engine.dispose()
    finally:
        postgres_server.drop_database(name)
