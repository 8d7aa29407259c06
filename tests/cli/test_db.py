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
