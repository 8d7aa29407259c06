"""The service commands end with one line naming the cause, never a traceback, when the database
URL cannot be used or the database cannot be reached."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main

GRADER = str(Path(sys.executable).with_name("grader"))
COMMANDS = [["serve", "--port", "1"], ["keys", "list"], ["keys", "create", "--role", "admin", "--name", "x"],
            ["db", "upgrade"], ["db", "current"], ["db", "prune"], ["regrade", "1"]]  # fmt: skip
URLS = {
    "foo": "is not a database URL",
    "mysql://user@db/grader": "mysql databases are not supported",
    "postgresql://user:pw@db:notaport/grader": "is not a database URL",
    "postgresql+psycopg://user:s3cret@127.0.0.1:1/grader": "Connection refused",
    "sqlite:////proc/no-such-folder/grader.sqlite3": "unable to open database file",
}


@pytest.mark.parametrize("url", list(URLS))
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_one_line_and_a_nonzero_exit(service_env, url, command):
    service_env.setenv("GRADER_DATABASE_URL", url)
    service_env.setenv("GRADER_DB_CONNECT_TIMEOUT", "1")
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and URLS[url] in lines[0], result.output
    assert "s3cret" not in result.output and "pw@" not in result.output


def test_a_bad_number_setting_is_one_line_too(service_env):
    service_env.setenv("GRADER_DB_POOL_SIZE", "many")
    result = CliRunner().invoke(main, ["db", "current"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: GRADER_DB_POOL_SIZE must be a whole number, got 'many'"


def test_no_traceback_reaches_the_terminal():
    """The real console script, as a user runs it: stderr holds the one line, stdout nothing."""
    env = {**_without_settings(), "GRADER_DATABASE_URL": "postgresql+psycopg://u:pw@127.0.0.1:1/db"}
    done = subprocess.run([GRADER, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "cannot use the database postgresql+psycopg://u:***@127.0.0.1:1/db" in done.stderr


def _without_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
