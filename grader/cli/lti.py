"""``grader lti register|list|remove|rotate-key|canvas-config``: the LMSs this tool trusts (LTI 1.3)."""

from __future__ import annotations

import json

import click

URL_HELP = "The public base URL of this service (default GRADER_PUBLIC_URL)."


def _app():
    from grader.cli.service import service_app

    return service_app()


def _urls(app, url: str | None):
    from grader.service.lti.registration import ToolUrls

    base = url or app.config.get("PUBLIC_URL")
    if not base:
        raise click.UsageError("give --url https://grader.example.edu (or set GRADER_PUBLIC_URL)")
    return ToolUrls(base.rstrip("/"))


def _print_urls(urls) -> None:
    click.echo("Give the LMS administrator these URLs:")
    click.echo(f"  Login (OIDC initiation) URL: {urls.login}")
    click.echo(f"  Launch (target link) URL:    {urls.launch}")
    click.echo(f"  Redirect URI:                {urls.redirect_uris[0]}")
    click.echo(f"  Deep linking URL:            {urls.deep_linking}")
    click.echo(f"  Public keyset (JWKS) URL:    {urls.jwks}")


@click.group("lti")
def lti_group() -> None:
    """LTI 1.3 platforms (LMSs): register them, list, remove; the tool's signing key."""


@lti_group.command("register")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://moodle.example.edu.")
@click.option("--client-id", required=True, help="The client id the platform gave this tool.")
@click.option("--deployment-id", required=True, help="A deployment id of the tool in that platform.")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authentication request URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth 2 access token URL.")
@click.option("--keyset-url", required=True, help="The platform's public keyset (JWKS) URL.")
@click.option("--name", help="A name to show for the platform (default its host).")
@click.option("--url", help=URL_HELP)
def register_command(issuer, client_id, deployment_id, auth_login_url, auth_token_url, keyset_url, name, url):
    """Trust a platform (or add a deployment to one), and print the URLs its administrator needs."""
    from grader.service.database import get_database
    from grader.service.lti import keys
    from grader.service.lti.registration import RegistrationError, register

    app = _app()
    urls = _urls(app, url)
    with get_database(app).sessions() as session:
        try:
            platform, new = register(
                session, issuer, client_id, deployment_id, auth_login_url, auth_token_url, keyset_url, name
            )
        except RegistrationError as error:
            raise click.UsageError(str(error)) from None
        keys.current_key(session)
        state = "registered" if new else "already registered"
        click.echo(f"Platform {platform.name} ({platform.issuer}), deployment {deployment_id!r}: {state}.")
    _print_urls(urls)


@lti_group.command("list")
def list_command() -> None:
    """The registered platforms and their deployments."""
    from grader.service.database import get_database
    from grader.service.lti.registration import platforms

    with get_database(_app()).sessions() as session:
        found = platforms(session)
        if not found:
            click.echo("No platforms registered. Add one with `grader lti register`.")
        for platform in found:
            click.echo(f"{platform.name}: issuer {platform.issuer}, client id {platform.client_id}")
            click.echo(f"  login {platform.auth_login_url}")
            click.echo(f"  token {platform.auth_token_url}")
            click.echo(f"  keys  {platform.keyset_url}")
            for deployment in platform.deployments:
                click.echo(f"  deployment {deployment.deployment_id}")


@lti_group.command("remove")
@click.option("--issuer", required=True, help="The platform's issuer.")
@click.option("--client-id", help="Its client id (needed when one issuer has several).")
@click.option("--deployment-id", help="Remove only this deployment (default: the whole platform).")
def remove_command(issuer, client_id, deployment_id) -> None:
    """Stop trusting a platform, or one of its deployments."""
    from grader.service.database import get_database
    from grader.service.lti.registration import RegistrationError, remove

    with get_database(_app()).sessions() as session:
        try:
            removed = remove(session, issuer, client_id, deployment_id)
        except RegistrationError as error:
            raise click.UsageError(str(error)) from None
    click.echo(f"Removed {removed}.")


@lti_group.command("rotate-key")
def rotate_key_command() -> None:
    """Make a new signing key; the old one stays in the JWKS until it expires."""
    from grader.service.database import get_database
    from grader.service.lti import keys

    with get_database(_app()).sessions() as session:
        key = keys.rotate(session)
        click.echo(f"New signing key {key.kid}; retired keys stay published for {keys.RETIRED_KEY_LIFETIME.days} days.")


@lti_group.command("canvas-config")
@click.option("--url", help=URL_HELP)
@click.option("--title", default="BP Grader", show_default=True, help="The tool's name in Canvas.")
def canvas_config_command(url: str | None, title: str) -> None:
    """Print the JSON for a Canvas developer key (LTI key, method "Paste JSON")."""
    from grader.service.lti.registration import canvas_configuration

    click.echo(json.dumps(canvas_configuration(_urls(_app(), url), title), indent=2))
