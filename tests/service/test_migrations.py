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


def test_grades_get_their_scores_when_the_column_arrives(empty_engine):
    """0004_i15 sums existing grades' results in SQL: credit x weight, and weight, over the keys."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    schema.upgrade(empty_engine, "0003_i14")
    now = datetime(2026, 11, 29, tzinfo=UTC).replace(tzinfo=None)
    results = '{"z3": ["correct", 1.0, 1.0], "y3": ["carried", 0.5, 2.0], "E": ["misconception", 0.0, 3.0, "x", "x"]}'
    statements = [
        ("INSERT INTO accounts (id, name, role, created_at) VALUES (1, 'a', 'instructor', :now)", {}),
        (
            "INSERT INTO exercise_sets (id, owner_id, title, template, template_hash, seed, created_at, updated_at)"
            " VALUES (1, 1, 't', '{}', 'h', 1, :now, :now)",
            {},
        ),
        ("INSERT INTO policy_versions (id, set_id, version, document, created_at) VALUES (1, 1, 1, '{}', :now)", {}),
        (
            "INSERT INTO assignments (id, set_id, student_id, exercise, template_hash, engine_version,"
            " generator_version, resamples, created_at) VALUES (1, 1, 's', '{}', 'h', '1', '1', 0, :now)",
            {},
        ),
        (
            "INSERT INTO submissions (id, assignment_id, attempt, payload, submitted_by, submitted_at)"
            " VALUES (1, 1, 1, '{}', 'x', :now)",
            {},
        ),
        (
            "INSERT INTO grades (submission_id, policy_id, results, engine_version, graded_at)"
            " VALUES (1, 1, :results, '1', :now)",
            {"results": results},
        ),
    ]
    with empty_engine.begin() as connection:
        for statement, params in statements:
            connection.execute(text(statement), {"now": now, **params})
    schema.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT score, max_score FROM grades")).one() == (2.0, 6.0)
    assert "ix_grades_policy_id" not in {ix["name"] for ix in inspect(empty_engine).get_indexes("grades")}


def test_sets_made_before_visible_change_keep_their_rules(empty_engine):
    """0010_k10gen: a stored template that does not say visible_change gets ``false`` (the rule it was
    made under) and the hash of the document it now stores; one that says it is left alone."""
    import json
    from datetime import UTC, datetime

    from sqlalchemy import text

    from grader.generation import GenerationError, Template, generate_variant

    # deep-2321 as the catalogue drew it for generator version 1: no variant meets visible_change.
    old = {
        "title": "Deep",
        "layers": [2, 3, 2, 1],
        "learning_rate": {"choice": [0.5, 2.0]},
        "weights": {"uniform": [-1, 1], "decimals": 1, "exclude": [0]},
        "samples": [
            {
                "inputs": {"uniform": [0.05, 0.95], "decimals": 2},
                "targets": {"uniform": [0.1, 0.9], "decimals": 1, "exclude": [0.4, 0.5, 0.6]},
            }
        ],
    }
    with pytest.raises(GenerationError, match="visible_change"):
        generate_variant(Template.from_mapping({**old, "constraints": {"max_tries": 100}}, "old"), 1, "s001")
    said = {**old, "constraints": {"visible_change": 3}}
    schema.upgrade(empty_engine, "0009_klti")
    now = datetime(2026, 11, 29, tzinfo=UTC).replace(tzinfo=None)
    with empty_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO accounts (id, name, role, created_at) VALUES (1, 'a', 'instructor', :now)"), {"now": now}
        )
        for set_id, document in ((1, old), (2, said)):
            connection.execute(
                text(
                    "INSERT INTO exercise_sets (id, owner_id, title, template, template_hash, seed, created_at,"
                    " updated_at) VALUES (:id, 1, 't', :doc, 'h', 1, :now, :now)"
                ),
                {"id": set_id, "doc": json.dumps(document), "now": now},
            )
    schema.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, template FROM exercise_sets")).all())
        hashes = dict(connection.execute(text("SELECT id, template_hash FROM exercise_sets")).all())
    stored = {k: json.loads(v) if isinstance(v, str) else v for k, v in rows.items()}
    assert stored[1] == {**old, "constraints": {"visible_change": False}} and stored[2] == said
    template = Template.from_mapping(stored[1], "old")
    assert template.constraints.visible_change is None and hashes[1] == template.content_hash
    assert hashes[2] == "h"
    generate_variant(template, 1, "s001")  # the set's next student gets a variant, as before


def test_page_sessions_of_api_keys_survive_the_lti_sessions_revision(empty_engine):
    """0008_klti: an open API-key session stays open (last seen when it opened); a session must
    name exactly one of a key and an LTI user; going back ends the LTI sessions only."""
    from datetime import UTC, datetime

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    schema.upgrade(empty_engine, "0007_i12")
    now = datetime(2026, 11, 29, 20, tzinfo=UTC).replace(tzinfo=None)
    with empty_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO accounts (id, name, role, created_at) VALUES (1, 'a', 'instructor', :n)"), {"n": now}
        )
        connection.execute(
            text(
                "INSERT INTO api_keys (id, account_id, prefix, secret_hash, created_at) VALUES (1, 1, 'bpg_', 'k', :n)"
            ),
            {"n": now},
        )
        connection.execute(
            text("INSERT INTO page_sessions (id, secret_hash, key_id, created_at) VALUES (1, 's1', 1, :n)"), {"n": now}
        )
    schema.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        row = connection.execute(text("SELECT key_id, lti_user_id, created_at, last_seen_at FROM page_sessions")).one()
        assert row[:2] == (1, None) and row[2] == row[3]
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO lti_platforms (id, name, issuer, client_id, auth_login_url, auth_token_url, keyset_url,"
                " link_secret, created_at) VALUES (1, 'p', 'i', 'c', 'u', 'u', 'u', 's', :n)"
            ),
            {"n": now},
        )
        connection.execute(
            text("INSERT INTO lti_users (id, platform_id, sub, account_id, updated_at) VALUES (1, 1, 'x', 1, :n)"),
            {"n": now},
        )
        connection.execute(
            text(
                "INSERT INTO page_sessions (id, secret_hash, lti_user_id, created_at, last_seen_at)"
                " VALUES (2, 's2', 1, :n, :n)"
            ),
            {"n": now},
        )
    for key_id, user_id in ((1, 1), (None, None)):
        with pytest.raises(IntegrityError), empty_engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO page_sessions (secret_hash, key_id, lti_user_id, created_at, last_seen_at)"
                    " VALUES ('s3', :k, :u, :n, :n)"
                ),
                {"k": key_id, "u": user_id, "n": now},
            )
    schema.downgrade(empty_engine, "0007_i12")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT id, key_id FROM page_sessions")).all() == [(1, 1)]
