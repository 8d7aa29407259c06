"""Alembic's environment: runs migrations on the connection or URL that ``grader db`` hands it."""

from alembic import context
from sqlalchemy import create_engine

from grader.service.models import Base
from grader.service.models.base import UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(kind, item, autogen_context):
    """Write our column types as the plain SQLAlchemy types they store, so revisions import nothing of ours."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        run(connection)
    engine.dispose()
