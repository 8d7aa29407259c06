"""Alembic: the migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect

from grader.service import schema
from grader.service.models import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """An engine on an empty database (no tables at all)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server.create_database(name))
    yield engine
    engine.dispose()
    server.drop_database(name)


def test_autogenerate_finds_no_difference_after_upgrade(empty_engine):
    assert schema.current(empty_engine) is None
    schema.upgrade(empty_engine)
    assert schema.current(empty_engine) == schema.head(empty_engine)
    assert schema.differences(empty_engine) == []
    assert set(inspect(empty_engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}


def test_downgrade_to_base_removes_every_table(empty_engine):
    schema.upgrade(empty_engine)
    schema.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    assert schema.current(empty_engine) is None


def test_migrations_ship_inside_the_package():
    from importlib.resources import files

    root = files("grader.migrations")
    assert root.joinpath("env.py").is_file() and root.joinpath("script.py.mako").is_file()
    assert any(entry.name.endswith(".py") for entry in root.joinpath("versions").iterdir())
