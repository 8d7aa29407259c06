"""The database schema: Alembic migrations applied, checked and written from code.

The migration scripts ship inside the package (``grader.migrations``), so this works the same
from a checkout and after ``pip install .``.
"""

from __future__ import annotations

import functools
from importlib.resources import files

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from grader.service.models import Base


def alembic_config(engine: Engine) -> Config:
    """An Alembic config for the migrations, bound to ``engine``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("grader.migrations")))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


# Any fixed 64-bit number, the same in every release: the advisory lock that migrations take.
MIGRATION_LOCK = 0x4250_4752_4144_4552  # "BPGRADER"


def _one_at_a_time(connection: Connection) -> None:
    """Make concurrent migrations of one PostgreSQL database take turns.

    Instances that start together (a rolling deploy, ``docker compose up --scale``) all run
    ``grader db upgrade``.  Each waits here, inside its migration transaction, until the one
    before it has committed; it then finds the schema at head and has nothing left to do.
    SQLite serialises writers with its database lock already.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (creates the database's tables on first use).
    Safe to run from several processes at once."""
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        _one_at_a_time(connection)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision``."""
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        _one_at_a_time(connection)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head(engine: Engine) -> str:
    """The newest revision in the migration scripts."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


@functools.cache
def code_head() -> str:
    """The newest revision this code ships (read once per process)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("grader.migrations")))
    return ScriptDirectory.from_config(cfg).get_current_head()


def differences(engine: Engine) -> list:
    """What autogenerate would change to make the database match the models; [] when in step."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def revision(engine: Engine, message: str, autogenerate: bool = True) -> None:
    """Write a new revision script comparing the models with the database."""
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=autogenerate)
