"""docker-compose.yml, Dockerfile and .env.example.  No Docker engine runs here, so what can be
checked without one is: the compose file parses and is wired right, every variable it passes is
one the app reads, and the command it runs exists and loads the app (gunicorn --check-config)."""

from __future__ import annotations

import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.service import config, gunicorn_config

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
ENV_EXAMPLE = dict(
    line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if re.match(r"^[A-Z_]+=", line)
)
APP_VARIABLES = set(config.ENVIRONMENT) | set(gunicorn_config.ENVIRONMENT)
POSTGRES_VARIABLES = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}


def substitute(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} substitution."""

    def one(match: re.Match) -> str:
        name, op, rest = match["name"], match["op"], match["rest"]
        if env.get(name):
            return env[name]
        if op == ":-":
            return rest
        raise KeyError(name)

    return re.sub(r"\$\{(?P<name>[A-Z_]+)(?:(?P<op>:-|:\?)(?P<rest>[^}]*))?\}", one, value)


def test_compose_runs_the_app_after_a_healthy_postgres_with_a_named_volume():
    services = COMPOSE["services"]
    assert set(services) == {"app", "db", "proxy", "worker"}
    db, app = services["db"], services["app"]
    assert db["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"] and db["volumes"][0].endswith(":/var/lib/postgresql/data")
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["build"] == "." and app["expose"] == ["8000"]
    assert "ports" not in app  # clients go through the proxy only


def test_compose_puts_the_tested_nginx_configuration_in_front_of_the_app():
    """The proxy mounts the very file tests/service/test_slow_clients.py runs, as an nginx-image
    template, points it at the app and is the only published port."""
    proxy = COMPOSE["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    source, target, mode = proxy["volumes"][0].split(":")
    assert (ROOT / source).resolve() == (ROOT / "deploy" / "nginx" / "grader.conf.template").resolve()
    assert target.startswith("/etc/nginx/templates/") and target.endswith(".conf.template") and mode == "ro"
    template = (ROOT / source).read_text()
    assert {name for name in re.findall(r"\$\{([A-Z_]+)\}", template)} == set(proxy["environment"])
    assert proxy["environment"]["GRADER_UPSTREAM"] == "app:8000"
    assert proxy["ports"][0].endswith(f":{proxy['environment']['NGINX_PORT']}")
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"


def test_compose_passes_only_variables_the_app_reads():
    environment = COMPOSE["services"]["app"]["environment"]
    assert set(environment) <= APP_VARIABLES, set(environment) - APP_VARIABLES
    assert {"GRADER_DATABASE_URL", "GRADER_SECRET_KEY"} <= set(environment)
    assert environment["GRADER_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in environment["GRADER_DATABASE_URL"]


def test_compose_runs_workers_that_send_lms_scores():
    worker = COMPOSE["services"]["worker"]
    assert worker["build"] == "." and worker["command"] == ["grader", "worker"]
    assert set(worker["environment"]) <= APP_VARIABLES
    assert (
        worker["environment"]["GRADER_DATABASE_URL"] == COMPOSE["services"]["app"]["environment"]["GRADER_DATABASE_URL"]
    )
    assert CliRunner().invoke(main, ["worker", "--help"]).exit_code == 0


def test_every_variable_compose_uses_is_in_env_example():
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))
    assert used <= set(ENV_EXAMPLE), used - set(ENV_EXAMPLE)
    assert set(ENV_EXAMPLE) <= APP_VARIABLES | POSTGRES_VARIABLES | {"GRADER_PORT"}


def test_env_example_mentions_every_setting_of_the_app():
    text = (ROOT / ".env.example").read_text()
    assert all(name in text for name in APP_VARIABLES), [n for n in APP_VARIABLES if n not in text]


def command() -> str:
    run = COMPOSE["services"]["app"]["command"]
    assert run[:2] == ["sh", "-c"]
    return run[2]


def test_dockerfile_runs_the_same_command_and_copies_what_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert yaml.safe_load(cmd[1]) == COMPOSE["services"]["app"]["command"]
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), path
    assert "FROM python:3.11" in dockerfile


def test_the_command_migrates_then_starts_gunicorn():
    first, second = command().split(" && ")
    assert shlex.split(first) == ["grader", "db", "upgrade"]
    assert CliRunner().invoke(main, ["db", "upgrade", "--help"]).exit_code == 0
    args = shlex.split(second)
    assert args[:2] == ["exec", "gunicorn"]
    assert args[2:4] == ["-c", "python:grader.service.gunicorn_config"]
    assert args[4] == "grader.service:create_app()"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_gunicorn_loads_the_app_with_the_compose_settings(tmp_path, database_url):
    env = {**ENV_EXAMPLE}
    settings = {k: substitute(v, env) for k, v in COMPOSE["services"]["app"]["environment"].items()}
    settings["GRADER_DATABASE_URL"] = database_url  # no "db" host here
    settings["GRADER_INSTANCE_PATH"] = str(tmp_path)
    args = shlex.split(command().split(" && ")[1])[1:]

    def check(**changes):
        return subprocess.run(
            [sys.executable, "-m", *args[:1], "--check-config", *args[1:]],
            env={"PATH": str(Path(sys.executable).parent), **settings, **changes},
            capture_output=True,
            text=True,
            timeout=120,
        )

    # .env.example's placeholder secret is refused in production, as it must be ...
    refused = check()
    assert refused.returncode != 0 and "GRADER_SECRET_KEY" in refused.stderr
    # ... and a real one loads the app.
    result = check(GRADER_SECRET_KEY=secrets.token_urlsafe(32))
    assert result.returncode == 0, result.stderr
