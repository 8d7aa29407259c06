"""The ``grader`` command line: one click group, one module per command."""

from __future__ import annotations

import click


class Main(click.Group):
    """The command group; a bad setting or an unusable database ends a command with one line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            from grader.cli.service import explain

            message = explain(error, ctx)
            if message is None:
                raise
            raise click.ClickException(message) from None


@click.group(cls=Main)
@click.version_option(package_name="bp-grader")
def main() -> None:
    """BP Grader: reference solutions and step-by-step grading of back-propagation by hand."""


def _register() -> None:
    from grader.cli.grade import grade_command
    from grader.cli.solve import solve_command

    main.add_command(solve_command)
    main.add_command(grade_command)
    from grader.cli.generate import generate_command
    from grader.cli.templates import templates_command

    main.add_command(generate_command)
    main.add_command(templates_command)
    from grader.cli.db import db_group
    from grader.cli.keys import keys_group
    from grader.cli.regrade import regrade_command
    from grader.cli.serve import serve_command

    main.add_command(serve_command)
    main.add_command(db_group)
    main.add_command(keys_group)
    main.add_command(regrade_command)
    from grader.cli.lti import lti_group
    from grader.cli.worker import worker_command

    main.add_command(lti_group)
    main.add_command(worker_command)


_register()
