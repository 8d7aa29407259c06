"""The database schema: Alembic migrations applied, checked and written from code.

The migration scripts ship inside the package (``grader.migrations``), so this works the same
from a checkout and after ``pip install .``.
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from grader.service.models import Base


def alembic_config(engine: Engine) -> Config:
    """An Alembic config for the migrations, bound to ``engine``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("grader.migrations")))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (creates the database's tables on first use)."""
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision``."""
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head(engine: Engine) -> str:
    """The newest revision in the migration scripts."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


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
