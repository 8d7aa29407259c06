"""``grader keys create|list|revoke``: API keys for admins and instructors."""

from __future__ import annotations

import click

# As grader.service.models.ROLES (a test keeps them equal); not imported, so that `grader solve`
# does not load SQLAlchemy.
ROLES = ("admin", "instructor")


def _session():
    from grader.cli.service import service_app
    from grader.service import schema
    from grader.service.database import get_database

    database = get_database(service_app())
    schema.upgrade(database.engine)
    return database.sessions()


@click.group("keys")
def keys_group() -> None:
    """API keys: an LMS or an instructor authenticates with one (Authorization: Bearer KEY)."""


@keys_group.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="admin: every set; instructor: their own.")
@click.option(
    "--name",
    required=True,
    help="The account, e.g. the instructor or LMS; a new key for an existing name shares its sets (key rotation).",
)
def create_command(role: str, name: str) -> None:
    """Create a key. It is shown once, alone on the last line; only its hash is stored."""
    from grader.service.facade.keys import KeyRequestError, create_key

    with _session() as session:
        try:
            key, secret = create_key(session, name, role)
        except KeyRequestError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Created {role} key {key.id} ({key.prefix}...) for {name!r}. Keep it safe: it is not shown again.")
        click.echo(secret)


@keys_group.command("list")
def list_command() -> None:
    """Every key: id, prefix, account, role, state."""
    from grader.service.facade.keys import list_keys

    with _session() as session:
        for key in list_keys(session):
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            click.echo(f"{key.id:>4}  {key.prefix}...  {key.account.name}  {key.account.role}  {state}")


@keys_group.command("revoke")
@click.argument("key")
def revoke_command(key: str) -> None:
    """Revoke KEY (its id or its prefix, as `grader keys list` shows them)."""
    from grader.service.facade.keys import KeyRequestError, revoke_key

    with _session() as session:
        try:
            revoked = revoke_key(session, key)
        except KeyRequestError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Revoked key {revoked.id} ({revoked.prefix}...) of {revoked.account.name!r}")
