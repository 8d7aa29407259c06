"""``grader keys create|list|revoke``."""

from __future__ import annotations

import pytest

from grader.cli import main
from grader.cli.keys import ROLES
from grader.service import models

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_roles_match_the_models():
    assert ROLES == models.ROLES


@SQLITE
def test_create_prints_the_key_alone_on_the_last_line_and_it_works(runner, database_url):
    result = runner.invoke(main, ["keys", "create", "--role", "instructor", "--name", "carol"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("bpg_") and " " not in key and len(key) > 40
    from grader.service import create_app

    app = create_app({"DATABASE_URL": database_url})
    response = app.test_client().get("/api/v1/templates", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


@SQLITE
def test_list_and_revoke(runner):
    key = runner.invoke(main, ["keys", "create", "--role", "admin", "--name", "root"]).output.splitlines()[-1]
    listing = runner.invoke(main, ["keys", "list"]).output
    assert key[:12] in listing and "root" in listing and "admin" in listing and key not in listing
    revoked = runner.invoke(main, ["keys", "revoke", key[:12]])
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    assert "revoked" in runner.invoke(main, ["keys", "list"]).output


@SQLITE
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "student", "--name", "x"], "Invalid value for '--role'"),
        (["--role", "instructor", "--name", " "], "printable"),
    ],
)
def test_bad_requests_are_refused(runner, args, message):
    result = runner.invoke(main, ["keys", "create", *args])
    assert result.exit_code != 0 and message in result.output


@SQLITE
def test_revoking_an_unknown_key_fails(runner):
    result = runner.invoke(main, ["keys", "revoke", "bpg_nothing"])
    assert result.exit_code != 0 and "no API key" in result.output
