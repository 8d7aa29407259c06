"""The ``grader`` command line: one click group, one module per command."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="bp-grader")
def main() -> None:
    """BP Grader: reference solutions and step-by-step grading of back-propagation by hand."""


def _register() -> None:
    from grader.cli.grade import grade_command
    from grader.cli.solve import solve_command

    main.add_command(solve_command)
    main.add_command(grade_command)


_register()
