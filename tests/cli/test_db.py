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
