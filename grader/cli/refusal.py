"""A command refused for the user's own mistake: one line (or one list of problems), no traceback,
in the language the command was asked to speak (``--lang``)."""

from __future__ import annotations

from typing import IO, Any

import click

from grader.engine import ExerciseError
from grader.engine.wording import Wording

PREFIX = Wording("Error: ", "错误：")


class Refusal(click.ClickException):
    """click's error exit (status 1, message on stderr), with its "Error:" in ``language``."""

    def __init__(self, message: str, language: str = "en"):
        super().__init__(message)
        self.language = language

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the message; English keeps click's own wording."""
        if self.language == "en":
            super().show(file)
        else:
            click.echo(PREFIX(self.language) + self.format_message(), file=file, err=True)


def invalid(error: ExerciseError, language: str = "en") -> Refusal:
    """The refusal that lists an exercise's, template's, policy's or answers' problems in ``language``."""
    return Refusal(error.text(language), language)
