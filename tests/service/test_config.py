"""Configuration: environment variables, the instance folder, the secret key."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.service import config, create_app
from grader.service.database import get_database


def test_default_database_is_sqlite_in_the_instance_folder(service_env, tmp_path):
    app = create_app()
    assert app.instance_path == str(tmp_path / "instance")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'grader.sqlite3'}"
    assert get_database(app).is_sqlite


def test_environment_overrides_and_test_config_overrides_environment(service_env, tmp_path):
    service_env.setenv("GRADER_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    service_env.setenv("GRADER_SECRET_KEY", "from-env")
    service_env.setenv("GRADER_MAX_CONTENT_LENGTH", "1234")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("env.sqlite3")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAX_CONTENT_LENGTH"] == 1234
    assert create_app({"SECRET_KEY": "given"}).config["SECRET_KEY"] == "given"


def test_instance_config_file_is_read(service_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("MAX_TRACE_STEPS = 77\n")
    assert create_app().config["MAX_TRACE_STEPS"] == 77


def test_a_bad_number_in_the_environment_stops_the_start(service_env):
    service_env.setenv("GRADER_DB_POOL_SIZE", "many")
    try:
        create_app()
    except RuntimeError as error:
        assert "GRADER_DB_POOL_SIZE" in str(error)
    else:
        raise AssertionError("expected a RuntimeError")


def test_secret_key_is_generated_once_and_kept(service_env, tmp_path):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 40
    key_file = Path(tmp_path / "instance" / "secret_key")
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o077 == 0


def test_every_setting_is_documented():
    for variable, (key, kind, _default, doc) in config.ENVIRONMENT.items():
        assert (
            variable.startswith("GRADER_")
            and key
            and kind in (str, int, config.positive, config.boolean, config.time_zone)
            and doc
        )


def test_an_unknown_time_zone_is_refused_in_one_line():
    with pytest.raises(config.ConfigurationError, match="GRADER_TIME_ZONE must be an IANA time zone name"):
        config.from_environment({"GRADER_TIME_ZONE": "Mars/Olympus"})
    assert config.from_environment({"GRADER_TIME_ZONE": "Asia/Shanghai"})["TIME_ZONE"] == "Asia/Shanghai"


@pytest.mark.parametrize("value", ["0", "-3", "eight"])
def test_a_session_limit_must_be_a_whole_number_above_zero(value):
    for variable in ("GRADER_SESSION_HOURS", "GRADER_SESSION_IDLE_MINUTES"):
        with pytest.raises(config.ConfigurationError, match=f"{variable} must be a whole number above 0"):
            config.from_environment({variable: value})
    assert config.from_environment({"GRADER_SESSION_HOURS": "12"})["SESSION_HOURS"] == 12
